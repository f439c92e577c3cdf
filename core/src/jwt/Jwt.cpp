//
// Jwt.cpp
//
// Library: jwtflow core
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/Jwt.h"
#include "jwtflow/Encoding.h"
#include "jwtflow/Exception.h"
#include "jwtflow/Json.h"
#include "jwtflow/SafeText.h"
#include <Poco/JSON/Array.h>
#include <algorithm>
#include <cmath>

namespace jwtflow {

std::string DecodedJwt::algorithm() const
{
	return header ? jsonString(*header, "alg") : std::string();
}

std::string signJwt(Poco::JSON::Object& header, const Poco::JSON::Object& claims, const PrivateKey& key,
	const Algorithm& alg)
{
	// `alg` first, then the rest in the order given (RFC 7515 does not require
	// it, but it is what people and other libraries expect to read).
	// Rebuilt in place: copying or assigning an order-preserving Poco 1.11
	// JSON::Object leaves it pointing into the source object's storage.
	std::vector<std::pair<std::string, Poco::Dynamic::Var>> extras;
	for (const auto& name: header.getNames())
		if (name != "alg") extras.emplace_back(name, header.get(name));
	header.clear();
	header.set("alg", alg.name);
	for (const auto& extra: extras) header.set(extra.first, extra.second);
	std::string input = base64UrlEncode(objectToJson(header));
	input += '.';
	input += base64UrlEncode(objectToJson(claims));
	std::string signature = key.sign(alg, input);
	input += '.';
	input += base64UrlEncode(signature);
	return input;
}

namespace {

const std::size_t MAX_JWT_BYTES = 64 * 1024;

} // namespace

namespace {

Poco::JSON::Object::Ptr decodePart(const std::string& part, const char* what)
{
	std::string json;
	try
	{
		json = base64UrlDecode(part);
	}
	catch (const Poco::Exception&)
	{
		throw UsageException(std::string("malformed JWT: the ") + what + " is not base64url");
	}
	try
	{
		return parseStrictJsonObject(json);
	}
	catch (const Poco::DataFormatException& e)
	{
		if (e.code() == static_cast<int>(JsonRefusal::DuplicateMember))
			throw UsageException(std::string("malformed JWT: the ") + what + " has a " + e.message() + " (refused: it could be read two ways)");
		if (e.code() == static_cast<int>(JsonRefusal::TooMany))
			throw UsageException(std::string("malformed JWT: the ") + what + " has " + e.message());
		throw UsageException(std::string("malformed JWT: the ") + what + " is not a JSON object");
	}
	catch (const Poco::Exception&)
	{
		throw UsageException(std::string("malformed JWT: the ") + what + " is not a JSON object");
	}
}

} // namespace

DecodedJwt decodeJwt(const std::string& compactIn)
{
	std::string compact = compactIn;
	while (!compact.empty() && (compact.back() == '\n' || compact.back() == '\r' || compact.back() == ' '))
		compact.pop_back();
	if (compact.empty()) throw UsageException("malformed JWT: the token is empty");
	// Checked before anything is decoded: no JWT an IdP issues comes near it.
	if (compact.size() > MAX_JWT_BYTES)
		throw UsageException("malformed JWT: the token is " + std::to_string(compact.size()) + " bytes, more than the "
			+ std::to_string(MAX_JWT_BYTES / 1024) + " KiB a JWT can be here");
	if (compact.find('=') != std::string::npos)
		throw UsageException("malformed JWT: a part has base64 padding ('='), which a compact JWT never has (RFC 7515 2)");
	auto first = compact.find('.');
	auto second = first == std::string::npos ? std::string::npos : compact.find('.', first + 1);
	if (first == std::string::npos || second == std::string::npos || compact.find('.', second + 1) != std::string::npos)
		throw UsageException("malformed JWT: expected three base64url parts separated by dots "
			"(a JWE or a token of another kind is not supported)");
	DecodedJwt jwt;
	jwt.header = decodePart(compact.substr(0, first), "header");
	jwt.claims = decodePart(compact.substr(first + 1, second - first - 1), "payload");
	jwt.signingInput = compact.substr(0, second);
	try
	{
		jwt.signature = base64UrlDecode(compact.substr(second + 1));
	}
	catch (const Poco::Exception&)
	{
		throw UsageException("malformed JWT: the signature is not base64url");
	}
	return jwt;
}

std::optional<Poco::Int64> numericClaim(const Poco::JSON::Object& claims, const std::string& name)
{
	if (!claims.has(name) || claims.isNull(name)) return std::nullopt;
	Poco::Dynamic::Var v = claims.get(name);
	if (!v.isNumeric() || v.type() == typeid(bool))
		throw VerificationException("claim '" + name + "' is not a NumericDate (seconds since 1970)");
	// Range-checked as a double before any conversion: a cast of a double at
	// or past 2^63 is undefined, and 1e19 once "verified" as valid.
	double d = 0;
	if (v.isInteger() && !v.isSigned())
	{
		Poco::UInt64 u = v.convert<Poco::UInt64>();
		d = u > static_cast<Poco::UInt64>(MAX_NUMERIC_DATE) ? static_cast<double>(MAX_NUMERIC_DATE) + 1 : static_cast<double>(u);
	}
	else if (v.isInteger())
	{
		Poco::Int64 i = v.convert<Poco::Int64>();
		d = i > MAX_NUMERIC_DATE ? static_cast<double>(MAX_NUMERIC_DATE) + 1 : (i < 0 ? -1.0 : static_cast<double>(i));
	}
	else
	{
		d = v.convert<double>();
	}
	if (!std::isfinite(d)) throw VerificationException("claim '" + name + "' is not a finite number");
	if (d < 0 || d > static_cast<double>(MAX_NUMERIC_DATE))
		throw VerificationException("claim '" + name + "' is outside the dates jwtflow accepts (1970 to the end of year 9999)");
	return static_cast<Poco::Int64>(std::floor(d));
}

namespace {

std::string timeText(Poco::Int64 seconds)
{
	return std::to_string(seconds);
}

bool audienceMatches(const Poco::JSON::Object& claims, const std::string& expected)
{
	if (!claims.has("aud")) return false;
	Poco::Dynamic::Var aud = claims.get("aud");
	if (aud.isString()) return aud.extract<std::string>() == expected;
	if (aud.type() == typeid(Poco::JSON::Array::Ptr))
	{
		auto arr = aud.extract<Poco::JSON::Array::Ptr>();
		for (std::size_t i = 0; arr && i < arr->size(); ++i)
		{
			Poco::Dynamic::Var item = arr->get(static_cast<unsigned>(i));
			if (item.isString() && item.extract<std::string>() == expected) return true;
		}
	}
	return false;
}

void requireClaim(const Poco::JSON::Object& claims, const char* name, const std::optional<std::string>& expected)
{
	if (!expected) return;
	if (!claims.has(name) || claims.isNull(name))
		throw VerificationException(std::string("the token has no '") + name + "' claim, expected " + quotedText(*expected));
	// StringOrURI (RFC 7519 2): a number, boolean, array or object never matches.
	Poco::Dynamic::Var v = claims.get(name);
	if (!v.isString())
		throw VerificationException(std::string("claim '") + name + "' is not a string (RFC 7519 wants a StringOrURI), expected "
			+ quotedText(*expected));
	const std::string actual = v.extract<std::string>();
	if (actual != *expected)
		throw VerificationException(std::string("claim '") + name + "' is " + quotedText(actual) + ", expected " + quotedText(*expected));
}

} // namespace

DecodedJwt verifyJwt(const std::string& compact, const PublicKey& key, const VerifyOptions& options)
{
	DecodedJwt jwt;
	try
	{
		jwt = decodeJwt(compact);
	}
	catch (const UsageException& e)
	{
		throw VerificationException(e.message());
	}
	const std::string algName = jwt.algorithm();
	if (algName.empty()) throw VerificationException("the JWT header has no 'alg'");
	if (!jwt.header->get("alg").isString()) throw VerificationException("the JWT header's 'alg' is not a string");
	if (options.algorithms.empty()) throw UsageException("no algorithm is allowed for verification");
	if (std::find(options.algorithms.begin(), options.algorithms.end(), algName) == options.algorithms.end())
	{
		std::string allowed;
		for (const auto& a: options.algorithms) allowed += (allowed.empty() ? "" : ", ") + a;
		throw VerificationException("algorithm " + quotedText(algName, 40) + " is not allowed (allowed: " + allowed + ")");
	}
	if (!Algorithm::isSupported(algName))
		throw VerificationException("algorithm " + quotedText(algName, 40) + " is never accepted (none and HMAC are refused)");
	const Algorithm& alg = Algorithm::fromName(algName);
	const Poco::JSON::Object& header = *jwt.header;
	for (const char* remote: {"jku", "x5u"})
		if (header.has(remote))
			throw VerificationException(std::string("the header names a key URL (") + remote + "), which jwtflow never follows: "
				"verify with the key or certificate you trust");
	if (header.has("crit"))
		throw VerificationException("the header lists critical extensions (crit) that jwtflow does not understand");
	if (options.x5t && header.has("x5t") && jsonString(header, "x5t") != *options.x5t)
		throw VerificationException("the header's x5t names another certificate than the one given");
	if (options.x5tS256 && header.has("x5t#S256") && jsonString(header, "x5t#S256") != *options.x5tS256)
		throw VerificationException("the header's x5t#S256 names another certificate than the one given");
	if (alg.keyType != key.type())
		throw VerificationException("algorithm '" + algName + "' does not match the " +
			describeKey(key.type(), key.bits(), key.curveName()) + " verification key");
	if (key.type() == KeyType::RSA && key.bits() < 2048)
		throw InputException("the verification key is RSA " + std::to_string(key.bits()) + "-bit: jwtflow refuses RSA keys "
			"under 2048 bits (RFC 7518 3.3), which can be forged; no identity provider signs with one");
	// High-s ES256 signatures are accepted: RFC 7518 allows them and OpenSSL,
	// python-cryptography, Go and Java make them half the time. jwtflow's own
	// are always low-s, and no jwtflow check keys anything on a signature.
	if (!key.verify(alg, jwt.signingInput, jwt.signature))
		throw VerificationException("the signature does not match: the token was altered or signed with another key");

	const Poco::Int64 now = (options.now ? *options.now : Poco::Timestamp()).epochTime();
	const Poco::Int64 leeway = options.leewaySeconds;
	const Poco::JSON::Object& claims = *jwt.claims;
	auto exp = numericClaim(claims, "exp");
	auto nbf = numericClaim(claims, "nbf");
	auto iat = numericClaim(claims, "iat");
	if (!exp && options.requireExpiration) throw VerificationException("the token has no 'exp' claim");
	if (exp && now > *exp + leeway)
		throw VerificationException("the token expired at " + timeText(*exp) + " (" + std::to_string(now - *exp) + " s ago)");
	if (nbf && now + leeway < *nbf)
		throw VerificationException("the token is not valid before " + timeText(*nbf) + " (" + std::to_string(*nbf - now) + " s from now)");
	if (iat && now + leeway < *iat)
		throw VerificationException("the token was issued in the future (iat " + timeText(*iat) + "): check the clocks");
	requireClaim(claims, "iss", options.issuer);
	requireClaim(claims, "sub", options.subject);
	if (options.audience && !audienceMatches(claims, *options.audience))
		throw VerificationException("the token's audience " + quotedText(jsonString(claims, "aud")) + " does not include "
			+ quotedText(*options.audience));
	return jwt;
}

} // namespace jwtflow
