//
// JwtflowApp.cpp
//
// Program: jwtflow
// Option handling, dispatch, help and the one place exceptions become exit codes.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "JwtflowApp.h"
#include "BuiltInProviders.h"
#include "CommandTable.h"
#include "OptionHints.h"
#include <algorithm>
#include "jwtflow/ClientAssertion.h"
#include "jwtflow/Exception.h"
#include "jwtflow/Json.h"
#include "jwtflow/Profiles.h"
#include "jwtflow/SettingsCatalogue.h"
#include "jwtflow/SettingsLoader.h"
#include "jwtflow/SafeText.h"
#include "jwtflow/Suggest.h"
#include "jwtflow/Version.h"
#include <Poco/Environment.h>
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
	std::vector<SettingSpec> specs = commonSettings();
	for (const auto& s: coreSettings()) specs.push_back(s);
	return specs;
}

bool isFlagAlias(const std::string& commandName, const std::string& option)
{
	return flagAliases(commandName).count(option) > 0;
}

bool isCommandName(const std::string& name)
{
	return findCommand(name, false) != nullptr;
}

bool takesValue(const std::string& name, const std::vector<SettingSpec>& specs)
{
	if (const OptionSpec* o = findOption(name)) return !o->argument.empty();
	for (const auto& s: specs)
		if (!s.option.empty() && name == s.option) return true;
	// Not known before the provider is: a provider setting's option, and those all take a value.
	return true;
}

/// The Salesforce CLI's flags (sf org login jwt) for jwtflow's settings: accepted as they are.
const std::vector<std::pair<std::string, std::string>>& settingOptionAliases()
{
	static const std::vector<std::pair<std::string, std::string>> aliases = {
		{"username", "SUBJECT"}, {"jwt-key-file", "PATH_PRIVATE_KEY"}, {"instance-url", "LOGIN_URL"}};
	return aliases;
}

} // namespace

