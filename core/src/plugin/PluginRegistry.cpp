//
// PluginRegistry.cpp
//
// Library: jwtflow core
//
// SPDX-License-Identifier: BSL-1.0
//
#include "PluginRegistryImpl.h"
#include <dlfcn.h>
#include <link.h>
#include "jwtflow/Exception.h"
#include "jwtflow/PluginAbi.h"
#include "jwtflow/SafeText.h"
#include "jwtflow/Suggest.h"
#include "jwtflow/SecureFiles.h"
#include "ElfDependencies.h"
#include "LibraryProbe.h"
#include <Poco/ClassLoader.h>
#include <Poco/DirectoryIterator.h>
#include <Poco/Environment.h>
#include <Poco/File.h>
#include <Poco/Manifest.h>
#include <Poco/Path.h>
#include <Poco/SharedLibrary.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>
#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace jwtflow {

std::string PluginRegistry::Impl::layoutProblem(const std::string& path) const
{
	if (!PluginRegistry::isSingleExecutable()) return {};
	std::vector<std::string> needed;
	if (!detail::readElfNeeded(path, needed)) return {};   // not ELF: the probe says why
	const std::string shared = detail::sharedLayoutDependency(needed);
	if (shared.empty()) return {};
	return "built for the shared jwtflow (it needs " + shared + "), while this jwtflow is one executable with POCO"
		" and the core inside: rebuild the plugin with jwtflow_add_plugin (it links JwtFlow::plugin-sdk only),"
		" or run it with the shared jwtflow";
}

PluginRegistry::PluginRegistry(std::vector<std::string> searchPath): _impl(new Impl)
{
	_impl->searchPath = std::move(searchPath);
	_impl->scan();
}

PluginRegistry::PluginRegistry(std::vector<std::string> searchPath, std::vector<BuiltInProvider> builtIns): _impl(new Impl)
{
	_impl->searchPath = std::move(searchPath);
	_impl->addBuiltIns(std::move(builtIns));
	_impl->scan();
}

bool PluginRegistry::isSingleExecutable()
{
#if defined(JWTFLOW_SINGLE_EXECUTABLE)
	return true;
#else
	return false;
#endif
}

PluginRegistry::~PluginRegistry()
{
	// Providers first, then the loader (which unloads the libraries).
	_impl->providers.clear();
}

const std::vector<std::string>& PluginRegistry::searchPath() const { return _impl->searchPath; }
const std::vector<PluginDescriptor>& PluginRegistry::descriptors() const { return _impl->descriptors; }
const std::vector<PluginProblem>& PluginRegistry::problems() const { return _impl->problems; }

const PluginDescriptor* PluginRegistry::descriptorFor(const std::string& provider) const
{
	for (const auto& d: _impl->descriptors)
		if (d.provider == provider) return &d;
	return nullptr;
}

std::string PluginRegistry::Impl::refusal(const std::string& path) const
{
	if (!Poco::File(path).exists()) return "the plugin library does not exist (build it, or fix plugin.library in the descriptor)";
	// 1. The library and its folder: nobody else may have changed them.
	for (const auto& check: {std::make_pair(path, false), std::make_pair(Poco::Path(path).parent().toString(), true)})
	{
		const std::string loose = trustProblem(check.first, TrustedFileKind::Code, check.second);
		if (!loose.empty()) return std::string("refused: ") + (check.second ? "its folder: " : "") + loose;
	}
	// 2. The single-file jwtflow: a plugin linked to the shared libraries would
	// bring a second POCO and core into the process.
	const std::string layout = layoutProblem(path);
	if (!layout.empty()) return layout;
	// 3. Open it in a child process first: its static initializers run there,
	// so one that throws or crashes cannot take the host down. The child also
	// checks the ABI before any object of the plugin is made. (No second
	// in-process check: a remembered pass is keyed on the library's device,
	// inode, size and times.)
	return detail::probePluginLibraryCached(path);
}

bool PluginRegistry::Impl::create(const std::string& path, const std::string& className, Provider* made)
{
	std::unique_ptr<Provider> provider(made);
	if (provider->abiVersion() != JWTFLOW_PLUGIN_ABI_VERSION)
	{
		addProblem(path, "class " + className + " reports plugin ABI version " + std::to_string(provider->abiVersion())
			+ ": rebuild the plugin against this jwtflow");
		return false;
	}
	const std::string name = provider->name();
	for (const auto& p: providers)
	{
		if (p->name() != name) continue;
		addProblem(path, "provider '" + name + "' is already provided by another plugin; this one is ignored");
		return false;
	}
	providers.push_back(std::move(provider));
	return true;
}

bool PluginRegistry::Impl::createAll(const std::string& path, const ProviderLoader::Manif& manifest)
{
	bool any = false;
	for (auto it = manifest.begin(); it != manifest.end(); ++it)
	{
		const std::string className = it->name();
		try
		{
			any = create(path, className, it->create()) || any;
		}
		catch (const Poco::Exception& e)
		{
			addProblem(path, "class " + className + " failed to start: " + detail::describeException(e));
		}
		catch (const std::exception& e)
		{
			addProblem(path, "class " + className + " failed to start: " + e.what());
		}
		catch (...)
		{
			addProblem(path, "class " + className + " failed to start");
		}
	}
	return any;
}

