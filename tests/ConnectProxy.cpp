//
// ConnectProxy.cpp
//
#include "ConnectProxy.h"
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>

namespace testing_support {

namespace {

class Tunnel: public Poco::Net::TCPServerConnection
{
public:
	Tunnel(const Poco::Net::StreamSocket& s, std::shared_ptr<ConnectProxy::Log> log): TCPServerConnection(s), _log(std::move(log)) {}

	void run() override
	{
		Poco::Net::StreamSocket& client = socket();
		client.setReceiveTimeout(Poco::Timespan(10, 0));
		std::string head;
		char c;
		while (head.find("\r\n\r\n") == std::string::npos && head.size() < 8192)
		{
			if (client.receiveBytes(&c, 1) != 1) return;
			head += c;
		}
		std::string line = head.substr(0, head.find("\r\n"));
		std::string auth;
		auto pos = Poco::toLower(head).find("proxy-authorization:");
		if (pos != std::string::npos) auth = Poco::trim(head.substr(pos + 20, head.find("\r\n", pos) - pos - 20));
		{
			std::lock_guard<std::mutex> lock(_log->mutex);
			_log->requests.push_back(line);
			_log->auth.push_back(auth);
		}
		// "CONNECT host:port HTTP/1.1"
		auto sp1 = line.find(' ');
		auto sp2 = line.find(' ', sp1 + 1);
		std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);
		int port = Poco::NumberParser::parse(target.substr(target.rfind(':') + 1));
		Poco::Net::StreamSocket upstream;
		upstream.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
		const std::string ok = "HTTP/1.1 200 Connection established\r\n\r\n";
		client.sendBytes(ok.data(), static_cast<int>(ok.size()));
		char buf[16384];
		while (true)
		{
			Poco::Net::Socket::SocketList readable = {client, upstream}, writable, except;
			if (Poco::Net::Socket::select(readable, writable, except, Poco::Timespan(10, 0)) == 0) break;
			bool closed = false;
			for (auto& s: readable)
			{
				Poco::Net::StreamSocket from(s);
				Poco::Net::StreamSocket& to = (s == client) ? upstream : client;
				int n = from.receiveBytes(buf, sizeof buf);
				if (n <= 0) { closed = true; break; }
				to.sendBytes(buf, n);
			}
			if (closed) break;
		}
	}

private:
	std::shared_ptr<ConnectProxy::Log> _log;
};

class TunnelFactory: public Poco::Net::TCPServerConnectionFactory
{
public:
	explicit TunnelFactory(std::shared_ptr<ConnectProxy::Log> log): _log(std::move(log)) {}
	Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& s) override { return new Tunnel(s, _log); }

private:
	std::shared_ptr<ConnectProxy::Log> _log;
};

} // namespace

ConnectProxy::ConnectProxy(): _log(std::make_shared<Log>())
{
	Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
	_port = socket.address().port();
	_server.reset(new Poco::Net::TCPServer(new TunnelFactory(_log), socket));
	_server->start();
}

ConnectProxy::~ConnectProxy()
{
	_server->stop();
}

std::vector<std::string> ConnectProxy::requests() const
{
	std::lock_guard<std::mutex> lock(_log->mutex);
	return _log->requests;
}

std::vector<std::string> ConnectProxy::authorizations() const
{
	std::lock_guard<std::mutex> lock(_log->mutex);
	return _log->auth;
}

} // namespace testing_support
