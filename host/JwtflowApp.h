//
// JwtflowApp.h
//
// Program: jwtflow
// The command-line host: `jwtflow <provider> <action>` and the utility commands.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_HOST_JWTFLOWAPP_INCLUDED
#define JWTFLOW_HOST_JWTFLOWAPP_INCLUDED

#include "CommandTable.h"
#include "HelpWriter.h"
#include "HostExport.h"
#include "Output.h"
#include "jwtflow/Assertion.h"
#include "jwtflow/Exception.h"
#include "jwtflow/PluginRegistry.h"
#include "jwtflow/Settings.h"
#include "jwtflow/SettingsLoader.h"
#include <Poco/Util/Application.h>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

namespace jwtflow {
namespace host {

class JwtflowApp;

int runNetworkCommand(JwtflowApp& app, Provider* provider, const std::string& what);
	/// Defined in the network module (network/NetworkModule.cpp): token, whoami,
	/// frontdoor, doctor (with a provider), emulator, demo (without).

class JWTFLOW_HOST_API JwtflowApp: public Poco::Util::Application
	/// Poco's Application has no subcommands: main() pre-scans argv for the
	/// provider (and --plugins), loads that plugin so its settings become
	/// options, then lets Poco process the options.
	///
	/// The actions that use the network live in a module of their own,
	/// jwtflow-network.so, loaded only when one runs: jwt, verify, decode and
	/// the other offline commands never load POCO Net/NetSSL or libssl.
{
public:
	JwtflowApp();
	~JwtflowApp() override;

	int start(int argc, char** argv);
		/// Runs the program and returns its exit code; never throws.

protected:
	void defineOptions(Poco::Util::OptionSet& options) override;
	int main(const std::vector<std::string>& args) override;
	int dispatch(const std::vector<std::string>& args);
	int report(const Poco::Exception& e) const;

private:
	void prescan(int argc, char** argv);
	void handleSetting(const std::string& name, const std::string& value);
	void handleFlag(const std::string& name, const std::string& value);
	void handleValue(const std::string& name, const std::string& value);

	// settings
	std::vector<SettingSpec> settingSpecs() const;
	Settings& settings();
	void noteOverriddenDotEnv(const Settings& settings, const std::vector<SettingSpec>& specs) const;
		/// With -v: each setting whose .env value a higher layer (environment, option) overrides.
	void printJsonError(jwtflow::ExitCode code, const std::string& message, const Poco::Exception* e) const;
		/// In JSON mode: {"status": "error", "exitCode", "error", "hint", "idpError", ...} on stdout.
	std::string chosenProfile() const;
		/// --profile (-p, --alias, --target-org) or JWTFLOW_PROFILE; "" for none.
	void noteUnknownDotEnvNames(const SettingsSources& sources) const;
		/// A note for each name a .env sets that is close to a setting's but is none (SUBJCT=).
	void saveProfile(const Provider& provider, const std::string& name);
		/// After `login --profile NAME`: the settings the login used, paths made absolute, secrets left out.
	int timeoutSeconds() const;
	std::string flagValue(const std::string& name, const std::string& fallback = "") const;
	bool hasFlag(const std::string& name) const;

	friend int runNetworkCommand(JwtflowApp& app, Provider* provider, const std::string& what);
	friend const std::vector<CommandSpec>& commandTable();

	void checkOptionsApply(const CommandSpec& command, const Provider* provider) const;
	void requireSettings(const Provider& provider);
		/// Refuses, in one message, an action whose required settings are missing.
		/// Refuses an option given on the command line that this command does not take.

	// commands
	int runProviderAction(Provider& provider, const std::string& action);
	int runNetwork(Provider* provider, const std::string& what);
		/// Loads the network module (once) and runs one of its commands.
	ExtraClaims extraClaims() const;
		/// The --claim options.
	const SigningKey& signingKey(const Provider& provider);
	const SigningKey* signingKeyFor(const Provider& provider);
		/// The signing key, or nullptr when this login uses a federated credential (no key at all).
		/// The provider's signing key, loaded once per run (one passphrase read,
		/// one PIN login) and shared by the cache lookup, the minter and the sealer.
	int actionJwt(Provider& provider);
	int actionDescribe(Provider& provider);
	int actionToken(Provider& provider);
	int tokenFromCacheOrNetwork(Provider& provider);
		/// `token`: served from the login cache in-process when it holds a usable
		/// token (no network module loaded), else the network module's actionToken.
	int deliverToken(const TokenResult& token, Poco::Int64 usableUntil);
		/// `token` prints it (the access token alone, every field for json and env,
		/// kubectl's ExecCredential); `exec` runs the program with it.
	void printToken(const TokenResult& token, Poco::Int64 usableUntil);
	int execWithToken(const TokenResult& token);
		/// Replaces jwtflow with the program after `--`, the token in its environment.
	bool execCredentialOutput() const;
		/// --output exec-credential (only for token).
	int actionWhoami(Provider& provider);
	int actionFrontdoor(Provider& provider);
	int actionDoctor(Provider& provider);
	int actionLogin(Provider& provider);
	int actionLogout(Provider& provider);
	int actionCall(Provider& provider);
	int actionServe(Provider& provider);
	int actionOpen(Provider& provider);
	std::string frontdoorLink(Provider& provider, bool singleUse);
		/// The frontdoor link (a one-time one from singleaccess when singleUse), with a token from the cache or a login.
	int commandCache();
	int commandProfile();
	int commandTrust();
	int commandProviders();
	int commandVerify();
	int commandDecode();
	int commandVersion();
	int commandThumbprint();
	int commandJwk();
	int commandKeygen();
	int commandHelp(const std::vector<std::string>& topic);
	int commandCompletion();
	int commandComplete(const std::vector<std::string>& words);
	int commandManPage();
	void printUsageSummary(std::ostream& out) const;
	HelpWriter helpWriter() const;
		/// Help, completion and the man page from this run's plugin folders and settings.
	int commandEmulator();
	int commandDemo();

	std::string readTokenArgument() const;
	OutputFormat outputFormat() const;

	Console _console;
	std::unique_ptr<PluginRegistry> _registry;
	std::vector<std::string> _pluginDirs;
	Provider* _provider = nullptr;         // set when the first word names a provider
	std::string _command;                  // first positional word
	bool _helpRequested = false;
	std::map<std::string, std::string> _optionToSetting;
	std::map<std::string, std::string> _settingOptions;   // setting name -> value from the command line
	std::map<std::string, std::vector<std::string>> _values; // other options, by name
	std::set<std::string> _flags;
	std::set<std::string> _given;                           // every option given on the command line, by long name
	std::vector<std::string> _words;                        // the words after a command
	std::vector<std::string> _afterDashes;                  // the words after `--` (exec's program)
	std::string _action;                                    // the provider action being run
	bool _jsonErrors = false;                               // --json / --output json / -o json: errors as JSON on stdout too
	std::unique_ptr<Settings> _settings;
	std::optional<SigningKey> _signingKey;                  // loaded on first use
	SettingsReport _settingsReport;                         // what loading the settings left out
};

} // namespace host
} // namespace jwtflow

#endif
