//
// FileTokenStore.cpp
//
// Library: jwtflow core
// One sealed file per login in a 0700 folder: the CLI's cache.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/TokenStore.h"
#include "FileInput.h"
#include "OpenSslSupport.h"
#include "jwtflow/Json.h"
#include <Poco/JSON/Object.h>
#include "jwtflow/Encoding.h"
#include "jwtflow/Exception.h"
#include "jwtflow/SecureFiles.h"
#include "jwtflow/SafeText.h"
#include <Poco/DirectoryIterator.h>
#include <Poco/NumberParser.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace jwtflow {

namespace {

const char* const FILE_MAGIC = "jwtflow-token-cache 1\n";
const std::size_t MAX_FILE_BYTES = 256 * 1024;

/// The header (label and expiry, readable without the key) is bound to the
/// seal: it is part of the HKDF info and of the associated data.
std::string boundKey(const std::string& key, const std::string& label, const std::string& expires)
{
	return key + "\n" + label + "\n" + expires;
}

bool parseCacheFile(const std::string& data, std::string& label, std::string& expires, std::string& sealed)
{
	const std::string magic(FILE_MAGIC);
	if (data.compare(0, magic.size(), magic) != 0) return false;
	std::size_t pos = magic.size();
	auto line = [&](const std::string& prefix, std::string& out) {
		const std::size_t end = data.find('\n', pos);
		if (end == std::string::npos || data.compare(pos, prefix.size(), prefix) != 0) return false;
		out = data.substr(pos + prefix.size(), end - pos - prefix.size());
		pos = end + 1;
		return true;
	};
	if (!line("label: ", label) || !line("expires: ", expires)) return false;
	const std::size_t end = data.find('\n', pos);
	sealed = data.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
	return !sealed.empty();
}

} // namespace

FileTokenStore::FileTokenStore(std::string folder, std::shared_ptr<const TokenSealer> sealer,
	std::function<void(const std::string&)> onNote):
	_folder(std::move(folder)), _sealer(std::move(sealer)), _onNote(std::move(onNote))
{
	while (_folder.size() > 1 && _folder.back() == '/') _folder.pop_back();
}

std::string FileTokenStore::defaultFolder()
{
	return userCacheFolder("tokens");
}

std::string FileTokenStore::fileFor(const std::string& key) const
{
	return _folder + "/" + sha256Hex(key).substr(0, 40) + ".token";
}

std::string FileTokenStore::problem() const
{
	return _problem;
}

void FileTokenStore::note(const std::string& text) const
{
	if (_onNote) _onNote(text);
}

bool FileTokenStore::folderUsable()
{
	if (_folder.empty() || _folder[0] != '/')
	{
		_problem = "no cache folder (set XDG_CACHE_HOME or HOME)";
		return false;
	}
	// Each missing level made 0700; the last one must be a real folder, ours, closed to others.
	try
	{
		makePrivateFolders(_folder);
	}
	catch (const InputException& e)
	{
		_problem = e.message() + ": the token cache is not used";
		return false;
	}
	struct stat st{};
	if (::lstat(_folder.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
	{
		_problem = "the token cache folder " + _folder + " is not a folder (a link or a file is there): the cache is not used";
		return false;
	}
	std::string loose = trustProblem(_folder, TrustedFileKind::Secret, false);
	if (!loose.empty())
	{
		_problem = "the token cache folder " + _folder + " is refused: " + loose + "; the cache is not used";
		return false;
	}
	_problem.clear();
	return true;
}

std::optional<StoredToken> FileTokenStore::get(const std::string& key)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (!folderUsable())
	{
		note("jwtflow: " + _problem);
		return std::nullopt;
	}
	const std::string path = fileFor(key);
	const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
	{
		if (errno == ELOOP) note("jwtflow: the token cache file " + path + " is a symbolic link: ignored");
		return std::nullopt;
	}
	struct stat st{};
	std::string data;
	if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == ::geteuid() && (st.st_mode & 077) == 0
		&& static_cast<std::size_t>(st.st_size) <= MAX_FILE_BYTES)
	{
		detail::readOpenFile(fd, static_cast<std::size_t>(st.st_size), data);
	}
	else
	{
		note("jwtflow: the token cache file " + path + " is not yours alone (owner or mode): ignored");
	}
	::close(fd);
	std::optional<std::string> plain;
	std::string label, expires, sealed;
	if (parseCacheFile(data, label, expires, sealed))
	{
		try
		{
			plain = _sealer->open(boundKey(key, label, expires), base64Decode(sealed));
		}
		catch (const Poco::Exception&)
		{
		}
	}
	if (!plain)
	{
		note("jwtflow: the token cache file " + path + " does not open with this key (another key, or altered): ignored");
		return std::nullopt;
	}
	detail::WipeOnExit wipe{*plain};
	try
	{
		Poco::JSON::Object::Ptr json = parseStrictJsonObject(*plain);
		StoredToken token;
		token.accessToken = jsonString(*json, "access_token");
		token.responseJson = jsonString(*json, "response");
		token.expiresAt = json->getValue<Poco::Int64>("expires_at");
		if (token.accessToken.empty() || token.expiresAt <= nowSeconds()) return std::nullopt;
		return token;
	}
	catch (const Poco::Exception&)
	{
		return std::nullopt;
	}
}

