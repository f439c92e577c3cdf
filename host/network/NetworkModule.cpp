//
// NetworkModule.cpp
//
// Module: jwtflow-network
// The module's entry points, looked up by the host (NetworkLoader.cpp).
//
// SPDX-License-Identifier: BSL-1.0
//
#include "JwtflowApp.h"
#include "jwtflow/Exception.h"
#include "jwtflow/Version.h"

namespace jwtflow {
namespace host {

int runNetworkCommand(JwtflowApp& app, Provider* provider, const std::string& what)
{
	if (provider)
	{
		if (what == "token") return app.actionToken(*provider);
		if (what == "whoami") return app.actionWhoami(*provider);
		if (what == "frontdoor") return app.actionFrontdoor(*provider);
		if (what == "doctor") return app.actionDoctor(*provider);
		if (what == "login") return app.actionLogin(*provider);
		if (what == "logout") return app.actionLogout(*provider);
		if (what == "call") return app.actionCall(*provider);
		if (what == "serve") return app.actionServe(*provider);
		if (what == "open") return app.actionOpen(*provider);
	}
	else
	{
		if (what == "emulator") return app.commandEmulator();
		if (what == "demo") return app.commandDemo();
	}
	throw UsageException("'" + what + "' is not a network command of this jwtflow");
}

} // namespace host
} // namespace jwtflow

extern "C" __attribute__((visibility("default"))) const char* jwtflow_network_module_version()
{
	return JWTFLOW_VERSION;
}

extern "C" __attribute__((visibility("default"))) int jwtflow_network_module_run(
	jwtflow::host::JwtflowApp* app, jwtflow::Provider* provider, const char* what)
{
	return jwtflow::host::runNetworkCommand(*app, provider, what);
}

extern "C" __attribute__((visibility("default"))) unsigned long jwtflow_network_module_app_size()
{
	return sizeof(jwtflow::host::JwtflowApp);   // a second guard against a module from another build
}
