//
// Profiles.cpp
//
// Library: jwtflow core (settings)
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/Profiles.h"
#include "jwtflow/DotEnv.h"
#include "jwtflow/DotEnvTrust.h"
#include "jwtflow/Exception.h"
#include "jwtflow/SafeText.h"
#include "jwtflow/SecureFiles.h"
#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/String.h>
#include <algorithm>
#include <cctype>

namespace jwtflow {

namespace {

const char* const PROVIDER_KEY = "JWTFLOW_PROVIDER";

std::string defaultMarkOf(const std::string& folder, const std::string& provider)
{
	return folder + "/default-" + provider;
}

} // namespace

ProfileStore::ProfileStore(std::string folder): _folder(std::move(folder))
{
}

std::string ProfileStore::defaultFolder()
{
	return userConfigFile("profiles");
}

const std::string& ProfileStore::folder() const
{
	return _folder;
}

void ProfileStore::checkName(const std::string& name)
{
	bool ok = !name.empty() && name.size() <= 64 && name[0] != '.' && name[0] != '-';
	for (char c: name) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-');
	if (!ok)
		throw UsageException("profile name " + quotedText(name, 70) + " is not one: letters, digits, '.', '_' and '-', up to 64, "
			"not starting with '.' or '-'");
}

std::string ProfileStore::pathOf(const std::string& name) const
{
	checkName(name);
	if (_folder.empty()) throw UsageException("no folder for profiles: set XDG_CONFIG_HOME or HOME");
	return _folder + "/" + name + ".env";
}

bool ProfileStore::exists(const std::string& name) const
{
	return Poco::File(pathOf(name)).exists();
}

Profile ProfileStore::read(const std::string& name) const
{
	const std::string path = pathOf(name);
	if (!Poco::File(path).exists())
		throw UsageException("no profile " + quotedText(name, 70) + " (in " + _folder + "): make it with `jwtflow PROVIDER login --profile "
			+ name + "`; `jwtflow profile list` lists them");
	checkTrustedFolder(_folder, "the profiles folder");
	Profile profile;
	profile.name = name;
	profile.path = path;
	for (const auto& entry: parseDotEnv(readEnvFile(path), path))
	{
		if (entry.first == PROVIDER_KEY) profile.provider = entry.second;
		else profile.settings[entry.first] = entry.second;
	}
	if (profile.provider.empty())
		throw InputException("profile file '" + path + "' names no provider (" + std::string(PROVIDER_KEY) + "=...): make it again with "
			"`jwtflow PROVIDER login --profile " + name + "`");
	const auto mark = defaultFor(profile.provider);
	profile.isDefault = mark && *mark == name;
	return profile;
}

std::vector<Profile> ProfileStore::list() const
{
	std::vector<Profile> profiles;
	if (_folder.empty() || !Poco::File(_folder).exists()) return profiles;
	checkTrustedFolder(_folder, "the profiles folder");
	for (Poco::DirectoryIterator it(_folder), end; it != end; ++it)
	{
		const std::string file = it.name();
		if (file.size() <= 4 || file.compare(file.size() - 4, 4, ".env") != 0) continue;
		try
		{
			profiles.push_back(read(file.substr(0, file.size() - 4)));
		}
		catch (const Poco::Exception&)
		{
			// Not a profile jwtflow can read (a stray file, a loose mode): left out of the list.
		}
	}
	std::sort(profiles.begin(), profiles.end(), [](const Profile& a, const Profile& b) { return a.name < b.name; });
	return profiles;
}

std::string dotEnvLine(const std::string& name, const std::string& value)
{
	if (value.find('\'') == std::string::npos && value.find('\n') == std::string::npos && value.find('\r') == std::string::npos)
		return name + "='" + value + "'";
	std::string escaped;
	for (char c: value)
	{
		if (c == '\\' || c == '"') escaped += '\\';
		if (c == '\n') escaped += "\\n";
		else if (c == '\r') escaped += "\\r";
		else escaped += c;
	}
	return name + "=\"" + escaped + "\"";
}

void ProfileStore::write(const Profile& profile) const
{
	const std::string path = pathOf(profile.name);
	makePrivateFolders(_folder);
	checkTrustedFolder(_folder, "the profiles folder");
	std::string text = "# jwtflow profile " + profile.name + ": the settings `jwtflow " + profile.provider + " ... -p " + profile.name
		+ "` uses.\n# Written by jwtflow; where things live, never a token, a passphrase or a PIN.\n";
	text += dotEnvLine(PROVIDER_KEY, profile.provider) + "\n";
	for (const auto& s: profile.settings) text += dotEnvLine(s.first, s.second) + "\n";
	replaceFile(path, text, 0600);
}

bool ProfileStore::remove(const std::string& name) const
{
	const std::string path = pathOf(name);
	if (!Poco::File(path).exists()) return false;
	std::string provider;
	try
	{
		provider = read(name).provider;
	}
	catch (const Poco::Exception&)
	{
	}
	Poco::File(path).remove();
	if (!provider.empty())
	{
		const auto mark = defaultFor(provider);
		if (mark && *mark == name) Poco::File(defaultMarkOf(_folder, provider)).remove();
	}
	return true;
}

void ProfileStore::setDefault(const std::string& provider, const std::string& name) const
{
	const Profile profile = read(name);
	if (profile.provider != provider)
		throw UsageException("profile " + name + " is for " + profile.provider + ", not " + provider);
	replaceFile(defaultMarkOf(_folder, provider), name + "\n", 0600);
}

std::optional<std::string> ProfileStore::defaultFor(const std::string& provider) const
{
	if (_folder.empty()) return std::nullopt;
	const std::string mark = defaultMarkOf(_folder, provider);
	if (!Poco::File(mark).exists()) return std::nullopt;
	std::string name = Poco::trim(readTextFile(mark, "the default profile mark", 256));
	try
	{
		checkName(name);
	}
	catch (const Poco::Exception&)
	{
		return std::nullopt;
	}
	if (!Poco::File(_folder + "/" + name + ".env").exists()) return std::nullopt;
	return name;
}

} // namespace jwtflow
