//
// PluginRegistry.cpp
//
// Library: jwtflow core
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/PluginRegistry.h"
#include <dlfcn.h>
#include "jwtflow/Exception.h"
#include "jwtflow/PluginAbi.h"
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
#include <set>

namespace jwtflow {

using ProviderLoader = Poco::ClassLoader<Provider>;

struct PluginRegistry::Impl
{
	std::vector<std::string> searchPath;
	std::vector<PluginDescriptor> descriptors;
	std::vector<std::string> libraries;        // every plugin-looking library found, in search order
	std::set<std::string> attempted;           // libraries already tried
	std::vector<PluginProblem> problems;
	// Declared before `providers`: members are destroyed in reverse order, so
	// every provider object dies before the loader unloads the libraries.
	ProviderLoader loader;
	std::vector<std::unique_ptr<Provider>> providers;

	void scan();
	void addProblem(const std::string& path, const std::string& message)
	{
		problems.push_back({path, message});
	}
};

namespace {

bool isLibraryFile(const Poco::Path& p)
{
	const std::string suffix = Poco::SharedLibrary::suffix(); // ".so" (".dylib", ".dll")
	return Poco::endsWith(p.getFileName(), suffix);
}

std::string describeException(const Poco::Exception& e)
{
	std::string text = e.message().empty() ? e.displayText() : e.message();
	return text;
}

} // namespace

void PluginRegistry::Impl::scan()
{
	std::set<std::string> providerNames;
	std::set<std::string> seenLibraries;
	for (const auto& dir: searchPath)
	{
		Poco::File folder(dir);
		try
		{
			if (!folder.exists() || !folder.isDirectory()) continue;
		}
		catch (const Poco::Exception&)
		{
			continue;
		}
		std::vector<std::string> names;
		try
		{
			for (Poco::DirectoryIterator it(folder), end; it != end; ++it) names.push_back(it.name());
		}
		catch (const Poco::Exception& e)
		{
			addProblem(dir, "cannot list the plugin folder: " + describeException(e));
			continue;
		}
		std::sort(names.begin(), names.end());
		for (const auto& name: names)
		{
			Poco::Path path(dir, name);
			if (Poco::endsWith(name, std::string(".properties")))
			{
				PluginDescriptor desc;
				desc.provider = path.getBaseName();
				desc.path = path.toString();
				if (providerNames.count(desc.provider)) continue;
				try
				{
					desc.properties = new Poco::Util::PropertyFileConfiguration(desc.path);
				}
				catch (const Poco::Exception& e)
				{
					addProblem(desc.path, "cannot read the plugin descriptor: " + describeException(e));
					continue;
				}
				std::string lib = desc.properties->getRawString("plugin.library", "");
				if (lib.empty()) lib = "jwtflow-provider-" + desc.provider;
				if (!Poco::endsWith(lib, std::string(Poco::SharedLibrary::suffix()))) lib += Poco::SharedLibrary::suffix();
				desc.library = Poco::Path(lib).isAbsolute() ? lib : Poco::Path(dir, lib).toString();
				desc.className = desc.properties->getRawString("plugin.class", "");
				desc.description = desc.properties->getRawString("plugin.description", "");
				providerNames.insert(desc.provider);
				descriptors.push_back(desc);
			}
			else if (isLibraryFile(path))
			{
				std::string full = path.toString();
				if (seenLibraries.insert(full).second) libraries.push_back(full);
			}
		}
	}
}

PluginRegistry::PluginRegistry(std::vector<std::string> searchPath): _impl(new Impl)
{
	_impl->searchPath = std::move(searchPath);
	_impl->scan();
}

PluginRegistry::~PluginRegistry()
{
	// Providers first, then the loader (which unloads the libraries).
	_impl->providers.clear();
}

std::vector<std::string> PluginRegistry::defaultSearchPath(const std::vector<std::string>& optionDirs,
	const std::string& executablePath)
{
	std::vector<std::string> path(optionDirs.begin(), optionDirs.end());
	std::string env = Poco::Environment::get("JWTFLOW_PLUGIN_PATH", "");
	if (!env.empty())
	{
		Poco::StringTokenizer tok(env, ":", Poco::StringTokenizer::TOK_IGNORE_EMPTY | Poco::StringTokenizer::TOK_TRIM);
		for (const auto& dir: tok) path.push_back(dir);
	}
	if (!executablePath.empty())
	{
		Poco::Path exe(executablePath);
		Poco::Path exeDir = exe.parent();
		Poco::Path installed(exeDir);
		installed.popDirectory();
		installed.pushDirectory("lib");
		installed.pushDirectory("jwtflow");
		installed.pushDirectory("plugins.d");
		path.push_back(installed.toString());
		Poco::Path local(exeDir);
		local.pushDirectory("plugins.d");
		path.push_back(local.toString());
	}
	// Where the installed package put the plugins, next to this library:
	// <libdir>/jwtflow/plugins.d, wherever the install tree was moved to.
	Dl_info info{};
	if (dladdr(reinterpret_cast<void*>(&PluginRegistry::defaultSearchPath), &info) && info.dli_fname)
	{
		Poco::Path beside(Poco::Path(info.dli_fname).absolute().parent());
		beside.pushDirectory("jwtflow");
		beside.pushDirectory("plugins.d");
		std::string dir = beside.toString();
		if (std::find(path.begin(), path.end(), dir) == path.end()) path.push_back(dir);
	}
	return path;
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

bool PluginRegistry::loadLibrary(const std::string& path)
{
	if (!_impl->attempted.insert(path).second) return false;
	if (!Poco::File(path).exists())
	{
		_impl->addProblem(path, "the plugin library does not exist (build it, or fix plugin.library in the descriptor)");
		return false;
	}
	// 1. Check the ABI before POCO builds the manifest or anything else runs.
	try
	{
		Poco::SharedLibrary probe(path);
		struct Unload
		{
			Poco::SharedLibrary& lib;
			~Unload() { if (lib.isLoaded()) lib.unload(); }
		} unloadProbe{probe};
		if (!probe.hasSymbol(JWTFLOW_PLUGIN_ABI_SYMBOL))
		{
			_impl->addProblem(path, "not a jwtflow plugin (it does not export " JWTFLOW_PLUGIN_ABI_SYMBOL ")");
			return false;
		}
		auto abi = reinterpret_cast<JwtflowPluginAbiFunction>(probe.getSymbol(JWTFLOW_PLUGIN_ABI_SYMBOL));
		unsigned version = abi();
		if (version != JWTFLOW_PLUGIN_ABI_VERSION)
		{
			_impl->addProblem(path, "built for plugin ABI version " + std::to_string(version) + ", but this jwtflow needs version "
				+ std::to_string(JWTFLOW_PLUGIN_ABI_VERSION) + ": rebuild the plugin against this jwtflow");
			return false;
		}
		if (probe.hasSymbol(JWTFLOW_PLUGIN_POCO_SYMBOL))
		{
			auto poco = reinterpret_cast<JwtflowPluginPocoFunction>(probe.getSymbol(JWTFLOW_PLUGIN_POCO_SYMBOL));
			unsigned long pv = poco();
			if ((pv >> 16) != (static_cast<unsigned long>(POCO_VERSION) >> 16))
			{
				_impl->addProblem(path, "built against another POCO version: rebuild the plugin against this jwtflow's POCO");
				return false;
			}
		}
	}
	catch (const Poco::Exception& e)
	{
		_impl->addProblem(path, "cannot load the library: " + describeException(e));
		return false;
	}

	// 2. Let POCO load the manifest, then create each provider.
	try
	{
		_impl->loader.loadLibrary(path);
	}
	catch (const Poco::Exception& e)
	{
		_impl->addProblem(path, "not a jwtflow plugin: " + describeException(e));
		return false;
	}
	catch (const std::exception& e)
	{
		_impl->addProblem(path, std::string("the plugin failed while loading: ") + e.what());
		return false;
	}
	const ProviderLoader::Manif* manifest = _impl->loader.findManifest(path);
	bool any = false;
	if (manifest)
	{
		for (auto it = manifest->begin(); it != manifest->end(); ++it)
		{
			const std::string className = it->name();
			try
			{
				std::unique_ptr<Provider> provider(it->create());
				if (provider->abiVersion() != JWTFLOW_PLUGIN_ABI_VERSION)
				{
					_impl->addProblem(path, "class " + className + " reports plugin ABI version "
						+ std::to_string(provider->abiVersion()) + ": rebuild the plugin against this jwtflow");
					continue;
				}
				std::string name = provider->name();
				bool duplicate = false;
				for (const auto& p: _impl->providers)
					if (p->name() == name) duplicate = true;
				if (duplicate)
				{
					_impl->addProblem(path, "provider '" + name + "' is already provided by another plugin; this one is ignored");
					continue;
				}
				_impl->providers.push_back(std::move(provider));
				any = true;
			}
			catch (const Poco::Exception& e)
			{
				_impl->addProblem(path, "class " + className + " failed to start: " + describeException(e));
			}
			catch (const std::exception& e)
			{
				_impl->addProblem(path, "class " + className + " failed to start: " + e.what());
			}
			catch (...)
			{
				_impl->addProblem(path, "class " + className + " failed to start");
			}
		}
	}
	if (!any && (!manifest || manifest->size() == 0))
		_impl->addProblem(path, "the plugin's manifest exports no provider");
	return any;
}

Provider* PluginRegistry::find(const std::string& provider)
{
	for (const auto& p: _impl->providers)
		if (p->name() == provider) return p.get();
	if (const PluginDescriptor* desc = descriptorFor(provider))
	{
		loadLibrary(desc->library);
		for (const auto& p: _impl->providers)
			if (p->name() == provider) return p.get();
	}
	// A library without a descriptor may still provide it.
	for (const auto& lib: _impl->libraries)
	{
		if (_impl->attempted.count(lib)) continue;
		loadLibrary(lib);
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
		loadAll();
		std::string names;
		for (const auto& n: knownNames()) names += (names.empty() ? "" : ", ") + n;
		message = "unknown provider '" + provider + "'; available: " + (names.empty() ? "(none: no plugins found)" : names);
	}
	throw UsageException(message);
}

void PluginRegistry::loadAll()
{
	for (const auto& desc: _impl->descriptors) loadLibrary(desc.library);
	for (const auto& lib: _impl->libraries) loadLibrary(lib);
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
