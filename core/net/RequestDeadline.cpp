//
// RequestDeadline.cpp
//
// Library: jwtflow_net (internal)
//
// SPDX-License-Identifier: BSL-1.0
//
#include "RequestDeadline.h"
#include <Poco/Exception.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <condition_variable>
#include <fcntl.h>
#include <mutex>
#include <set>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace jwtflow {
namespace detail {

class Watchdog
	/// One thread for the process, started on first use, joined at exit.
{
public:
	static Watchdog& instance()
	{
		static Watchdog dog;
		return dog;
	}

	void add(RequestDeadline* d)
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (!_thread.joinable()) _thread = std::thread([this] { run(); });
		_armed.insert(d);
		_changed.notify_one();
	}

	void remove(RequestDeadline* d)
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_armed.erase(d);
		if (d->_fd >= 0) ::close(d->_fd);
		d->_fd = -1;
	}

	void setFd(RequestDeadline* d, int fd)
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (d->_fd >= 0) ::close(d->_fd);
		d->_fd = fd;
		// Already late: act now rather than on the next wake-up.
		if (fd >= 0 && d->_when.isElapsed(0)) fire(d);
		_changed.notify_one();
	}

	~Watchdog()
	{
		{
			std::lock_guard<std::mutex> lock(_mutex);
			_stop = true;
			_changed.notify_one();
		}
		if (_thread.joinable()) _thread.join();
	}

private:
	Watchdog() = default;

	static void fire(RequestDeadline* d)
	{
		d->_fired = true;
		if (d->_fd >= 0) ::shutdown(d->_fd, SHUT_RDWR);
	}

	void run()
	{
		std::unique_lock<std::mutex> lock(_mutex);
		while (!_stop)
		{
			Poco::Timestamp now;
			Poco::Timestamp::TimeDiff wait = 3600LL * 1000000;
			for (RequestDeadline* d: _armed)
			{
				if (d->_fired) continue;
				const Poco::Timestamp::TimeDiff left = d->_when - now;
				if (left <= 0)
				{
					if (d->_fd >= 0) fire(d);
					else wait = std::min<Poco::Timestamp::TimeDiff>(wait, 10000); // no socket yet: look again soon
				}
				else
				{
					wait = std::min(wait, left);
				}
			}
			_changed.wait_for(lock, std::chrono::microseconds(wait));
		}
	}

	std::mutex _mutex;
	std::condition_variable _changed;
	std::set<RequestDeadline*> _armed;
	std::thread _thread;
	bool _stop = false;
};

RequestDeadline::RequestDeadline(int seconds):
	_seconds(seconds),
	_when(Poco::Timestamp() + static_cast<Poco::Timestamp::TimeDiff>(seconds) * 1000000)
{
}

RequestDeadline::~RequestDeadline()
{
	release();
}

void RequestDeadline::watch(int fd)
{
	if (fd < 0) return;
	const int dup = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (dup < 0) return;   // out of descriptors: the per-read time-outs still apply
	if (!_registered)
	{
		Watchdog::instance().add(this);
		_registered = true;
	}
	Watchdog::instance().setFd(this, dup);
}

void RequestDeadline::release()
{
	if (!_registered) return;
	Watchdog::instance().remove(this);
	_registered = false;
}

bool RequestDeadline::expired() const
{
	return _fired || _when.isElapsed(0);
}

Poco::Timespan RequestDeadline::remaining() const
{
	const Poco::Timestamp::TimeDiff left = _when - Poco::Timestamp();
	if (left <= 0) throw Poco::TimeoutException("whole request");
	return Poco::Timespan(std::max<Poco::Timestamp::TimeDiff>(left, 1000));
}

namespace {

void prepare(Poco::Net::StreamSocket& socket, const Poco::Timespan& timeout)
{
	socket.setReceiveTimeout(timeout);
	socket.setSendTimeout(timeout);
	socket.setNoDelay(true);
}

} // namespace

DeadlineHttpSession::DeadlineHttpSession(const std::string& host, Poco::UInt16 port):
	Poco::Net::HTTPClientSession(host, port)
{
}

void DeadlineHttpSession::connect(const Poco::Net::SocketAddress& address)
{
	if (!_deadline)
	{
		HTTPClientSession::connect(address);
		return;
	}
	Poco::Net::StreamSocket tcp;
	tcp.connect(address, _deadline->remaining());
	_deadline->watch(tcp.impl()->sockfd());
	prepare(tcp, _deadline->remaining());
	attachSocket(tcp);
}

DeadlineHttpsSession::DeadlineHttpsSession(const std::string& host, Poco::UInt16 port, Poco::Net::Context::Ptr context):
	Poco::Net::HTTPSClientSession(host, port, context),
	_context(context)
{
}

void DeadlineHttpsSession::connect(const Poco::Net::SocketAddress& address)
{
	if (!_deadline)
	{
		HTTPSClientSession::connect(address);
		return;
	}
	Poco::Net::StreamSocket tcp;
	if (getProxyHost().empty() || bypassProxy())
	{
		tcp.connect(address, _deadline->remaining());
	}
	else
	{
		const Poco::Timespan full(_deadline->seconds(), 0);
		setTimeout(_deadline->remaining());
		tcp = proxyConnect();   // the CONNECT exchange with the proxy, its own time-outs
		setTimeout(full);       // later requests on this session start from the whole time-out again
	}
	_deadline->watch(tcp.impl()->sockfd());
	prepare(tcp, _deadline->remaining());
	// The handshake runs on the watched socket: a trickling server cannot stretch it.
	Poco::Net::SecureStreamSocket secure = Poco::Net::SecureStreamSocket::attach(tcp, getHost(), _context);
	attachSocket(secure);
}

} // namespace detail
} // namespace jwtflow
