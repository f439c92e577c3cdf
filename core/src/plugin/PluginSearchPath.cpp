//
// PluginSearchPath.cpp
//
// Library: jwtflow core
// Where plugins are looked for: the folders the user named, then the
// install's own, found from the real executable and this library, never
// from argv[0] or the current folder.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/PluginRegistry.h"
#include <Poco/Environment.h>
#include <Poco/Path.h>
#include <Poco/StringTokenizer.h>
#include <algorithm>
#include <climits>
#include <cstdint>
#include <link.h>
#include <unistd.h>

namespace jwtflow {

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

} // namespace jwtflow