void JwtflowApp::noteOverriddenDotEnv(const Settings& settings, const std::vector<SettingSpec>& specs) const
{
	// An exported CLIENT_ID silently beating the one in .env cost a user an invalid_client_id hunt: said with -v.
	for (const auto& spec: specs)
	{
		const std::optional<SettingValue> hidden = settings.overriddenDotEnv(spec.name);
		if (!hidden) continue;
		const std::string file = hidden->source.substr(hidden->source.find('(') + 1, hidden->source.size() - hidden->source.find('(') - 2);
		_console.detail("jwtflow: " + spec.name + ": the " + (settings.lookup(spec.name).source == "option" ? std::string("command line's")
			: "environment's") + " value overrides the one in " + file);
	}
}

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
	std::string profileProvider;   // `profile add NAME --provider P`: P's settings are options there
	for (int i = 1; i < argc; ++i)
	{
		std::string arg = argv[i];
		if (arg == "--")
		{
			// The rest is a program and its arguments (exec), never jwtflow's options.
			_afterDashes.assign(argv + i + 1, argv + argc);
			break;
		}
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
			else if (takesValue(name, specs) && !isFlagAlias(positional.empty() ? "" : positional[0], name) && i + 1 < argc)
			{
				value = argv[++i];
				hasValue = true;
			}
			if (name == "plugins" && hasValue) _pluginDirs.push_back(value);
			if (name == "provider" && hasValue) profileProvider = value;
			if ((name == "output" && value == "json") || name == "json") _jsonErrors = true;
			if (name == "help") _helpRequested = true;
			if (name == "quiet") _console.quiet = true;
		}
		else if ((arg == "-o" && i + 1 < argc && std::string(argv[i + 1]) == "json") || arg == "-ojson")
		{
			_jsonErrors = true;
		}
		else if (arg.size() > 1 && arg[0] == '-' && arg.find_first_not_of("hqv", 1) == std::string::npos)
		{
			// Only a cluster of the short flags (-h, -q, -v, -qv ...): a value that starts with '-' (a kid
			// such as "-Xh3...", after an option this scan does not know) is not a request for help.
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
	_registry.reset(new PluginRegistry(PluginRegistry::defaultSearchPath(_pluginDirs, PluginRegistry::executablePath()), builtInProviders()));
	if (!positional.empty())
	{
		_command = positional[0];
		if (!isCommandName(_command) && _command.find('/') == std::string::npos)
			_provider = _registry->find(_command);
		if (_command == "profile" && !profileProvider.empty()) _provider = _registry->find(profileProvider);
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
	// One option set for parsing: the vocabulary and every setting's option.
	// Which of them apply to the command is checked after parsing (checkOptionsApply).
	for (const auto& o: optionVocabulary())
	{
		Option option(o.name, o.shortName, o.help);
		option.required(false).repeatable(o.argument.empty() ? true : o.repeatable);
		if (o.argument.empty())
			option.callback(OptionCallback<JwtflowApp>(this, &JwtflowApp::handleFlag));
		else
			option.argument(o.argument).callback(OptionCallback<JwtflowApp>(this, &JwtflowApp::handleValue));
		options.addOption(option);
		defined.insert(o.name);
	}
	// Options the command takes as flags, though elsewhere they name a setting: the command's meaning wins.
	for (const auto& alias: flagAliases(_command))
		{
			const OptionSpec* target = findOption(alias.second);
			options.addOption(Option(alias.first, "", target ? target->help : "").required(false).repeatable(true)
				.callback(OptionCallback<JwtflowApp>(this, &JwtflowApp::handleFlag)));
			defined.insert(alias.first);
		}
	for (const auto& spec: settingSpecs())
	{
		if (spec.option.empty() || defined.count(spec.option)) continue;
		options.addOption(Option(spec.option, "", spec.help + " [" + spec.name + "]").required(false).repeatable(false)
			.argument(spec.valueName).callback(OptionCallback<JwtflowApp>(this, &JwtflowApp::handleSetting)));
		_optionToSetting[spec.option] = spec.name;
		defined.insert(spec.option);
	}
	const std::vector<SettingSpec> specs = settingSpecs();
	for (const auto& alias: settingOptionAliases())
	{
		if (defined.count(alias.first)) continue;
		for (const auto& spec: specs)
		{
			if (spec.name != alias.second || spec.option.empty()) continue;
			options.addOption(Option(alias.first, "", "the same as --" + spec.option + " (the Salesforce CLI's flag)").required(false)
				.repeatable(false).argument(spec.valueName).callback(OptionCallback<JwtflowApp>(this, &JwtflowApp::handleSetting)));
			_optionToSetting[alias.first] = spec.name;
			defined.insert(alias.first);
		}
	}
}

void JwtflowApp::handleSetting(const std::string& name, const std::string& value)
{
	_given.insert(name);
	auto it = _optionToSetting.find(name);
	if (it != _optionToSetting.end()) _settingOptions[it->second] = value;
}

void JwtflowApp::handleFlag(const std::string& given, const std::string&)
{
	const auto& aliases = flagAliases(_command);
	const auto alias = aliases.find(given);
	const std::string name = alias == aliases.end() ? given : alias->second;
	_given.insert(name);
	_flags.insert(name);
	if (name == "help")
	{
		_helpRequested = true;
		stopOptionsProcessing();
	}
	if (name == "quiet") _console.quiet = true;
	if (name == "verbose") _console.verbose = true;
	if (name == "x5c") _settingOptions["SEND_X5C"] = "true";
}

void JwtflowApp::handleValue(const std::string& given, const std::string& value)
{
	// The Salesforce CLI's words for a saved login are jwtflow's --profile.
	const std::string name = given == "alias" || given == "target-org" ? "profile" : given;
	_given.insert(name);
	if (name == "path") _settingOptions["RET_URL"] = value;   // open --path: where the browser lands
	if (name == "profile" && _values.count("profile") && _values["profile"].front() != value)
		throw UsageException("two profiles named (" + _values["profile"].front() + ", " + value + "): give one");
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
	// --json is --output json, as the neighbours spell it (sf --json); -o json too.
	if (hasFlag("json"))
	{
		if (_values.count("output") && parseOutputFormat(flagValue("output")) != OutputFormat::Json)
			throw UsageException("--json and --output " + flagValue("output") + " ask for two formats: give one");
		return OutputFormat::Json;
	}
	if (execCredentialOutput())
	{
		if (_action != "token")
			throw UsageException("--output exec-credential is kubectl's format for a token: use it with `jwtflow PROVIDER token`");
		return OutputFormat::Text;
	}
	return parseOutputFormat(flagValue("output", "text"));
}

bool JwtflowApp::execCredentialOutput() const
{
	return flagValue("output") == "exec-credential";
}

const SigningKey& JwtflowApp::signingKey(const Provider& provider)
{
	if (!_signingKey) _signingKey = loadSigningKey(provider, settings());
	return *_signingKey;
}

const SigningKey* JwtflowApp::signingKeyFor(const Provider& provider)
{
	return usesFederatedCredential(provider, settings()) ? nullptr : &signingKey(provider);
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
		if (_provider) sources.aliases = neighbourNames(_provider->name());
		if (_provider) sources.dotEnvAliases = dotEnvNeighbourNames(_provider->name());
		if (_provider) sources.provider = _provider->name();
		const std::string profile = chosenProfile();
		// `login --profile NAME` makes the profile it names; once made, it is read like any other.
		if (!profile.empty() && !(_action == "login" && !ProfileStore().exists(profile))) sources.profile = profile;
		if (!profile.empty()) sources.options["JWTFLOW_PROFILE"] = profile;   // named in the login's label
		sources.specs = settingSpecs();
		_settingsReport = loadLayeredSettings(*_settings, sources);
		if (!_settingsReport.untrustedDotEnv.empty()) _console.note("jwtflow: note: " + _settingsReport.note());
		if (_settingsReport.defaultProfile) _console.detail("jwtflow: using " + _settingsReport.profile + ", the default profile of "
			+ sources.provider + " (below ./.env and the environment)");
		noteUnknownDotEnvNames(sources);
		if (_console.verbose) noteOverriddenDotEnv(*_settings, sources.specs);
		if (_console.verbose)
			for (const auto& alias: sources.aliases)
			{
				// jwtflow's own name wins: say when another tool's name is set too and left unused.
				const SettingValue used = _settings->lookup(alias.first);
				if (used.found && used.source != "environment (" + alias.second + ")" && Poco::Environment::has(alias.second))
					_console.detail("jwtflow: " + alias.first + " comes from " + used.source + "; " + alias.second
						+ " (another tool's name for it) is set too and not used");
			}
	}
	return *_settings;
}

