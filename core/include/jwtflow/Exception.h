//
// Exception.h
//
// Library: jwtflow core
// The exception hierarchy of jwtflow and its mapping to the documented exit codes.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_EXCEPTION_INCLUDED
#define JWTFLOW_EXCEPTION_INCLUDED

#include "jwtflow/Export.h"
#include <Poco/Exception.h>
#include <string>

namespace jwtflow {

enum class ExitCode : int
	/// The exit codes of the jwtflow program (DESIGN.md, "Exit codes").
{
	Ok = 0,                 /// success
	Internal = 1,           /// a bug: report it
	Usage = 2,              /// usage or settings problem
	LocalInput = 3,         /// a key, certificate or file that cannot be read or is of the wrong kind
	IdpRefused = 4,         /// the IdP answered with an OAuth error
	Network = 5,            /// connection, TLS, time-out, 5xx or non-OAuth answer
	VerificationFailed = 6  /// `verify` refused the token
};

POCO_DECLARE_EXCEPTION(JWTFLOW_API, Exception, Poco::Exception)
	/// Root of every exception jwtflow throws on purpose. Its message is meant
	/// for a person: it names the problem and how to fix it, and never holds
	/// key material, passphrases or tokens.
POCO_DECLARE_EXCEPTION(JWTFLOW_API, UsageException, Exception)
	/// Unknown provider, action or option, a required setting missing, a malformed value (exit 2).
POCO_DECLARE_EXCEPTION(JWTFLOW_API, InputException, Exception)
	/// A key, certificate or file that cannot be read or is of the wrong kind (exit 3).
POCO_DECLARE_EXCEPTION(JWTFLOW_API, NetworkException, Exception)
	/// Cannot connect, TLS verification failed, time-out, 5xx or a non-OAuth answer (exit 5).
	/// When an answer arrived, code() is its HTTP status (0 otherwise): callers act on
	/// the status, never on the message's wording.
enum class TlsFailure : int
	/// Why a TLS connection was refused: the code() of a TlsException.
{
	UntrustedCertificate = 1, /// the server's chain does not verify (unknown CA, expired, revoked, self-signed)
	HostNameMismatch = 2      /// the certificate verifies but does not name the host that was asked for
};

POCO_DECLARE_EXCEPTION(JWTFLOW_API, TlsException, NetworkException)
	/// The server's certificate was refused (exit 5). code() is a TlsFailure;
	/// The message names the verify error in OpenSSL's words.
JWTFLOW_API TlsFailure tlsFailureOf(const TlsException& exc);
	/// The kind of a TLS refusal, as carried in its code().
POCO_DECLARE_EXCEPTION(JWTFLOW_API, VerificationException, Exception)
	/// A JWT failed verification: signature, algorithm or claims (exit 6).
POCO_DECLARE_EXCEPTION(JWTFLOW_API, PluginException, Exception)
	/// A plugin library that cannot be used (not a plugin, other ABI version, failed to load).

class JWTFLOW_API IdpException: public Exception
	/// The identity provider answered with an OAuth error (exit 4).
	/// Carries the HTTP status, the OAuth `error` and `error_description`,
	/// the first error code (Entra ID's error_codes[0], 0 when absent) and a hint on what to fix.
{
public:
	IdpException(int httpStatus, const std::string& error, const std::string& description,
		long errorCode, const std::string& hint);
	IdpException(const IdpException& other);
	~IdpException() noexcept override;
	IdpException& operator=(const IdpException& other);

	const char* name() const noexcept override;
	const char* className() const noexcept override;
	Poco::Exception* clone() const override;
	void rethrow() const override;

	int httpStatus() const;
	const std::string& error() const;
	const std::string& description() const;
	long errorCode() const;
	const std::string& hint() const;

private:
	int _httpStatus;
	std::string _error;
	std::string _description;
	long _errorCode;
	std::string _hint;
};

JWTFLOW_API ExitCode exitCodeFor(const Poco::Exception& exc);
	/// Maps a jwtflow exception to its exit code; anything that is not a
	/// jwtflow exception is an internal error.

JWTFLOW_API std::string messageFor(const Poco::Exception& exc);
	/// The one-line message for a person: the exception's text without the
	/// class name prefix that Poco's displayText() adds.

// inlines
inline int IdpException::httpStatus() const { return _httpStatus; }
inline const std::string& IdpException::error() const { return _error; }
inline const std::string& IdpException::description() const { return _description; }
inline long IdpException::errorCode() const { return _errorCode; }
inline const std::string& IdpException::hint() const { return _hint; }

} // namespace jwtflow

#endif // JWTFLOW_EXCEPTION_INCLUDED
