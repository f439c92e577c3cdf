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

namespace jwtflow {

struct JWTFLOW_API HttpOptions
	/// How requests are made.
{
	std::string caFile;                 /// extra trusted CA certificates (PEM), added to the system store
	int timeoutSeconds = 30;            /// connect, and the whole request
	std::size_t maxBodyBytes = 1 << 20; /// a longer answer is refused
	int maxTries = 3;                   /// for 429, 502, 503, 504 and connection resets
	int maxRetryAfterSeconds = 30;      /// a longer Retry-After is not waited for
	std::string proxy;                  /// http://[user:pass@]host:port, empty: none
	std::string noProxy;                /// NO_PROXY: comma-separated host suffixes
	std::function<void(const std::string&)> onRetry; /// told of each retry (for -v), may be empty
};

struct JWTFLOW_API HttpResponse
	/// A response that arrived whole.
{
	int status = 0;
	std::string reason;
	std::string contentType;
	std::string body;
	std::string date;         /// the Date header, for clock-skew checks
	std::string retryAfter;   /// the Retry-After header
	int tries = 1;            /// how many attempts it took
};

class JWTFLOW_API HttpClient
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
		/// returns the final response whatever its status. Throws UsageException
		/// for a URL that is not https (http only for loopback hosts) and
		/// NetworkException for connection, TLS, time-out and size failures.
		/// Messages never contain the form or the token.

	HttpResponse get(const std::string& url, const std::string& bearerToken = {});
		/// A GET, with the same rules.

	int connectionsOpened() const;
		/// How many connections were opened so far (keep-alive shows as 1).

	void closeConnections();
		/// Closes the kept-alive connections; the next request connects anew.

	const HttpOptions& options() const;

	static void initializeSsl();
		/// Initializes NetSSL once per process (thread-safe, idempotent).

private:
	struct Impl;
	std::unique_ptr<Impl> _impl;
};

JWTFLOW_API std::string encodeForm(const FormFields& form);
	/// name=value&... with both parts percent-encoded.

JWTFLOW_API std::string firstLine(const std::string& text, std::size_t maxChars = 160);
	/// The first non-empty line of text with HTML tags removed, cut to maxChars: for error messages.

} // namespace jwtflow

#endif // JWTFLOW_HTTPCLIENT_INCLUDED
