//
// Assertion.cpp
//
// Library: jwtflow core
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/Assertion.h"
#include "jwtflow/Credentials.h"
#include "jwtflow/SecureFiles.h"
#include "FileInput.h"
#include "OpenSslSupport.h"
#include "jwtflow/Exception.h"
#include "jwtflow/Json.h"
#include "jwtflow/Jwt.h"
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>
#include <openssl/rand.h>
#include <array>
#include <atomic>
#include <cstdint>
#include <algorithm>
#include <cctype>

namespace jwtflow {

std::optional<std::string> passphraseFrom(const Settings& settings)
{
	if (auto p = settings.get("PRIVATE_KEY_PASSPHRASE")) return p;
	if (auto file = settings.get("PRIVATE_KEY_PASSPHRASE_FILE")) return readSecretLine(*file, "passphrase file");
	return std::nullopt;
}

std::pair<std::string, Poco::Dynamic::Var> parseClaimOption(const std::string& text)
{
	auto eq = text.find('=');
	if (eq == std::string::npos || eq == 0 || (eq == 1 && text[0] == ':'))
		throw UsageException("--claim takes NAME=VALUE (a string) or NAME:=JSON (a number, boolean, array or object)");
	bool json = text[eq - 1] == ':';
	std::string name = text.substr(0, json ? eq - 1 : eq);
	std::string value = text.substr(eq + 1);
	for (char c: name)
		if (std::isspace(static_cast<unsigned char>(c)))
			throw UsageException("--claim name '" + name + "' contains a space");
	if (!json) return {name, Poco::Dynamic::Var(value)};
	try
	{
		return {name, parseJsonValue(value)};   // 42, true, null and "text" as well as [..] and {..}
	}
	catch (const Poco::Exception&)
	{
		throw UsageException("--claim " + name + ":= needs a JSON value (for example 42, true, [\"a\"], {\"k\":1})");
	}
}

namespace {

const char* const RESERVED_CLAIMS[] = {"iss", "sub", "aud", "exp", "iat", "nbf", "jti"};

int parseLifetime(const Settings& settings, const AssertionPolicy& policy, const std::string& providerName)
{
	auto value = settings.lookup("JWT_LIFETIME");
	if (!value.found) return policy.defaultLifetimeSeconds;
	int seconds = 0;
	if (!Poco::NumberParser::tryParse(value.value, seconds) || seconds <= 0)
		throw UsageException("JWT_LIFETIME '" + value.value + "' (from " + value.source + ") is not a positive number of seconds");
	if (seconds > policy.maxLifetimeSeconds)
		throw UsageException("JWT_LIFETIME " + std::to_string(seconds) + " s (from " + value.source + ") exceeds " + providerName
			+ "'s maximum of " + std::to_string(policy.maxLifetimeSeconds) + " s: the identity provider would refuse the JWT");
	return seconds;
}

const Algorithm& chooseAlgorithm(const Settings& settings, const AssertionPolicy& policy, const std::string& providerName)
{
	auto value = settings.lookup("JWT_ALGORITHM");
	std::string name = value.found ? value.value : (policy.algorithms.empty() ? "RS256" : policy.algorithms.front());
	const Algorithm& alg = Algorithm::fromName(name);
	if (std::find(policy.algorithms.begin(), policy.algorithms.end(), name) == policy.algorithms.end())
	{
		std::string allowed;
		for (const auto& a: policy.algorithms) allowed += (allowed.empty() ? "" : ", ") + a;
		throw UsageException("JWT_ALGORITHM " + name + " is not accepted by " + providerName + "; use " + allowed);
	}
	return alg;
}

std::string randomJwtId()
	/// A unique `jti` in the form of a version 4 UUID: 122 random bits drawn
	/// once per process from OpenSSL's CSPRNG, with a per-process counter added
	/// to the low 48 bits. A jti must be unique, not secret (RFC 7519 4.1.7);
	/// one DRBG call per assertion would cost as much as an ECDSA signature's
	/// nonce, and Poco's UUID generator opens /dev/urandom on every call.
{
	static const std::array<unsigned char, 16> base = [] {
		std::array<unsigned char, 16> b{};
		if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1)
			throw Exception("the random number generator failed: " + detail::takeOpenSslError());
		b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);
		b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);
		return b;
	}();
	static std::atomic<std::uint64_t> counter{0};
	std::array<unsigned char, 16> b = base;
	std::uint64_t low = 0;
	for (int i = 10; i < 16; ++i) low = (low << 8) | b[static_cast<std::size_t>(i)];
	low = (low + counter.fetch_add(1, std::memory_order_relaxed)) & 0xFFFFFFFFFFFFull;
	for (int i = 15; i >= 10; --i, low >>= 8) b[static_cast<std::size_t>(i)] = static_cast<unsigned char>(low & 0xFF);
	static const char* const hex = "0123456789abcdef";
	std::string id;
	id.reserve(36);
	for (std::size_t i = 0; i < 16; ++i)
	{
		if (i == 4 || i == 6 || i == 8 || i == 10) id += '-';
		id += hex[b[i] >> 4];
		id += hex[b[i] & 0x0F];
	}
	return id;
}

} // namespace

