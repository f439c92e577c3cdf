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
#include "jwtflow/Profiles.h"
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

/// A file's settings as a layer: other tools' names stand for jwtflow's, relative paths are the file's folder's.
std::map<std::string, std::string> fileValues(const DotEnvEntries& entries, const std::string& path, const SettingsSources& sources)
{
	std::map<std::string, std::string> values;
	for (const auto& entry: entries) values[entry.first] = entry.second;
	for (const auto& alias: sources.dotEnvAliases)
		if (!values.count(alias.first) && values.count(alias.second)) values[alias.first] = values[alias.second];
	const std::string folder = Poco::Path(path).parent().toString();
	for (const auto& spec: sources.specs)
	{
		if (spec.valueName != "FILE") continue;
		auto it = values.find(spec.name);
		if (it != values.end()) it->second = settingPathFrom(it->second, folder);
	}
	return values;
}

void addDotEnvLayer(Settings& settings, const std::string& path, const std::string& text, const SettingsSources& sources,
	SettingsReport& report)
{
	const DotEnvEntries entries = parseDotEnv(text, path);
	for (const auto& entry: entries) report.dotEnvNames.push_back(entry.first);
	settings.addMapLayer(".env (" + path + ")", fileValues(entries, path, sources));
}

void addProfileLayer(Settings& settings, const ProfileStore& store, const std::string& name, const SettingsSources& sources,
	SettingsReport& report, bool isDefault)
{
	const Profile profile = store.read(name);
	if (!sources.provider.empty() && profile.provider != sources.provider)
		throw UsageException("profile " + name + " is for " + profile.provider + ", not " + sources.provider + ": jwtflow "
			+ profile.provider + " ... -p " + name);
	DotEnvEntries entries(profile.settings.begin(), profile.settings.end());
	std::map<std::string, std::string> values = fileValues(entries, profile.path, sources);
	values["JWTFLOW_PROFILE"] = name;
	settings.addMapLayer("profile " + name + " (" + profile.path + ")", values);
	report.profile = name;
	report.defaultProfile = isDefault;
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
		addDotEnvLayer(settings, path, text, sources, report);
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

std::string settingPathFrom(const std::string& value, const std::string& folder)
{
	if (value.empty() || value[0] == '/' || value[0] == '~') return value;
	// A URI (pkcs11:token=...) is not a path.
	const std::size_t colon = value.find(':');
	if (colon != std::string::npos && value.find('/') > colon) return value;
	return Poco::Path(folder).makeDirectory().append(value).toString();
}

SettingsReport loadLayeredSettings(Settings& settings, const SettingsSources& sources)
{
	SettingsReport report;
	const ProfileStore profiles(sources.profileFolder ? *sources.profileFolder : ProfileStore::defaultFolder());
	if (!sources.options.empty()) settings.addMapLayer("option", sources.options);
	if (sources.profile) addProfileLayer(settings, profiles, *sources.profile, sources, report, false);
	if (sources.useEnvironment) settings.addEnvironmentLayer();

	if (sources.envFile)
	{
		// A file the user named is the user's word; it is still refused when others could have written it.
		const std::string path = Poco::Path(*sources.envFile).absolute().toString();
		addDotEnvLayer(settings, path, readEnvFile(*sources.envFile), sources, report);
	}
	else if (sources.useCurrentDotEnv)
	{
		addCurrentDotEnv(settings, sources, report);
	}
	if (!sources.profile && !sources.provider.empty())
		if (auto name = profiles.defaultFor(sources.provider)) addProfileLayer(settings, profiles, *name, sources, report, true);
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
