//
// Jwk.h
//
// Library: jwtflow core
// Public keys as JSON Web Keys (RFC 7517/7518) and their RFC 7638
// thumbprints: what Okta, Keycloak and Auth0 register for private_key_jwt.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_JWK_INCLUDED
#define JWTFLOW_JWK_INCLUDED

#include "jwtflow/Export.h"
#include "jwtflow/Keys.h"
#include <Poco/JSON/Object.h>
#include <string>

namespace jwtflow {

JWTFLOW_API std::string jwkThumbprint(const PublicKey& key);
	/// The RFC 7638 thumbprint: base64url(SHA-256) of the canonical JWK
	/// ({"e","kty","n"} for RSA, {"crv","kty","x","y"} for EC). A common kid.

JWTFLOW_API Poco::JSON::Object::Ptr publicJwk(const PublicKey& key, const std::string& keyId, const std::string& algorithm);
	/// {"kty", "use": "sig", "alg", "kid", "n", "e"} or {"kty", "crv", ..., "x", "y"}.
	/// Empty keyId or algorithm leave that member out.

} // namespace jwtflow

#endif // JWTFLOW_JWK_INCLUDED
