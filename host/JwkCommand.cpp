//
// JwkCommand.cpp
//
// Program: jwtflow
// `jwtflow jwk`: the public JWK (or a JWK Set) of a key, a certificate or a
// PKCS#12 file, with its RFC 7638 thumbprint as kid, what an OIDC provider
// (Okta, Keycloak, Auth0) registers for private_key_jwt.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "JwtflowApp.h"
#include "jwtflow/Algorithm.h"
#include "jwtflow/Assertion.h"
#include "jwtflow/Credentials.h"
#include "jwtflow/Exception.h"
#include "jwtflow/Json.h"
#include "jwtflow/Jwk.h"
#include <Poco/JSON/Array.h>

namespace jwtflow {
namespace host {

int JwtflowApp::commandJwk()
{
	// The key: an option names it, else the settings (.env): the certificate, the private key, the public key.
	auto given = [this](const char* name) -> std::optional<std::string> {
		auto it = _settingOptions.find(name);
		if (it != _settingOptions.end()) return it->second;
		return std::nullopt;
	};
	Settings& s = settings();
	std::optional<std::string> certPath = given("PATH_CERTIFICATE"), keyPath = given("PATH_PRIVATE_KEY"), pubPath = given("PATH_PUBLIC_KEY");
	if (!certPath && !keyPath && !pubPath)
	{
		certPath = s.get("PATH_CERTIFICATE");
		keyPath = s.get("PATH_PRIVATE_KEY");
		if (!certPath && !keyPath) pubPath = s.get("PATH_PUBLIC_KEY");
	}
	if (!certPath && !keyPath && !pubPath)
		throw UsageException("jwk needs a key: --certificate FILE, --private-key FILE (PEM, DER or .p12/.pfx) or --public-key FILE "
			"(or PATH_CERTIFICATE / PATH_PRIVATE_KEY in .env)");
	const std::optional<std::string> passphrase = passphraseFrom(s);
	std::vector<Certificate> chain;
	std::optional<PublicKey> key;
	if (certPath)
	{
		chain = readCertificateChain(*certPath, passphrase);
		key = chain.front().publicKey();
	}
	if (keyPath)
	{
		Credentials credentials = isPkcs12Path(*keyPath) ? readPkcs12(*keyPath, passphrase)
			: Credentials{loadPrivateKey(*keyPath, s), {}};   // PEM, DER or a pkcs11: URI
		if (key && !key->matches(credentials.key))
			throw InputException("the certificate '" + *certPath + "' does not belong to the private key '" + *keyPath + "'");
		if (chain.empty()) chain = credentials.chain;
		key = credentials.key.publicKey();
	}
	if (pubPath && !key) key = PublicKey::fromFile(*pubPath);

	const std::string thumbprint = jwkThumbprint(*key);
	if (hasFlag("rfc7638"))
	{
		_console.result(thumbprint);
		return 0;
	}
	std::string alg;
	if (auto a = given("JWT_ALGORITHM"))
	{
		const Algorithm& algorithm = Algorithm::fromName(*a);
		if (algorithm.keyType != key->type())
			throw UsageException("--alg " + *a + " does not suit this " + describeKey(key->type(), key->bits(), key->curveName()));
		alg = algorithm.name;
	}
	const std::string kid = flagValue("kid", thumbprint);
	Poco::JSON::Object::Ptr jwk = publicJwk(*key, kid, alg);
	if (!chain.empty())
	{
		jwk->set("x5t", chain.front().x5t());
		jwk->set("x5t#S256", chain.front().x5tS256());
		if (hasFlag("x5c"))
		{
			Poco::JSON::Array::Ptr x5c = new Poco::JSON::Array;
			for (const auto& der: x5cOf(chain)) x5c->add(der);
			jwk->set("x5c", x5c);
		}
	}
	else if (hasFlag("x5c"))
	{
		throw UsageException("--x5c needs a certificate: give --certificate FILE (a PEM bundle, leaf first) or a PKCS#12 key");
	}
	if (hasFlag("jwks"))
	{
		Poco::JSON::Object set(Poco::JSON_PRESERVE_KEY_ORDER);
		Poco::JSON::Array::Ptr keys = new Poco::JSON::Array;
		keys->add(jwk);
		set.set("keys", keys);
		_console.json(set);
	}
	else
	{
		_console.json(*jwk);
	}
	return 0;
}

} // namespace host
} // namespace jwtflow
