//
// HttpClient.cpp
//
// Library: jwtflow core
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/HttpClient.h"
#include "jwtflow/Encoding.h"
#include "jwtflow/Exception.h"
#include "jwtflow/Network.h"
#include "jwtflow/SafeText.h"
#include "RequestDeadline.h"
#include "HttpParts.h"
#include <Poco/DateTimeParser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>
#include <Poco/Thread.h>
#include <Poco/Timestamp.h>
#include <Poco/URI.h>
#include <Poco/File.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <map>
#include <mutex>

namespace jwtflow {

using namespace Poco::Net;
using detail::checkedUri;
using detail::origin;
using detail::retryableStatus;
using detail::sharedClientContext;

/// The URL and body of one try.
using RequestFactory = std::function<std::pair<std::string, std::string>()>;

struct HttpClient::Impl
{
	HttpOptions options;
	Context::Ptr context;
	struct Connection
	{
		std::unique_ptr<HTTPClientSession> http;
		detail::DeadlineSession* deadline = nullptr;   // the same object, seen as a DeadlineSession
	};
	std::map<std::string, Connection> sessions;
	int connections = 0;
	int lastStatus = 0;
	std::string lastDate;

	Context::Ptr tlsContext()
	{
		if (!context) context = sharedClientContext(options.caFile);
		return context;
	}

