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
	std::optional<std::string> envFile;             /// --env-file; when unset, ./.env if it exists
	bool useCurrentDotEnv = true;                   /// look for ./.env when envFile is unset
	std::optional<std::string> configFile;          /// --config FILE.properties
	const PluginDescriptor* descriptor = nullptr;   /// plugins.d/<provider>.properties
	std::vector<SettingSpec> specs;                 /// for the built-in defaults
};

JWTFLOW_API void loadLayeredSettings(Settings& settings, const SettingsSources& sources);
	/// Adds the layers: options > environment > .env > --config > descriptor > defaults.
	/// Throws InputException when a named file (--env-file, --config) cannot be
	/// read, UsageException for a malformed .env line.

} // namespace jwtflow

#endif // JWTFLOW_SETTINGSLOADER_INCLUDED
