//
// Algorithm.h
//
// Library: jwtflow core
// The JWS signature algorithms jwtflow signs and verifies with.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_ALGORITHM_INCLUDED
#define JWTFLOW_ALGORITHM_INCLUDED

#include "jwtflow/Export.h"
#include <string>
#include <vector>

namespace jwtflow {

enum class KeyType
	/// The kinds of asymmetric key jwtflow works with.
{
	RSA,
	EC
};

struct JWTFLOW_API Algorithm
	/// One asymmetric JWS algorithm (RFC 7518). `none` and the HMAC
	/// algorithms are deliberately not representable: a JWT signed with them
	/// can never be minted or accepted.
{
	enum class Padding { PKCS1, PSS, ECDSA };

	std::string name;      /// "RS256", "PS256", "ES256", ...
	KeyType keyType;       /// the key kind the algorithm needs
	Padding padding;       /// signature scheme
	int digestBits;        /// 256, 384 or 512
	int ecCoordinateBytes; /// for ECDSA: the size of r and s in the JWS form (32 for P-256); else 0

	static const Algorithm& fromName(const std::string& name);
		/// Looks up a supported algorithm by its JWS name.
		/// Throws UsageException naming the supported algorithms when the
		/// name is unknown, `none`, or an HMAC algorithm.

	static bool isSupported(const std::string& name);
		/// True when fromName() would succeed.

	static std::vector<std::string> supportedNames();
		/// RS256, RS384, RS512, PS256, PS384, PS512, ES256.

	static std::vector<std::string> namesForKey(KeyType type);
		/// The algorithms a key of that type can verify: used as the default
		/// allow-list when the user names none.
};

} // namespace jwtflow

#endif // JWTFLOW_ALGORITHM_INCLUDED
