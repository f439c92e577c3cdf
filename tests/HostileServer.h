//
// HostileServer.h: a loopback TCP or TLS server whose every connection runs
// a behaviour written against the raw socket, for what a well-behaved HTTP
// server cannot do: trickle bytes, drop a connection without close_notify,
// send huge or control-character-laden answers. Bounded: every behaviour
// ends when the server is destroyed.
//
#ifndef JWTFLOW_HOSTILESERVER_INCLUDED
#define JWTFLOW_HOSTILESERVER_INCLUDED

#include <Poco/Net/Context.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <atomic>
#include <functional>
#include <mutex>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace testing_support {

class HostileServer
{
public:
	struct Connection
	{
		int number;                          /// 1 for the first connection
		Poco::Net::StreamSocket& socket;     /// a SecureStreamSocket when the server has TLS
		const std::atomic<bool>& stopping;   /// true once the server is being destroyed
	};
	using Behaviour = std::function<void(Connection&)>;

	explicit HostileServer(Behaviour behaviour, Poco::Net::Context::Ptr tls = nullptr);
	~HostileServer();

	std::string baseUrl() const;
	int connections() const { return _connections.load(); }
	const std::vector<std::string>& requests() const { return _requests; }
		/// Every request read with readRequest, in order (read it after the client is done).

	std::string readRequest(Connection& c);
		/// Reads one request (headers and a Content-Length body); "" when the peer closed.

	static void sendAll(Connection& c, const std::string& bytes);
	static void trickle(Connection& c, const std::string& bytes, int delayMs, int maxBytes = 1000);
		/// Sends one byte every delayMs, until bytes or maxBytes run out or the server stops.
	static void dropWithoutCloseNotify(Connection& c);
		/// Ends the TCP connection (FIN) without TLS close_notify, as load balancers do.
	static void waitUntilStopping(Connection& c);
		/// Holds the connection open and silent until the server is destroyed.
	static std::string okJson(const std::string& json, bool keepAlive = true);
		/// A complete HTTP/1.1 200 answer with that JSON body.

private:
	void acceptLoop();

	Behaviour _behaviour;
	Poco::Net::Context::Ptr _tls;
	Poco::Net::ServerSocket _listener;
	int _port = 0;
	std::atomic<bool> _stopping{false};
	std::atomic<int> _connections{0};
	std::vector<std::string> _requests;
	std::thread _acceptThread;
	std::vector<std::thread> _workers;
	std::mutex* _mutex;
};

} // namespace testing_support

#endif