std::optional<std::string> pkcs11PinFrom(const Settings& settings)
{
	if (auto pin = settings.get("PKCS11_PIN")) return pin;
	auto pinFile = settings.get("PKCS11_PIN_FILE");
	if (!pinFile) return std::nullopt;
	return readSecretLine(*pinFile, "PIN file (PKCS11_PIN_FILE)");
}

namespace {

/// The key at path, with the passphrase given (read once by the caller); a PKCS#12 file's chain into chain.
PrivateKey loadKeyAt(const std::string& path, const Settings& settings, const std::optional<std::string>& passphrase,
	std::vector<Certificate>* chain)
{
	if (path.compare(0, 7, "pkcs11:") == 0)
	{
		// A key in an HSM or smart card.
		std::optional<std::string> pin = pkcs11PinFrom(settings);
		std::string noPin;
		detail::WipeOnExit wipePin{pin ? *pin : noPin};
		return PrivateKey::fromPkcs11(path, settings.getOr("PKCS11_MODULE", ""), pin);
	}
	if (isPkcs12Path(path))
	{
		Credentials credentials = readPkcs12(path, passphrase);
		if (chain) *chain = credentials.chain;
		return credentials.key;
	}
	return PrivateKey::fromFile(path, passphrase);
}

} // namespace

PrivateKey loadPrivateKey(const std::string& path, const Settings& settings)
{
	std::optional<std::string> passphrase = path.compare(0, 7, "pkcs11:") == 0 ? std::nullopt : passphraseFrom(settings);
	std::string none;
	detail::WipeOnExit wipePassphrase{passphrase ? *passphrase : none};
	return loadKeyAt(path, settings, passphrase, nullptr);
}

SigningKey loadSigningKey(const Provider& provider, const Settings& settings)
{
	if (std::optional<KeyMaterial> material = provider.privateKey(settings))
	{
		std::optional<std::string> passphrase = passphraseFrom(settings);
		std::string empty;
		detail::WipeOnExit wipePassphrase{passphrase ? *passphrase : empty};
		detail::WipeOnExit wipePem{material->pem};
		return {PrivateKey::fromPem(material->pem, material->label, passphrase), material->label, material->path, {}};
	}
	const std::string path = settings.require("PATH_PRIVATE_KEY");
	const bool token = path.compare(0, 7, "pkcs11:") == 0;
	// One read of the passphrase (file) per load, none for a key in a token.
	std::optional<std::string> passphrase = token ? std::nullopt : passphraseFrom(settings);
	std::string empty;
	detail::WipeOnExit wipePassphrase{passphrase ? *passphrase : empty};
	const std::string label = token ? "PKCS#11 key '" + path + "'" : isPkcs12Path(path) ? "PKCS#12 file '" + path + "'" : path;
	SigningKey signing{PrivateKey(nullptr), label, token ? std::string() : path, {}};
	signing.key = loadKeyAt(path, settings, passphrase, &signing.chain);
	return signing;
}

AssertionMinter::AssertionMinter(const Provider& provider, const Settings& settings, ExtraClaims extraClaims):
	AssertionMinter(provider, settings, loadSigningKey(provider, settings), std::move(extraClaims))
{
}

