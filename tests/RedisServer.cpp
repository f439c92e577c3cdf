//
// RedisServer.cpp
//
#include "RedisServer.h"
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/RandomStream.h>
#include <Poco/Thread.h>
#include <Poco/Timestamp.h>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace testing_support {

namespace {

int freeLoopbackPort()
{
	Poco::Net::ServerSocket probe(Poco::Net::SocketAddress("127.0.0.1", 0));
	const int port = probe.address().port();
	probe.close();
	return port;
}

std::string randomPassword()
{
	static const char* hex = "0123456789abcdef";
	std::string raw(16, '\0');
	Poco::RandomInputStream().read(&raw[0], 16);
	std::string out;
	for (unsigned char c: raw)
	{
		out += hex[c >> 4];
		out += hex[c & 15];
	}
	return out;
}

} // namespace

bool RedisServer::available()
{
	return ::access("/usr/bin/redis-server", X_OK) == 0;
}

RedisServer::RedisServer(): _password(randomPassword())
{
	if (!available()) throw std::runtime_error("redis-server is not installed (scripts/deps.sh installs Debian's redis-server)");
	_port = freeLoopbackPort();
	start();
}

RedisServer::~RedisServer()
{
	if (_pid > 0)
	{
		::kill(_pid, SIGCONT);
		kill();
	}
}

std::string RedisServer::url(int database) const
{
	return "redis://127.0.0.1:" + std::to_string(_port) + "/" + std::to_string(database);
}

void RedisServer::start()
{
	// The password goes in a config file rather than on the command line (ps would show it).
	const std::string conf = _dir.write("redis.conf", "port " + std::to_string(_port) + "\nbind 127.0.0.1\nrequirepass " + _password
		+ "\ndir " + _dir.path() + "\nsave \"\"\nappendonly no\ndaemonize no\nlogfile " + _dir.file("redis.log") + "\n");
	std::vector<std::string> args = {"/usr/bin/redis-server", conf};
	std::vector<char*> argv;
	for (auto& a: args) argv.push_back(&a[0]);
	argv.push_back(nullptr);
	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
	if (posix_spawn(&_pid, argv[0], &actions, nullptr, argv.data(), environ) != 0)
	{
		posix_spawn_file_actions_destroy(&actions);
		throw std::runtime_error("cannot start redis-server");
	}
	posix_spawn_file_actions_destroy(&actions);
	waitReady();
}

void RedisServer::waitReady()
{
	const Poco::Timestamp started;
	while (!started.isElapsed(10 * 1000000))
	{
		int status = 0;
		if (::waitpid(_pid, &status, WNOHANG) == _pid)
		{
			_pid = -1;
			throw std::runtime_error("redis-server exited at start: " + readFile(_dir.file("redis.log")));
		}
		if (trim(cli({"PING"})) == "PONG") return;
		Poco::Thread::sleep(50);
	}
	throw std::runtime_error("redis-server did not answer within 10 s");
}

std::string RedisServer::cli(const std::vector<std::string>& args) const
{
	std::vector<std::string> argv = {"/usr/bin/redis-cli", "-h", "127.0.0.1", "-p", std::to_string(_port)};
	argv.insert(argv.end(), args.begin(), args.end());
	return run(argv, "", {{"REDISCLI_AUTH", _password}}).out;   // not -a: ps would show it
}

void RedisServer::pause()
{
	::kill(_pid, SIGSTOP);
}

void RedisServer::resume()
{
	::kill(_pid, SIGCONT);
}

void RedisServer::kill()
{
	if (_pid <= 0) return;
	::kill(_pid, SIGKILL);
	int status = 0;
	while (::waitpid(_pid, &status, 0) < 0 && errno == EINTR)
	{
	}
	_pid = -1;
}

void RedisServer::restart()
{
	kill();
	start();
}

} // namespace testing_support
