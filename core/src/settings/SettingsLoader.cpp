//
// SettingsLoader.cpp
//
// Library: jwtflow core
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/SettingsLoader.h"
#include <Poco/Environment.h>
#include "FileInput.h"
#include "jwtflow/DotEnv.h"
#include "jwtflow/DotEnvTrust.h"
#include "jwtflow/Exception.h"
#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/Util/PropertyFileConfiguration.h>
#include <sstream>
#include <sys/stat.h>

namespace jwtflow {

std::string SettingsReport::note() const
{
	if (untrustedDotEnv.empty()) return {};
	std::string names;
	for (const auto& n: untrustedNames) names += (names.empty() ? "" : ", ") + n;
	return untrustedDotEnv + (changedSinceTrusted ? " changed since you trusted it" : " is not trusted") + ", so it was not read"
		+ (names.empty() ? std::string() : " (it sets " + names + ")") + ": if you "
		+ (changedSinceTrusted ? "made the change" : "wrote it, or read it") + ", run: jwtflow trust " + untrustedDotEnv;
}

namespace {

void addDotEnvLayer(Settings& settings, const std::string& path, const std::string& text)
{
	std::map<std::string, std::string> values;
	for (auto& entry: parseDotEnv(text, path)) values[entry.first] = entry.second;
	settings.addMapLayer(".env (" + path + ")", values);
}

/// ./.env, when the user trusted it with its present content; else what it would have set.
void addCurrentDotEnv(Settings& settings, const SettingsSources& sources, SettingsReport& report)
{
	struct stat st{};
	if (::lstat(".env", &st) != 0) return;
	const std::string path = absoluteDotEnvPath(".env");
	const std::string text = readEnvFile(".env");
	DotEnvTrust trust(sources.trustList ? *sources.trustList : DotEnvTrust::defaultListPath());
	const DotEnvTrustState state = trust.check(path, text);
	if (state == DotEnvTrustState::Trusted)
	{
		addDotEnvLayer(settings, path, text);
		return;
	}
	report.untrustedDotEnv = path;
	report.changedSinceTrusted = state == DotEnvTrustState::Changed;
	try
	{
		for (const auto& entry: parseDotEnv(text, path)) report.untrustedNames.push_back(entry.first);
	}
	catch (const Poco::Exception&)
	{
		// Not read, so not an error: the names are left out.
	}
	settings.setMissingNote(path + " was not read: " + (report.changedSinceTrusted ? "it changed since you trusted it" : "it is not trusted")
		+ " (jwtflow trust " + path + ")");
}

} // namespace

SettingsReport loadLayeredSettings(Settings& settings, const SettingsSources& sources)
{
	SettingsReport report;
	if (!sources.options.empty()) settings.addMapLayer("option", sources.options);
	if (sources.useEnvironment) settings.addEnvironmentLayer();

	if (sources.envFile)
	{
		// A file the user named is the user's word; it is still refused when others could have written it.
		const std::string path = Poco::Path(*sources.envFile).absolute().toString();
		addDotEnvLayer(settings, path, readEnvFile(*sources.envFile));
	}
	else if (sources.useCurrentDotEnv)
	{
		addCurrentDotEnv(settings, sources, report);
	}
	if (sources.configFile)
	{
		std::string text = detail::readInputFile(*sources.configFile, "configuration file");
		Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> config;
		try
		{
			std::istringstream in(text);
			config = new Poco::Util::PropertyFileConfiguration(in);
		}
		catch (const Poco::Exception& e)
		{
			throw InputException("cannot read configuration file '" + *sources.configFile + "': " + e.message());
		}
		settings.addConfigurationLayer("config (" + *sources.configFile + ")", config);
	}
	// Other tools' names for a setting (azure-identity's AZURE_CLIENT_ID ...): from the environment, and
	// only where none of jwtflow's own names gives the setting.
	for (const auto& alias: sources.aliases)
	{
		const std::string setting = alias.first, variable = alias.second;
		settings.addLayer("environment (" + variable + ")", [setting, variable](const std::string& name) -> std::optional<std::string> {
			if (name != setting || !Poco::Environment::has(variable)) return std::nullopt;
			const std::string value = Poco::Environment::get(variable);
			if (value.empty()) return std::nullopt;
			return value;
		});
	}
	if (sources.descriptor && sources.descriptor->properties)
		settings.addConfigurationLayer("plugins.d (" + sources.descriptor->path + ")", sources.descriptor->properties);
	settings.addDefaults(sources.specs);
	return report;
}

} // namespace jwtflow
