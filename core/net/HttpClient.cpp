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
#include <cstdlib>
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
		if (l.size() > maxChars) l = l.substr(0, maxChars) + "...";
		return l;
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

namespace {

void trustSystemCertificates(SSL_CTX* ctx)
	/// The system's trusted CAs, looked up by subject hash in the certificate
	/// folder (/etc/ssl/certs) when a chain needs one, rather than parsing the
	/// whole bundle up front (OpenSSL's default paths: ~140 certificates, tens of
	/// milliseconds per context). SSL_CERT_FILE and SSL_CERT_DIR are honoured.
{
	const char* file = std::getenv(X509_get_default_cert_file_env());
	const char* dir = std::getenv(X509_get_default_cert_dir_env());
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
	if (!(haveDir && SSL_CTX_load_verify_dir(ctx, dir) == 1) && !(file && *file)) SSL_CTX_set_default_verify_paths(ctx);
	ERR_clear_error();
}

} // namespace

struct HttpClient::Impl
{
	HttpOptions options;
	Context::Ptr context;
	std::map<std::string, std::unique_ptr<HTTPClientSession>> sessions;
	int connections = 0;

	Context::Ptr tlsContext()
	{
		if (!context)
		{
			HttpClient::initializeSsl();
			try
			{
				context = new Context(Context::TLS_CLIENT_USE, options.caFile, Context::VERIFY_STRICT, 9, false);
			}
			catch (const Poco::Exception& e)
			{
				throw InputException("cannot use CA file '" + options.caFile + "': " + e.message());
			}
			trustSystemCertificates(context->sslContext());
			context->requireMinimumProtocol(Context::PROTO_TLSV1_2);
			context->enableExtendedCertificateVerification(true);
			context->setInvalidCertificateHandler(new RejectCertificateHandler(false));
		}
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
		if (it != sessions.end()) it->second->reset();
	}

	HTTPClientSession& session(const Poco::URI& uri)
	{
		const std::string key = sessionKey(uri);
		auto it = sessions.find(key);
		if (it != sessions.end()) return *it->second;
		std::unique_ptr<HTTPClientSession> s;
		if (uri.getScheme() == "https")
			s.reset(new HTTPSClientSession(uri.getHost(), uri.getPort(), tlsContext()));
		else
			s.reset(new HTTPClientSession(uri.getHost(), uri.getPort()));
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
		auto& ref = *s;
		sessions[key] = std::move(s);
		return ref;
	}

	HttpResponse send(const std::string& url, const std::string& method, const std::string& body,
		const std::string& contentType, const std::string& bearer);

