//
// RespConnection.h
//
// Library: jwtflow net (internal)
// One connection to a Redis server speaking RESP2, plain or TLS, whose every
// command and reply is bounded: one deadline for the whole exchange, a depth,
// a size per value and per reply. A reply from a hostile or broken server ends
// in a NetworkException naming the problem, never in unbounded memory,
// recursion or time.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_RESPCONNECTION_INCLUDED
#define JWTFLOW_RESPCONNECTION_INCLUDED

#include <Poco/Net/StreamSocket.h>
#include <Poco/Types.h>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace jwtflow {
namespace detail {

struct RespValue
	/// One RESP2 reply.
{
	enum class Kind { Simple, Error, Integer, Bulk, Null, Array };
	Kind kind = Kind::Null;
	std::string text;               ///< Simple, Error, Bulk
	Poco::Int64 integer = 0;        ///< Integer
	std::vector<RespValue> items;   ///< Array

	bool isError() const { return kind == Kind::Error; }
	bool isNull() const { return kind == Kind::Null; }
};

struct RespLimits
	/// What a reply may hold: far above a sealed token, far below memory trouble.
{
	std::size_t maxValueBytes = 1024 * 1024;      ///< one bulk string (REDIS_MAX_VALUE_BYTES)
	std::size_t maxReplyBytes = 4 * 1024 * 1024;  ///< one whole reply, framing included
	std::size_t maxItems = 4096;                  ///< elements of all arrays of one reply
	int maxDepth = 4;                             ///< arrays within arrays
};

struct RespEndpoint
	/// Where a server is and how to reach it.
{
	std::string host;
	int port = 6379;
	bool tls = false;
	std::string caFile;     ///< TLS: trusted CAs besides the system's ("" for the system store only)
	std::string certFile;   ///< TLS: a client certificate (mutual TLS), "" for none
	std::string keyFile;    ///< TLS: its private key
	std::string where() const { return host + ":" + std::to_string(port); }
};

enum class RespParse { Complete, Incomplete };

RespParse parseResp(const std::string& buffer, std::size_t& offset, RespValue& value, const RespLimits& limits);
	/// Parses one reply from buffer at offset (advanced past it when Complete).
	/// Throws Poco::DataFormatException for bytes that are not RESP2, and
	/// Poco::Net::MessageException for a reply over the limits (its message
	/// says which). Iterative: no recursion whatever the depth announced.

class RespConnection
	/// Not thread-safe: one command at a time (the store holds a mutex).
{
public:
	RespConnection(const RespEndpoint& endpoint, int timeoutMs, RespLimits limits);
		/// Connects (and for TLS verifies the server's certificate and host name)
		/// within timeoutMs. Throws NetworkException (TlsException for a refused
		/// certificate) with a message naming the server.
	~RespConnection();

	RespValue command(const std::vector<std::string>& args);
		/// Sends one command and reads its whole reply within one time-out.
		/// An error reply is returned (isError()), with its text as sent.
		/// Throws NetworkException for a time-out, a closed connection, bytes
		/// that are not RESP, or a reply over the limits; the connection is
		/// then unusable (broken()).

	bool broken() const { return _broken; }
	const RespEndpoint& endpoint() const { return _endpoint; }

private:
	[[noreturn]] void fail(const std::string& what);
	std::string closedWhy() const;
		/// What a connection closed (or reset) by the server most likely means.

	RespEndpoint _endpoint;
	int _timeoutMs;
	RespLimits _limits;
	std::unique_ptr<Poco::Net::StreamSocket> _socket;
	std::string _buffer;
	bool _broken = false;
};

std::string respText(const std::string& text, std::size_t maxLength = 160);
	/// Text from a Redis server, fit for a message (control characters escaped, shortened).

} // namespace detail
} // namespace jwtflow

#endif
