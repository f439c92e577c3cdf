//
// KeyFactory.h
//
// Library: jwtflow core
// Making new key pairs and X.509 certificates (self-signed or CA-issued):
// for keygen, the emulator's TLS certificates and the demo.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_KEYFACTORY_INCLUDED
#define JWTFLOW_KEYFACTORY_INCLUDED

#include "jwtflow/Certificate.h"
#include "jwtflow/Export.h"
#include "jwtflow/Keys.h"
#include <optional>
#include <string>
#include <vector>

namespace jwtflow {

struct JWTFLOW_API CertificateRequest
	/// What a new certificate says.
{
	std::string commonName = "jwtflow";      /// subject CN
	int days = 365;                          /// validity from now (may be negative: for expired test certificates)
	int startOffsetSeconds = -60;            /// notBefore relative to now
	bool isCertificateAuthority = false;     /// basicConstraints CA:TRUE and keyCertSign
	std::vector<std::string> dnsNames;       /// subjectAltName DNS entries
	std::vector<std::string> ipAddresses;    /// subjectAltName IP entries
};

class JWTFLOW_API KeyFactory
	/// Creates keys and certificates with OpenSSL.
{
public:
	static PrivateKey generateRsa(int bits = 2048);
		/// A new RSA key. Throws UsageException for sizes other than 2048, 3072, 4096.

	static PrivateKey generateEc(const std::string& curve = "P-256");
		/// A new EC key. Throws UsageException for curves other than P-256.

	static void generateInToken(const std::string& uri, const std::string& module, const std::string& pin, bool ellipticCurve, int bits);
		/// Makes a key pair inside a PKCS#11 token (the URI's token= and object=
		/// name the token and the new key's label): the private key is sensitive
		/// and not extractable. Load it with PrivateKey::fromPkcs11. Throws
		/// InputException for a module, token, PIN or mechanism that fails.

	static Certificate issue(const PrivateKey& subjectKey, const CertificateRequest& request,
		const PrivateKey* issuerKey = nullptr, const Certificate* issuerCert = nullptr);
		/// A certificate for subjectKey, signed with SHA-256 by issuerKey (and
		/// naming issuerCert's subject as issuer), or self-signed when no issuer is given.
};

} // namespace jwtflow

#endif // JWTFLOW_KEYFACTORY_INCLUDED
