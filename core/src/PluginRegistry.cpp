//
// PluginRegistry.cpp
//
// Library: jwtflow core
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/PluginRegistry.h"
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

using ProviderLoader = Poco::ClassLoader<Provider>;

struct PluginRegistry::Impl
{
	std::vector<std::string> searchPath;
	std::vector<PluginDescriptor> descriptors;
	std::vector<BuiltInProvider> builtIns;      // linked into the program: descriptors come first
	std::set<std::string> shadowedLibraries;    // named by a descriptor that an earlier one of the same name hides
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
	void addBuiltIns(std::vector<BuiltInProvider> linked);
	std::string layoutProblem(const std::string& path) const;
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

namespace {

const std::size_t MAX_DESCRIPTOR_BYTES = 64 * 1024;

/// Reads a descriptor: a regular file of bounded size (a folder or a FIFO
/// named x.properties would make POCO's reader spin or block), parsed from
/// memory. Throws Poco::Exception with the reason.
Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> readDescriptor(const std::string& path)
{
	struct stat st{};
	if (::stat(path.c_str(), &st) != 0) throw Poco::FileException("it cannot be read");
	if (!S_ISREG(st.st_mode)) throw Poco::FileException("it is not a regular file");
	if (static_cast<std::size_t>(st.st_size) > MAX_DESCRIPTOR_BYTES)
		throw Poco::FileException("it is larger than 64 KiB, which no descriptor is");
	std::string problem = trustProblem(path, TrustedFileKind::Content, false);
	if (!problem.empty()) throw Poco::FileException(problem);
	std::ifstream in(path, std::ios::binary);
	if (!in) throw Poco::FileException("it cannot be read");
	std::string text;
	char buf[4096];
	while (in.read(buf, sizeof buf) || in.gcount() > 0)
	{
		text.append(buf, static_cast<std::size_t>(in.gcount()));
		if (text.size() > MAX_DESCRIPTOR_BYTES) throw Poco::FileException("it is larger than 64 KiB, which no descriptor is");
	}
	std::istringstream stream(text);
	return new Poco::Util::PropertyFileConfiguration(stream);
}

} // namespace

void PluginRegistry::Impl::addBuiltIns(std::vector<BuiltInProvider> linked)
{
	for (auto& builtIn: linked)
	{
		PluginDescriptor desc;
		desc.provider = builtIn.name;
		desc.path = "(built in)";
		std::istringstream text(builtIn.descriptor);
		desc.properties = new Poco::Util::PropertyFileConfiguration(text);
		desc.className = desc.properties->getRawString("plugin.class", "");
		desc.description = desc.properties->getRawString("plugin.description", "");
		descriptors.push_back(desc);
		builtIns.push_back(std::move(builtIn));
	}
}

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

void PluginRegistry::Impl::scan()
{
	std::set<std::string> providerNames;
	for (const auto& d: descriptors) providerNames.insert(d.provider);
	std::set<std::string> seenLibraries;
	for (const auto& dir: searchPath)
	{
		struct stat st{};
		if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
		std::string loose = trustProblem(dir, TrustedFileKind::Code, true);
		if (!loose.empty())
		{
			addProblem(dir, "plugin folder refused: " + loose);
			continue;
		}
		std::vector<std::string> names;
		try
		{
			Poco::File folder(dir);
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
				if (providerNames.count(desc.provider))
				{
					// Hidden by an earlier one (or a built-in provider): its library is
					// neither loaded nor reported as undescribed.
					std::string lib = "jwtflow-provider-" + desc.provider + Poco::SharedLibrary::suffix();
					try
					{
						std::string named = readDescriptor(desc.path)->getRawString("plugin.library", "");
						if (!named.empty()) lib = named + (Poco::endsWith(named, std::string(Poco::SharedLibrary::suffix())) ? "" : Poco::SharedLibrary::suffix());
					}
					catch (const Poco::Exception&)
					{
					}
					shadowedLibraries.insert(Poco::Path(lib).isAbsolute() ? lib : Poco::Path(dir, lib).toString());
					continue;
				}
				try
				{
					desc.properties = readDescriptor(desc.path);
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

std::string PluginRegistry::executablePath()
{
	char buf[PATH_MAX];
	ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
	if (n <= 0) return {};
	buf[n] = '\0';
	return buf;
}

namespace {

/// The file of the loaded object (program or library) that holds an address. Found
/// from the objects' segments (dl_iterate_phdr), not with dladdr, which also scans
/// the object's whole symbol table for the nearest symbol (a cold ~0.5 MB read in
/// a program that exports many symbols).
std::string loadedObjectPath(const void* address)
{
	struct Search
	{
		std::uintptr_t address;
		std::string path;
	} search{reinterpret_cast<std::uintptr_t>(address), {}};
	::dl_iterate_phdr([](dl_phdr_info* info, std::size_t, void* data) -> int {
		auto* s = static_cast<Search*>(data);
		for (int i = 0; i < info->dlpi_phnum; ++i)
		{
			const auto& ph = info->dlpi_phdr[i];
			if (ph.p_type != PT_LOAD) continue;
			const std::uintptr_t start = info->dlpi_addr + ph.p_vaddr;
			if (s->address >= start && s->address - start < ph.p_memsz)
			{
				s->path = info->dlpi_name ? info->dlpi_name : "";
				return 1;
			}
		}
		return 0;
	}, &search);
	return search.path;
}

/// A folder the user named, made absolute once (against the current folder
/// only because the user wrote it so).
std::string absoluteFolder(const std::string& dir)
{
	try
	{
		return Poco::Path(dir).makeDirectory().absolute().toString();
	}
	catch (const Poco::Exception&)
	{
		return dir;
	}
}

} // namespace

std::vector<std::string> PluginRegistry::defaultSearchPath(const std::vector<std::string>& optionDirs,
	const std::string& executablePath)
{
	std::vector<std::string> path;
	for (const auto& dir: optionDirs) path.push_back(absoluteFolder(dir));
	std::string env = Poco::Environment::get("JWTFLOW_PLUGIN_PATH", "");
	if (!env.empty())
	{
		Poco::StringTokenizer tok(env, ":", Poco::StringTokenizer::TOK_IGNORE_EMPTY | Poco::StringTokenizer::TOK_TRIM);
		for (const auto& dir: tok) path.push_back(absoluteFolder(dir));
	}
	// The install's own folders, from the real executable: never from argv[0]
	// (a bare name found on PATH would make them relative to the current folder).
	if (!executablePath.empty() && Poco::Path(executablePath).isAbsolute())
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
	// <libdir>/jwtflow/plugins.d, wherever the install tree was moved to. (Not in
	// the single-file jwtflow: the library is the program, whose folders are above.)
	const std::string library = isSingleExecutable() ? std::string() : loadedObjectPath(reinterpret_cast<const void*>(&PluginRegistry::defaultSearchPath));
	if (!library.empty() && Poco::Path(library).isAbsolute())
	{
		Poco::Path beside(Poco::Path(library).parent());
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
	// 1. The library and its folder: nobody else may have changed them.
	for (const auto& check: {std::make_pair(path, false), std::make_pair(Poco::Path(path).parent().toString(), true)})
	{
		std::string loose = trustProblem(check.first, TrustedFileKind::Code, check.second);
		if (!loose.empty())
		{
			_impl->addProblem(path, std::string("refused: ") + (check.second ? "its folder: " : "") + loose);
			return false;
		}
	}
	// 2. The single-file jwtflow: a plugin linked to the shared libraries would
	// bring a second POCO and core into the process.
	std::string layout = _impl->layoutProblem(path);
	if (!layout.empty())
	{
		_impl->addProblem(path, layout);
		return false;
	}
	// 3. Open it in a child process first: its static initializers run there,
	// so one that throws or crashes cannot take the host down. The child also
	// checks the ABI before any object of the plugin is made.
	std::string refused = detail::probePluginLibraryCached(path);
	if (!refused.empty())
	{
		_impl->addProblem(path, refused);
		return false;
	}
	// (No second in-process check: the child checked the ABI, and a remembered
	// pass is keyed on the library's device, inode, size and times.)

	// 4. Let POCO load the manifest, then create each provider.
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
	catch (...)
	{
		_impl->addProblem(path, "the plugin failed while loading");
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
