//
// BoundedCommand.cpp
//
// Library: jwtflow net (internal)
//
// SPDX-License-Identifier: BSL-1.0
//
#include "BoundedCommand.h"
#include "jwtflow/Exception.h"
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

namespace jwtflow {

namespace {

struct Pipe
{
	int fd[2] = {-1, -1};
	Pipe()
	{
		if (::pipe2(fd, O_CLOEXEC) != 0) throw InputException(std::string("cannot make a pipe: ") + std::strerror(errno));
	}
	~Pipe()
	{
		closeEnd(0);
		closeEnd(1);
	}
	void closeEnd(int i)
	{
		if (fd[i] >= 0) ::close(fd[i]);
		fd[i] = -1;
	}
};

struct SpawnActions
{
	posix_spawn_file_actions_t actions;
	posix_spawnattr_t attributes;
	SpawnActions()
	{
		posix_spawn_file_actions_init(&actions);
		posix_spawnattr_init(&attributes);
	}
	~SpawnActions()
	{
		posix_spawn_file_actions_destroy(&actions);
		posix_spawnattr_destroy(&attributes);
	}
};

} // namespace

BoundedCommandResult runBoundedCommand(const std::vector<std::string>& argv,
	const std::vector<std::pair<std::string, std::string>>& environment, int timeoutMillis, std::size_t maxOutputBytes)
{
	if (argv.empty() || argv[0].empty() || argv[0][0] != '/')
		throw InputException("a program to run must be named by its absolute path");
	std::vector<char*> args;
	for (const auto& a: argv) args.push_back(const_cast<char*>(a.c_str()));
	args.push_back(nullptr);
	std::vector<std::string> envText;
	for (const auto& e: environment) envText.push_back(e.first + "=" + e.second);
	std::vector<char*> env;
	for (const auto& e: envText) env.push_back(const_cast<char*>(e.c_str()));
	env.push_back(nullptr);

	Pipe out, err;
	SpawnActions spawn;
	posix_spawn_file_actions_addopen(&spawn.actions, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&spawn.actions, out.fd[1], 1);
	posix_spawn_file_actions_adddup2(&spawn.actions, err.fd[1], 2);
	// Its own process group, so that the deadline ends whatever it started too; default signal handling.
	posix_spawnattr_setpgroup(&spawn.attributes, 0);
	sigset_t defaults;
	sigemptyset(&defaults);
	sigaddset(&defaults, SIGPIPE);
	sigaddset(&defaults, SIGTERM);
	sigaddset(&defaults, SIGINT);
	posix_spawnattr_setsigdefault(&spawn.attributes, &defaults);
	sigset_t none;
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&spawn.attributes, &none);
	posix_spawnattr_setflags(&spawn.attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
	pid_t pid = 0;
	const int rc = ::posix_spawn(&pid, args[0], &spawn.actions, &spawn.attributes, args.data(), env.data());
	if (rc != 0) throw InputException("cannot run '" + argv[0] + "': " + std::strerror(rc));
	out.closeEnd(1);
	err.closeEnd(1);

	BoundedCommandResult result;
	const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMillis);
	bool outOpen = true, errOpen = true;
	char buffer[4096];
	while (outOpen || errOpen)
	{
		const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
		if (left <= 0)
		{
			result.timedOut = true;
			break;
		}
		pollfd fds[2] = {{outOpen ? out.fd[0] : -1, POLLIN, 0}, {errOpen ? err.fd[0] : -1, POLLIN, 0}};
		const int ready = ::poll(fds, 2, static_cast<int>(left));
		if (ready < 0 && errno == EINTR) continue;
		if (ready < 0) break;
		if (ready == 0) continue;
		for (int i = 0; i < 2; ++i)
		{
			if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
			const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
			if (n < 0 && errno == EINTR) continue;
			if (n <= 0)
			{
				(i == 0 ? outOpen : errOpen) = false;
				continue;
			}
			if (i == 0)
			{
				result.out.append(buffer, static_cast<std::size_t>(n));
				if (result.out.size() > maxOutputBytes)
				{
					result.out.resize(maxOutputBytes);
					result.outputTooLarge = true;
				}
			}
			else
			{
				result.err.append(buffer, static_cast<std::size_t>(n));
				if (result.err.size() > 4096) result.err.erase(0, result.err.size() - 4096);
			}
		}
		if (result.outputTooLarge) break;
	}
	if (result.timedOut || result.outputTooLarge) ::kill(-pid, SIGKILL);
	int status = 0;
	while (::waitpid(pid, &status, 0) < 0 && errno == EINTR)
	{
	}
	if (WIFEXITED(status)) result.exitCode = WEXITSTATUS(status);
	else if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
	return result;
}

} // namespace jwtflow
