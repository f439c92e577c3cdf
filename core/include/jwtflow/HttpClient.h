//
// HttpClient.h
//
// Library: jwtflow core
// HTTPS requests to identity providers: TLS verification always on, time-outs,
// retries for 429/502/503/504 and resets (honouring Retry-After), a body size
// cap, HTTPS_PROXY, and keep-alive reuse of one connection per origin.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_HTTPCLIENT_INCLUDED
#define JWTFLOW_HTTPCLIENT_INCLUDED

#include "jwtflow/Export.h"
#include "jwtflow/Provider.h"
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace Poco {
namespace Net {
class Context;
}
}

namespace jwtflow {

struct JWTFLOW_NET_API HttpOptions
	/// How requests are made.
{
	std::string caFile;                 /// extra trusted CA certificates (PEM), added to the system CA folder (SSL_CERT_DIR or /etc/ssl/certs);
	                                    /// with one, a bundle named by SSL_CERT_FILE is not read. Read once per process:
	                                    /// every HttpClient with the same caFile shares one TLS context
	int timeoutSeconds = 30;            /// connect, and the whole request
	std::size_t maxBodyBytes = 1 << 20; /// a longer answer is refused
	std::string tooLargeHint = "an identity provider's answer is far smaller"; /// said when an answer passes maxBodyBytes
	int maxTries = 3;                   /// for 429, 502, 503, 504 and connection resets
	int maxRetryAfterSeconds = 30;      /// a longer Retry-After (after clamping to 1..60 s) is not waited for
	std::string proxy;                  /// http://[user:pass@]host:port, empty: none
	std::string noProxy;                /// NO_PROXY: comma-separated host suffixes
	std::function<void(const std::string&)> onRetry; /// told of each retry (for -v), may be empty
};

struct JWTFLOW_NET_API HttpResponse
	/// A response that arrived whole.
{
	int status = 0;
	std::string reason;
	std::string contentType;
	std::string body;
	std::string date;         /// the Date header, for clock-skew checks
	std::string retryAfter;   /// the Retry-After header
	int tries = 1;            /// how many attempts it took
	std::vector<std::pair<std::string, std::string>> headers; /// every response header, in order
};

struct JWTFLOW_NET_API HttpCall
	/// One API request with a Bearer token (`jwtflow <provider> call`).
{
	std::string method = "GET";  /// GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS
	std::string url;             /// absolute https URL (http for loopback hosts only)
	std::vector<std::pair<std::string, std::string>> headers; /// extra request headers; they replace the defaults
	                                                          /// (Accept: application/json) of the same name
	std::string body;            /// sent when not empty
	std::string contentType;     /// of the body; application/json when a body is given without one
	std::string bearerToken;     /// sent as Authorization: Bearer, may be empty
};

class JWTFLOW_NET_API HttpClient
	/// Sends requests and keeps one connection per origin alive between them.
	/// Not thread-safe: use one per thread, or guard it.
{
public:
	explicit HttpClient(HttpOptions options = {});
	~HttpClient();
	HttpClient(const HttpClient&) = delete;
	HttpClient& operator=(const HttpClient&) = delete;

	HttpResponse postForm(const std::string& url, const FormFields& form, const std::string& bearerToken = {});
		/// POSTs an application/x-www-form-urlencoded body. Retries as described;
		/// returns the final response whatever its status. One deadline
		/// (timeoutSeconds) covers each try whole: connect, TLS handshake,
		/// headers and body, however slowly the server trickles them. A
		/// kept-alive connection that the server dropped is reconnected once. Throws UsageException
		/// for a URL that is not https (http only for loopback hosts) and
		/// NetworkException for connection, TLS, time-out and size failures.
		/// Messages never contain the form or the token.

	using FormRequestFactory = std::function<std::pair<std::string, FormFields>()>;

	HttpResponse postForm(const FormRequestFactory& makeRequest, const std::string& bearerToken = {});
		/// As postForm(url, form), with the URL and form made anew for every
		/// try (a token request carries a fresh assertion each time).

	HttpResponse get(const std::string& url, const std::string& bearerToken = {});
		/// A GET, with the same rules.

	HttpResponse request(const HttpCall& call);
		/// Any method, with the same deadline, TLS and size rules. Retries
		/// follow the method: 429 is retried for every method (the server did
		/// not act on it); 502/503/504 and broken connections only for the
		/// idempotent ones (GET, HEAD, OPTIONS, PUT, DELETE), so a POST or
		/// PATCH is never sent twice. The headers of the final response are kept.

	int lastStatus() const;
		/// The status of the last response received (0 before any).

	std::string lastDate() const;
		/// The Date header of the last response received ("" when none): for
		/// a clock check after a request made through TokenClient.

	int connectionsOpened() const;
		/// How many connections were opened so far (keep-alive shows as 1).

	void closeConnections();
		/// Closes the kept-alive connections; the next request connects anew.

	const HttpOptions& options() const;

	static void initializeSsl();
		/// Initializes NetSSL once per process (thread-safe, idempotent).

	static void preferFastKeyExchange(Poco::Net::Context& context);
		/// Puts X25519 first in a TLS context's key-exchange groups (then P-256,
		/// X448, P-384, P-521). POCO's default list starts with X448, which both
		/// sides then compute on every handshake at several times X25519's cost.

private:
	struct Impl;
	std::unique_ptr<Impl> _impl;
};

JWTFLOW_NET_API void checkRequestHeader(const std::string& name, const std::string& value);
	/// The one check of a header jwtflow is asked to send (HttpCall::headers, its
	/// contentType, call's -H): the name a token of RFC 9110 (letters, digits,
	/// !#$%&'*+-.^_`|~), the value free of control characters but the tab (no CR
	/// or LF: a second header or request could ride on it), and not a header that
	/// frames the message or belongs to the connection (Transfer-Encoding, TE,
	/// Content-Length, Connection, Keep-Alive, Proxy-Connection, Upgrade, Trailer,
	/// Host) or to jwtflow (Authorization): a server that framed the message
	/// otherwise than jwtflow would read the rest as a request of its own.
	/// Throws UsageException naming the header (its value never shown).

JWTFLOW_NET_API std::string encodeRequestTarget(const std::string& url);
	/// url with every byte that may not appear in an HTTP request line
	/// percent-encoded: C0 controls (CR and LF among them), the space, DEL and
	/// bytes of 0x80 and above (UTF-8 text, as browsers send it). `%` and the
	/// URL's own delimiters are kept, so an encoded URL passes unchanged.

JWTFLOW_NET_API std::string encodeForm(const FormFields& form);
	/// name=value&... with both parts percent-encoded.

JWTFLOW_NET_API std::string firstLine(const std::string& text, std::size_t maxChars = 160);
	/// The first non-empty line of text with HTML tags removed, escaped (safeText)
	/// and cut to maxChars: for error messages.

const int MIN_RETRY_AFTER_SECONDS = 1;   /// Retry-After is clamped to 1..60 s
const int MAX_RETRY_AFTER_SECONDS = 60;

JWTFLOW_NET_API int retryAfterSeconds(const std::string& value);
	/// Seconds to wait for a Retry-After header (delta-seconds or HTTP-date),
	/// clamped to MIN..MAX_RETRY_AFTER_SECONDS (a negative or past value is 1 s,
	/// a far-future one 60 s); -1 when absent or unreadable.

} // namespace jwtflow

#endif // JWTFLOW_HTTPCLIENT_INCLUDED
