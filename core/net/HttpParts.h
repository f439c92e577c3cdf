//
// HttpParts.h
//
// Library: jwtflow net (internal)
// The parts of HttpClient that have a file of their own: the TLS context
// (TlsContext.cpp), the URL and message rules (HttpMessage.cpp), the retry
// policy (RetryPolicy.cpp). HttpClient.cpp keeps the connections, the proxy
// and the send loop.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_HTTPPARTS_INCLUDED
#define JWTFLOW_HTTPPARTS_INCLUDED

#include "jwtflow/HttpClient.h"
#include <Poco/Net/Context.h>
#include <Poco/URI.h>
#include <string>

namespace jwtflow {
namespace detail {

Poco::Net::Context::Ptr sharedClientContext(const std::string& caFile);
	/// The process's client TLS context for caFile ("" for the system store only).
	/// Throws InputException for a CA file that cannot be used.

Poco::Net::Context::Ptr redisClientContext(const std::string& caFile, const std::string& certFile, const std::string& keyFile);
	/// The process's client TLS context for Redis with these files (shared like
	/// sharedClientContext): strict verification, the system store unless
	/// caFile is given, a client certificate when certFile/keyFile are.
	/// Throws InputException for a file that cannot be used.

Poco::URI checkedUri(const std::string& url);
	/// url parsed; UsageException for a space, control or non-ASCII byte, a URL that
	/// is not https, or plain http to a host that is not loopback.

std::string origin(const Poco::URI& uri);
	/// host:port, for messages.

bool retryableStatus(int status);
	/// 429, 502, 503 and 504.

struct CertificateRefusal
	/// What this thread's last TLS handshake refused in the server's chain,
	/// as OpenSSL's verify callback reported it (code 0: nothing refused).
{
	int code = 0;          ///< an X509_V_ERR_* value
	int depth = 0;         ///< 0: the server's own certificate
	std::string reason;    ///< OpenSSL's words for code
};

CertificateRefusal& lastCertificateRefusal();
	/// This thread's record; HttpClient clears it before each connection.

} // namespace detail
} // namespace jwtflow

#endif
