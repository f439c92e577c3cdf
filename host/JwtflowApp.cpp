//
// JwtflowApp.cpp
//
// Program: jwtflow
// Option handling, dispatch, help and the one place exceptions become exit codes.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "JwtflowApp.h"
#include <algorithm>
#include "jwtflow/Exception.h"
#include "jwtflow/SettingsLoader.h"
#include "jwtflow/SafeText.h"
#include "jwtflow/Suggest.h"
#include "jwtflow/Version.h"
#include <Poco/NumberParser.h>
#include <Poco/Path.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionException.h>
#include <Poco/Util/OptionSet.h>
#include <iostream>
#include <sstream>

using Poco::Util::Option;
using Poco::Util::OptionCallback;
using Poco::Util::OptionSet;

namespace jwtflow {
namespace host {

namespace {

/// The settings of DESIGN.md's table that every command knows as options,
/// whichever provider is loaded (providers add their own on top).
std::vector<SettingSpec> hostKnownSettings()
{
	std::vector<SettingSpec> specs;
	auto add = [&](const char* name, const char* option, const char* help, const char* valueName) {
		SettingSpec s;
		s.name = name;
		s.option = option;
		s.help = help;
		s.valueName = valueName;
		specs.push_back(s);
	};
	add("CLIENT_ID", "client-id", "consumer key / application (client) id", "ID");
	add("SUBJECT", "subject", "the user to act as (verify: the required sub)", "NAME");
	add("AUDIENCE", "audience", "the JWT's aud (verify: the required aud)", "URL");
	add("ISSUER", "issuer", "the IdP's issuer URL (oidc) (verify: the required iss)", "URL");
	add("LOGIN_URL", "login-url", "where the token request goes when it differs from AUDIENCE", "URL");
	add("CERTIFICATE_THUMBPRINT", "thumbprint", "SHA-1 certificate thumbprint (hex, base64 or base64url)", "THUMBPRINT");
	add("TENANT_ID", "tenant", "Entra ID tenant (GUID or domain)", "TENANT");
	add("SCOPE", "scope", "requested scope", "SCOPE");
	add("AUTHORITY", "authority", "Entra ID authority host", "URL");
	add("RET_URL", "ret-url", "where frontdoor lands, a relative URL", "PATH");
	for (const auto& s: coreSettings()) specs.push_back(s);
	return specs;
}

struct ValueOption
{
	const char* name;
	const char* argName;
	const char* help;
	bool repeatable;
};

const ValueOption VALUE_OPTIONS[] = {
	{"env-file", "FILE", "read settings from this .env file instead of ./.env", false},
	{"config", "FILE", "read settings from a .properties file", false},
	{"plugins", "DIR", "look for provider plugins in DIR first (repeatable)", true},
	{"timeout", "SECONDS", "time-out for connecting and for each whole request (default 30)", false},
	{"output", "FORMAT", "text (default), json or env", false},
	{"claim", "NAME=VALUE", "add a claim; NAME:=JSON for a number, boolean, array or object (repeatable)", true},
	{"token", "JWT", "the JWT to verify or decode ('-' reads standard input)", false},
	{"out", "DIR", "keygen: the folder to write to", false},
	{"bits", "BITS", "keygen: RSA key size (2048, 3072, 4096)", false},
	{"curve", "CURVE", "keygen: EC curve (P-256)", false},
	{"days", "DAYS", "keygen / emulator: certificate validity", false},
	{"cn", "NAME", "keygen: certificate common name", false},
	{"port", "PORT", "emulator: the loopback port (default: a free one)", false},
	{"app", "CLIENT_ID=CERT.pem[#KEY_ID]", "emulator: register an app (or service account) and its certificate (repeatable)", true},
	{"user", "NAME", "emulator: a user the emulator knows (repeatable)", true},
	{"community", "PATH", "emulator: a community site path (repeatable)", true},
};

const char* const FLAG_OPTIONS[][3] = {
	{"help", "h", "show help for the command, provider or action"},
	{"version", "", "print the version and exit"},
	{"quiet", "q", "no notes on stderr"},
	{"verbose", "v", "more notes on stderr"},
	{"single-use", "", "frontdoor: the single-use link from /services/oauth2/singleaccess"},
	{"force", "", "keygen: overwrite existing files"},
	{"encrypt", "", "keygen: encrypt the private key (passphrase from PRIVATE_KEY_PASSPHRASE or --passphrase-file)"},
};

const std::set<std::string> UTILITY_COMMANDS = {"providers", "verify", "decode", "thumbprint", "keygen", "version", "help", "emulator", "demo"};

bool takesValue(const std::string& name, const std::vector<SettingSpec>& specs)
{
	for (const auto& v: VALUE_OPTIONS)
		if (name == v.name) return true;
	for (const auto& s: specs)
		if (!s.option.empty() && name == s.option) return true;
	return false;
}

} // namespace

JwtflowApp::JwtflowApp()
{
	setUnixOptions(true);
}

JwtflowApp::~JwtflowApp()
{
	_settings.reset();
	_provider = nullptr;
	_registry.reset();
}

void JwtflowApp::prescan(int argc, char** argv)
{
	const auto specs = hostKnownSettings();
	std::vector<std::string> positional;
	for (int i = 1; i < argc; ++i)
	{
		std::string arg = argv[i];
		if (arg.size() > 2 && arg.compare(0, 2, "--") == 0)
		{
			std::string name = arg.substr(2);
			auto eq = name.find('=');
			std::string value;
			bool hasValue = eq != std::string::npos;
			if (hasValue)
			{
				value = name.substr(eq + 1);
				name.erase(eq);
			}
			else if (takesValue(name, specs) && i + 1 < argc)
			{
				value = argv[++i];
				hasValue = true;
			}
			if (name == "plugins" && hasValue) _pluginDirs.push_back(value);
			if (name == "help") _helpRequested = true;
			if (name == "quiet") _console.quiet = true;
		}
		else if (arg.size() > 1 && arg[0] == '-')
		{
			if (arg.find('h') != std::string::npos) _helpRequested = true;
			if (arg.find('q') != std::string::npos) _console.quiet = true;
		}
		else
		{
			positional.push_back(arg);
		}
	}
	// The install's plugin folders come from the real executable, never from
	// argv[0] or the current folder.
	_registry.reset(new PluginRegistry(PluginRegistry::defaultSearchPath(_pluginDirs, PluginRegistry::executablePath())));
	if (!positional.empty())
	{
		_command = positional[0];
		if (!UTILITY_COMMANDS.count(_command) && _command.find('/') == std::string::npos)
			_provider = _registry->find(_command);
	}
}

std::vector<SettingSpec> JwtflowApp::settingSpecs() const
{
	std::vector<SettingSpec> specs;
	if (_provider) specs = _provider->settings();
	for (const auto& s: hostKnownSettings())
	{
		bool seen = false;
		for (const auto& existing: specs)
			if (existing.name == s.name) seen = true;
		if (!seen) specs.push_back(s);
	}
	return specs;
}

void JwtflowApp::defineOptions(OptionSet& options)
{
	Application::defineOptions(options);
	std::set<std::string> defined;
	for (const auto& flag: FLAG_OPTIONS)
	{
		options.addOption(Option(flag[0], flag[1], flag[2]).required(false).repeatable(true)
			.callback(OptionCallback<JwtflowApp>(this, &JwtflowApp::handleFlag)));
		defined.insert(flag[0]);
	}
	for (const auto& v: VALUE_OPTIONS)
	{
		options.addOption(Option(v.name, "", v.help).required(false).repeatable(v.repeatable).argument(v.argName)
			.callback(OptionCallback<JwtflowApp>(this, &JwtflowApp::handleValue)));
		defined.insert(v.name);
	}
	for (const auto& spec: settingSpecs())
	{
		if (spec.option.empty() || defined.count(spec.option)) continue;
		options.addOption(Option(spec.option, "", spec.help + " [" + spec.name + "]").required(false).repeatable(false)
			.argument(spec.valueName).callback(OptionCallback<JwtflowApp>(this, &JwtflowApp::handleSetting)));
		_optionToSetting[spec.option] = spec.name;
		defined.insert(spec.option);
	}
}

void JwtflowApp::handleSetting(const std::string& name, const std::string& value)
{
	auto it = _optionToSetting.find(name);
	if (it != _optionToSetting.end()) _settingOptions[it->second] = value;
}

void JwtflowApp::handleFlag(const std::string& name, const std::string&)
{
	_flags.insert(name);
	if (name == "help")
	{
		_helpRequested = true;
		stopOptionsProcessing();
	}
	if (name == "quiet") _console.quiet = true;
	if (name == "verbose") _console.verbose = true;
}

void JwtflowApp::handleValue(const std::string& name, const std::string& value)
{
	_values[name].push_back(value);
}

bool JwtflowApp::hasFlag(const std::string& name) const
{
	return _flags.count(name) > 0;
}

std::string JwtflowApp::flagValue(const std::string& name, const std::string& fallback) const
{
	auto it = _values.find(name);
	if (it == _values.end() || it->second.empty()) return fallback;
	return it->second.back();
}

OutputFormat JwtflowApp::outputFormat() const
{
	return parseOutputFormat(flagValue("output", "text"));
}

int JwtflowApp::timeoutSeconds() const
{
	std::string text = flagValue("timeout", "30");
	int seconds = 0;
	if (!Poco::NumberParser::tryParse(text, seconds) || seconds <= 0 || seconds > 3600)
		throw UsageException("--timeout '" + text + "' is not a number of seconds between 1 and 3600");
	return seconds;
}

Settings& JwtflowApp::settings()
{
	if (!_settings)
	{
		_settings.reset(new Settings);
		SettingsSources sources;
		sources.options = _settingOptions;
		if (_values.count("env-file")) sources.envFile = flagValue("env-file");
		if (_values.count("config")) sources.configFile = flagValue("config");
		if (_provider) sources.descriptor = _registry->descriptorFor(_provider->name());
		sources.specs = settingSpecs();
		loadLayeredSettings(*_settings, sources);
	}
	return *_settings;
}

int JwtflowApp::start(int argc, char** argv)
{
	try
	{
		prescan(argc, argv);
		init(argc, argv);
		return run();
	}
	catch (const Poco::Util::OptionException& e)
	{
		std::string what = e.message();
		std::string text;
		if (dynamic_cast<const Poco::Util::UnknownOptionException*>(&e))
		{
			text = "unknown option " + what;
			std::string name = what;
			while (!name.empty() && name[0] == '-') name.erase(0, 1);
			name = name.substr(0, name.find('='));
			std::vector<std::string> known;
			for (const auto& option: options()) known.push_back(option.fullName());
			const std::string guess = closestName(name, known);
			if (!guess.empty()) text += " (did you mean --" + guess + "?)";
		}
		else if (dynamic_cast<const Poco::Util::MissingArgumentException*>(&e))
			text = "option " + what + " needs a value";
		else if (dynamic_cast<const Poco::Util::AmbiguousOptionException*>(&e))
			text = "ambiguous option " + what + ": spell it out";
		else if (dynamic_cast<const Poco::Util::UnexpectedArgumentException*>(&e))
			text = "option " + what + " takes no value";
		else if (dynamic_cast<const Poco::Util::DuplicateOptionException*>(&e))
			text = "option " + what + " given twice";
		else
			text = e.displayText();
		std::string helpHint = "jwtflow " + (_command.empty() ? std::string("help") : _command + " --help");
		std::cerr << "jwtflow: error: " << terminalSafe(text) << " (see " << terminalSafe(helpHint) << ")" << std::endl;
		return static_cast<int>(jwtflow::ExitCode::Usage);
	}
	catch (const Poco::Exception& e)
	{
		return report(e);
	}
	catch (const std::exception& e)
	{
		std::cerr << "jwtflow: internal error: " << terminalSafe(e.what()) << " (this is a bug in jwtflow: please report it)" << std::endl;
		return static_cast<int>(jwtflow::ExitCode::Internal);
	}
	catch (...)
	{
		std::cerr << "jwtflow: internal error (this is a bug in jwtflow: please report it)" << std::endl;
		return static_cast<int>(jwtflow::ExitCode::Internal);
	}
}

int JwtflowApp::main(const std::vector<std::string>& args)
{
	// Poco's run() would log an escaping exception and return 70: map it here.
	try
	{
		return dispatch(args);
	}
	catch (const Poco::Exception& e)
	{
		return report(e);
	}
	catch (const std::exception& e)
	{
		std::cerr << "jwtflow: internal error: " << terminalSafe(e.what()) << " (this is a bug in jwtflow: please report it)" << std::endl;
		return static_cast<int>(jwtflow::ExitCode::Internal);
	}
}

int JwtflowApp::report(const Poco::Exception& e) const
{
	jwtflow::ExitCode code = exitCodeFor(e);
	std::cerr << "jwtflow: error: " << terminalSafe(messageFor(e)) << std::endl;
	if (code == jwtflow::ExitCode::Internal) std::cerr << "(this is a bug in jwtflow: please report it)" << std::endl;
	return static_cast<int>(code);
}

int JwtflowApp::dispatch(const std::vector<std::string>& args)
{
	if (hasFlag("version") && !_helpRequested) return commandVersion();
	if (args.empty())
	{
		if (_helpRequested) return commandHelp({});
		throw UsageException("no command given: jwtflow <provider> <action> or jwtflow <command> (jwtflow help lists them)");
	}
	const std::string& first = args[0];
	if (first == "help") return commandHelp(std::vector<std::string>(args.begin() + 1, args.end()));
	if (_helpRequested)
	{
		printHelp(first, args.size() > 1 ? args[1] : "");
		return 0;
	}
	if (UTILITY_COMMANDS.count(first))
	{
		// verify and decode take the JWT as a word too (`jwtflow decode "$JWT"`, `-` for standard input).
		const bool takesToken = first == "verify" || first == "decode";
		if (takesToken && args.size() == 2)
		{
			if (_values.count("token")) throw UsageException("give the JWT once: as a word or with --token, not both");
			_values["token"].push_back(args[1]);
		}
		else if (args.size() > 1)
		{
			throw UsageException("'" + first + "' takes no further words (" + quotedText(args[1], 60) + "); see jwtflow " + first + " --help");
		}
		if (first == "providers") return commandProviders();
		if (first == "verify") return commandVerify();
		if (first == "decode") return commandDecode();
		if (first == "version") return commandVersion();
		if (first == "thumbprint") return commandThumbprint();
		if (first == "keygen") return commandKeygen();
		if (first == "emulator") return runNetwork(nullptr, "emulator");
		if (first == "demo") return runNetwork(nullptr, "demo");
	}
	if (!_provider) _registry->get(first); // throws the "unknown provider" message
	if (args.size() < 2)
	{
		std::string actions;
		for (const auto& a: _provider->actions()) actions += (actions.empty() ? "" : ", ") + a;
		throw UsageException("no action given for " + first + ": jwtflow " + first + " <action>, with action one of " + actions);
	}
	if (args.size() > 2)
		throw UsageException("unexpected word " + quotedText(args[2], 60) + " after jwtflow " + first + " " + args[1]);
	return runProviderAction(*_provider, args[1]);
}

int JwtflowApp::commandHelp(const std::vector<std::string>& topic)
{
	printHelp(topic.empty() ? "" : topic[0], topic.size() > 1 ? topic[1] : "");
	return 0;
}

void JwtflowApp::printHelp(const std::string& command, const std::string& action)
{
	std::ostringstream out;
	if (command.empty())
	{
		out << "jwtflow " << JWTFLOW_VERSION << " - OAuth 2.0 JWT flows: mint, exchange, use.\n\n"
			<< "usage: jwtflow <provider> <action> [options]\n"
			<< "       jwtflow <command> [options]\n\n"
			<< "providers:\n";
		for (const auto& d: _registry->descriptors())
			out << "  " << d.provider << std::string(d.provider.size() < 22 ? 22 - d.provider.size() : 1, ' ') << d.description << "\n";
		out << "\nactions:  jwt  token  frontdoor  whoami  describe  doctor\n"
			<< "commands: providers  verify  decode  thumbprint  keygen  emulator  demo  version  help\n\n"
			<< "jwtflow <provider> --help lists a provider's settings; jwtflow <command> --help a command's options.\n";
		std::cout << out.str();
		return;
	}
	if (command == "verify")
		out << "usage: jwtflow verify (JWT | --token JWT | -) (--public-key FILE | --certificate FILE) [--issuer ISS] [--subject SUB] [--audience AUD] [--alg ALG]\n"
			<< "Checks the signature (RS256/384/512, PS256/384/512, ES256; never none or HMAC), exp, nbf and iat\n"
			<< "(60 s leeway), and iss/sub/aud when given. Exit 0 when valid, 6 when not.\n"
			<< "Without --public-key or --certificate, the key is PATH_PUBLIC_KEY (or PATH_CERTIFICATE) from the\n"
			<< "environment or ./.env (-v says which file). RSA keys under 2048 bits and high-s ES256 signatures are refused.\n";
	else if (command == "decode")
		out << "usage: jwtflow decode (JWT | --token JWT | -) [--output json]\n"
			<< "Shows a JWT's header and claims WITHOUT verifying its signature.\n";
	else if (command == "providers")
		out << "usage: jwtflow providers [--plugins DIR] [--output json]\n"
			<< "Lists the providers found in the plugin folders, and the plugin files that were refused.\n";
	else if (command == "emulator")
		out << "usage: jwtflow emulator [--port N] [--app CLIENT_ID=CERT.pem[#KEY_ID]]... [--user NAME]... [--community PATH]...\n"
			<< "Runs the IdP emulator on loopback HTTPS until interrupted; prints its base URL and the CA file to trust.\n"
			<< "Endpoints: Salesforce (/services/oauth2/token ...), Entra ID (/<tenant>/oauth2/v2.0/token),\n"
			<< "OIDC (issuer <base>/oidc: discovery and /oidc/v1/token), Google (/google/token).\n";
	else if (command == "demo")
		out << "usage: jwtflow demo\n"
			<< "Makes keys in a temporary folder, starts the emulator and runs every provider's flow against it.\n";
	else if (command == "thumbprint")
		out << "usage: jwtflow thumbprint (--certificate FILE | --thumbprint ANY) [--output json|env]\n"
			<< "Prints x5t, x5t#S256 (with a certificate), the hex form the Azure portal shows and the padded base64 form.\n";
	else if (command == "keygen")
		out << "usage: jwtflow keygen --out DIR [--bits 2048|3072|4096 | --curve P-256] [--days N] [--cn NAME] [--encrypt] [--force]\n"
			<< "Writes private_key.pem (0600, PKCS#8), certificate.pem, certificate.der and public_key.pem, atomically,\n"
			<< "and prints the thumbprints and where to upload the certificate.\n";
	else if (command == "version")
		out << "usage: jwtflow version\n";
	else
	{
		Provider* provider = _provider && _provider->name() == command ? _provider : _registry->find(command);
		if (!provider) _registry->get(command);
		std::string actions;
		for (const auto& a: provider->actions()) actions += (actions.empty() ? "" : " | ") + a;
		out << "usage: jwtflow " << command << " " << (action.empty() ? "<" + actions + ">" : action) << " [options]\n"
			<< provider->description() << "\n\n";
		static const std::vector<std::pair<std::string, std::string>> ACTION_HELP = {
			{"jwt", "print the signed JWT assertion"},
			{"token", "exchange it and print the access token"},
			{"frontdoor", "print a link that opens the UI as the user (--single-use for the one-time link)"},
			{"whoami", "call the identity URL with the token"},
			{"describe", "list the settings, their values and where each came from"},
			{"doctor", "check settings, key, certificate, clock and a real token request, one line each"},
		};
		const std::vector<std::string> offered = provider->actions();
		for (const auto& a: ACTION_HELP)
			if (std::find(offered.begin(), offered.end(), a.first) != offered.end())
				out << "  " << a.first << std::string(11 - a.first.size(), ' ') << a.second << "\n";
		out << "\nsettings (environment / .env name, option):\n";
		// The provider's settings and the core's: what this provider reads.
		std::vector<SettingSpec> specs = provider->settings();
		for (const auto& core: coreSettings())
		{
			bool seen = core.name == "PATH_PUBLIC_KEY";
			for (const auto& spec: specs) seen = seen || spec.name == core.name;
			if (!seen) specs.push_back(core);
		}
		for (const auto& s: specs)
		{
			std::string left = "  " + s.name + (s.option.empty() ? "" : ", --" + s.option + " " + s.valueName);
			out << left << std::string(left.size() < 46 ? 46 - left.size() : 1, ' ') << s.help
				<< (s.required ? " (required)" : "") << (s.defaultValue.empty() ? "" : " [default " + s.defaultValue + "]") << "\n";
		}
	}
	std::cout << out.str();
	Poco::Util::HelpFormatter formatter(options());
	formatter.setUnixStyle(true);
	formatter.setCommand("jwtflow");
	formatter.setUsage("");
	formatter.setHeader("\noptions:");
	formatter.setIndent(4);
	formatter.format(std::cout);
}

} // namespace host
} // namespace jwtflow