bool PluginRegistry::loadLibrary(const std::string& path)
{
	if (!_impl->attempted.insert(path).second) return false;
	const std::string refused = _impl->refusal(path);
	if (!refused.empty())
	{
		_impl->addProblem(path, refused);
		return false;
	}
	// 4. Let POCO load the manifest, then create each provider.
	try
	{
		_impl->loader.loadLibrary(path);
	}
	catch (const Poco::Exception& e)
	{
		_impl->addProblem(path, "not a jwtflow plugin: " + detail::describeException(e));
		return false;
	}
	catch (const std::exception& e)
	{
		_impl->addProblem(path, std::string("the plugin failed while loading: ") + e.what());
		return false;
	}
	catch (...)
	{
		_impl->addProblem(path, "the plugin failed while loading");
		return false;
	}
	const ProviderLoader::Manif* manifest = _impl->loader.findManifest(path);
	const bool any = manifest && _impl->createAll(path, *manifest);
	if (!any && (!manifest || manifest->size() == 0)) _impl->addProblem(path, "the plugin's manifest exports no provider");
	return any;
}

Provider* PluginRegistry::find(const std::string& provider)
{
	for (const auto& p: _impl->providers)
		if (p->name() == provider) return p.get();
	// Only the library the provider's descriptor names: asking for one
	// provider never runs the code of another.
	for (const auto& builtIn: _impl->builtIns)
		if (builtIn.name == provider)
		{
			try
			{
				std::unique_ptr<Provider> made(builtIn.create());
				_impl->providers.push_back(std::move(made));
				return _impl->providers.back().get();
			}
			catch (const std::exception& e)
			{
				_impl->addProblem("(built in) " + provider, std::string("the provider failed to start: ") + e.what());
				return nullptr;
			}
		}
	if (const PluginDescriptor* desc = descriptorFor(provider))
	{
		if (desc->library.empty()) return nullptr;
		loadLibrary(desc->library);
		for (const auto& p: _impl->providers)
			if (p->name() == provider) return p.get();
	}
	return nullptr;
}

Provider& PluginRegistry::get(const std::string& provider)
{
	if (Provider* p = find(provider)) return *p;
	std::string message;
	const PluginDescriptor* desc = descriptorFor(provider);
	if (desc)
	{
		message = "provider '" + provider + "' could not be loaded";
		for (const auto& problem: _impl->problems)
			if (problem.path == desc->library) message += ": " + problem.message;
	}
	else
	{
		std::string names;
		for (const auto& n: knownNames()) names += (names.empty() ? "" : ", ") + n;
		message = "unknown provider " + quotedText(provider, 60);
		// Entra ID is the new name of Azure AD: both lead to azure-ad.
		std::string guess = Poco::toLower(provider) == "entra" || Poco::toLower(provider) == "entra-id" ? "azure-ad"
			: closestName(provider, knownNames());
		if (!guess.empty() && descriptorFor(guess)) message += " (did you mean '" + guess + "'?)";
		message += "; available: " + (names.empty() ? std::string("(none: no plugins found)") : names);
		// A refused plugin folder may be why it is unknown.
		for (const auto& problem: _impl->problems)
			if (problem.message.rfind("plugin folder refused", 0) == 0) message += "; " + problem.path + ": " + problem.message;
	}
	throw UsageException(message);
}

std::vector<PluginProblem> PluginRegistry::probeAll()
{
	std::vector<PluginProblem> found;
	for (const auto& desc: _impl->descriptors)
	{
		if (desc.library.empty()) continue;   // built in
		if (_impl->attempted.count(desc.library))
		{
			for (const auto& p: _impl->problems)
				if (p.path == desc.library) found.push_back(p);
			continue;
		}
		std::string problem;
		if (!Poco::File(desc.library).exists())
			problem = "the plugin library does not exist (build it, or fix plugin.library in the descriptor)";
		if (problem.empty()) problem = trustProblem(desc.library, TrustedFileKind::Code, false);
		if (problem.empty()) problem = _impl->layoutProblem(desc.library);
		if (problem.empty()) problem = detail::probePluginLibraryCached(desc.library);
		if (!problem.empty()) found.push_back({desc.library, problem});
	}
	return found;
}

std::vector<std::string> PluginRegistry::librariesWithoutDescriptor() const
{
	std::set<std::string> described;
	for (const auto& d: _impl->descriptors) described.insert(d.library);
	described.insert(_impl->shadowedLibraries.begin(), _impl->shadowedLibraries.end());
	std::vector<std::string> out;
	for (const auto& lib: _impl->libraries)
		if (!described.count(lib)) out.push_back(lib);
	return out;
}

void PluginRegistry::loadAll()
{
	for (const auto& builtIn: _impl->builtIns) find(builtIn.name);
	for (const auto& desc: _impl->descriptors)
		if (!desc.library.empty()) loadLibrary(desc.library);
	for (const auto& lib: _impl->libraries)
		if (!_impl->shadowedLibraries.count(lib)) loadLibrary(lib);
}

std::vector<Provider*> PluginRegistry::providers() const
{
	std::vector<Provider*> out;
	for (const auto& p: _impl->providers) out.push_back(p.get());
	return out;
}

std::vector<std::string> PluginRegistry::knownNames() const
{
	std::set<std::string> names;
	for (const auto& d: _impl->descriptors) names.insert(d.provider);
	for (const auto& p: _impl->providers) names.insert(p->name());
	return {names.begin(), names.end()};
}

} // namespace jwtflow
