//
// Jwk.cpp
//
// Library: jwtflow core
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/Jwk.h"
#include "OpenSslSupport.h"
#include "jwtflow/Encoding.h"
#include "jwtflow/Exception.h"
#include "jwtflow/Json.h"
#include <Poco/SHA2Engine.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

namespace jwtflow {

namespace {

std::string bigNumber(EVP_PKEY* key, const char* name, int padTo = 0)
	/// A public key parameter as unsigned big-endian bytes (padded for EC coordinates).
{
	BIGNUM* bn = nullptr;
	if (EVP_PKEY_get_bn_param(key, name, &bn) != 1 || !bn)
		throw Exception(std::string("cannot read the key's ") + name + ": " + detail::takeOpenSslError());
	const int size = padTo > 0 ? padTo : BN_num_bytes(bn);
	std::string out(static_cast<std::size_t>(size), '\0');
	const int written = BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(&out[0]), size);
	BN_free(bn);
	if (written != size) throw Exception(std::string("cannot write the key's ") + name);
	return out;
}

struct Members
{
	std::string kty, crv, n, e, x, y;
};

Members membersOf(const PublicKey& key)
{
	Members m;
	if (key.type() == KeyType::RSA)
	{
		m.kty = "RSA";
		m.n = base64UrlEncode(bigNumber(key.native(), OSSL_PKEY_PARAM_RSA_N));
		m.e = base64UrlEncode(bigNumber(key.native(), OSSL_PKEY_PARAM_RSA_E));
		return m;
	}
	if (key.curveName() != "P-256")
		throw InputException("only P-256 EC keys can be written as a JWK here, not " + key.curveName());
	m.kty = "EC";
	m.crv = "P-256";
	m.x = base64UrlEncode(bigNumber(key.native(), OSSL_PKEY_PARAM_EC_PUB_X, 32));
	m.y = base64UrlEncode(bigNumber(key.native(), OSSL_PKEY_PARAM_EC_PUB_Y, 32));
	return m;
}

} // namespace

std::string jwkThumbprint(const PublicKey& key)
{
	const Members m = membersOf(key);
	// RFC 7638 section 3.2: the required members only, sorted, no whitespace.
	const std::string canonical = m.kty == "RSA"
		? "{\"e\":\"" + m.e + "\",\"kty\":\"RSA\",\"n\":\"" + m.n + "\"}"
		: "{\"crv\":\"" + m.crv + "\",\"kty\":\"EC\",\"x\":\"" + m.x + "\",\"y\":\"" + m.y + "\"}";
	Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
	sha.update(canonical);
	const auto& digest = sha.digest();
	return base64UrlEncode(std::string(digest.begin(), digest.end()));
}

Poco::JSON::Object::Ptr publicJwk(const PublicKey& key, const std::string& keyId, const std::string& algorithm)
{
	const Members m = membersOf(key);
	Poco::JSON::Object::Ptr jwk = newJsonObject();
	jwk->set("kty", m.kty);
	jwk->set("use", "sig");
	if (!algorithm.empty()) jwk->set("alg", algorithm);
	if (!keyId.empty()) jwk->set("kid", keyId);
	if (m.kty == "RSA")
	{
		jwk->set("n", m.n);
		jwk->set("e", m.e);
	}
	else
	{
		jwk->set("crv", m.crv);
		jwk->set("x", m.x);
		jwk->set("y", m.y);
	}
	return jwk;
}

} // namespace jwtflow
