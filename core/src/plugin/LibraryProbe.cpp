//
// LibraryProbe.cpp
//
// Library: jwtflow core (internal)
//
// SPDX-License-Identifier: BSL-1.0
//
#include "LibraryProbe.h"
#include "FileInput.h"
#include "jwtflow/PluginAbi.h"
#include "jwtflow/SecureFiles.h"
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <Poco/Version.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <dlfcn.h>
#include <fcntl.h>
#include <exception>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace jwtflow {
namespace detail {

namespace {

/// What the child finds; runs after fork, so it only opens the library,
/// calls two functions and writes one short message.
std::string checkInChild(const std::string& path)
{
	void* handle = nullptr;
	// Called through a pointer the compiler cannot see through: glibc declares
	// dlopen nothrow, which would let an exception from a static initializer
	// skip this handler.
	void* (*volatile open)(const char*, int) = ::dlopen;
	try
	{
		// Every symbol bound now: a plugin that needs a function this program does
		// not have (the single-file jwtflow exports only the plugin SDK) is refused
		// here, not killed by the loader at its first call.
		handle = open(path.c_str(), RTLD_NOW | RTLD_LOCAL);
	}
	catch (const std::exception& e)
	{
		return std::string("an exception escaped its static initializer: ") + e.what();
	}
	catch (...)
	{
		return "an exception escaped its static initializer";
	}
	if (!handle)
	{
		const char* err = ::dlerror();
		return std::string("cannot load the library: ") + (err ? err : "unknown error");
	}
	auto abi = reinterpret_cast<JwtflowPluginAbiFunction>(::dlsym(handle, JWTFLOW_PLUGIN_ABI_SYMBOL));
	if (!abi) return "not a jwtflow plugin (it does not export " JWTFLOW_PLUGIN_ABI_SYMBOL ")";
	unsigned version = abi();
	if (version != JWTFLOW_PLUGIN_ABI_VERSION)
		return "built for plugin ABI version " + std::to_string(version) + ", but this jwtflow needs version "
			+ std::to_string(JWTFLOW_PLUGIN_ABI_VERSION) + ": rebuild the plugin against this jwtflow";
	if (auto poco = reinterpret_cast<JwtflowPluginPocoFunction>(::dlsym(handle, JWTFLOW_PLUGIN_POCO_SYMBOL)))
	{
		if ((poco() >> 16) != (static_cast<unsigned long>(POCO_VERSION) >> 16))
			return "built against another POCO version: rebuild the plugin against this jwtflow's POCO";
	}
	return {};
}

} // namespace

std::string probePluginLibrary(const std::string& path, int timeoutSeconds)
{
	int fds[2];
	if (::pipe2(fds, O_CLOEXEC) != 0) return "cannot check the library: pipe: " + std::string(std::strerror(errno));
	const pid_t child = ::fork();
	if (child < 0)
	{
		int err = errno;
		::close(fds[0]);
		::close(fds[1]);
		return "cannot check the library: fork: " + std::string(std::strerror(err));
	}
	if (child == 0)
	{
		::close(fds[0]);
		std::string result = checkInChild(path);
		detail::writeAllQuietly(fds[1], result.empty() ? std::string("ok") : "no" + result);
		::_exit(0);
	}
	::close(fds[1]);
	std::string answer;
	char buf[1024];
	int waitedMs = 0;
	bool timedOut = false;
	while (true)
	{
		pollfd p{fds[0], POLLIN, 0};
		int r = ::poll(&p, 1, 100);
		if (r < 0 && errno == EINTR) continue;
		if (r == 0)
		{
			waitedMs += 100;
			if (waitedMs >= timeoutSeconds * 1000)
			{
				timedOut = true;
				::kill(child, SIGKILL);
				break;
			}
			continue;
		}
		ssize_t n = ::read(fds[0], buf, sizeof buf);
		if (n < 0 && errno == EINTR) continue;
		if (n <= 0) break;
		if (answer.size() < 4096) answer.append(buf, static_cast<std::size_t>(n));
	}
	::close(fds[0]);
	int status = 0;
	while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {}
	if (timedOut)
		return "it did not finish loading within " + std::to_string(timeoutSeconds) + " s (its static initializers hang); it was not loaded";
	if (WIFSIGNALED(status))
	{
		int sig = WTERMSIG(status);
		const char* name = ::strsignal(sig);
		return "it crashed while loading (signal " + std::to_string(sig) + ", " + (name ? name : "unknown")
			+ "): a static initializer threw or failed; it was not loaded";
	}
	if (answer == "ok") return {};
	if (answer.size() > 2 && answer.compare(0, 2, "no") == 0) return answer.substr(2);
	return "it exited while loading (status " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1)
		+ "): a static initializer ended the process; it was not loaded";
}

