//
// SettingsLoader.h
//
// Library: jwtflow core
// Builds the layered settings of DESIGN.md from their sources.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_SETTINGSLOADER_INCLUDED
#define JWTFLOW_SETTINGSLOADER_INCLUDED

#include "jwtflow/Export.h"
#include "jwtflow/PluginRegistry.h"
#include "jwtflow/Settings.h"
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace jwtflow {

struct JWTFLOW_API SettingsSources
	/// Where the settings come from, highest priority first.
{
	std::map<std::string, std::string> options;     /// command-line options, by setting name
	bool useEnvironment = true;                     /// the process environment
	std::optional<std::string> envFile;             /// --env-file: a file the user named, trusted as named
	bool useCurrentDotEnv = true;                   /// when envFile is unset, ./.env, read only once trusted (jwtflow trust)
	std::optional<std::string> trustList;           /// the trusted .env list; unset: DotEnvTrust::defaultListPath()
	std::optional<std::string> configFile;          /// --config FILE.properties
	std::vector<std::pair<std::string, std::string>> aliases;   /// (setting, environment variable): the names other
	                                                /// tools give a setting (neighbourNames), below every layer of jwtflow's own names
	std::vector<std::pair<std::string, std::string>> dotEnvAliases;   /// (setting, name): other tools' names read in a .env,
	                                                /// an --env-file and a profile (dotEnvNeighbourNames) where the file
	                                                /// does not give jwtflow's own name
	std::optional<std::string> profile;             /// the profile chosen (-p NAME, JWTFLOW_PROFILE): just below the options
	std::string provider;                           /// the provider: a profile of another is refused; its default profile
	                                                /// (ProfileStore::setDefault) is read when none is chosen, below the .env
	std::optional<std::string> profileFolder;       /// unset: ProfileStore::defaultFolder()
	const PluginDescriptor* descriptor = nullptr;   /// plugins.d/<provider>.properties
	std::vector<SettingSpec> specs;                 /// for the built-in defaults
};

struct JWTFLOW_API SettingsReport
	/// What loadLayeredSettings left out, for the program to say.
{
	std::string untrustedDotEnv;          /// the absolute path of a ./.env not read (untrusted or changed), "" when none
	bool changedSinceTrusted = false;     /// it was trusted with other content
	std::vector<std::string> untrustedNames; /// the names it sets (never the values); empty when it could not be parsed
	std::string profile;                  /// the profile read, "" when none
	bool defaultProfile = false;          /// it was the provider's default, not chosen
	std::vector<std::string> dotEnvNames; /// the names the .env files read (the --env-file, ./.env) set, for "did you mean"

	std::string note() const;
		/// One line for people: the file, the names it sets, and the command
		/// that trusts it; "" when nothing was left out.
};

JWTFLOW_API std::string settingPathFrom(const std::string& value, const std::string& folder);
	/// A FILE setting's value taken from folder: a relative path joined to it; an
	/// absolute path, a ~ path and a URI (pkcs11:...) as they are.

JWTFLOW_API SettingsReport loadLayeredSettings(Settings& settings, const SettingsSources& sources);
	/// Adds the layers: options > the chosen profile > environment > .env (or --env-file)
	/// > the provider's default profile > --config > the environment under other tools'
	/// names (aliases) > descriptor > defaults. In a .env, an --env-file and a profile,
	/// other tools' names (dotEnvAliases) stand for jwtflow's where the file does not
	/// give them, and a relative path in a FILE setting is taken from the file's folder.
	/// The current folder's .env is read only when the trust list holds it with
	/// its present content; otherwise it is left out (said in the report, and
	/// in Settings::missingNote). Every .env read is checked first (readEnvFile:
	/// owner and mode). Throws InputException when a named file (--env-file,
	/// --config) cannot be read or is not safe, UsageException for a malformed
	/// .env line.

} // namespace jwtflow

#endif // JWTFLOW_SETTINGSLOADER_INCLUDED