	HttpResponse sendOnce(const Poco::URI& uri, const std::string& method, const std::string& body,
		const std::string& contentType, const std::string& bearer)
	{
		HTTPClientSession& s = session(uri);
		const Poco::Timestamp started;
		const Poco::Timestamp::TimeDiff deadline = static_cast<Poco::Timestamp::TimeDiff>(options.timeoutSeconds) * 1000000;
		std::string path = uri.getPathEtc();
		if (path.empty()) path = "/";
		HTTPRequest request(method, path, HTTPMessage::HTTP_1_1);
		request.setHost(uri.getHost(), uri.getPort());
		request.set("Accept", "application/json");
		request.set("User-Agent", "jwtflow");
		if (!bearer.empty()) request.set("Authorization", "Bearer " + bearer);
		if (!contentType.empty())
		{
			request.setContentType(contentType);
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
		if (response.hasContentLength() && response.getContentLength64() > static_cast<Poco::Int64>(options.maxBodyBytes))
		{
			s.reset();
			throw NetworkException(uri.getHost() + " answered HTTP " + std::to_string(result.status) + " with a body of "
				+ std::to_string(response.getContentLength64()) + " bytes, more than the " + std::to_string(options.maxBodyBytes)
				+ " bytes an identity provider's answer can be");
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
					+ " bytes, more than an identity provider's answer can be");
			}
			if (started.isElapsed(deadline))
			{
				s.reset();
				throw Poco::TimeoutException("whole request");
			}
		}
		if (response.hasContentLength() && static_cast<Poco::Int64>(result.body.size()) < response.getContentLength64())
		{
			s.reset();
			throw NetworkException(uri.getHost() + " closed the connection before the whole answer arrived (got "
				+ std::to_string(result.body.size()) + " of " + std::to_string(response.getContentLength64()) + " bytes)");
		}
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

void HttpClient::closeConnections()
{
	for (auto& session: _impl->sessions) session.second->reset();
}
const HttpOptions& HttpClient::options() const { return _impl->options; }

namespace {

Poco::URI checkedUri(const std::string& url)
{
	Poco::URI uri;
	try
	{
		uri = Poco::URI(url);
	}
	catch (const Poco::Exception&)
	{
		throw UsageException("'" + url + "' is not a URL");
	}
	const std::string scheme = Poco::toLower(uri.getScheme());
	if (uri.getHost().empty() || (scheme != "https" && scheme != "http"))
		throw UsageException("'" + url + "' is not an https URL");
	if (scheme == "http" && !isLoopbackHost(uri.getHost()))
		throw UsageException("refusing plain http to " + uri.getHost() + ": use https (http is accepted for loopback addresses only)");
	return uri;
}

bool retryableStatus(int status)
{
	return status == 429 || status == 502 || status == 503 || status == 504;
}

/// Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); -1 when absent or unreadable.
int retryAfterSeconds(const std::string& value)
{
	if (value.empty()) return -1;
	int seconds = 0;
	if (Poco::NumberParser::tryParse(Poco::trim(value), seconds)) return seconds < 0 ? 0 : seconds;
	try
	{
		int tz = 0;
		Poco::DateTime when = Poco::DateTimeParser::parse(value, tz);
		Poco::Timespan diff = when - Poco::DateTime();
		return diff.totalSeconds() > 0 ? static_cast<int>(diff.totalSeconds()) : 0;
	}
	catch (const Poco::Exception&)
	{
		return -1;
	}
}

std::string origin(const Poco::URI& uri)
{
	return uri.getHost() + ":" + std::to_string(uri.getPort());
}

} // namespace

HttpResponse HttpClient::postForm(const std::string& url, const FormFields& form, const std::string& bearerToken)
{
	return _impl->send(url, "POST", encodeForm(form), "application/x-www-form-urlencoded", bearerToken);
}

HttpResponse HttpClient::get(const std::string& url, const std::string& bearerToken)
{
	return _impl->send(url, "GET", "", "", bearerToken);
}

HttpResponse HttpClient::Impl::send(const std::string& url, const std::string& method, const std::string& body,
	const std::string& contentType, const std::string& bearer)
{
	const Poco::URI uri = checkedUri(url);
	const std::string where = origin(uri);
	int backoffMs = 500;
	bool staleRetried = false;
	for (int attempt = 1;; ++attempt)
	{
		std::string failure;
		int wait = -1;
		try
		{
			HttpResponse response = sendOnce(uri, method, body, contentType, bearer);
			response.tries = attempt;
			if (!retryableStatus(response.status) || attempt >= options.maxTries) return response;
			wait = retryAfterSeconds(response.retryAfter);
			if (wait > options.maxRetryAfterSeconds) return response; // not worth waiting for: report it
			failure = "HTTP " + std::to_string(response.status);
		}
		catch (const NetworkException&)
		{
			throw;
		}
		catch (const SSLException& e)
		{
			throw NetworkException("TLS with " + where + " failed: " + e.message()
				+ ": the server's certificate is not trusted or does not name this host (for a private CA, give --ca-file)");
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
		catch (const NoMessageException&)
		{
			// The server closed a kept-alive connection: reconnect once, for free.
			resetSession(uri);
			if (!staleRetried)
			{
				staleRetried = true;
				--attempt;
				continue;
			}
			failure = "the connection closed without an answer";
		}
		catch (const ConnectionResetException&)
		{
			failure = "the connection was reset";
		}
		catch (const Poco::Net::NetException& e)
		{
			std::string msg = e.message().empty() ? e.displayText() : e.message();
			if (msg.find("Cannot establish proxy") != std::string::npos)
				throw NetworkException("the proxy refused to connect to " + where + ": check HTTPS_PROXY");
			throw NetworkException("network error talking to " + where + ": " + msg);
		}
		catch (const Poco::IOException& e)
		{
			failure = "I/O error: " + (e.message().empty() ? e.displayText() : e.message());
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
