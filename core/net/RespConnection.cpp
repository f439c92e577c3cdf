//
// RespConnection.cpp
//
// Library: jwtflow net
// RESP2 over a plain or TLS socket, every exchange bounded.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "RespConnection.h"
#include "HttpParts.h"
#include "jwtflow/Exception.h"
#include "jwtflow/SafeText.h"
#include <Poco/Net/NetException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Timestamp.h>
#include <cstdio>

namespace jwtflow {
namespace detail {

namespace {

/// A length or integer line: an optional minus and digits only, no more than 18 of them.
bool parseWhole(const std::string& text, Poco::Int64& value)
{
	std::size_t i = text.size() > 0 && text[0] == '-' ? 1 : 0;
	if (i == text.size() || text.size() - i > 18) return false;
	Poco::Int64 v = 0;
	for (std::size_t k = i; k < text.size(); ++k)
	{
		if (text[k] < '0' || text[k] > '9') return false;
		v = v * 10 + (text[k] - '0');
	}
	value = i ? -v : v;
	return true;
}

std::string byteName(unsigned char c)
{
	char buf[8];
	std::snprintf(buf, sizeof buf, "0x%02x", c);
	return buf;
}

struct Frame
{
	RespValue* array;
	Poco::Int64 remaining;
};

} // namespace

std::string respText(const std::string& text, std::size_t maxLength)
{
	return safeText(text, maxLength);
}

RespParse parseResp(const std::string& buffer, std::size_t& offset, RespValue& value, const RespLimits& limits)
{
	std::size_t pos = offset;
	std::size_t items = 0;
	std::vector<Frame> stack;
	RespValue root;
	RespValue* slot = &root;
	for (;;)
	{
		if (pos - offset > limits.maxReplyBytes)
			throw Poco::Net::MessageException("a reply over " + std::to_string(limits.maxReplyBytes) + " bytes");
		// The type byte first: bytes that cannot start a reply are refused at once, not waited on for a line.
		if (pos < buffer.size() && std::string("+-:$*").find(buffer[pos]) == std::string::npos)
			throw Poco::DataFormatException("bytes that are not RESP (the first is " + byteName(static_cast<unsigned char>(buffer[pos])) + ")");
		const std::size_t eol = buffer.find("\r\n", pos);
		if (eol == std::string::npos)
		{
			if (buffer.size() - offset > limits.maxReplyBytes)
				throw Poco::Net::MessageException("a reply over " + std::to_string(limits.maxReplyBytes) + " bytes");
			return RespParse::Incomplete;
		}
		const unsigned char type = static_cast<unsigned char>(buffer[pos]);
		const std::string line = buffer.substr(pos + 1, eol - pos - 1);
		pos = eol + 2;
		RespValue v;
		Poco::Int64 n = 0;
		switch (type)
		{
		case '+':
		case '-':
			if (line.size() > limits.maxValueBytes)
				throw Poco::Net::MessageException("a status line over " + std::to_string(limits.maxValueBytes) + " bytes");
			v.kind = type == '+' ? RespValue::Kind::Simple : RespValue::Kind::Error;
			v.text = line;
			break;
		case ':':
			if (!parseWhole(line, v.integer)) throw Poco::DataFormatException("an integer reply that is not a number");
			v.kind = RespValue::Kind::Integer;
			break;
		case '$':
			if (!parseWhole(line, n) || n < -1) throw Poco::DataFormatException("a bulk string of length '" + respText(line, 24) + "'");
			if (n == -1) break;   // the null bulk string
			if (static_cast<Poco::UInt64>(n) > limits.maxValueBytes)
				throw Poco::Net::MessageException("a value announced as " + std::to_string(n) + " bytes, over the limit of "
					+ std::to_string(limits.maxValueBytes) + " (REDIS_MAX_VALUE_BYTES)");
			if (buffer.size() < pos + static_cast<std::size_t>(n) + 2) return RespParse::Incomplete;
			if (buffer.compare(pos + static_cast<std::size_t>(n), 2, "\r\n") != 0)
				throw Poco::DataFormatException("a bulk string longer than announced");
			v.kind = RespValue::Kind::Bulk;
			v.text = buffer.substr(pos, static_cast<std::size_t>(n));
			pos += static_cast<std::size_t>(n) + 2;
			break;
		case '*':
			if (!parseWhole(line, n) || n < -1) throw Poco::DataFormatException("an array of length '" + respText(line, 24) + "'");
			if (n == -1) break;   // the null array
			if (static_cast<int>(stack.size()) >= limits.maxDepth)
				throw Poco::Net::MessageException("arrays nested deeper than " + std::to_string(limits.maxDepth));
			items += static_cast<std::size_t>(n);
			if (static_cast<Poco::UInt64>(n) > limits.maxItems || items > limits.maxItems)
				throw Poco::Net::MessageException("a reply of over " + std::to_string(limits.maxItems) + " elements");
			v.kind = RespValue::Kind::Array;
			break;
		default:
			throw Poco::DataFormatException("bytes that are not RESP (the first is " + byteName(type) + ")");
		}
		*slot = std::move(v);
		if (slot->kind == RespValue::Kind::Array && n > 0)
		{
			// Room for every element now: the pointers into it stay valid while it fills.
			slot->items.reserve(static_cast<std::size_t>(n));
			stack.push_back({slot, n});
			slot->items.emplace_back();
			slot = &slot->items.back();
			continue;
		}
		// A value is complete: close the arrays it completes.
		while (!stack.empty())
		{
			Frame& frame = stack.back();
			if (--frame.remaining > 0)
			{
				frame.array->items.emplace_back();
				slot = &frame.array->items.back();
				break;
			}
			stack.pop_back();
		}
		if (stack.empty())
		{
			value = std::move(root);
			offset = pos;
			return RespParse::Complete;
		}
	}
}

namespace {

Poco::Timespan remaining(const Poco::Timestamp& deadline)
{
	const Poco::Timestamp::TimeDiff left = deadline - Poco::Timestamp();
	return Poco::Timespan(left > 1000 ? left : 1000);   // at least a millisecond: a zero time-out means none
}

bool expired(const Poco::Timestamp& deadline)
{
	return Poco::Timestamp() >= deadline;
}

} // namespace

RespConnection::RespConnection(const RespEndpoint& endpoint, int timeoutMs, RespLimits limits):
	_endpoint(endpoint), _timeoutMs(timeoutMs), _limits(limits)
{
	const std::string where = "Redis at " + _endpoint.where();
	const Poco::Timestamp deadline = Poco::Timestamp() + static_cast<Poco::Timestamp::TimeDiff>(timeoutMs) * 1000;
	try
	{
		Poco::Net::StreamSocket plain;
		plain.connect(Poco::Net::SocketAddress(_endpoint.host, static_cast<Poco::UInt16>(_endpoint.port)), remaining(deadline));
		plain.setNoDelay(true);
		plain.setReceiveTimeout(remaining(deadline));
		plain.setSendTimeout(remaining(deadline));
		if (!_endpoint.tls)
		{
			_socket.reset(new Poco::Net::StreamSocket(plain));
			return;
		}
		Poco::Net::Context::Ptr context = redisClientContext(_endpoint.caFile, _endpoint.certFile, _endpoint.keyFile);
		lastCertificateRefusal() = {};
		// The handshake, the chain and the host name (SNI sent for a name) within what is left of the time-out.
		auto* secure = new Poco::Net::SecureStreamSocket(Poco::Net::SecureStreamSocket::attach(plain, _endpoint.host, context));
		_socket.reset(secure);
		secure->completeHandshake();
	}
	catch (const Exception&)
	{
		throw;
	}
	catch (const Poco::TimeoutException&)
	{
		throw NetworkException(where + " did not answer within " + std::to_string(timeoutMs) + " ms (REDIS_TIMEOUT_MS)"
			+ (_endpoint.tls && _socket ? ": the TLS handshake did not complete (a plain Redis port does not speak TLS: use redis:// for it)"
				: ""));
	}
	catch (const Poco::Net::ConnectionRefusedException&)
	{
		throw NetworkException(where + " refused the connection (is the URL right, is Redis up?)");
	}
	catch (const Poco::Net::HostNotFoundException&)
	{
		throw NetworkException("cannot resolve the Redis host " + safeText(_endpoint.host, 80));
	}
	catch (const Poco::Net::NoAddressFoundException&)
	{
		throw NetworkException("cannot resolve the Redis host " + safeText(_endpoint.host, 80));
	}
	catch (const Poco::Net::CertificateValidationException&)
	{
		throw TlsException("TLS with " + where + " refused: its certificate does not name the host " + safeText(_endpoint.host, 80)
			+ ": use the host name the certificate was issued for", static_cast<int>(TlsFailure::HostNameMismatch));
	}
	catch (const Poco::Net::SSLException& e)
	{
		const CertificateRefusal& refused = lastCertificateRefusal();
		if (refused.code != 0)
			throw TlsException("TLS with " + where + " refused: its certificate is not trusted (" + safeText(refused.reason, 120)
				+ (refused.depth > 0 ? ", in its chain" : "") + "): set REDIS_CA_FILE to the CA that issued it",
				static_cast<int>(TlsFailure::UntrustedCertificate));
		throw NetworkException("the TLS handshake with " + where + " failed (" + safeText(e.message(), 120)
			+ "): a plain Redis port does not speak TLS (use redis:// for it, rediss:// for a TLS port)");
	}
	catch (const Poco::Exception& e)
	{
		throw NetworkException("cannot connect to " + where + ": " + safeText(e.displayText(), 160));
	}
}

RespConnection::~RespConnection()
{
	if (!_socket) return;
	try
	{
		_socket->close();
	}
	catch (...)
	{
	}
}

std::string RespConnection::closedWhy() const
{
	if (!_buffer.empty()) return "closed the connection in the middle of a reply";
	return _endpoint.tls ? "closed the TLS connection without an answer (a server that requires a client certificate wants "
		"REDIS_CERT_FILE and REDIS_KEY_FILE)" : "closed the connection without an answer (a TLS port? use rediss:// for it)";
}

void RespConnection::fail(const std::string& what)
{
	_broken = true;
	throw NetworkException("Redis at " + _endpoint.where() + " " + what);
}

RespValue RespConnection::command(const std::vector<std::string>& args)
{
	if (_broken || !_socket) fail("is not connected (a failure before)");
	std::string request = "*" + std::to_string(args.size()) + "\r\n";
	for (const auto& a: args) request += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
	const Poco::Timestamp deadline = Poco::Timestamp() + static_cast<Poco::Timestamp::TimeDiff>(_timeoutMs) * 1000;
	const std::string limit = " within " + std::to_string(_timeoutMs) + " ms (REDIS_TIMEOUT_MS)";
	try
	{
		std::size_t sent = 0;
		while (sent < request.size())
		{
			if (expired(deadline)) fail("did not take the command" + limit);
			_socket->setSendTimeout(remaining(deadline));
			const int n = _socket->sendBytes(request.data() + sent, static_cast<int>(request.size() - sent));
			if (n <= 0) fail("closed the connection");
			sent += static_cast<std::size_t>(n);
		}
		_buffer.clear();
		char chunk[16384];
		for (;;)
		{
			std::size_t offset = 0;
			RespValue reply;
			if (parseResp(_buffer, offset, reply, _limits) == RespParse::Complete)
			{
				if (offset != _buffer.size()) fail("sent more than one reply to one command");
				return reply;
			}
			// One deadline for the whole reply, however the server drips it.
			if (expired(deadline)) fail("sent no complete reply" + limit);
			if (_socket->impl()->available() <= 0 && !_socket->poll(remaining(deadline), Poco::Net::Socket::SELECT_READ))
				fail("sent no complete reply" + limit);
			_socket->setReceiveTimeout(remaining(deadline));
			const int n = _socket->receiveBytes(chunk, sizeof chunk);
			if (n <= 0) fail(closedWhy());
			_buffer.append(chunk, static_cast<std::size_t>(n));
		}
	}
	catch (const Exception&)
	{
		_broken = true;
		throw;
	}
	catch (const Poco::Net::MessageException& e)
	{
		fail("sent " + e.message() + ": refused");
	}
	catch (const Poco::DataFormatException& e)
	{
		const bool tlsRecord = !_buffer.empty() && (_buffer[0] == '\x15' || _buffer[0] == '\x16');
		fail("answered with " + e.message() + (tlsRecord ? ": this port speaks TLS (use rediss:// for it)" : ": is it Redis?"));
	}
	catch (const Poco::TimeoutException&)
	{
		fail("sent no complete reply" + limit);
	}
	catch (const Poco::Net::SSLException& e)
	{
		fail("broke the TLS connection (" + safeText(e.message(), 120) + "; a server that requires a client certificate "
			"wants REDIS_CERT_FILE and REDIS_KEY_FILE)");
	}
	catch (const Poco::Net::ConnectionResetException&)
	{
		fail(closedWhy());
	}
	catch (const Poco::Exception& e)
	{
		fail("failed: " + safeText(e.displayText(), 160));
	}
}

} // namespace detail
} // namespace jwtflow
