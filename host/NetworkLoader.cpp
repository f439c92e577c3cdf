//
// NetworkLoader.cpp
//
// Program: jwtflow
// Loads the network module (jwtflow-network.so) on first use: the offline
// commands never pay for loading POCO Net/NetSSL, libssl and the emulator.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "JwtflowApp.h"
#include "jwtflow/Exception.h"
#include "jwtflow/PluginRegistry.h"
#include "jwtflow/SecureFiles.h"
#include "jwtflow/Version.h"
#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/SharedLibrary.h>
#include <cstring>

namespace jwtflow {
namespace host {

namespace {

using RunFunction = int (*)(JwtflowApp*, Provider*, const char*);
using VersionFunction = const char* (*)();
using SizeFunction = unsigned long (*)();

std::vector<std::string> moduleCandidates(const std::string& executable)
	/// Beside the libraries of the build tree (<build>/lib), then where the
	/// install puts it (<prefix>/<libdir>/jwtflow), both relative to the program.
{
	Poco::Path dir = Poco::Path(executable).parent();
	std::vector<std::string> candidates;
	for (const char* relative: {JWTFLOW_NETWORK_MODULE_BUILD_PATH, JWTFLOW_NETWORK_MODULE_INSTALL_PATH})
		candidates.push_back(Poco::Path(dir).resolve(Poco::Path(relative)).toString());
	return candidates;
}

RunFunction loadModule(const std::string& executable)
{
	static Poco::SharedLibrary library;   // stays loaded until the process ends
	static RunFunction run = nullptr;
	if (run) return run;
	std::string tried;
	for (const auto& path: moduleCandidates(executable))
	{
		if (!Poco::File(path).exists())
		{
			tried += (tried.empty() ? "" : ", ") + path;
			continue;
		}
		checkTrustedFile(path, "jwtflow's network module", TrustedFileKind::Code);
		checkTrustedFolder(Poco::Path(path).parent().toString(), "the folder of jwtflow's network module");
		try
		{
			library.load(path);
		}
		catch (const Poco::Exception& e)
		{
			throw Exception("jwtflow's network module " + path + " cannot be loaded (" + e.message() + "): reinstall jwtflow");
		}
		auto version = reinterpret_cast<VersionFunction>(library.hasSymbol("jwtflow_network_module_version")
			? library.getSymbol("jwtflow_network_module_version") : nullptr);
		auto size = reinterpret_cast<SizeFunction>(library.hasSymbol("jwtflow_network_module_app_size")
			? library.getSymbol("jwtflow_network_module_app_size") : nullptr);
		if (!version || !size || std::strcmp(version(), JWTFLOW_VERSION) != 0 || size() != sizeof(JwtflowApp)
			|| !library.hasSymbol("jwtflow_network_module_run"))
		{
			library.unload();
			throw Exception("jwtflow's network module " + path + " is from another build of jwtflow: reinstall jwtflow");
		}
		run = reinterpret_cast<RunFunction>(library.getSymbol("jwtflow_network_module_run"));
		return run;
	}
	throw Exception("jwtflow's network module is missing (looked for " + tried + "): reinstall jwtflow");
}

} // namespace

int JwtflowApp::runNetwork(Provider* provider, const std::string& what)
{
	// The real executable (/proc/self/exe), never argv[0]: a bare name found on
	// PATH would make the module's path relative to the current folder.
	const std::string exe = PluginRegistry::executablePath();
	if (exe.empty()) throw Exception("cannot find jwtflow's own executable (/proc/self/exe): is /proc mounted?");
	return loadModule(exe)(this, provider, what.c_str());
}

} // namespace host
} // namespace jwtflow
