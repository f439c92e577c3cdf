//
// ProfileCommands.cpp
//
// Program: jwtflow
// Profiles: `login --profile NAME` saves the settings a login used (paths made
// absolute, never a secret); `jwtflow profile list|show|remove|default`.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "JwtflowApp.h"
#include "jwtflow/Exception.h"
#include "jwtflow/Json.h"
#include "jwtflow/Profiles.h"
#include "jwtflow/SafeText.h"
#include "jwtflow/SettingsLoader.h"
#include <Poco/JSON/Array.h>
#include <Poco/Path.h>

namespace jwtflow {
namespace host {

void JwtflowApp::saveProfile(const Provider& provider, const std::string& name)
{
	Profile profile;
	profile.name = name;
	profile.provider = provider.name();
	for (const auto& spec: settingSpecs())
	{
		if (spec.secret || spec.name == "JWTFLOW_PROFILE") continue;
		const SettingValue v = settings().lookup(spec.name);
		if (!v.found || v.value.empty() || v.source == "default" || v.source.rfind("plugins.d", 0) == 0) continue;
		std::string value = v.value;
		// Where things live, from any folder: a relative path is the current folder's now.
		if (spec.valueName == "FILE") value = settingPathFrom(value, Poco::Path::current());
		profile.settings[spec.name] = value;
	}
	ProfileStore store;
	store.write(profile);
	_console.note("jwtflow: saved profile " + name + " (" + store.pathOf(name) + "): `jwtflow " + provider.name() + " token -p " + name
		+ "` works from any folder");
}

int JwtflowApp::commandProfile()
{
	const std::string what = _words.empty() ? "list" : _words[0];
	ProfileStore store;
	if (what == "list" && _words.size() <= 1)
	{
		const std::vector<Profile> profiles = store.list();
		if (outputFormat() == OutputFormat::Json)
		{
			Poco::JSON::Object out(Poco::JSON_PRESERVE_KEY_ORDER);
			Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
			for (const auto& p: profiles)
			{
				Poco::JSON::Object::Ptr item = newJsonObject();
				item->set("name", p.name);
				item->set("provider", p.provider);
				item->set("default", p.isDefault);
				item->set("file", p.path);
				list->add(item);
			}
			out.set("folder", store.folder());
			out.set("profiles", list);
			_console.json(out);
			return 0;
		}
		for (const auto& p: profiles)
		{
			std::string who;
			for (const char* key: {"SUBJECT", "CLIENT_ID", "KEY_FILE"})
				if (who.empty() && p.settings.count(key)) who = std::string(key) + "=" + p.settings.at(key);
			_console.result(safeText(p.name, 64) + "  " + p.provider + (p.isDefault ? " (default)" : "") + (who.empty() ? "" : "  " + safeText(who, 120)));
		}
		if (profiles.empty()) _console.note("no profiles in " + store.folder() + ": `jwtflow PROVIDER login --profile NAME` makes one");
		return 0;
	}
	if (_words.size() != 2 || (what != "add" && what != "show" && what != "remove" && what != "default"))
		throw UsageException("profile needs what to do: jwtflow profile list, jwtflow profile add NAME --provider P [settings], or "
			"jwtflow profile show|remove|default NAME");
	const std::string name = _words[1];
	ProfileStore::checkName(name);
	if (what == "add")
	{
		if (!_provider)
			throw UsageException(_values.count("provider") ? "no provider " + quotedText(flagValue("provider"), 40) + " (jwtflow providers lists them)"
				: "profile add needs the provider: jwtflow profile add " + name + " --provider P [settings]");
		requireSettings(*_provider);
		saveProfile(*_provider, name);
		_console.result("saved profile " + name + " (" + _provider->name() + ")");
		return 0;
	}
	if (what == "remove")
	{
		if (!store.remove(name)) throw UsageException("no profile " + quotedText(name, 70) + " to remove (jwtflow profile list)");
		_console.result("removed profile " + name);
		return 0;
	}
	const Profile profile = store.read(name);
	if (what == "default")
	{
		store.setDefault(profile.provider, name);
		_console.result(name + " is now the default profile of " + profile.provider + " (read below ./.env and the environment)");
		return 0;
	}
	if (outputFormat() == OutputFormat::Json)
	{
		Poco::JSON::Object out(Poco::JSON_PRESERVE_KEY_ORDER);
		out.set("name", profile.name);
		out.set("provider", profile.provider);
		out.set("default", profile.isDefault);
		out.set("file", profile.path);
		Poco::JSON::Object::Ptr settingsObject = newJsonObject();
		for (const auto& s: profile.settings) settingsObject->set(s.first, s.second);
		out.set("settings", settingsObject);
		_console.json(out);
		return 0;
	}
	_console.result("profile " + profile.name + " (" + profile.provider + (profile.isDefault ? ", default" : "") + "): " + profile.path);
	for (const auto& s: profile.settings) _console.result("  " + s.first + "=" + safeText(s.second, 300));
	return 0;
}

} // namespace host
} // namespace jwtflow
