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
#include "jwtflow/Certificate.h"
#include "jwtflow/Keys.h"
#include "jwtflow/PluginRegistry.h"
#include "jwtflow/emulator/Emulator.h"
#include "jwtflow/Settings.h"
#include <map>
#include <vector>
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
	struct DemoKeys
	{
		PrivateKey key;
		Certificate cert;
		std::string keyPath;
		std::string certPath;
		std::string dir;
	};

	void step(const std::string& title);
	DemoKeys makeKeys(const std::string& dir);
		/// A fresh key pair and self-signed certificate, written into dir.
	emulator::EmulatorOptions emulatorOptions(const DemoKeys& keys);
		/// Each provider's app registered with the demo certificate.
	std::vector<Provider*> providersInDemoOrder();
	bool runProvider(Provider& provider, const DemoKeys& keys, const emulator::Emulator& emu, const std::string& tenant);
		/// The provider's flow against the emulator; false when the demo has no profile for it.
	std::string writeServiceAccountKey(const DemoKeys& keys, const std::string& tokenUri);
	void runAzure(Provider& provider, std::map<std::string, std::string> values, const DemoKeys& keys, const emulator::Emulator& emu);
		/// Client credentials with RS256 and PS256 assertions, then workload identity (a federated token file, no key).
	void runGoogleFederation(Provider& provider, std::map<std::string, std::string> values, const DemoKeys& keys,
		const emulator::Emulator& emu);
		/// An external_account file over a projected token file: STS, then IAM impersonation (no key).
	void runFederated(Provider& provider, const std::map<std::string, std::string>& values, const std::string& sent);
		/// One login with the federated credential the settings name, its answer shown.
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
