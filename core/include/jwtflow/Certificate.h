//
// Certificate.h
//
// Library: jwtflow core
// X.509 certificates (PEM or DER) and their thumbprints (x5t, x5t#S256).
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_CERTIFICATE_INCLUDED
#define JWTFLOW_CERTIFICATE_INCLUDED

#include "jwtflow/Export.h"
#include "jwtflow/Keys.h"
#include <Poco/Timestamp.h>
#include <memory>
#include <string>

struct x509_st;

namespace jwtflow {

class JWTFLOW_API Certificate
	/// An X.509 certificate. Copies share the parsed certificate.
{
public:
	static Certificate fromFile(const std::string& path);
		/// Loads a PEM or DER certificate (the first one of a PEM bundle).
		/// Throws InputException naming the file and what is wrong (missing,
		/// empty, a private key instead of a certificate, not a certificate).

	static Certificate fromPem(const std::string& pem, const std::string& label);
		/// As fromFile(), from PEM text in memory.

	std::string der() const;
		/// The DER encoding: what thumbprints are computed over.

	std::string toPem() const;

	PublicKey publicKey() const;

	std::string subject() const;
		/// The subject in OpenSSL's one-line RFC 2253 form.

	std::string issuer() const;

	Poco::Timestamp notBefore() const;
	Poco::Timestamp notAfter() const;

	std::string sha1Thumbprint() const;
		/// The raw 20-byte SHA-1 digest of the DER.

	std::string sha256Thumbprint() const;
		/// The raw 32-byte SHA-256 digest of the DER.

	std::string x5t() const;
		/// base64url(SHA-1(DER)), unpadded: 27 characters (RFC 7515, 4.1.7).

	std::string x5tS256() const;
		/// base64url(SHA-256(DER)), unpadded: 43 characters (RFC 7515, 4.1.8).

	x509_st* native() const;

	explicit Certificate(std::shared_ptr<x509_st> cert);

private:
	std::shared_ptr<x509_st> _cert;
};

} // namespace jwtflow

#endif // JWTFLOW_CERTIFICATE_INCLUDED
