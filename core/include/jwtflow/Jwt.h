//
// Jwt.h
//
// Library: jwtflow core
// Compact JWS/JWT: signing, decoding without verification, and verification
// with an algorithm allow-list and claim checks.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_JWT_INCLUDED
#define JWTFLOW_JWT_INCLUDED

#include "jwtflow/Algorithm.h"
#include "jwtflow/Export.h"
#include "jwtflow/Keys.h"
#include <Poco/JSON/Object.h>
#include <Poco/Timestamp.h>
#include <optional>
#include <string>
#include <vector>

namespace jwtflow {

struct JWTFLOW_API DecodedJwt
	/// The parts of a compact JWT.
{
	Poco::JSON::Object::Ptr header;  /// the JOSE header
	Poco::JSON::Object::Ptr claims;  /// the payload (claims set)
	std::string signingInput;        /// base64url(header) "." base64url(payload)
	std::string signature;           /// raw signature bytes

	std::string algorithm() const;   /// the header's `alg`, empty when absent
};

JWTFLOW_API std::string signJwt(Poco::JSON::Object& header, const Poco::JSON::Object& claims,
	const PrivateKey& key, const Algorithm& alg);
	/// Sets header `alg` (first, unless already present) and returns the compact JWT.
	/// Throws InputException when the key does not suit the algorithm.

const Poco::Int64 MAX_NUMERIC_DATE = 253402300799; /// 9999-12-31T23:59:59Z: later (and negative) dates are refused

JWTFLOW_API DecodedJwt decodeJwt(const std::string& compact);
	/// Splits and decodes a compact JWT without verifying anything.
	/// Throws UsageException saying which part is malformed (never echoing the token):
	/// also for a token over 64 KiB (checked before decoding), base64 padding,
	/// duplicate member names and objects with too many members.

struct JWTFLOW_API VerifyOptions
	/// What verifyJwt() requires of a token beyond its signature.
{
	std::vector<std::string> algorithms;   /// allow-list; must not be empty (none/HMAC can never be listed)
	std::optional<std::string> issuer;     /// required `iss`, when set
	std::optional<std::string> subject;    /// required `sub`, when set
	std::optional<std::string> audience;   /// required among `aud` (string or array), when set
	int leewaySeconds = 60;                /// clock skew allowed for exp, nbf and iat
	bool requireExpiration = true;         /// a token without `exp` is refused
	std::optional<Poco::Timestamp> now;    /// the time to check against; the clock when unset
	std::optional<std::string> x5t;        /// when verifying with a certificate: its x5t; a header x5t must match
	std::optional<std::string> x5tS256;    /// likewise for x5t#S256
};

JWTFLOW_API DecodedJwt verifyJwt(const std::string& compact, const PublicKey& key, const VerifyOptions& options);
	/// Verifies signature, algorithm and claims. Throws VerificationException
	/// naming the first check that failed (malformed or duplicate member names,
	/// algorithm not allowed, a jku/x5u key URL or crit extension in the header,
	/// an x5t naming another certificate, bad signature, expired, not yet valid,
	/// issued in the future, wrong iss/sub/aud). Keys are never fetched from URLs;
	/// signatures are checked by OpenSSL's verify, never compared as bytes.

JWTFLOW_API std::optional<Poco::Int64> numericClaim(const Poco::JSON::Object& claims, const std::string& name);
	/// A NumericDate claim as whole seconds; nullopt when absent.
	/// Throws VerificationException when present but not a number.

} // namespace jwtflow

#endif // JWTFLOW_JWT_INCLUDED
