//
// RedisServer.cpp
//
#include "RedisServer.h"
#include "jwtflow/KeyFactory.h"
#include "jwtflow/SecureFiles.h"
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

RedisTls makeRedisTls(const std::string& folder)
{
	using namespace jwtflow;
	PrivateKey caKey = KeyFactory::generateEc();
	CertificateRequest caRequest;
	caRequest.isCertificateAuthority = true;
	caRequest.commonName = "jwtflow test Redis CA";
	Certificate ca = KeyFactory::issue(caKey, caRequest);
	auto issued = [&](const std::string& cn, bool server, const std::string& certName, const std::string& keyName,
		std::string& certFile, std::string& keyFile) {
		PrivateKey key = KeyFactory::generateEc();
		CertificateRequest request;
		request.commonName = cn;
		if (server) request.ipAddresses = {"127.0.0.1"};
		certFile = folder + "/" + certName;
		keyFile = folder + "/" + keyName;
		writeNewFile(certFile, KeyFactory::issue(key, request, &caKey, &ca).toPem(), 0644);
		writeNewFile(keyFile, key.toPem(), 0600);
	};
	RedisTls tls;
	tls.caFile = folder + "/redis-ca.pem";
	writeNewFile(tls.caFile, ca.toPem(), 0644);
	issued("127.0.0.1", true, "redis-server.pem", "redis-server-key.pem", tls.serverCert, tls.serverKey);
	issued("jwtflow fleet member", false, "redis-client.pem", "redis-client-key.pem", tls.clientCert, tls.clientKey);
	return tls;
}

bool RedisServer::available()
{
	return ::access("/usr/bin/redis-server", X_OK) == 0;
}

RedisServer::RedisServer(RedisServerOptions options): _options(std::move(options)), _password(_options.password.empty() ? randomPassword()
	: _options.password)
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
	return std::string(_options.tls ? "rediss" : "redis") + "://127.0.0.1:" + std::to_string(_port) + "/" + std::to_string(database);
}

void RedisServer::start()
{
	// The password goes in a config file rather than on the command line (ps would show it).
	std::string text = "bind 127.0.0.1\nrequirepass " + _password + "\ndir " + _dir.path()
		+ "\nsave \"\"\nappendonly no\ndaemonize no\nlogfile " + _dir.file("redis.log") + "\n";
	if (_options.tls)
		text += "port 0\ntls-port " + std::to_string(_port) + "\ntls-cert-file " + _options.tls->serverCert + "\ntls-key-file "
			+ _options.tls->serverKey + "\ntls-ca-cert-file " + _options.tls->caFile + "\ntls-auth-clients "
			+ (_options.tlsAuthClients ? "yes" : "no") + "\n";
	else
		text += "port " + std::to_string(_port) + "\n";
	if (_options.replicaOf) text += "replicaof 127.0.0.1 " + std::to_string(_options.replicaOf) + "\nmasterauth " + _password + "\n";
	if (_options.sentinelOf)
		text += "sentinel monitor mymaster 127.0.0.1 " + std::to_string(_options.sentinelOf) + " 2\nsentinel auth-pass mymaster "
			+ _password + "\nsentinel down-after-milliseconds mymaster 1000\nsentinel failover-timeout mymaster 4000\n";
	// A config file of its own (a sentinel rewrites it), never the password on the command line (ps would show it).
	::unlink(_dir.file("redis.conf").c_str());
	const std::string conf = _dir.write("redis.conf", text);
	std::vector<std::string> args = {"/usr/bin/redis-server", conf};
	if (_options.sentinelOf) args.push_back("--sentinel");
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
	if (_options.tls)
	{
		for (const auto& a: {std::string("--tls"), std::string("--cacert"), _options.tls->caFile, std::string("--cert"),
			 _options.tls->clientCert, std::string("--key"), _options.tls->clientKey})
			argv.push_back(a);
	}
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