	bool bypassProxy(const std::string& host) const
	{
		if (isLoopbackHost(host) || isInstanceMetadataHost(host)) return true;
		Poco::StringTokenizer tok(options.noProxy, ",", Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
		for (std::string suffix: tok)
		{
			if (suffix == "*") return true;
			if (!suffix.empty() && suffix[0] == '.') suffix.erase(0, 1);
			std::string h = Poco::toLower(host);
			suffix = Poco::toLower(suffix);
			if (h == suffix || Poco::endsWith(h, "." + suffix)) return true;
		}
		return false;
	}

	bool viaProxy(const Poco::URI& uri) const
	{
		return !options.proxy.empty() && !bypassProxy(uri.getHost());
	}

	static std::string sessionKey(const Poco::URI& uri)
	{
		return uri.getScheme() + "://" + uri.getHost() + ":" + std::to_string(uri.getPort());
	}

	/// Drops the kept-alive connection to uri's origin, if any (the next request reconnects).
	void resetSession(const Poco::URI& uri)
	{
		auto it = sessions.find(sessionKey(uri));
		if (it != sessions.end()) it->second.http->reset();
	}

	Connection& session(const Poco::URI& uri)
	{
		const std::string key = sessionKey(uri);
		auto it = sessions.find(key);
		if (it != sessions.end()) return it->second;
		Connection c;
		if (uri.getScheme() == "https")
		{
			auto* https = new detail::DeadlineHttpsSession(uri.getHost(), uri.getPort(), tlsContext());
			c.http.reset(https);
			c.deadline = https;
		}
		else
		{
			auto* http = new detail::DeadlineHttpSession(uri.getHost(), uri.getPort());
			c.http.reset(http);
			c.deadline = http;
		}
		HTTPClientSession* s = c.http.get();
		Poco::Timespan t(options.timeoutSeconds, 0);
		s->setTimeout(t, t, t);
		s->setKeepAlive(true);
		if (viaProxy(uri))
		{
			Poco::URI proxy(options.proxy);
			s->setProxy(proxy.getHost(), proxy.getPort());
			std::string userInfo = proxy.getUserInfo();
			if (!userInfo.empty())
			{
				auto colon = userInfo.find(':');
				s->setProxyCredentials(userInfo.substr(0, colon), colon == std::string::npos ? "" : userInfo.substr(colon + 1));
			}
		}
		return sessions[key] = std::move(c);
	}

	/// What every try of one request sends besides its URL and body.
	struct Outgoing
	{
		std::string method;
		std::string contentType;
		std::string bearer;
		const std::vector<std::pair<std::string, std::string>>* headers = nullptr;
		bool idempotent = true;   // may be sent again after a 5xx or a broken connection
	};

	HttpResponse send(const RequestFactory& makeRequest, const Outgoing& outgoing);

	/// One try. `reused` tells whether it went over a kept-alive connection
	/// (set before anything can fail): a failure there is likely a connection
	/// the server dropped while idle, worth one free reconnect.
	HttpResponse sendOnce(const Poco::URI& uri, const std::string& body, const Outgoing& outgoing, bool& reused)
	{
		Connection& c = session(uri);
		HTTPClientSession& s = *c.http;
		detail::lastCertificateRefusal() = {};
		detail::RequestDeadline deadline(options.timeoutSeconds);
		struct Unset
		{
			detail::DeadlineSession* session;
			detail::RequestDeadline& deadline;
			~Unset()
			{
				deadline.release();
				session->setDeadline(nullptr);
			}
		} unset{c.deadline, deadline};
		c.deadline->setDeadline(&deadline);
		reused = s.connected();
		if (reused)
		{
			// A kept-alive socket keeps the per-read time-outs of the request that
			// connected it: each request starts from the whole time-out again.
			const Poco::Timespan full(options.timeoutSeconds, 0);
			s.socket().setReceiveTimeout(full);
			s.socket().setSendTimeout(full);
			deadline.watch(s.socket().impl()->sockfd());
		}
		try
		{
			return exchangeOnce(uri, s, deadline, body, outgoing);
		}
		catch (const NetworkException&)
		{
			throw;
		}
		catch (const Poco::Exception&)
		{
			// Whatever broke a read the watchdog cut short is a time-out.
			if (!deadline.expired()) throw;
		}
		deadline.release();
		s.reset();
		throw Poco::TimeoutException("whole request");
	}

	HttpResponse exchangeOnce(const Poco::URI& uri, HTTPClientSession& s, const detail::RequestDeadline& deadline,
		const std::string& body, const Outgoing& outgoing)
	{
		std::string path = uri.getPathEtc();
		if (path.empty()) path = "/";
		HTTPRequest request(outgoing.method, path, HTTPMessage::HTTP_1_1);
		request.setHost(uri.getHost(), uri.getPort());
		request.set("Accept", "application/json");
		request.set("User-Agent", "jwtflow");
		if (outgoing.headers)
			for (const auto& h: *outgoing.headers) request.set(h.first, h.second);
		if (!outgoing.bearer.empty()) request.set("Authorization", "Bearer " + outgoing.bearer);
		if (!outgoing.contentType.empty())
		{
			request.setContentType(outgoing.contentType);
			request.setContentLength(static_cast<std::streamsize>(body.size()));
		}
		else if (!body.empty())
		{
			request.setContentLength(static_cast<std::streamsize>(body.size()));
		}
		if (!s.connected()) ++connections;
		std::ostream& out = s.sendRequest(request);
		out << body;
		HTTPResponse response;
		std::istream& in = s.receiveResponse(response);
		HttpResponse result;
		result.status = static_cast<int>(response.getStatus());
		result.reason = response.getReason();
		result.contentType = response.getContentType();
		result.date = response.get("Date", "");
		result.retryAfter = response.get("Retry-After", "");
		for (const auto& h: response) result.headers.emplace_back(h.first, h.second);
		if (outgoing.method != "HEAD" && response.hasContentLength() && response.getContentLength64() > static_cast<Poco::Int64>(options.maxBodyBytes))
		{
			s.reset();
			throw NetworkException(uri.getHost() + " answered HTTP " + std::to_string(result.status) + " with a body of "
				+ std::to_string(response.getContentLength64()) + " bytes, more than the " + std::to_string(options.maxBodyBytes)
				+ " bytes jwtflow accepts (" + options.tooLargeHint + ")");
		}
		char buf[8192];
		while (in)
		{
			in.read(buf, sizeof buf);
			std::streamsize n = in.gcount();
			if (n <= 0) break;
			result.body.append(buf, static_cast<std::size_t>(n));
			if (result.body.size() > options.maxBodyBytes)
			{
				s.reset();
				throw NetworkException(uri.getHost() + " sent an answer larger than " + std::to_string(options.maxBodyBytes)
					+ " bytes, more than jwtflow accepts (" + options.tooLargeHint + ")");
			}
			if (deadline.expired()) throw Poco::TimeoutException("whole request");
		}
		if (deadline.expired()) throw Poco::TimeoutException("whole request");
		// A HEAD answer, a 204 and a 304 carry no body whatever Content-Length says.
		const bool bodyless = outgoing.method == "HEAD" || result.status == 204 || result.status == 304;
		if (!bodyless && response.hasContentLength() && static_cast<Poco::Int64>(result.body.size()) < response.getContentLength64())
		{
			s.reset();
			throw NetworkException(uri.getHost() + " closed the connection before the whole answer arrived (got "
				+ std::to_string(result.body.size()) + " of " + std::to_string(response.getContentLength64()) + " bytes)");
		}
		if (deadline.expired()) throw Poco::TimeoutException("whole request");
		if (!response.getKeepAlive()) s.reset();
		return result;
	}
};

HttpClient::HttpClient(HttpOptions options): _impl(new Impl)
{
	_impl->options = std::move(options);
	if (_impl->options.maxTries < 1) _impl->options.maxTries = 1;
}

HttpClient::~HttpClient() = default;

int HttpClient::connectionsOpened() const { return _impl->connections; }

int HttpClient::lastStatus() const { return _impl->lastStatus; }

std::string HttpClient::lastDate() const { return _impl->lastDate; }

void HttpClient::closeConnections()
{
	for (auto& session: _impl->sessions) session.second.http->reset();
}
const HttpOptions& HttpClient::options() const { return _impl->options; }

HttpResponse HttpClient::postForm(const std::string& url, const FormFields& form, const std::string& bearerToken)
{
	const std::string body = encodeForm(form);
	Impl::Outgoing outgoing{"POST", "application/x-www-form-urlencoded", bearerToken};
	return _impl->send([&] { return std::make_pair(url, body); }, outgoing);
}

HttpResponse HttpClient::postForm(const FormRequestFactory& makeRequest, const std::string& bearerToken)
{
	Impl::Outgoing outgoing{"POST", "application/x-www-form-urlencoded", bearerToken};
	return _impl->send([&] {
		auto request = makeRequest();
		return std::make_pair(request.first, encodeForm(request.second));
	}, outgoing);
}

HttpResponse HttpClient::get(const std::string& url, const std::string& bearerToken)
{
	Impl::Outgoing outgoing{"GET", "", bearerToken};
	return _impl->send([&] { return std::make_pair(url, std::string()); }, outgoing);
}

HttpResponse HttpClient::request(const HttpCall& call)
{
	const std::string method = Poco::toUpper(call.method);
	static const char* const known[] = {"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "POST", "PATCH"};
	if (std::find(std::begin(known), std::end(known), method) == std::end(known))
		throw UsageException("'" + safeText(call.method, 20) + "' is not an HTTP method jwtflow sends: GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS");
	for (const auto& h: call.headers) checkRequestHeader(h.first, h.second);
	if (!call.contentType.empty()) checkRequestHeader("Content-Type", call.contentType);
	Impl::Outgoing outgoing;
	outgoing.method = method;
	outgoing.contentType = call.contentType.empty() && !call.body.empty() ? "application/json" : call.contentType;
	outgoing.bearer = call.bearerToken;
	outgoing.headers = &call.headers;
	outgoing.idempotent = method != "POST" && method != "PATCH";
	return _impl->send([&] { return std::make_pair(call.url, call.body); }, outgoing);
}

namespace {

std::string messageOf(const Poco::Exception& e)
{
	return e.message().empty() ? e.displayText() : e.message();
}

/// A failure no retry mends, as one message naming the fix: a time-out, a refused connection,
/// an unknown host, a refused certificate, a proxy that refused. Told apart by the exception's
/// type and what OpenSSL's verify callback recorded, never by wording.
void throwIfFinal(const Poco::Exception& e, const Poco::URI& uri, int timeoutSeconds, bool viaProxy)
{
	const std::string where = origin(uri);
	if (dynamic_cast<const Poco::TimeoutException*>(&e))
		throw NetworkException("no complete answer from " + where + " within " + std::to_string(timeoutSeconds) + " s (the request time-out)");
	if (dynamic_cast<const ConnectionRefusedException*>(&e))
		throw NetworkException("cannot connect to " + where + ": connection refused (is the URL right, is the service up?)");
	if (dynamic_cast<const HostNotFoundException*>(&e) || dynamic_cast<const NoAddressFoundException*>(&e))
		throw NetworkException("cannot resolve host " + uri.getHost() + ": check the URL (and the network / HTTPS_PROXY)");
	if (dynamic_cast<const CertificateValidationException*>(&e))
		throw TlsException("TLS with " + where + " refused: the server's certificate does not name the host " + safeText(uri.getHost(), 80)
			+ ": use the host name the certificate was issued for", static_cast<int>(TlsFailure::HostNameMismatch));
	const detail::CertificateRefusal& refused = detail::lastCertificateRefusal();
	if (dynamic_cast<const SSLException*>(&e) && refused.code != 0)
		throw TlsException("TLS with " + where + " refused: the server's certificate is not trusted ("
			+ safeText(refused.reason, 120) + (refused.depth > 0 ? ", in its chain" : "")
			+ "): for a private CA, set CA_FILE to its certificate", static_cast<int>(TlsFailure::UntrustedCertificate));
	if (viaProxy && dynamic_cast<const HTTPException*>(&e))
		throw NetworkException("the proxy refused to connect to " + where + ": check HTTPS_PROXY");
}

/// What a broken connection is called when it may be tried again; throws when it may not
/// (not a connection failure, or a method the server may already have carried out).
std::string retryableFailure(const Poco::Exception& e, const std::string& where, const std::string& method, bool idempotent)
{
	const std::string msg = messageOf(e);
	const bool tls = dynamic_cast<const SSLException*>(&e) != nullptr;
	const bool noAnswer = dynamic_cast<const NoMessageException*>(&e) != nullptr;
	const bool reset = dynamic_cast<const ConnectionResetException*>(&e) != nullptr;
	const bool retryable = tls || noAnswer || reset
		|| (dynamic_cast<const Poco::IOException*>(&e) && !dynamic_cast<const Poco::Net::NetException*>(&e));
	if (!retryable || !idempotent)
		throw NetworkException("network error talking to " + where + ": " + safeText(msg)
			+ (retryable ? " (not retried: a " + method + " may have been carried out)" : ""));
	return noAnswer ? "the connection closed without an answer" : reset ? "the connection was reset"
		: tls ? "the TLS connection broke (" + safeText(msg, 80) + ")" : "I/O error: " + safeText(msg, 80);
}

} // namespace

HttpResponse HttpClient::Impl::send(const RequestFactory& makeRequest, const Outgoing& outgoing)
{
	int backoffMs = 500;
	bool staleRetried = false;
	for (int attempt = 1;; ++attempt)
	{
		// A fresh request (for a token request: a fresh assertion) every try.
		const std::pair<std::string, std::string> request = makeRequest();
		const Poco::URI uri = checkedUri(request.first);
		const std::string where = origin(uri);
		std::string failure;
		int wait = -1;
		bool reused = false;
		try
		{
			HttpResponse response = sendOnce(uri, request.second, outgoing, reused);
			response.tries = attempt;
			lastStatus = response.status;
			lastDate = response.date;
			if (!retryableStatus(response.status) || attempt >= options.maxTries) return response;
			if (!outgoing.idempotent && response.status != 429) return response;   // it may have acted on it: never twice
			wait = retryAfterSeconds(response.retryAfter);
			if (wait > options.maxRetryAfterSeconds) return response; // not worth waiting for: report it
			failure = "HTTP " + std::to_string(response.status);
		}
		catch (const NetworkException&)
		{
			throw;
		}
		catch (const Poco::Exception& e)
		{
			throwIfFinal(e, uri, options.timeoutSeconds, viaProxy(uri));
			resetSession(uri);
			if (reused && !staleRetried && outgoing.idempotent)
			{
				// A kept-alive connection the server (or a load balancer) dropped
				// while idle, often without close_notify ("unexpected eof"): one
				// new connection, for free.
				staleRetried = true;
				--attempt;
				continue;
			}
			failure = retryableFailure(e, where, outgoing.method, outgoing.idempotent);
		}
		// A retryable failure.
		resetSession(uri);
		if (attempt >= options.maxTries)
			throw NetworkException("cannot get an answer from " + where + " after " + std::to_string(attempt) + " tries: " + failure);
		int sleepMs = wait >= 0 ? wait * 1000 : backoffMs;
		if (options.onRetry)
			options.onRetry("jwtflow: " + failure + " from " + where + "; retrying in " + std::to_string(sleepMs) + " ms (try "
				+ std::to_string(attempt + 1) + " of " + std::to_string(options.maxTries) + ")");
		Poco::Thread::sleep(sleepMs);
		backoffMs *= 2;
	}
}

} // namespace jwtflow
