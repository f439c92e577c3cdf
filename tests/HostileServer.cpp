//
// HostileServer.cpp
//
#include "HostileServer.h"
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Thread.h>
#include <arpa/inet.h>
#include <mutex>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace testing_support {

HostileServer::HostileServer(Behaviour behaviour, Poco::Net::Context::Ptr tls):
	_behaviour(std::move(behaviour)), _tls(std::move(tls)), _mutex(new std::mutex)
{
	_listener.bind(Poco::Net::SocketAddress("127.0.0.1", 0), true);
	_listener.listen(16);
	_port = _listener.address().port();
	_acceptThread = std::thread([this] { acceptLoop(); });
}

HostileServer::~HostileServer()
{
	_stopping = true;
	if (_acceptThread.joinable()) _acceptThread.join();
	for (auto& t: _workers)
		if (t.joinable()) t.join();
	_listener.close();
	delete _mutex;
}

std::string HostileServer::baseUrl() const
{
	return std::string(_tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(_port);
}

void HostileServer::acceptLoop()
{
	while (!_stopping)
	{
		if (!_listener.poll(Poco::Timespan(0, 50000), Poco::Net::Socket::SELECT_READ)) continue;
		Poco::Net::StreamSocket accepted;
		try
		{
			accepted = _listener.acceptConnection();
		}
		catch (const Poco::Exception&)
		{
			continue;
		}
		const int number = ++_connections;
		_workers.emplace_back([this, accepted, number] {
			try
			{
				Poco::Net::StreamSocket plain(accepted);
				plain.setReceiveTimeout(Poco::Timespan(0, 200000));
				if (_tls)
				{
					Poco::Net::SecureStreamSocket secure = Poco::Net::SecureStreamSocket::attach(plain, _tls);
					Connection c{number, secure, _stopping};
					_behaviour(c);
				}
				else
				{
					Connection c{number, plain, _stopping};
					_behaviour(c);
				}
			}
			catch (...)
			{
				// The client went away, or the TLS handshake failed: nothing to do.
			}
		});
	}
}

std::string HostileServer::readRequest(Connection& c)
{
	std::string data;
	char buf[4096];
	std::size_t need = std::string::npos;
	while (!c.stopping)
	{
		if (need != std::string::npos && data.size() >= need) break;
		int n = 0;
		try
		{
			n = c.socket.receiveBytes(buf, sizeof buf);
		}
		catch (const Poco::TimeoutException&)
		{
			continue;
		}
		if (n <= 0) return {};
		data.append(buf, static_cast<std::size_t>(n));
		auto end = data.find("\r\n\r\n");
		if (end != std::string::npos && need == std::string::npos)
		{
			std::size_t length = 0;
			auto cl = data.find("Content-Length: ");
			if (cl != std::string::npos && cl < end) length = std::stoul(data.substr(cl + 16));
			need = end + 4 + length;
		}
	}
	std::lock_guard<std::mutex> lock(*_mutex);
	_requests.push_back(data);
	return data;
}

void HostileServer::sendAll(Connection& c, const std::string& bytes)
{
	c.socket.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
}

void HostileServer::trickle(Connection& c, const std::string& bytes, int delayMs, int maxBytes)
{
	for (int i = 0; i < maxBytes && !c.stopping; ++i)
	{
		char b = bytes.empty() ? ' ' : bytes[static_cast<std::size_t>(i) % bytes.size()];
		if (!bytes.empty() && static_cast<std::size_t>(i) >= bytes.size()) return;
		c.socket.sendBytes(&b, 1);
		Poco::Thread::sleep(delayMs);
	}
}

void HostileServer::dropWithoutCloseNotify(Connection& c)
{
	::shutdown(c.socket.impl()->sockfd(), SHUT_RDWR);
}

void HostileServer::waitUntilStopping(Connection& c)
{
	while (!c.stopping) Poco::Thread::sleep(20);
}

std::string HostileServer::okJson(const std::string& json, bool keepAlive)
{
	return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(json.size())
		+ (keepAlive ? "\r\nConnection: keep-alive" : "\r\nConnection: close") + "\r\n\r\n" + json;
}

} // namespace testing_support
