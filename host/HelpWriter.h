//
// HelpWriter.h
//
// Program: jwtflow
// Help at every level, the completion scripts, the completion candidates and
// the man page, made from the command table and what the plugin folders
// describe. Needs no application: a test gives it the providers and settings.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_HOST_HELPWRITER_INCLUDED
#define JWTFLOW_HOST_HELPWRITER_INCLUDED

#include "CommandTable.h"
#include "HostExport.h"
#include "jwtflow/PluginRegistry.h"
#include "jwtflow/Provider.h"
#include "jwtflow/Settings.h"
#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace jwtflow {
namespace host {

struct HelpContext
	/// What help is written from, besides the command table.
{
	std::vector<PluginDescriptor> providers;   ///< what the plugin folders describe (no library loaded)
	std::function<Provider*(const std::string&)> find;   ///< the provider of that name, loaded; nullptr when none
	std::function<Provider&(const std::string&)> provider;   ///< as find, and a UsageException (with a guess) when none
	std::vector<SettingSpec> settings;   ///< every setting known as an option (the provider's, then DESIGN.md's)
};

class JWTFLOW_HOST_API HelpWriter
	/// Writes help, completion and the man page to a stream.
{
public:
	explicit HelpWriter(HelpContext context);

	void usageSummary(std::ostream& out) const;
		/// `jwtflow` alone and `jwtflow --help`: providers, actions, commands, global options.

	void help(std::ostream& out, const std::vector<std::string>& topic) const;
		/// `jwtflow help TOPIC...`: a command, an action, a provider or a provider's action.
		/// Throws UsageException for an unknown provider or action.

	static void completionScript(std::ostream& out, const std::string& shell);
		/// The bash or zsh completion script; UsageException for another shell.

	void complete(std::ostream& out, const std::vector<std::string>& words) const;
		/// The candidates for the last of words (what follows `jwtflow`), one per line;
		/// __files__ or __folders__ where the shell should complete paths.

	void manPage(std::ostream& out) const;
		/// jwtflow(1), in roff.

	static std::vector<SettingSpec> providerSettings(const Provider& provider);
		/// The provider's settings and the core's it reads, for help and describe.

private:
	void commandHelp(std::ostream& out, const CommandSpec& command, Provider* provider) const;
		/// A command's or an action's help; with a provider, its settings and examples too.
	void providerHelp(std::ostream& out, Provider& provider) const;
		/// A provider's actions and settings.
	std::string optionLine(const std::string& name) const;
		/// An option's line in help: the vocabulary's, or a setting's.
	bool takesValue(const std::string& option, std::string& valueName, const OptionSpec*& spec) const;
		/// Whether --option takes a value; spec is its vocabulary entry (nullptr for a setting's option).
	std::vector<std::string> positionalWords(const std::vector<std::string>& words) const;
		/// The words before the last that are not options or option values.
	bool valueCandidates(const std::string& previous, std::vector<std::string>& out) const;
		/// When previous is an option that takes a value: its candidates (choices, __files__, __folders__).
	std::vector<std::string> wordCandidates(const std::vector<std::string>& positional, const std::string& current) const;
		/// Commands, providers, actions, options or a command's words, after the positional words.
		/// An option's line in help: the vocabulary's, or a setting's.

	HelpContext _context;
};

} // namespace host
} // namespace jwtflow

#endif // JWTFLOW_HOST_HELPWRITER_INCLUDED
