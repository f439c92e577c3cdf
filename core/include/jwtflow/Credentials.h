//
// Credentials.h
//
// Library: jwtflow core
// Keys with their certificate chains, from where enterprises keep them:
// PKCS#12 files (.p12/.pfx, as the Azure portal, Key Vault and Windows
// export them) and PEM certificate bundles (for the x5c header).
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_CREDENTIALS_INCLUDED
#define JWTFLOW_CREDENTIALS_INCLUDED

#include "jwtflow/Certificate.h"
#include "jwtflow/Export.h"
#include "jwtflow/Keys.h"
#include <optional>
#include <string>
#include <vector>

namespace jwtflow {

struct JWTFLOW_API Credentials
	/// A private key and its certificate chain.
{
	PrivateKey key;
	std::vector<Certificate> chain;   /// the key's own certificate first, then its issuers (may be empty)
};

JWTFLOW_API bool isPkcs12Path(const std::string& path);
	/// Whether path names a PKCS#12 file (.p12 or .pfx, any case).

JWTFLOW_API Credentials readPkcs12(const std::string& path, const std::optional<std::string>& password);
	/// The key, the certificate that belongs to it (not merely the first one)
	/// and the rest of the chain, ordered leaf first by issuer. Reads modern
	/// (AES, PBKDF2) and legacy (3DES, RC2-40: older Windows exports) files,
	/// loading OpenSSL's legacy provider when needed. Throws InputException
	/// (exit 3) for a missing file, a wrong or missing password, a file with
	/// no key, a file whose certificates do not belong to its key, and a
	/// legacy file that cannot be read here (with the openssl command that
	/// converts it). Never includes the password in a message.

JWTFLOW_API std::vector<Certificate> readCertificateChain(const std::string& path,
	const std::optional<std::string>& password = std::nullopt);
	/// Every certificate of a PEM bundle (in file order), the one of a DER
	/// file, or a PKCS#12 file's chain. Throws InputException as
	/// Certificate::fromFile does.

JWTFLOW_API std::vector<std::string> x5cOf(const std::vector<Certificate>& chain);
	/// The x5c header value (RFC 7515 4.1.6): standard (not url-safe) base64 of
	/// each certificate's DER, leaf first.

JWTFLOW_API std::string chainProblem(const std::vector<Certificate>& chain);
	/// "" when each certificate is issued (and signed) by the next one; else
	/// which link is broken, for doctor.

} // namespace jwtflow

#endif // JWTFLOW_CREDENTIALS_INCLUDED
