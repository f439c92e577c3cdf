//
// RedisServer.h: a real redis-server of the test's own, on a free loopback
// port, with a password and a temporary folder (never the system service).
// It can be stopped (SIGSTOP), killed and restarted on the same port.
//
#ifndef JWTFLOW_REDISSERVER_INCLUDED
#define JWTFLOW_REDISSERVER_INCLUDED

#include "TestSupport.h"
#include <string>
#include <sys/types.h>
#include <vector>

namespace testing_support {

struct RedisTls
	/// A test CA, a server certificate for 127.0.0.1 (an IP only: "localhost" is another name)
	/// and a client certificate, as files (keys 0600), made at test time.
{
	std::string caFile, serverCert, serverKey, clientCert, clientKey;
};

RedisTls makeRedisTls(const std::string& folder);

struct RedisServerOptions
{
	const RedisTls* tls = nullptr;   ///< TLS only (the plain port closed), with these files
	bool tlsAuthClients = false;     ///< TLS: require a client certificate
	int replicaOf = 0;               ///< a replica of the server on this port
	int sentinelOf = 0;              ///< a sentinel watching the master on this port as "mymaster"
	std::string password;            ///< "" for a new random one
};

class RedisServer
{
public:
	explicit RedisServer(RedisServerOptions options = {});
		/// Starts redis-server and waits until it answers PING. Throws when
		/// redis-server is missing (scripts/deps.sh installs it) or does not start.
	~RedisServer();

	static bool available();
		/// Whether redis-server is on PATH.

	int port() const { return _port; }
	const std::string& password() const { return _password; }
	std::string url(int database = 0) const;
		/// redis://127.0.0.1:<port>/<database> (rediss:// with TLS)
	const std::string& folder() const { return _dir.path(); }

	std::string cli(const std::vector<std::string>& args) const;
		/// Runs redis-cli against it (authenticated) and returns its output.

	void pause();     /// SIGSTOP: connections open, no answers
	void resume();    /// SIGCONT
	void kill();      /// SIGKILL, and waits for it
	void restart();   /// a new server on the same port and password (empty: no persistence)

private:
	void start();
	void waitReady();

	TempDir _dir;
	RedisServerOptions _options;
	int _port = 0;
	std::string _password;
	pid_t _pid = -1;
};

} // namespace testing_support

#endif
