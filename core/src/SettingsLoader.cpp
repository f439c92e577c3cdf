//
// SettingsLoader.cpp
//
// Library: jwtflow core
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/SettingsLoader.h"
#include "FileInput.h"
#include "jwtflow/DotEnv.h"
#include "jwtflow/Exception.h"
#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/Util/PropertyFileConfiguration.h>
#include <sstream>

namespace jwtflow {

void loadLayeredSettings(Settings& settings, const SettingsSources& sources)
{
	if (!sources.options.empty()) settings.addMapLayer("option", sources.options);
	if (sources.useEnvironment) settings.addEnvironmentLayer();

	std::optional<std::string> envFile = sources.envFile;
	if (!envFile && sources.useCurrentDotEnv && Poco::File(".env").exists()) envFile = ".env";
	if (envFile)
	{
		std::map<std::string, std::string> values;
		for (auto& entry: loadDotEnvFile(*envFile)) values[entry.first] = entry.second;
		settings.addMapLayer(".env (" + Poco::Path(*envFile).absolute().toString() + ")", values);
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
	if (sources.descriptor && sources.descriptor->properties)
		settings.addConfigurationLayer("plugins.d (" + sources.descriptor->path + ")", sources.descriptor->properties);
	settings.addDefaults(sources.specs);
}

} // namespace jwtflow
