//
// HelpWriter.cpp
//
// Program: jwtflow
// Help at every level, the completion scripts and the man page, all made
// from the command table (CommandTable.cpp) and the plugins' descriptors.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "CommandTable.h"
#include "HelpWriter.h"
#include "jwtflow/SettingsCatalogue.h"
#include "jwtflow/Exception.h"
#include "jwtflow/SafeText.h"
#include "jwtflow/Suggest.h"
#include "jwtflow/Version.h"
#include <Poco/String.h>
#include <algorithm>
#include <iostream>
#include <set>
#include <sstream>

namespace jwtflow {
namespace host {

namespace {

const std::size_t COLUMN = 32;

std::string padded(const std::string& left, std::size_t column = COLUMN)
{
	return left + std::string(left.size() + 1 < column ? column - left.size() : 2, ' ');
}

std::string optionLeft(const OptionSpec& o)
{
	std::string left = "  " + (o.shortName.empty() ? std::string("    ") : "-" + o.shortName + ", ") + "--" + o.name;
	if (!o.argument.empty()) left += " " + o.argument;
	return left;
}

std::string settingLeft(const SettingSpec& s)
{
	return "  " + s.name + (s.option.empty() ? "" : ", --" + s.option + " " + s.valueName);
}

std::string settingRight(const SettingSpec& s)
{
	return s.help + (s.required ? " (required)" : "") + (s.defaultValue.empty() ? "" : " [default " + s.defaultValue + "]");
}

std::string withProvider(const std::string& example, const std::string& provider)
{
	return Poco::replace(example, std::string("PROVIDER"), provider.empty() ? std::string("<provider>") : provider);
}

bool takesFile(const std::string& option, const std::string& valueName)
{
	static const char* const files[] = {"private-key", "certificate", "public-key", "passphrase-file", "ca-file", "env-file", "config", "key-file"};
	for (const char* f: files)
		if (option == f) return true;
	return valueName == "FILE";
}

/// groff text: backslashes and a leading dot or quote made harmless.
std::string roff(const std::string& text)
{
	std::string out;
	bool lineStart = true;
	for (char c: text)
	{
		if (lineStart && (c == '.' || c == '\'')) out += "\\&";
		if (c == '\\') out += "\\e";
		else if (c == '-') out += "\\-";
		else out += c;
		lineStart = c == '\n';
	}
	return out;
}

} // namespace

std::vector<SettingSpec> HelpWriter::providerSettings(const Provider& provider)
{
	std::vector<SettingSpec> specs = provider.settings();
	for (const auto& core: coreSettings())
	{
		bool seen = core.name == "PATH_PUBLIC_KEY";
		for (const auto& spec: specs) seen = seen || spec.name == core.name;
		if (!seen) specs.push_back(core);
	}
	return specs;
}

HelpWriter::HelpWriter(HelpContext context):
	_context(std::move(context))
{
}

void HelpWriter::usageSummary(std::ostream& out) const
{
	out << "jwtflow " << JWTFLOW_VERSION << " - OAuth 2.0 JWT flows: mint, exchange, use.\n\n"
		<< "usage: jwtflow <provider> <action> [options]\n"
		<< "       jwtflow <command> [options]\n\n"
		<< "providers:\n";
	for (const auto& d: _context.providers)
		out << padded("  " + d.provider, 24) << safeText(d.description, 120) << "\n";
	out << "\nactions:\n";
	for (const auto& c: commandTable())
		if (c.isAction) out << padded("  " + c.name, 14) << c.summary << "\n";
	out << "\ncommands:\n";
	for (const auto& c: commandTable())
		if (!c.isAction) out << padded("  " + c.name, 14) << c.summary << "\n";
	out << "\nglobal options:\n";
	for (const auto& name: globalOptions())
		if (const OptionSpec* o = findOption(name)) out << padded(optionLeft(*o)) << o->help << "\n";
	out << "\njwtflow help TOPIC, or --help after a command, a provider or an action, shows only what applies there.\n";
}

std::string HelpWriter::optionLine(const std::string& name) const
{
	if (const OptionSpec* o = findOption(name)) return padded(optionLeft(*o)) + o->help + "\n";
	for (const auto& s: _context.settings)
		if (s.option == name) return padded("      --" + s.option + " " + s.valueName) + s.help + " [" + s.name + "]\n";
	return std::string();
}

void HelpWriter::help(std::ostream& out, const std::vector<std::string>& topic) const
{
	if (topic.empty())
	{
		usageSummary(out);
		return;
	}
	const std::string& first = topic[0];
	const CommandSpec* command = findCommand(first, false);
	if (command) return commandHelp(out, *command, nullptr);
	if (const CommandSpec* bare = findCommand(first, true)) return commandHelp(out, *bare, nullptr);   // `jwtflow help token`
	Provider* provider = &_context.provider(first);   // an unknown provider: its message, with a guess
	if (topic.size() == 1) return providerHelp(out, *provider);
	const CommandSpec* action = findCommand(topic[1], true);
	const auto offered = offeredActions(*provider);
	if (!action || std::find(offered.begin(), offered.end(), topic[1]) == offered.end())
	{
		const std::string guess = closestName(topic[1], offered);
		throw UsageException("unknown action " + quotedText(topic[1], 40) + " for " + first
			+ (guess.empty() ? "" : " (did you mean '" + guess + "'?)"));
	}
	commandHelp(out, *action, provider);
}

void HelpWriter::commandHelp(std::ostream& out, const CommandSpec& command, Provider* provider) const
{
	const std::string providerName = provider ? provider->name() : "";
	out << "usage: jwtflow " << (command.isAction ? (providerName.empty() ? std::string("<provider>") : providerName) + " " : "")
		<< command.name << (command.synopsisText.empty() ? "" : " " + command.synopsisText) << " [options]\n"
		<< command.summary << ".\n\n" << withProvider(command.descriptionText, providerName) << "\n";
	if (!command.optionNames.empty())
	{
		out << "\noptions:\n";
		for (const auto& name: command.optionNames) out << optionLine(name);
	}
	if (command.isAction)
	{
		if (provider)
		{
			out << "\nsettings of " << providerName << " (environment / .env name, option):\n";
			for (const auto& s: providerSettings(*provider)) out << padded(settingLeft(s), 46) << settingRight(s) << "\n";
		}
		else
		{
			out << "\nand the provider's settings: jwtflow <provider> --help lists them.\n";
		}
	}
	out << "\nglobal options:\n";
	for (const auto& name: globalOptions()) out << optionLine(name);
	out << "\nexamples:\n";
	for (const auto& e: command.exampleLines)
	{
		// An example written for one provider (a Graph path, a metadata server) is shown under that provider only.
		bool another = false;
		for (const auto& d: _context.providers)
			another = another || (!providerName.empty() && d.provider != providerName && e.rfind("jwtflow " + d.provider + " ", 0) == 0);
		if (!another) out << "  " << withProvider(e, providerName) << "\n";
	}
}

void HelpWriter::providerHelp(std::ostream& out, Provider& provider) const
{
	const std::string providerName = provider.name();
	std::string actions;
	for (const auto& a: offeredActions(provider)) actions += (actions.empty() ? "" : "|") + a;
	out << "usage: jwtflow " << providerName << " <" << actions << "> [options]\n"
		<< safeText(provider.description(), 300) << "\n\nactions:\n";
	for (const auto& a: offeredActions(provider))
		if (const CommandSpec* spec = findCommand(a, true)) out << padded("  " + a, 14) << spec->summary << "\n";
	out << "\nsettings (environment / .env name, option):\n";
	// Settings for keys in a token, the shared cache and x5c apply to few (SettingSpec::rare): named on one line.
	std::string rareNames;
	for (const auto& s: providerSettings(provider))
	{
		if (s.rare)
			rareNames += (rareNames.empty() ? "" : ", ") + s.name;
		else
			out << padded(settingLeft(s), 46) << settingRight(s) << "\n";
	}
	if (!rareNames.empty())
		out << "  also: " << rareNames << "\n        (jwtflow " << providerName << " describe shows their values; man jwtflow and user-guide.md in /usr/share/doc/jwtflow explain them)\n";
	out << "\nglobal options:\n";
	for (const auto& name: globalOptions()) out << optionLine(name);
	out << "\njwtflow " << providerName << " <action> --help shows an action's options and examples.\n";
}

void HelpWriter::completionScript(std::ostream& out, const std::string& shell)
{
	if (shell != "bash" && shell != "zsh")
		throw UsageException("completion needs the shell: jwtflow completion bash, or jwtflow completion zsh");
	if (shell == "bash")
	{
		out <<
			"# bash completion for jwtflow (made by `jwtflow completion bash`).\n"
			"# The candidates come from jwtflow itself: its commands, actions and options, and the\n"
			"# providers described in its plugin folders (no plugin library is loaded to list them).\n"
			"_jwtflow() {\n"
			"  local cur=\"${COMP_WORDS[COMP_CWORD]}\" IFS=$'\\n' candidates\n"
			"  candidates=$(\"${COMP_WORDS[0]}\" __complete \"${COMP_WORDS[@]:1:COMP_CWORD}\" 2>/dev/null)\n"
			"  case \"$candidates\" in\n"
			"    __files__) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- \"$cur\")) ;;\n"
			"    __folders__) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- \"$cur\")) ;;\n"
			"    *) COMPREPLY=($(compgen -W \"$candidates\" -- \"$cur\")) ;;\n"
			"  esac\n"
			"}\n"
			"complete -F _jwtflow jwtflow\n";
	}
	else
	{
		out <<
			"#compdef jwtflow\n"
			"# zsh completion for jwtflow (made by `jwtflow completion zsh`): put it in a folder of\n"
			"# $fpath as _jwtflow, or source it. The candidates come from jwtflow itself.\n"
			"_jwtflow() {\n"
			"  local -a candidates\n"
			"  candidates=(\"${(@f)$(${words[1]} __complete \"${(@)words[2,CURRENT]}\" 2>/dev/null)}\")\n"
			"  if [[ \"${candidates[1]}\" == __files__ ]]; then _files\n"
			"  elif [[ \"${candidates[1]}\" == __folders__ ]]; then _files -/\n"
			"  else compadd -a candidates\n"
			"  fi\n"
			"}\n"
			"if [[ \"${funcstack[1]}\" == _jwtflow ]]; then _jwtflow \"$@\"; else compdef _jwtflow jwtflow; fi\n";
	}
}

bool HelpWriter::takesValue(const std::string& option, std::string& valueName, const OptionSpec*& spec) const
{
	spec = findOption(option);
	if (spec) return !spec->argument.empty();
	for (const auto& s: _context.settings)
		if (s.option == option)
		{
			valueName = s.valueName;
			return true;
		}
	return false;
}

std::vector<std::string> HelpWriter::positionalWords(const std::vector<std::string>& words) const
{
	std::vector<std::string> positional;
	for (std::size_t i = 0; i + 1 < words.size(); ++i)
	{
		const std::string& w = words[i];
		if (w.compare(0, 2, "--") == 0)
		{
			std::string valueName;
			const OptionSpec* spec = nullptr;
			if (w.find('=') == std::string::npos && takesValue(w.substr(2), valueName, spec)) ++i;   // skip its value
		}
		else if (w.empty() || w[0] != '-')
		{
			positional.push_back(w);
		}
	}
	return positional;
}

bool HelpWriter::valueCandidates(const std::string& previous, std::vector<std::string>& out) const
{
	if (previous.compare(0, 2, "--") != 0 || previous.find('=') != std::string::npos) return false;
	std::string valueName;
	const OptionSpec* spec = nullptr;
	const std::string name = previous.substr(2);
	if (!takesValue(name, valueName, spec)) return false;
	if (spec && spec->kind == ArgumentKind::Word) out = spec->choices;
	else if (spec && spec->kind == ArgumentKind::Folder) out = {"__folders__"};
	else if ((spec && spec->kind == ArgumentKind::File) || (!spec && takesFile(name, valueName))) out = {"__files__"};
	return true;
}

void HelpWriter::complete(std::ostream& stream, const std::vector<std::string>& words) const
{
	// words: what follows "jwtflow" up to the word being completed (the last, maybe empty).
	const std::string current = words.empty() ? "" : words.back();
	const std::string previous = words.size() > 1 ? words[words.size() - 2] : "";
	std::vector<std::string> out;
	if (!valueCandidates(previous, out)) out = wordCandidates(positionalWords(words), current);
	// kubectl's format is token's alone.
	const std::vector<std::string> positional = positionalWords(words);
	if (previous == "--output" && std::find(positional.begin(), positional.end(), "token") == positional.end())
		out.erase(std::remove(out.begin(), out.end(), "exec-credential"), out.end());
	for (const auto& o: out) stream << o << "\n";
}

std::vector<std::string> HelpWriter::wordCandidates(const std::vector<std::string>& positional, const std::string& current) const
{
	std::vector<std::string> out;
	const CommandSpec* command = positional.empty() ? nullptr : findCommand(positional[0], false);
	Provider* provider = positional.empty() || command ? nullptr : _context.find(positional[0]);
	const CommandSpec* action = provider && positional.size() > 1 ? findCommand(positional[1], true) : nullptr;
	if (!current.empty() && current[0] == '-')
	{
		std::vector<std::string> names(globalOptions().begin(), globalOptions().end());
		const CommandSpec* spec = command ? command : action;
		if (spec) names.insert(names.end(), spec->optionNames.begin(), spec->optionNames.end());
		if (provider)
			for (const auto& s: providerSettings(*provider))
				if (!s.option.empty()) names.push_back(s.option);
		for (const auto& n: names) out.push_back("--" + n);
	}
	else if (positional.empty())
	{
		out = commandNames();
		for (const auto& d: _context.providers) out.push_back(d.provider);
	}
	else if (command && command->name == "help" && positional.size() <= 2)
	{
		if (positional.size() == 1)
		{
			out = commandNames();
			for (const auto& d: _context.providers) out.push_back(d.provider);
		}
		else if (Provider* p = _context.find(positional[1]))
		{
			out = offeredActions(*p);
		}
	}
	else if (command && positional.size() == 1)
	{
		out = command->words;
		if (command->oneWord) out = {"-"};
	}
	else if (provider && positional.size() == 1)
	{
		out = offeredActions(*provider);
	}
	return out;
}

void HelpWriter::manPage(std::ostream& out) const
{
	std::ostringstream m;
	m << ".TH JWTFLOW 1 \"\" \"jwtflow " << JWTFLOW_VERSION << "\" \"User Commands\"\n"
		<< ".SH NAME\njwtflow \\- OAuth 2.0 JWT flows: mint a JWT assertion, exchange it for an access token, use it\n"
		<< ".SH SYNOPSIS\n.B jwtflow\n.I provider action\n[\\fIoptions\\fR]\n.br\n.B jwtflow\n.I command\n[\\fIoptions\\fR]\n"
		<< ".SH DESCRIPTION\n"
		<< roff("jwtflow mints a JWT signed with your private key (claims and header as the identity provider asks), "
			"exchanges it at the provider's token endpoint for an access token, and uses the token: a Bearer call to "
			"the identity URL, a Salesforce frontdoor.jsp link. Settings come from options, the environment, .env "
			"(the current folder's, or --env-file), --config FILE.properties, the provider's descriptor and its "
			"defaults, highest first. Results go to stdout, notes to stderr.") << "\n"
		<< ".SH PROVIDERS\n";
	for (const auto& d: _context.providers)
		m << ".TP\n.B " << roff(d.provider) << "\n" << roff(safeText(d.description, 300)) << "\n";
	m << ".SH ACTIONS\n";
	for (const auto& c: commandTable())
		if (c.isAction)
		{
			m << ".TP\n.B " << c.name << "\n" << roff(c.summary) << ".\n" << roff(withProvider(c.descriptionText, "")) << "\n";
			if (!c.optionNames.empty())
			{
				m << ".br\nOptions:";
				for (const auto& o: c.optionNames) m << " \\fB\\-\\-" << roff(o) << "\\fR";
				m << "; and the provider's settings.\n";
			}
		}
	m << ".SH COMMANDS\n";
	for (const auto& c: commandTable())
		if (!c.isAction)
		{
			m << ".TP\n.B jwtflow " << c.name << (c.synopsisText.empty() ? "" : " " + roff(c.synopsisText)) << "\n"
				<< roff(c.summary) << ".\n" << roff(c.descriptionText) << "\n";
		}
	m << ".SH OPTIONS\n";
	for (const auto& o: optionVocabulary())
	{
		m << ".TP\n" << (o.shortName.empty() ? "" : "\\fB\\-" + o.shortName + "\\fR, ") << "\\fB\\-\\-" << roff(o.name) << "\\fR"
			<< (o.argument.empty() ? "" : " \\fI" + roff(o.argument) + "\\fR") << "\n" << roff(o.help) << "\n";
	}
	m << ".SH SETTINGS\nEach setting has one name in the environment, .env and .properties files, and most have an option.\n";
	for (const auto& s: _context.settings)
		m << ".TP\n.B " << s.name << (s.option.empty() ? "" : " \\fR(\\fB\\-\\-" + roff(s.option) + "\\fR)") << "\n" << roff(s.help) << "\n";
	m << ".SH EXIT STATUS\n"
		<< ".TP\n.B 0\nsuccess\n.TP\n.B 1\ninternal error (a bug: report it)\n"
		<< ".TP\n.B 2\nusage or settings: unknown command, provider, action or option, a missing setting, a malformed value\n"
		<< ".TP\n.B 3\nlocal input: a key, certificate or file that cannot be read, is of the wrong kind, or that others can read or change\n"
		<< ".TP\n.B 4\nthe identity provider refused: its error, its description and a hint\n"
		<< ".TP\n.B 5\nnetwork: cannot connect, TLS verification failed, time-out, 5xx or an answer that is not OAuth\n"
		<< ".TP\n.B 6\nverification failed (verify)\n"
		<< ".SH FILES\n.TP\n.I .env\nsettings in the current folder (or \\-\\-env-file)\n"
		<< ".TP\n.I <prefix>/lib/jwtflow/plugins.d\nthe provider plugins and their descriptors (<provider>.properties)\n"
		<< ".TP\n.I $XDG_CACHE_HOME/jwtflow/tokens\nthe token cache (else ~/.cache/jwtflow/tokens): one file per login, 0600, sealed with a key "
			"derived from the login's signing key\n"
		<< ".TP\n.I $XDG_CACHE_HOME/jwtflow\nthe OIDC discovery cache\n"
		<< ".TP\n.I $XDG_CONFIG_HOME/jwtflow/profiles\nthe profiles (else ~/.config/jwtflow/profiles): NAME.env, 0600\n"
		<< ".TP\n.I $XDG_CONFIG_HOME/jwtflow/trusted-env\nthe .env files you trusted (jwtflow trust), by path and SHA-256\n"
		<< ".SH SECURITY\n" << roff("Private keys, passphrases and tokens never appear in messages. A key or passphrase file that "
			"others can read, and a plugin folder or library that others can change, are refused. Plugins load only from "
			"the install's own folders and the ones you name, never from the current folder. TLS verification is always on.") << "\n"
		<< ".SH EXAMPLES\n";
	for (const auto& c: commandTable())
		for (const auto& e: c.exampleLines) m << ".nf\n" << roff(withProvider(e, "salesforce")) << "\n.fi\n";
	m << ".SH SEE ALSO\n" << roff("The user guide, getting set up, plugins, embedding and security documents in "
		"/usr/share/doc/jwtflow (docs/ in the source); kubectl(1), sf(1).") << "\n";
	out << m.str();
}

} // namespace host
} // namespace jwtflow