AssertionMinter::AssertionMinter(const Provider& provider, const Settings& settings, const SigningKey& signingKey,
	ExtraClaims extraClaims):
	_provider(provider),
	_settings(settings),
	_extraClaims(std::move(extraClaims)),
	_algorithm(&chooseAlgorithm(settings, provider.assertionPolicy(), provider.name())),
	_lifetime(parseLifetime(settings, provider.assertionPolicy(), provider.name())),
	_key(signingKey.key)
{
	for (const auto& claim: _extraClaims)
	{
		for (const char* reserved: RESERVED_CLAIMS)
			if (claim.first == reserved)
				throw UsageException("--claim cannot set '" + claim.first + "': jwtflow sets it from the settings "
					"(iss: CLIENT_ID, sub: SUBJECT, aud: AUDIENCE, exp: JWT_LIFETIME)");
	}
	if (auto certPath = settings.get("PATH_CERTIFICATE"))
	{
		// A PEM bundle (leaf first) or a PKCS#12 file: the certificate and its chain.
		_chain = isPkcs12Path(*certPath) && signingKey.path == *certPath ? signingKey.chain
			: readCertificateChain(*certPath, isPkcs12Path(*certPath) ? passphraseFrom(settings) : std::nullopt);
		if (_chain.empty()) throw InputException("the certificate file '" + *certPath + "' holds no certificate");
		_certificate = _chain.front();
		if (!_certificate->publicKey().matches(_key))
			throw InputException("the certificate '" + *certPath + "' does not belong to the private key '"
				+ settings.getOr("PATH_PRIVATE_KEY", "") + "': give the certificate made from this key (in a bundle, the key's own first)");
	}
	else if (!signingKey.chain.empty())
	{
		// The PKCS#12 file holds the key's certificate (and chain) too.
		_chain = signingKey.chain;
		_certificate = _chain.front();
	}
	setUp();
}

void AssertionMinter::setUp()
{
	const Settings& settings = _settings;
	const Provider& provider = _provider;
	const std::string sendX5c = Poco::toLower(settings.getOr("SEND_X5C", "false"));
	if (sendX5c != "false" && sendX5c != "true" && sendX5c != "0" && sendX5c != "1")
		throw UsageException("SEND_X5C must be true or false, not '" + sendX5c + "'");
	if (sendX5c == "true" || sendX5c == "1")
	{
		if (_chain.empty())
			throw UsageException("SEND_X5C needs the certificate chain: set PATH_CERTIFICATE to the certificate (a PEM bundle, "
				"leaf first) or use a PKCS#12 key file");
		_x5c = new Poco::JSON::Array;
		for (const auto& der: x5cOf(_chain)) _x5c->add(der);
	}
	const AssertionPolicy policy = provider.assertionPolicy();
	std::string allowed;
	for (const auto& a: policy.algorithms) allowed += (allowed.empty() ? "" : ", ") + a;
	if (!settings.lookup("JWT_ALGORITHM").found && _algorithm->keyType != _key.type())
	{
		// No algorithm asked for: the provider's first one that suits the key (ES256 for an EC P-256 key).
		for (const auto& name: policy.algorithms)
		{
			const Algorithm& candidate = Algorithm::fromName(name);
			if (candidate.keyType != _key.type()) continue;
			_algorithm = &candidate;
			break;
		}
	}
	// Fail now, not at the first mint, when the key cannot sign with the algorithm.
	try
	{
		_key.checkSuits(*_algorithm);
	}
	catch (const InputException& e)
	{
		throw InputException(e.message() + " (" + provider.name() + " takes " + allowed + ")");
	}
}

MintedAssertion AssertionMinter::mint(std::optional<Poco::Timestamp> now) const
{
	const Poco::Int64 iat = (now ? *now : Poco::Timestamp()).epochTime();
	AssertionContext context{_settings, iat, iat + _lifetime, _algorithm->name,
		randomJwtId(),
		_certificate ? &*_certificate : nullptr};
	MintedAssertion minted;
	minted.header = newJsonObject();
	minted.claims = newJsonObject();
	_provider.declareAssertion(context, *minted.header, *minted.claims);
	if (_x5c) minted.header->set("x5c", _x5c);   // RFC 7515 4.1.6: the chain, leaf first (Entra ID: subject name + issuer)
	for (const auto& claim: _extraClaims) minted.claims->set(claim.first, claim.second);
	minted.compact = signJwt(*minted.header, *minted.claims, _key, *_algorithm);
	minted.expiresAt = context.expiresAt;
	return minted;
}

} // namespace jwtflow
