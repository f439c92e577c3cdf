//
// SecureFiles.cpp
//
// Library: jwtflow core
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/SecureFiles.h"
#include "FileInput.h"
#include "OpenSslSupport.h"
#include "jwtflow/Exception.h"
#include <Poco/File.h>
#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace jwtflow {

namespace {

std::string errorText(int err)
{
	return std::strerror(err);
}

std::string octal(mode_t mode)
{
	char buf[8];
	std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
	return buf;
}

std::string tempRoot()
{
	const char* env = std::getenv("TMPDIR");
	std::string root = env && *env == '/' ? env : "/tmp";
	while (root.size() > 1 && root.back() == '/') root.pop_back();
	return root;
}

void writeAll(int fd, const std::string& data, const std::string& path)
{
	std::size_t done = 0;
	while (done < data.size())
	{
		ssize_t n = ::write(fd, data.data() + done, data.size() - done);
		if (n < 0)
		{
			if (errno == EINTR) continue;
			throw InputException("cannot write '" + path + "': " + errorText(errno));
		}
		done += static_cast<std::size_t>(n);
	}
}

void createAndWrite(const std::string& path, const std::string& data, mode_t mode, const std::string& shownPath)
{
	int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
	{
		int err = errno;
		if (err == EEXIST)
			throw InputException("cannot write '" + shownPath + "': something already exists there (jwtflow never writes "
				"through an existing file or link; remove it, or choose another path)");
		throw InputException("cannot write '" + shownPath + "': " + errorText(err));
	}
	try
	{
		// The mode was given at creation; fchmod undoes the umask for modes the
		// caller asked for explicitly (never wider than asked).
		if (::fchmod(fd, mode) != 0) throw InputException("cannot set the mode of '" + shownPath + "': " + errorText(errno));
		writeAll(fd, data, shownPath);
		if (::fsync(fd) != 0 && errno != EINVAL) throw InputException("cannot write '" + shownPath + "': " + errorText(errno));
	}
	catch (...)
	{
		::close(fd);
		::unlink(path.c_str());
		throw;
	}
	if (::close(fd) != 0)
	{
		int err = errno;
		::unlink(path.c_str());
		throw InputException("cannot write '" + shownPath + "': " + errorText(err));
	}
}

std::string randomSuffix()
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char bytes[12];
	std::string out;
	int fd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? ::read(fd, bytes, sizeof bytes) : -1;
	if (fd >= 0) ::close(fd);
	if (n != static_cast<ssize_t>(sizeof bytes)) throw InputException("cannot read /dev/urandom for a temporary file name");
	for (unsigned char b: bytes) out += alphabet[b % (sizeof alphabet - 1)];
	return out;
}

} // namespace

PrivateTempDir::PrivateTempDir(const std::string& prefix)
{
	std::string tmpl = tempRoot() + "/" + prefix + "-XXXXXX";
	std::vector<char> buf(tmpl.begin(), tmpl.end());
	buf.push_back('\0');
	if (!::mkdtemp(buf.data()))
		throw InputException("cannot make a temporary folder in " + tempRoot() + ": " + errorText(errno) + " (set TMPDIR to a writable folder)");
	_path = buf.data();
}

PrivateTempDir::~PrivateTempDir()
{
	if (_keep || _path.empty()) return;
	try
	{
		Poco::File(_path).remove(true);
	}
	catch (...)
	{
	}
}

void writeNewFile(const std::string& path, const std::string& data, mode_t mode)
{
	createAndWrite(path, data, mode, path);
}

void replaceFile(const std::string& path, const std::string& data, mode_t mode)
{
	const auto slash = path.rfind('/');
	const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
	const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
	const std::string temp = (dir == "/" ? "" : dir) + "/." + base + ".new-" + randomSuffix();
	createAndWrite(temp, data, mode, path);
	if (::rename(temp.c_str(), path.c_str()) != 0)
	{
		int err = errno;
		::unlink(temp.c_str());
		throw InputException("cannot write '" + path + "': " + errorText(err));
	}
}

