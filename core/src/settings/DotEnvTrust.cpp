//
// DotEnvTrust.cpp
//
// Library: jwtflow core
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/DotEnvTrust.h"
#include "FileInput.h"
#include "jwtflow/DotEnv.h"
#include "jwtflow/Exception.h"
#include "jwtflow/SafeText.h"
#include "jwtflow/SecureFiles.h"
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <sys/stat.h>

namespace jwtflow {

namespace {

const std::size_t MAX_LIST_BYTES = 4u << 20;

bool hasControl(const std::string& s)
{
	for (char c: s)
		if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
	return false;
}

} // namespace

std::string absoluteDotEnvPath(const std::string& path)
{
	const auto slash = path.rfind('/');
	const std::string folder = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
	const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
	char resolved[PATH_MAX];
	if (!::realpath(folder.c_str(), resolved))
		throw InputException("cannot read .env file '" + safeText(path) + "': its folder " + safeText(folder) + ": " + std::strerror(errno));
	const std::string base = resolved;
	return (base == "/" ? "" : base) + "/" + name;
}

std::string readEnvFile(const std::string& path)
{
	struct stat st{};
	if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0) return {};
	// Before reading: a .env from another user, or one others may change, is not the user's word.
	const std::string problem = trustProblem(path, TrustedFileKind::Content, false);
	if (!problem.empty()) throw InputException("refusing .env file '" + safeText(path) + "': " + problem);
	return detail::readInputFile(path, ".env file");
}

DotEnvTrust::DotEnvTrust(std::string listPath): _listPath(std::move(listPath)) {}

std::string DotEnvTrust::defaultListPath()
{
	return userConfigFile("trusted-env");
}

const std::string& DotEnvTrust::listPath() const
{
	return _listPath;
}

std::vector<TrustedDotEnv> DotEnvTrust::list() const
{
	std::vector<TrustedDotEnv> entries;
	if (_listPath.empty()) return entries;
	struct stat st{};
	if (::stat(_listPath.c_str(), &st) != 0) return entries;   // nothing trusted yet
	checkTrustedFile(_listPath, "the list of trusted .env files", TrustedFileKind::Content);
	const std::string folder = _listPath.substr(0, _listPath.rfind('/'));
	checkTrustedFolder(folder, "the folder of the trusted .env list");
	if (st.st_size == 0) return entries;
	std::istringstream in(detail::readInputFile(_listPath, "list of trusted .env files", MAX_LIST_BYTES));
	std::string line;
	while (std::getline(in, line))
	{
		const auto space = line.find(' ');
		if (space != 64 || line.size() < 67 || line[65] != '/') continue;   // not an entry: ignored
		entries.push_back({line.substr(65), line.substr(0, 64)});
	}
	return entries;
}

DotEnvTrustState DotEnvTrust::check(const std::string& absolutePath, const std::string& content) const
{
	const std::string digest = sha256Hex(content);
	DotEnvTrustState state = DotEnvTrustState::Unknown;
	for (const auto& e: list())
	{
		if (e.path != absolutePath) continue;
		if (e.sha256 == digest) return DotEnvTrustState::Trusted;
		state = DotEnvTrustState::Changed;
	}
	return state;
}

void DotEnvTrust::save(const std::vector<TrustedDotEnv>& entries) const
{
	if (_listPath.empty())
		throw InputException("cannot record a trusted .env: neither XDG_CONFIG_HOME nor HOME names a folder for jwtflow's settings");
	const std::string folder = _listPath.substr(0, _listPath.rfind('/'));
	makePrivateFolders(folder);
	checkTrustedFolder(folder, "the folder of the trusted .env list");
	std::string text = "# .env files trusted with jwtflow trust: SHA-256 and absolute path, one a line\n";
	for (const auto& e: entries) text += e.sha256 + " " + e.path + "\n";
	replaceFile(_listPath, text, 0600);
}

void DotEnvTrust::trustContent(const std::string& absolutePath, const std::string& content)
{
	if (absolutePath.empty() || absolutePath[0] != '/' || hasControl(absolutePath))
		throw InputException("cannot trust " + quotedText(absolutePath) + ": not an absolute path without control characters");
	std::vector<TrustedDotEnv> entries;
	for (auto& e: list())
		if (e.path != absolutePath) entries.push_back(e);
	entries.push_back({absolutePath, sha256Hex(content)});
	save(entries);
}

TrustedDotEnv DotEnvTrust::trust(const std::string& path)
{
	const std::string absolute = absoluteDotEnvPath(path);
	const std::string content = readEnvFile(absolute);
	parseDotEnv(content, path);   // a file jwtflow cannot read is not worth trusting: its line error now
	trustContent(absolute, content);
	return {absolute, sha256Hex(content)};
}

bool DotEnvTrust::revoke(const std::string& path)
{
	std::string absolute;
	try
	{
		absolute = absoluteDotEnvPath(path);
	}
	catch (const InputException&)
	{
		absolute = path;   // a folder that is gone: its entry can still be removed by the path as listed
	}
	std::vector<TrustedDotEnv> entries, kept;
	entries = list();
	for (auto& e: entries)
		if (e.path != absolute && e.path != path) kept.push_back(e);
	if (kept.size() == entries.size()) return false;
	save(kept);
	return true;
}

} // namespace jwtflow