void FileTokenStore::put(const std::string& key, const StoredToken& token)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (!folderUsable())
	{
		note("jwtflow: " + _problem);
		return;
	}
	Poco::JSON::Object::Ptr json = newJsonObject();
	json->set("access_token", token.accessToken);
	json->set("response", token.responseJson);
	json->set("expires_at", token.expiresAt);
	std::string plain = objectToJson(*json);
	detail::WipeOnExit wipe{plain};
	std::string label;
	for (char c: token.label) label += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? ' ' : c;
	const std::string expires = std::to_string(token.expiresAt);
	replaceFile(fileFor(key), std::string(FILE_MAGIC) + "label: " + label + "\nexpires: " + expires + "\n"
		+ base64Encode(_sealer->seal(boundKey(key, label, expires), plain)) + "\n", 0600);
}

void FileTokenStore::remove(const std::string& key)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (folderUsable()) ::unlink(fileFor(key).c_str());
}

bool FileTokenStore::tryLock(const std::string& key)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (_lockFds.count(key)) return false;
	if (!folderUsable()) return true;   // no cache, nothing to share: proceed
	const std::string path = fileFor(key) + ".lock";
	for (int attempt = 0; attempt < 3; ++attempt)
	{
		const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0) return true;
		if (::flock(fd, LOCK_EX | LOCK_NB) != 0)
		{
			::close(fd);
			return false;
		}
		// The holder before us removes the file as it lets go (unlock): a lock taken on a file that is no
		// longer at the path guards nothing, so take it again on the file that is there now.
		struct stat held{}, there{};
		if (::fstat(fd, &held) == 0 && ::lstat(path.c_str(), &there) == 0 && held.st_dev == there.st_dev && held.st_ino == there.st_ino)
		{
			_lockFds[key] = fd;
			return true;
		}
		::close(fd);
	}
	return false;
}

void FileTokenStore::unlock(const std::string& key)
{
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _lockFds.find(key);
	if (it == _lockFds.end()) return;
	// Removed while still held, so that no lock file is left behind; a process that opened it meanwhile
	// sees it gone once it holds it, and takes the lock again on a new file (tryLock).
	::unlink((fileFor(key) + ".lock").c_str());
	::flock(it->second, LOCK_UN);
	::close(it->second);
	_lockFds.erase(it);
}

std::vector<CachedEntry> FileTokenStore::list()
{
	std::lock_guard<std::mutex> lock(_mutex);
	std::vector<CachedEntry> entries;
	if (!folderUsable()) return entries;
	for (Poco::DirectoryIterator it(_folder), end; it != end; ++it)
	{
		const std::string name = it.name();
		if (name.size() < 7 || name.compare(name.size() - 6, 6, ".token") != 0) continue;
		const std::string path = _folder + "/" + name;
		const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) continue;
		char buf[2048];
		const ssize_t n = ::read(fd, buf, sizeof buf);
		::close(fd);
		std::string label, expires, sealed;
		if (n <= 0 || !parseCacheFile(std::string(buf, static_cast<std::size_t>(n)), label, expires, sealed)) continue;
		CachedEntry entry;
		entry.file = path;
		entry.label = label;
		Poco::NumberParser::tryParse64(expires, entry.expiresAt);
		entries.push_back(entry);
	}
	std::sort(entries.begin(), entries.end(), [](const CachedEntry& a, const CachedEntry& b) { return a.file < b.file; });
	return entries;
}

int FileTokenStore::clear()
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (!folderUsable()) return 0;
	int removed = 0;
	std::vector<std::string> names;
	for (Poco::DirectoryIterator it(_folder), end; it != end; ++it) names.push_back(it.name());
	for (const auto& name: names)
	{
		const bool token = name.size() > 6 && name.compare(name.size() - 6, 6, ".token") == 0;
		const bool lockFile = name.size() > 11 && name.compare(name.size() - 11, 11, ".token.lock") == 0;
		if (!token && !lockFile) continue;
		// unlink removes a link itself, never its target.
		if (::unlink((_folder + "/" + name).c_str()) == 0 && token) ++removed;
	}
	return removed;
}

int FileTokenStore::clear(const std::function<bool(const CachedEntry&)>& which)
{
	int removed = 0;
	for (const auto& entry: list())
	{
		if (!which(entry)) continue;
		std::lock_guard<std::mutex> lock(_mutex);
		if (::unlink(entry.file.c_str()) == 0) ++removed;
		::unlink((entry.file + ".lock").c_str());
	}
	return removed;
}

} // namespace jwtflow