std::string checkTrustedLibrary(const std::string& path, const std::string& what)
{
	char resolved[PATH_MAX];
	if (path.empty() || !::realpath(path.c_str(), resolved))
		throw InputException("refusing " + what + " '" + path + "': " + (path.empty() ? std::string("no path given") : errorText(errno)));
	const std::string real = resolved;
	struct stat st{};
	if (::stat(real.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
		throw InputException("refusing " + what + " '" + path + "': it is not a regular file (a shared library, .so)");
	std::string problem = trustProblem(real, TrustedFileKind::Code, false);
	if (!problem.empty()) throw InputException("refusing " + what + " '" + path + "': " + problem);
	const std::string folder = real.substr(0, std::max<std::size_t>(real.rfind('/'), 1));
	problem = trustProblem(folder, TrustedFileKind::Code, true);
	if (!problem.empty()) throw InputException("refusing " + what + " '" + path + "': its folder " + folder + ": " + problem);
	return real;
}

bool makePrivateFolders(const std::string& path)
{
	bool created = false;
	std::string partial;
	std::size_t pos = path.empty() ? std::string::npos : 0;
	while (pos != std::string::npos)
	{
		pos = path.find('/', pos + 1);
		partial = path.substr(0, pos);
		if (partial.empty() || partial == "/") continue;
		if (::mkdir(partial.c_str(), 0700) == 0) created = true;
		else if (errno == EEXIST) created = false;
		else throw InputException("cannot create '" + partial + "': " + errorText(errno));
	}
	return created;
}

namespace {

/// $<variable>/jwtflow/<name>, else ~/<fallback>/jwtflow/<name> (absolute paths only); "" without either.
std::string userFolder(const char* variable, const char* fallback, const std::string& name)
{
	const char* xdg = std::getenv(variable);
	std::string base = xdg && *xdg == '/' ? xdg : "";
	if (base.empty())
	{
		const char* home = std::getenv("HOME");
		if (!home || *home != '/') return {};
		base = std::string(home) + "/" + fallback;
	}
	while (base.size() > 1 && base.back() == '/') base.pop_back();
	return base + "/jwtflow/" + name;
}

} // namespace

std::string userCacheFolder(const std::string& name)
{
	return userFolder("XDG_CACHE_HOME", ".cache", name);
}

std::string userConfigFile(const std::string& name)
{
	return userFolder("XDG_CONFIG_HOME", ".config", name);
}

std::string trustProblem(const std::string& path, TrustedFileKind kind, bool folder)
{
	struct stat st{};
	if (::stat(path.c_str(), &st) != 0) return {};
	const uid_t me = ::geteuid();
	if (st.st_uid != me && st.st_uid != 0)
		return "it belongs to user id " + std::to_string(st.st_uid) + ", not to you (uid " + std::to_string(me)
			+ ") or root: another user could change it (chown it, or use your own copy)";
	const mode_t mode = st.st_mode & 07777;
	if (folder || kind != TrustedFileKind::Secret)
	{
		if (mode & (S_IWGRP | S_IWOTH))
			return std::string("its mode ") + octal(mode) + " lets " + ((mode & S_IWOTH) ? "every user" : "the group")
				+ " change it (chmod go-w " + path + ")";
		return {};
	}
	if (mode & 077)
		return "its mode " + octal(mode) + " lets " + ((mode & 07) ? "every user" : "the group")
			+ " read it, and it holds a secret (chmod 600 " + path + ")";
	return {};
}

void checkTrustedFile(const std::string& path, const std::string& what, TrustedFileKind kind)
{
	std::string problem = trustProblem(path, kind, false);
	if (!problem.empty()) throw InputException("refusing " + what + " '" + path + "': " + problem);
}

std::string readTextFile(const std::string& path, const std::string& what, std::size_t maxBytes)
{
	return detail::readInputFile(path, what, maxBytes);
}

std::string readSecretLine(const std::string& path, const std::string& what)
{
	checkTrustedFile(path, what, TrustedFileKind::Secret);
	std::string text = detail::readInputFile(path, what, 64 * 1024);
	detail::WipeOnExit wipe{text};
	const std::string line = text.substr(0, text.find_first_of("\r\n"));
	if (line.empty()) throw InputException(what + " '" + path + "' has an empty first line: put the secret on it");
	return line;
}

void checkTrustedFolder(const std::string& path, const std::string& what)
{
	std::string problem = trustProblem(path, TrustedFileKind::Code, true);
	if (!problem.empty()) throw InputException("refusing " + what + " '" + path + "': " + problem);
}

} // namespace jwtflow
