//
// CommandTable.h
//
// Program: jwtflow
// The one table of commands and provider actions, and the vocabulary of
// options they draw from. Parsing, help at every level, "did you mean",
// the completion scripts and the man page are all made from it: adding a
// command is one entry here and its run function.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_HOST_COMMANDTABLE_INCLUDED
#define JWTFLOW_HOST_COMMANDTABLE_INCLUDED

#include "HostExport.h"
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace jwtflow {

class Provider;

namespace host {

class JwtflowApp;

enum class ArgumentKind
	/// What an option's value is, for completion.
{
	None,    ///< a flag
	File,
	Folder,
	Word,    ///< one of OptionSpec::choices
	Text
};

struct OptionSpec
	/// One option of the vocabulary (POCO's Util::Option is made from it).
{
	std::string name;               ///< long name, without dashes
	std::string shortName;          ///< one letter, or ""
	std::string argument;           ///< the value's placeholder ("FILE"), "" for a flag
	std::string help;
	bool repeatable = false;
	ArgumentKind kind = ArgumentKind::None;
	std::vector<std::string> choices; ///< for ArgumentKind::Word
};

struct CommandSpec
	/// One command (`jwtflow verify`) or provider action (`jwtflow <provider> token`).
	/// Made by action() or command() and the named setters below, so that a table
	/// entry reads as what it is: action("token", ...).options({...}).readsProviderSettings().
{
	using Run = std::function<int(JwtflowApp&, Provider*)>;

	bool isAction = false;          ///< a provider action rather than a command
	std::string name;
	std::string summary;            ///< one line
	std::string synopsisText;       ///< what follows the command (or "<provider> <action>") in the usage line
	std::string descriptionText;    ///< a paragraph for help and the man page
	std::vector<std::string> optionNames; ///< options (by long name) that apply, besides the global ones
	bool providerSettings = false;  ///< the provider's settings apply as options
	std::vector<std::string> exampleLines; ///< whole command lines; PROVIDER stands for the provider of an action
	bool oneWord = false;           ///< takes one word: the JWT (verify, decode) or the path (the call action)
	std::vector<std::string> words; ///< the words it takes, for completion (completion: bash zsh)
	Run run;

	CommandSpec& synopsis(std::string text) { synopsisText = std::move(text); return *this; }
	CommandSpec& description(std::string text) { descriptionText = std::move(text); return *this; }
	CommandSpec& options(std::vector<std::string> names) { optionNames = std::move(names); return *this; }
	CommandSpec& readsProviderSettings() { providerSettings = true; return *this; }
	CommandSpec& examples(std::vector<std::string> lines) { exampleLines = std::move(lines); return *this; }
	CommandSpec& takesOneWord() { oneWord = true; return *this; }
	CommandSpec& completes(std::vector<std::string> choices) { words = std::move(choices); return *this; }
	CommandSpec& runs(Run function) { run = std::move(function); return *this; }
};

JWTFLOW_HOST_API CommandSpec action(const std::string& name, const std::string& summary);
	/// A provider action's entry (`jwtflow <provider> NAME`).
JWTFLOW_HOST_API CommandSpec command(const std::string& name, const std::string& summary);
	/// A command's entry (`jwtflow NAME`).

JWTFLOW_HOST_API const std::vector<OptionSpec>& optionVocabulary();
	/// Every option jwtflow knows that is not a setting (settings bring their own).

JWTFLOW_HOST_API const std::vector<std::string>& globalOptions();
	/// The options every command takes (--help, -q, -v, --env-file, --config, --plugins ...).

JWTFLOW_HOST_API const OptionSpec* findOption(const std::string& name);
	/// The vocabulary entry, or nullptr.

JWTFLOW_HOST_API const std::vector<CommandSpec>& commandTable();
	/// Every command and action, in the order help lists them.

JWTFLOW_HOST_API const std::map<std::string, std::string>& flagAliases(const std::string& command);
	/// The options a command takes as flags though elsewhere they name a setting
	/// (jwk --thumbprint), each with the flag it stands for (rfc7638).

JWTFLOW_HOST_API const CommandSpec* findCommand(const std::string& name, bool action);
	/// The command (action == false) or action of that name, or nullptr.

JWTFLOW_HOST_API std::vector<std::string> commandNames();
	/// The names of the commands (not the actions).

JWTFLOW_HOST_API std::vector<std::string> offeredActions(const Provider& provider);
	/// The provider's actions, and the host's own that build on them (login, where it offers token).

} // namespace host
} // namespace jwtflow

#endif // JWTFLOW_HOST_COMMANDTABLE_INCLUDED
