//
// RequestDeadline.h
//
// Library: jwtflow_net (internal)
// One deadline for a whole HTTP exchange (connect, TLS handshake, headers,
// body), held against a peer that trickles bytes: a watchdog thread shuts the
// socket down when the time is up, which ends any blocking read or write.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_REQUESTDEADLINE_INCLUDED
#define JWTFLOW_REQUESTDEADLINE_INCLUDED

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Timespan.h>
#include <Poco/Timestamp.h>
#include <atomic>

namespace jwtflow {
namespace detail {

class RequestDeadline
	/// Armed for one request. watch() hands a socket to the process-wide
	/// watchdog, which shuts it down (shutdown(2) on a duplicate of its
	/// descriptor, so a closed and reused descriptor number is never touched)
	/// once the deadline passes.
{
public:
	explicit RequestDeadline(int seconds);
	~RequestDeadline();
	RequestDeadline(const RequestDeadline&) = delete;
	RequestDeadline& operator=(const RequestDeadline&) = delete;

	void watch(int fd);
		/// Watches this socket (replacing any watched before).

	void release();
		/// Stops watching; called before the socket may be closed or reused.

	bool expired() const;
		/// The time is up (whether or not the watchdog has acted yet).

	Poco::Timespan remaining() const;
		/// Time left, at least one millisecond; throws Poco::TimeoutException when none.

	Poco::Timestamp when() const { return _when; }
	int seconds() const { return _seconds; }

private:
	friend class Watchdog;
	const int _seconds;
	const Poco::Timestamp _when;
	int _fd = -1;                 // our duplicate, owned; guarded by the watchdog's mutex
	bool _registered = false;
	std::atomic<bool> _fired{false};
};

class DeadlineSession
	/// What both session kinds share: the deadline of the request in progress.
{
public:
	void setDeadline(RequestDeadline* deadline) { _deadline = deadline; }

protected:
	RequestDeadline* _deadline = nullptr;
};

class DeadlineHttpSession: public Poco::Net::HTTPClientSession, public DeadlineSession
	/// Plain HTTP (loopback only): connects within the deadline and watches the socket.
{
public:
	DeadlineHttpSession(const std::string& host, Poco::UInt16 port);

protected:
	void connect(const Poco::Net::SocketAddress& address) override;
};

class DeadlineHttpsSession: public Poco::Net::HTTPSClientSession, public DeadlineSession
	/// HTTPS: the TCP connection (direct or through the proxy's CONNECT) is
	/// watched before the TLS handshake starts, so a handshake that trickles
	/// is bounded too.
{
public:
	DeadlineHttpsSession(const std::string& host, Poco::UInt16 port, Poco::Net::Context::Ptr context);

protected:
	void connect(const Poco::Net::SocketAddress& address) override;

private:
	Poco::Net::Context::Ptr _context;
};

} // namespace detail
} // namespace jwtflow

#endif