namespace {

const std::size_t MAX_REMEMBERED = 256;   // lines of the plugins-checked file

std::string checkedCacheFile()
{
	const std::string folder = userCacheFolder("");
	return folder.empty() ? folder : folder + "plugins-checked";
}

/// One line per library that passed: "<program> dev ino size mtime ctime path",
/// where <program> identifies the running executable the same way (a pass in
/// the shared jwtflow says nothing of the single-file one, which exports less).
std::string identityOf(const std::string& path)
{
	struct stat st{};
	struct stat self{};
	if (::stat(path.c_str(), &st) != 0 || ::stat("/proc/self/exe", &self) != 0) return {};
	std::ostringstream id;
	id << self.st_dev << ':' << self.st_ino << ':' << self.st_size << ':' << self.st_mtim.tv_sec << ' ';
	id << st.st_dev << ' ' << st.st_ino << ' ' << st.st_size << ' ' << st.st_mtim.tv_sec << '.' << st.st_mtim.tv_nsec << ' '
		<< st.st_ctim.tv_sec << '.' << st.st_ctim.tv_nsec << ' ' << path;
	return id.str();
}

bool cacheTrusted(const std::string& file)
{
	const std::string folder = file.substr(0, file.rfind('/'));
	return trustProblem(folder, TrustedFileKind::Content, true).empty() && trustProblem(file, TrustedFileKind::Secret, false).empty();
}

} // namespace

std::string probePluginLibraryCached(const std::string& path)
{
	const std::string file = checkedCacheFile();
	const std::string identity = identityOf(path);
	std::vector<std::string> lines;
	if (!file.empty() && !identity.empty() && cacheTrusted(file))
	{
		std::ifstream in(file);
		for (std::string line; std::getline(in, line) && lines.size() < MAX_REMEMBERED;)
		{
			if (line == identity) return {};
			lines.push_back(line);
		}
	}
	const std::string problem = probePluginLibrary(path);
	if (!problem.empty() || file.empty() || identity.empty()) return problem;
	try
	{
		// <cache>/jwtflow made 0700 when missing; nothing is written into a folder others could change.
		const std::string folder = file.substr(0, file.rfind('/'));
		makePrivateFolders(folder);
		if (!trustProblem(folder, TrustedFileKind::Content, true).empty()) return problem;
		// The newest passes are kept, the oldest dropped: a file that only grew
		// would, once full, remember nothing new (every start would probe again).
		std::string text;
		const std::size_t keep = MAX_REMEMBERED - 1;
		for (std::size_t i = lines.size() > keep ? lines.size() - keep : 0; i < lines.size(); ++i)
		{
			const std::string& line = lines[i];
			// Replaces this program's older pass for the same path; other programs' stay.
			const bool samePath = line.size() >= path.size() && line.compare(line.size() - path.size(), path.size(), path) == 0;
			const bool sameProgram = line.compare(0, line.find(' '), identity, 0, identity.find(' ')) == 0;
			if (!(samePath && sameProgram)) text += line + "\n";
		}
		replaceFile(file, text + identity + "\n", 0600);
	}
	catch (const std::exception&)
	{
		// The cache only saves time: a folder that cannot be written costs a child process next time.
	}
	return problem;
}

} // namespace detail
} // namespace jwtflow
