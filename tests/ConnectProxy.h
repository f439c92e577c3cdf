//
// ConnectProxy.h: a minimal HTTP CONNECT proxy on loopback for tests. Every
// tunnel goes to 127.0.0.1 at the requested port, whatever host was asked for
// (so a test can use a name that no DNS knows).
//
#ifndef JWTFLOW_CONNECTPROXY_INCLUDED
#define JWTFLOW_CONNECTPROXY_INCLUDED

#include <Poco/Net/TCPServer.h>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace testing_support {

class ConnectProxy
{
public:
	struct Log
	{
		std::mutex mutex;
		std::vector<std::string> requests;  /// the CONNECT request lines
		std::vector<std::string> auth;      /// Proxy-Authorization values
	};

	ConnectProxy();
	~ConnectProxy();
	int port() const { return _port; }
	std::vector<std::string> requests() const;
	std::vector<std::string> authorizations() const;

private:
	std::shared_ptr<Log> _log;
	std::unique_ptr<Poco::Net::TCPServer> _server;
	int _port = 0;
};

} // namespace testing_support

#endif
