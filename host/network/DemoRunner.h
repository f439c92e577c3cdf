//
// DemoRunner.h
//
// Program: jwtflow
// `jwtflow demo`: keys in a temporary folder, the emulator in-process, and
// every provider's flow, shown step by step.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_HOST_DEMORUNNER_INCLUDED
#define JWTFLOW_HOST_DEMORUNNER_INCLUDED

#include "Output.h"
#include "jwtflow/PluginRegistry.h"
#include "jwtflow/Settings.h"
#include <map>
#include <string>

namespace jwtflow {
namespace host {

class DemoRunner
{
public:
	DemoRunner(PluginRegistry& registry, const Console& console, int timeoutSeconds);
	int run();
		/// 0 when every flow succeeded.

private:
	void step(const std::string& title);
	void runAzure(Provider& provider, std::map<std::string, std::string> values);
	void runExchange(Provider& provider, const std::map<std::string, std::string>& values, const std::string& how);
		/// Mint, then exchange: the flow of oidc and google.
	void runSalesforce(Provider& provider, const std::map<std::string, std::string>& values, bool community);

	PluginRegistry& _registry;
	const Console& _console;
	int _timeout;
	int _stepNumber = 0;
};

} // namespace host
} // namespace jwtflow

#endif
