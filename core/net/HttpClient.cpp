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
#include <Poco/DateTimeParser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
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

std::string encodeForm(const FormFields& form)
{
	std::string body;
	for (const auto& field: form)
	{
		if (!body.empty()) body += '&';
		body += urlEncode(field.first);
		body += '=';
		body += urlEncode(field.second);
	}
	return body;
}

std::string firstLine(const std::string& text, std::size_t maxChars)
{
	std::string plain;
	bool inTag = false;
	for (char c: text)
	{
		if (c == '<') { inTag = true; plain += ' '; continue; }
		if (c == '>') { inTag = false; plain += ' '; continue; }
		if (!inTag) plain += c;
	}
	Poco::StringTokenizer lines(plain, "\n", Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
	for (const auto& line: lines)
	{
		std::string l;
		bool space = false;
		for (char c: line)
		{
			unsigned char u = static_cast<unsigned char>(c);
			if (u < 0x20 || c == ' ') { space = true; continue; }
			if (space && !l.empty()) l += ' ';
			space = false;
			l += c;
		}
		if (l.empty()) continue;
		return safeText(l, maxChars);
	}
	return "(empty body)";
}

void HttpClient::initializeSsl()
{
	static std::once_flag once;
	std::call_once(once, [] {
		initializeSSL();
		// Never the interactive ConsoleCertificateHandler: an untrusted
		// certificate is refused, always. This default context is never used
		// for a connection (each HttpClient has its own), so it loads no CAs.
		Context::Ptr ctx = new Context(Context::TLS_CLIENT_USE, "", Context::VERIFY_STRICT, 9, false);
		ctx->requireMinimumProtocol(Context::PROTO_TLSV1_2);
		ctx->enableExtendedCertificateVerification(true);
		SSLManager::instance().initializeClient(nullptr, new RejectCertificateHandler(false), ctx);
	});
}

void HttpClient::preferFastKeyExchange(Context& context)
{
	SSL_CTX_set1_groups_list(context.sslContext(), "X25519:P-256:X448:P-384:P-521");
	ERR_clear_error();
}

namespace {

void trustSystemCertificates(SSL_CTX* ctx, bool haveCaFile)
	/// The system's trusted CAs, looked up by subject hash in the certificate
	/// folder (/etc/ssl/certs, or SSL_CERT_DIR) when a chain needs one, rather
	/// than parsing a whole bundle up front (~140 certificates, 20 ms for a
	/// 220 KB bundle). A bundle named by SSL_CERT_FILE is read only when no
	/// CA_FILE was given: with one, CA_FILE and the folder decide the trust.
{
	const char* file = std::getenv(X509_get_default_cert_file_env());
	const char* dir = std::getenv(X509_get_default_cert_dir_env());
	if (haveCaFile) file = nullptr;
	if (file && *file) SSL_CTX_load_verify_file(ctx, file);
	if (!dir || !*dir) dir = X509_get_default_cert_dir();
	bool haveDir = false;
	try
	{
		haveDir = Poco::File(dir).isDirectory();
	}
	catch (const Poco::Exception&)
	{
	}
	if (!(haveDir && SSL_CTX_load_verify_dir(ctx, dir) == 1) && !(file && *file) && !haveCaFile) SSL_CTX_set_default_verify_paths(ctx);
	ERR_clear_error();
}

/// One client TLS context per CA file for the whole process: made (and its
/// trust loaded) when the first HTTPS connection needs it, then shared by every
/// HttpClient. A context is read-only once made, so connections on several
/// threads may use it at once.
Context::Ptr sharedClientContext(const std::string& caFile)
{
	static std::mutex mutex;
	static std::map<std::string, Context::Ptr>* contexts = new std::map<std::string, Context::Ptr>;   // kept to the end
	std::lock_guard<std::mutex> lock(mutex);
	auto found = contexts->find(caFile);
	if (found != contexts->end()) return found->second;
	HttpClient::initializeSsl();
	Context::Ptr context;
	try
	{
		context = new Context(Context::TLS_CLIENT_USE, caFile, Context::VERIFY_STRICT, 9, false);
	}
	catch (const Poco::Exception& e)
	{
		throw InputException("cannot use CA file '" + caFile + "': " + e.message());
	}
	trustSystemCertificates(context->sslContext(), !caFile.empty());
	HttpClient::preferFastKeyExchange(*context);
	context->requireMinimumProtocol(Context::PROTO_TLSV1_2);
	context->enableExtendedCertificateVerification(true);
	context->setInvalidCertificateHandler(new RejectCertificateHandler(false));
	contexts->emplace(caFile, context);
	return context;
}

} // namespace

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
		if (isLoopbackHost(host)) return true;
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
		if (!options.proxy.empty() && !bypassProxy(uri.getHost()))
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

namespace {

Poco::URI checkedUri(const std::string& url)
{
	// POCO sends the query as it is given: a CR LF in it would end the request line
	// early and start headers (or a request) of the caller's choosing.
	for (char c: url)
	{
		const unsigned char u = static_cast<unsigned char>(c);
		if (u <= 0x20 || u >= 0x7f)
			throw UsageException(quotedText(url, 120) + " holds a space, a control character or a byte that is not ASCII, "
				"which no request line may carry: percent-encode it (%20, %0D%0A, ...)");
	}
	Poco::URI uri;
	try
	{
		uri = Poco::URI(url);
	}
	catch (const Poco::Exception&)
	{
		throw UsageException(quotedText(url, 120) + " is not a URL");
	}
	const std::string scheme = Poco::toLower(uri.getScheme());
	if (uri.getHost().empty() || (scheme != "https" && scheme != "http"))
		throw UsageException(quotedText(url, 120) + " is not an https URL");
	if (scheme == "http" && !isLoopbackHost(uri.getHost()))
		throw UsageException("refusing plain http to " + uri.getHost() + ": use https (http is accepted for loopback addresses only)");
	return uri;
}

bool retryableStatus(int status)
{
	return status == 429 || status == 502 || status == 503 || status == 504;
}

}

int retryAfterSeconds(const std::string& value)
{
	if (value.empty()) return -1;
	const std::string text = Poco::trim(value);
	Poco::Int64 seconds = 0;
	if (Poco::NumberParser::tryParse64(text, seconds))
		return static_cast<int>(std::max<Poco::Int64>(MIN_RETRY_AFTER_SECONDS, std::min<Poco::Int64>(seconds, MAX_RETRY_AFTER_SECONDS)));
	if (!text.empty() && (text[0] == '-' || text[0] == '+' || std::isdigit(static_cast<unsigned char>(text[0]))))
		return MAX_RETRY_AFTER_SECONDS;   // a number too large for 64 bits, or with junk after it
	try
	{
		int tz = 0;
		Poco::DateTime when = Poco::DateTimeParser::parse(text, tz);
		const Poco::Int64 s = static_cast<Poco::Int64>(when.timestamp().epochTime()) - static_cast<Poco::Int64>(Poco::Timestamp().epochTime());
		return static_cast<int>(std::max<Poco::Int64>(MIN_RETRY_AFTER_SECONDS, std::min<Poco::Int64>(s, MAX_RETRY_AFTER_SECONDS)));
	}
	catch (const Poco::Exception&)
	{
		return -1;
	}
}

namespace {

std::string origin(const Poco::URI& uri)
{
	return uri.getHost() + ":" + std::to_string(uri.getPort());
}

} // namespace

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

void checkRequestHeader(const std::string& name, const std::string& value)
{
	static const char* const tokenExtras = "!#$%&'*+-.^_`|~";
	bool nameOk = !name.empty() && name.size() <= 256;
	for (char c: name)
		nameOk = nameOk && (std::isalnum(static_cast<unsigned char>(c)) || std::strchr(tokenExtras, c) != nullptr) && c != '\0';
	if (!nameOk) throw UsageException("header " + quotedText(name, 40) + " is not a header name: letters, digits and !#$%&'*+-.^_`|~ only");
	for (char c: value)
	{
		const unsigned char u = static_cast<unsigned char>(c);
		if ((u < 0x20 && c != '\t') || u == 0x7f)
			throw UsageException("the value of header " + quotedText(name, 40) + " holds a control character (a line break would "
				"start another header or request): give it on one line, without control characters");
	}
	static const char* const refused[] = {"Transfer-Encoding", "TE", "Content-Length", "Connection", "Keep-Alive",
		"Proxy-Connection", "Upgrade", "Trailer", "Host"};
	for (const char* r: refused)
		if (Poco::icompare(name, r) == 0)
			throw UsageException("jwtflow frames the request itself: it sends no " + std::string(r) + " header of yours (it would let "
				"a server read the message otherwise than jwtflow sent it)");
	if (Poco::icompare(name, "Authorization") == 0)
		throw UsageException("jwtflow sends the token as Authorization itself: give no Authorization header");
}

std::string encodeRequestTarget(const std::string& url)
{
	static const char* hex = "0123456789ABCDEF";
	std::string out;
	out.reserve(url.size());
	for (char c: url)
	{
		const unsigned char u = static_cast<unsigned char>(c);
		if (u <= 0x20 || u >= 0x7f)
		{
			out += '%';
			out += hex[u >> 4];
			out += hex[u & 15];
		}
		else
		{
			out += c;
		}
	}
	return out;
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

/// A TLS failure that is about the certificate (untrusted, expired, wrong
/// host), as opposed to a connection that ended.
bool isCertificateFailure(const std::string& message)
{
	const std::string m = Poco::toLower(message);
	return m.find("certificate") != std::string::npos || m.find("verify failed") != std::string::npos
		|| m.find("hostname") != std::string::npos || m.find("host name") != std::string::npos;
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
		catch (const Poco::TimeoutException&)
		{
			throw NetworkException("no complete answer from " + where + " within " + std::to_string(options.timeoutSeconds)
				+ " s (--timeout)");
		}
		catch (const ConnectionRefusedException&)
		{
			throw NetworkException("cannot connect to " + where + ": connection refused (is the URL right, is the service up?)");
		}
		catch (const HostNotFoundException&)
		{
			throw NetworkException("cannot resolve host " + uri.getHost() + ": check the URL (and the network / HTTPS_PROXY)");
		}
		catch (const NoAddressFoundException&)
		{
			throw NetworkException("cannot resolve host " + uri.getHost() + ": check the URL (and the network / HTTPS_PROXY)");
		}
		catch (const Poco::Exception& e)
		{
			const std::string msg = e.message().empty() ? e.displayText() : e.message();
			const bool tls = dynamic_cast<const SSLException*>(&e) != nullptr;
			if (tls && isCertificateFailure(msg))
				throw NetworkException("TLS with " + where + " failed: " + safeText(msg)
					+ ": the server's certificate is not trusted or does not name this host (for a private CA, give --ca-file)");
			if (msg.find("Cannot establish proxy") != std::string::npos)
				throw NetworkException("the proxy refused to connect to " + where + ": check HTTPS_PROXY");
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
			const bool retryable = tls || dynamic_cast<const NoMessageException*>(&e) || dynamic_cast<const ConnectionResetException*>(&e)
				|| (dynamic_cast<const Poco::IOException*>(&e) && !dynamic_cast<const Poco::Net::NetException*>(&e));
			if (!retryable || !outgoing.idempotent) throw NetworkException("network error talking to " + where + ": " + safeText(msg)
				+ (retryable ? " (not retried: a " + outgoing.method + " may have been carried out)" : ""));
			failure = dynamic_cast<const NoMessageException*>(&e) ? "the connection closed without an answer"
				: dynamic_cast<const ConnectionResetException*>(&e) ? "the connection was reset"
				: tls ? "the TLS connection broke (" + safeText(msg, 80) + ")"
				: "I/O error: " + safeText(msg, 80);
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