std::string JwtflowApp::chosenProfile() const
{
	const std::string name = flagValue("profile", Poco::Environment::get("JWTFLOW_PROFILE", ""));
	if (!name.empty()) ProfileStore::checkName(name);
	return name;
}

void JwtflowApp::noteUnknownDotEnvNames(const SettingsSources& sources) const
{
	// A .env names settings among other things (an app's own variables): only a near miss is worth a note.
	std::vector<std::string> known;
	for (const auto& spec: sources.specs) known.push_back(spec.name);
	for (const auto& alias: sources.dotEnvAliases) known.push_back(alias.second);
	for (const auto& name: _settingsReport.dotEnvNames)
	{
		if (std::find(known.begin(), known.end(), name) != known.end()) continue;
		const std::string guess = closestName(name, known);
		if (!guess.empty())
			_console.note("jwtflow: note: " + name + " in the .env is not a setting" + (sources.provider.empty() ? "" : " of " + sources.provider)
				+ " (did you mean " + guess + "?)");
	}
}

int JwtflowApp::start(int argc, char** argv)
{
	try
	{
		prescan(argc, argv);
		// Completion: the words after __complete are what the user typed, not
		// options for jwtflow itself.
		if (argc > 1 && std::string(argv[1]) == "__complete")
			return commandComplete(std::vector<std::string>(argv + 2, argv + argc));
		init(argc, argv);
		return run();
	}
	catch (const Poco::Util::OptionException& e)
	{
		std::string what = e.message();
		std::string text;
		if (dynamic_cast<const Poco::Util::UnknownOptionException*>(&e))
		{
			std::string name = what;
			while (!name.empty() && name[0] == '-') name.erase(0, 1);
			name = name.substr(0, name.find('='));
			// POCO names the option without its dashes: give them back, as the user typed them.
			text = "unknown option " + std::string(name.size() == 1 ? "-" : "--") + name;
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
		if (_jsonErrors) printJsonError(jwtflow::ExitCode::Usage, text + " (see " + helpHint + ")", nullptr);
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
	std::vector<SettingSpec> settings = hostKnownSettings();
	if (_provider)
		for (const auto& spec: _provider->settings()) settings.push_back(spec);
	const std::string message = withOptionHints(messageFor(e), settings);
	std::cerr << "jwtflow: error: " << terminalSafe(message) << std::endl;
	if (code == jwtflow::ExitCode::Internal) std::cerr << "(this is a bug in jwtflow: please report it)" << std::endl;
	if (_jsonErrors) printJsonError(code, message, &e);
	return static_cast<int>(code);
}

void JwtflowApp::printJsonError(jwtflow::ExitCode code, const std::string& message, const Poco::Exception* e) const
{
	// Scripting parity (sf --json): one object on stdout, besides the text on stderr.
	Poco::JSON::Object out(Poco::JSON_PRESERVE_KEY_ORDER);
	out.set("status", "error");
	out.set("exitCode", static_cast<int>(code));
	out.set("error", message);
	if (const auto* idp = dynamic_cast<const IdpException*>(e))
	{
		if (!idp->hint().empty()) out.set("hint", idp->hint());
		out.set("idpError", idp->error());
		if (!idp->description().empty()) out.set("idpErrorDescription", idp->description());
		if (idp->errorCode() != 0) out.set("idpErrorCode", static_cast<Poco::Int64>(idp->errorCode()));
		if (idp->httpStatus() != 0) out.set("httpStatus", idp->httpStatus());
	}
	else if (const auto* network = dynamic_cast<const NetworkException*>(e))
	{
		if (network->code() > 0) out.set("httpStatus", network->code());
	}
	std::cout << toJson(out, 2) << std::endl;
}

HelpWriter JwtflowApp::helpWriter() const
{
	HelpContext context;
	context.providers = _registry->descriptors();
	context.find = [this](const std::string& name) { return _provider && _provider->name() == name ? _provider : _registry->find(name); };
	context.provider = [this](const std::string& name) -> Provider& {
		return _provider && _provider->name() == name ? *_provider : _registry->get(name);
	};
	context.settings = settingSpecs();
	return HelpWriter(std::move(context));
}

void JwtflowApp::printUsageSummary(std::ostream& out) const
{
	helpWriter().usageSummary(out);
}

int JwtflowApp::commandHelp(const std::vector<std::string>& topic)
{
	helpWriter().help(std::cout, topic);
	return 0;
}

int JwtflowApp::commandCompletion()
{
	HelpWriter::completionScript(std::cout, _words.size() == 1 ? _words[0] : "");
	return 0;
}

int JwtflowApp::commandComplete(const std::vector<std::string>& words)
{
	helpWriter().complete(std::cout, words);
	return 0;
}

int JwtflowApp::commandManPage()
{
	helpWriter().manPage(std::cout);
	return 0;
}

int JwtflowApp::dispatch(const std::vector<std::string>& argsIn)
{
	// Poco leaves the words after `--` unprocessed, at the end: they are exec's program, not words of ours.
	std::vector<std::string> args = argsIn;
	if (!_afterDashes.empty() && args.size() >= _afterDashes.size()
		&& std::equal(_afterDashes.begin(), _afterDashes.end(), args.end() - static_cast<long>(_afterDashes.size())))
		args.resize(args.size() - _afterDashes.size());
	if (hasFlag("version") && !_helpRequested) return commandVersion();
	if (args.empty())
	{
		if (_helpRequested) return commandHelp({});
		// `jwtflow` alone: the usage summary, as an error (exit 2).
		printUsageSummary(std::cerr);
		return static_cast<int>(jwtflow::ExitCode::Usage);
	}
	const std::string& first = args[0];
	if (first == "help") return commandHelp(std::vector<std::string>(args.begin() + 1, args.end()));
	if (first == "__complete") return commandComplete(std::vector<std::string>(args.begin() + 1, args.end()));
	if (first == "__man") return commandManPage();
	if (_helpRequested) return commandHelp(std::vector<std::string>(args.begin(), args.begin() + std::min<std::size_t>(args.size(), 2)));
	if (const CommandSpec* command = findCommand(first, false))
	{
		_words.assign(args.begin() + 1, args.end());
		if (command->oneWord && _words.size() == 1)
		{
			// verify and decode take the JWT as a word too (`jwtflow decode "$JWT"`, `-` for standard input).
			if (_values.count("token")) throw UsageException("give the JWT once: as a word or with --token, not both");
			_values["token"].push_back(_words[0]);
		}
		else if (!_words.empty() && command->words.empty())
		{
			throw UsageException("'" + first + "' takes no further words (" + quotedText(_words[0], 60) + "); see jwtflow " + first + " --help");
		}
		checkOptionsApply(*command, nullptr);
		return command->run(*this, nullptr);
	}
	if (!_provider) _registry->get(first); // throws the "unknown provider" message (with a guess)
	if (args.size() < 2)
	{
		std::string actions;
		for (const auto& a: offeredActions(*_provider)) actions += (actions.empty() ? "" : ", ") + a;
		throw UsageException("no action given for " + first + ": jwtflow " + first + " <action>, with action one of " + actions
			+ " (jwtflow " + first + " --help)");
	}
	if (args.size() > 2)
	{
		// An action that takes a word (call PATH) gets it; the others refuse it.
		const CommandSpec* action = findCommand(args[1], true);
		if (!action || !action->oneWord || args.size() > 3)
			throw UsageException("unexpected word " + quotedText(args[action && action->oneWord ? 3 : 2], 60) + " after jwtflow "
				+ first + " " + args[1] + (action && action->oneWord ? " " + args[2] : ""));
		_words.assign(args.begin() + 2, args.end());
	}
	return runProviderAction(*_provider, args[1]);
}

void JwtflowApp::checkOptionsApply(const CommandSpec& command, const Provider* provider) const
{
	std::set<std::string> allowed(globalOptions().begin(), globalOptions().end());
	allowed.insert(command.optionNames.begin(), command.optionNames.end());
	// DESIGN.md's global options are accepted by every command (scripts pass them
	// everywhere), though help lists them only where they change something.
	for (const char* global: {"timeout", "output", "json", "ca-file"}) allowed.insert(global);
	if (command.providerSettings)
	{
		for (const auto& spec: settingSpecs())
		{
			if (spec.option.empty()) continue;
			allowed.insert(spec.option);
			for (const auto& alias: settingOptionAliases())
				if (alias.second == spec.name) allowed.insert(alias.first);
		}
		allowed.insert("x5c");   // SEND_X5C as a flag
	}
	for (const auto& given: _given)
	{
		if (allowed.count(given)) continue;
		std::string owner;
		for (const auto& c: commandTable())
			if (std::find(c.optionNames.begin(), c.optionNames.end(), given) != c.optionNames.end())
			{
				owner = c.isAction ? "<provider> " + c.name : c.name;
				break;
			}
		const std::string where = "jwtflow " + (provider ? provider->name() + " " : std::string()) + command.name;
		throw UsageException("--" + given + " is not an option of " + where + (owner.empty() ? "" : " (it belongs to " + owner + ")")
			+ "; see " + where + " --help");
	}
}

} // namespace host
} // namespace jwtflow
