//
// Keys.cpp
//
// Library: jwtflow core
// Private/public key loading and raw JWS signatures on OpenSSL EVP.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/Keys.h"
#include "jwtflow/SecureFiles.h"
#include "FileInput.h"
#include "OpenSslSupport.h"
#include "jwtflow/Exception.h"
#include "jwtflow/SecretPrompt.h"
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <cstring>

namespace jwtflow {

namespace detail {

std::string takeOpenSslError()
{
	unsigned long code = ERR_peek_last_error();
	std::string text;
	if (code)
	{
		const char* reason = ERR_reason_error_string(code);
		text = reason ? reason : "unknown OpenSSL error";
	}
	ERR_clear_error();
	return text.empty() ? "unknown OpenSSL error" : text;
}

const EVP_MD* digestFor(int bits)
{
	switch (bits)
	{
	case 384: return EVP_sha384();
	case 512: return EVP_sha512();
	default: return EVP_sha256();
	}
}

} // namespace detail

using namespace detail;

namespace {

struct PassphraseState
{
	const std::optional<std::string>* passphrase;
	bool asked = false;
};

int passphraseCallback(char* buf, int size, int /*rwflag*/, void* u)
{
	auto* state = static_cast<PassphraseState*>(u);
	state->asked = true;
	if (!state->passphrase->has_value()) return -1;
	const std::string& p = **state->passphrase;
	if (static_cast<int>(p.size()) > size) return -1;
	std::memcpy(buf, p.data(), p.size());
	return static_cast<int>(p.size());
}

bool contains(const std::string& s, const char* what) { return s.find(what) != std::string::npos; }

KeyType keyTypeOf(EVP_PKEY* key, const std::string& label)
{
	int id = EVP_PKEY_get_base_id(key);
	if (id == EVP_PKEY_RSA) return KeyType::RSA;
	if (id == EVP_PKEY_EC) return KeyType::EC;
	const char* name = EVP_PKEY_get0_type_name(key);
	throw InputException(label + " is a " + std::string(name ? name : "unknown") +
		" key, which jwtflow does not sign with: use an RSA (2048 bits or more) or EC P-256 key");
}

std::string curveOf(EVP_PKEY* key)
{
	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) return {};
	char name[64] = {0};
	std::size_t len = 0;
	if (!EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, &len)) return "unknown curve";
	std::string n(name, len);
	if (n == "prime256v1" || n == "P-256") return "P-256";
	if (n == "secp384r1" || n == "P-384") return "P-384";
	if (n == "secp521r1" || n == "P-521") return "P-521";
	return n;
}

void checkKeySuits(EVP_PKEY* key, const std::string& curve, const Algorithm& alg, const std::string& what)
{
	KeyType type = EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA ? KeyType::RSA : KeyType::EC;
	if (type != alg.keyType)
	{
		throw InputException("the " + what + " is " + describeKey(type, EVP_PKEY_get_bits(key), curve) + " but "
			+ alg.name + " needs " + (alg.keyType == KeyType::RSA ? "an RSA key" : "an EC P-256 key")
			+ ": use a key of that kind or choose another algorithm (JWT_ALGORITHM)");
	}
	if (type == KeyType::RSA && EVP_PKEY_get_bits(key) < 2048)
		throw InputException("the " + what + " is RSA " + std::to_string(EVP_PKEY_get_bits(key))
			+ "-bit, too small to sign with: identity providers require 2048 bits or more");
	if (type == KeyType::EC && curve != "P-256")
		throw InputException("the " + what + " is on curve " + curve + " but " + alg.name + " needs P-256");
}

bool configurePss(EVP_PKEY_CTX* pctx, const Algorithm& alg)
{
	if (alg.padding != Algorithm::Padding::PSS) return true;
	return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0
		&& EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) > 0;
}

/// n / 2 for P-256: an ECDSA signature (r, s) with s above it has a twin
/// (r, n - s) that verifies too; jwtflow makes and accepts only the low one.
const BIGNUM* p256HalfOrder()
{
	static BIGNUM* half = [] {
		BIGNUM* n = nullptr;
		BN_hex2bn(&n, "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");
		BN_rshift1(n, n);
		return n;
	}();
	return half;
}

const BIGNUM* p256Order()
{
	static BIGNUM* order = [] {
		BIGNUM* n = nullptr;
		BN_hex2bn(&n, "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");
		return n;
	}();
	return order;
}

std::string derToJose(const std::string& der, int coordinateBytes)
{
	const auto* p = reinterpret_cast<const unsigned char*>(der.data());
	ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
	if (!sig) throw Exception("cannot convert the ECDSA signature: " + takeOpenSslError());
	const BIGNUM* r = nullptr;
	const BIGNUM* s = nullptr;
	ECDSA_SIG_get0(sig, &r, &s);
	std::string out(static_cast<std::size_t>(coordinateBytes) * 2, '\0');
	auto* o = reinterpret_cast<unsigned char*>(&out[0]);
	// Low-s form (s <= n/2): the one canonical signature of the two that verify.
	BIGNUM* lowS = BN_dup(s);
	if (lowS && coordinateBytes == 32 && BN_cmp(lowS, p256HalfOrder()) > 0) BN_sub(lowS, p256Order(), lowS);
	bool ok = lowS && BN_bn2binpad(r, o, coordinateBytes) == coordinateBytes
		&& BN_bn2binpad(lowS, o + coordinateBytes, coordinateBytes) == coordinateBytes;
	BN_free(lowS);
	ECDSA_SIG_free(sig);
	if (!ok) throw Exception("cannot convert the ECDSA signature");
	return out;
}

std::string joseToDer(const std::string& jose, int coordinateBytes)
{
	if (jose.size() != static_cast<std::size_t>(coordinateBytes) * 2) return {};
	const auto* p = reinterpret_cast<const unsigned char*>(jose.data());
	BIGNUM* r = BN_bin2bn(p, coordinateBytes, nullptr);
	BIGNUM* s = BN_bin2bn(p + coordinateBytes, coordinateBytes, nullptr);
	ECDSA_SIG* sig = ECDSA_SIG_new();
	if (!r || !s || !sig || !ECDSA_SIG_set0(sig, r, s))
	{
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(sig);
		return {};
	}
	unsigned char* der = nullptr;
	int len = i2d_ECDSA_SIG(sig, &der);
	ECDSA_SIG_free(sig);
	if (len <= 0) return {};
	std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
	OPENSSL_free(der);
	return out;
}

} // namespace

bool isLowSEcdsaSignature(const std::string& jose, int coordinateBytes)
{
	if (coordinateBytes != 32 || jose.size() != 64) return true;
	const auto* p = reinterpret_cast<const unsigned char*>(jose.data());
	BIGNUM* s = BN_bin2bn(p + 32, 32, nullptr);
	bool low = s && BN_cmp(s, p256HalfOrder()) <= 0;
	BN_free(s);
	return low;
}

namespace {

EVP_PKEY* decodePublic(const std::string& data, const char* inputType)
{
	EVP_PKEY* pkey = nullptr;
	OSSL_DECODER_CTX* dctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, inputType, nullptr, nullptr,
		EVP_PKEY_PUBLIC_KEY, nullptr, nullptr);
	if (!dctx) return nullptr;
	const auto* p = reinterpret_cast<const unsigned char*>(data.data());
	std::size_t len = data.size();
	if (!OSSL_DECODER_from_data(dctx, &p, &len)) pkey = nullptr;
	OSSL_DECODER_CTX_free(dctx);
	ERR_clear_error();
	return pkey;
}

/// A plain (unencrypted) PEM private key through the narrowest decoder: the
/// PEM label and, for PKCS#8, the algorithm in the key tell the structure and
/// the key type, so OpenSSL sets up one decoder instead of trying them all
/// (about a tenth of `jwtflow <provider> jwt`'s instructions). nullptr when the
/// text is anything else (encrypted, EC parameters first, an unknown type) or
/// does not decode: the caller then takes the general path and its messages.
EVP_PKEY* decodePlainPrivateKey(const std::string& data)
{
	BioPtr bio = memoryBio(data);
	char* name = nullptr;
	char* header = nullptr;
	unsigned char* der = nullptr;
	long length = 0;
	if (PEM_read_bio(bio.get(), &name, &header, &der, &length) != 1)
	{
		ERR_clear_error();
		return nullptr;
	}
	const std::string label = name;
	const bool plainHeader = header == nullptr || *header == '\0';
	OPENSSL_free(name);
	OPENSSL_free(header);
	const char* structure = nullptr;
	const char* keyType = nullptr;
	if (plainHeader && label == "RSA PRIVATE KEY") { structure = "type-specific"; keyType = "RSA"; }
	if (plainHeader && label == "EC PRIVATE KEY") { structure = "type-specific"; keyType = "EC"; }
	if (plainHeader && label == "PRIVATE KEY")
	{
		structure = "PrivateKeyInfo";
		const unsigned char* p = der;
		if (PKCS8_PRIV_KEY_INFO* info = d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, length))
		{
			const ASN1_OBJECT* algorithm = nullptr;
			if (PKCS8_pkey_get0(&algorithm, nullptr, nullptr, nullptr, info) == 1)
			{
				const int nid = OBJ_obj2nid(algorithm);
				if (nid == NID_rsaEncryption) keyType = "RSA";
				if (nid == NID_rsassaPss) keyType = "RSA-PSS";
				if (nid == NID_X9_62_id_ecPublicKey) keyType = "EC";
			}
			PKCS8_PRIV_KEY_INFO_free(info);
		}
	}
	EVP_PKEY* pkey = nullptr;
	if (keyType)
	{
		OSSL_DECODER_CTX* dctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, "DER", structure, keyType,
			EVP_PKEY_KEYPAIR, nullptr, nullptr);
		const unsigned char* p = der;
		std::size_t left = static_cast<std::size_t>(length);
		if (!dctx || !OSSL_DECODER_from_data(dctx, &p, &left) || left != 0)
		{
			EVP_PKEY_free(pkey);
			pkey = nullptr;
		}
		OSSL_DECODER_CTX_free(dctx);
	}
	OPENSSL_clear_free(der, static_cast<std::size_t>(length));
	ERR_clear_error();
	return pkey;
}

} // namespace

std::string describeKey(KeyType type, int bits, const std::string& curve)
{
	if (type == KeyType::RSA) return "RSA " + std::to_string(bits) + "-bit";
	return "EC " + curve;
}

// ---------------------------------------------------------------- PrivateKey

PrivateKey::PrivateKey(std::shared_ptr<evp_pkey_st> key): _key(std::move(key)), _curve(_key ? curveOf(_key.get()) : std::string()) {}

PrivateKey PrivateKey::fromFile(const std::string& path, const std::optional<std::string>& passphrase)
{
	std::string data = readInputFile(path, "private key");
	WipeOnExit wipe{data};
	PrivateKey key = fromPem(data, "private key '" + path + "'", passphrase);
	// Once it is known to hold a private key: refused, like ssh does, when
	// others can read or change it.
	checkTrustedFile(path, "private key", TrustedFileKind::Secret);
	return key;
}

PrivateKey PrivateKey::fromPem(const std::string& data, const std::string& label,
	const std::optional<std::string>& passphrase)
{
	ERR_clear_error();
	const bool pem = contains(data, "-----BEGIN ");
	if (pem)
	{
		const bool hasPrivate = contains(data, "PRIVATE KEY-----");
		if (!hasPrivate && contains(data, "-----BEGIN CERTIFICATE-----"))
			throw InputException(label + " holds a certificate, not a private key: give the private key file "
				"(PATH_PRIVATE_KEY) and the certificate as PATH_CERTIFICATE");
		if (!hasPrivate && contains(data, "PUBLIC KEY-----"))
			throw InputException(label + " holds a public key, not a private key: the JWT is signed with the "
				"private key (PATH_PRIVATE_KEY)");
		if (!hasPrivate)
			throw InputException(label + " is PEM but holds no private key (expected -----BEGIN PRIVATE KEY-----, "
				"-----BEGIN RSA PRIVATE KEY----- or -----BEGIN EC PRIVATE KEY-----)");
		const bool encrypted = contains(data, "-----BEGIN ENCRYPTED PRIVATE KEY-----") || contains(data, "Proc-Type: 4,ENCRYPTED");
		std::optional<std::string> typed;
		if (encrypted && !passphrase)
		{
			// At a terminal (when the program allows it), asked for, as ssh and openssl do.
			typed = askSecret("Enter the passphrase of " + label + ": ");
			if (!typed)
				throw InputException(label + " is encrypted and no passphrase was given: set PRIVATE_KEY_PASSPHRASE_FILE "
					"or PRIVATE_KEY_PASSPHRASE (at a terminal, jwtflow asks for it)");
		}
		std::string none;
		WipeOnExit wipeTyped{typed ? *typed : none};
		EVP_PKEY* key = encrypted ? nullptr : decodePlainPrivateKey(data);
		PassphraseState state{typed ? &typed : &passphrase};
		BioPtr bio = memoryBio(data);
		if (!key) key = PEM_read_bio_PrivateKey(bio.get(), nullptr, passphraseCallback, &state);
		if (!key)
		{
			std::string reason = takeOpenSslError();
			if (encrypted)
				throw InputException("cannot decrypt " + label + ": wrong passphrase (or the file is damaged)");
			throw InputException(label + " is not a valid private key (" + reason + "): the PEM text may be truncated or altered");
		}
		auto owned = wrapKey(key);
		keyTypeOf(key, label);
		return PrivateKey(owned);
	}

	// Binary: DER PKCS#8 / PKCS#1 / SEC1.
	const auto* p = reinterpret_cast<const unsigned char*>(data.data());
	EVP_PKEY* key = d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(data.size()));
	if (!key)
	{
		ERR_clear_error();
		const auto* q = reinterpret_cast<const unsigned char*>(data.data());
		X509* cert = d2i_X509(nullptr, &q, static_cast<long>(data.size()));
		ERR_clear_error();
		if (cert)
		{
			X509_free(cert);
			throw InputException(label + " holds a certificate (DER), not a private key: give the private key file "
				"(PATH_PRIVATE_KEY)");
		}
		throw InputException(label + " is not a private key: expected PEM (-----BEGIN PRIVATE KEY-----) or DER PKCS#8");
	}
	auto owned = wrapKey(key);
	keyTypeOf(key, label);
	return PrivateKey(owned);
}

KeyType PrivateKey::type() const { return keyTypeOf(_key.get(), "the private key"); }
int PrivateKey::bits() const { return EVP_PKEY_get_bits(_key.get()); }
std::string PrivateKey::curveName() const { return _curve; }
evp_pkey_st* PrivateKey::native() const { return _key.get(); }

PublicKey PrivateKey::publicKey() const
{
	unsigned char* der = nullptr;
	int len = i2d_PUBKEY(_key.get(), &der);
	if (len <= 0) throw Exception("cannot derive the public key: " + takeOpenSslError());
	const unsigned char* p = der;
	EVP_PKEY* pub = d2i_PUBKEY(nullptr, &p, len);
	OPENSSL_free(der);
	if (!pub) throw Exception("cannot derive the public key: " + takeOpenSslError());
	return PublicKey(wrapKey(pub));
}

std::string PrivateKey::sign(const Algorithm& alg, const std::string& data) const
{
	checkKeySuits(_key.get(), _curve, alg, "private key");
	MdCtxPtr ctx(EVP_MD_CTX_new());
	EVP_PKEY_CTX* pctx = nullptr;
	if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, digestFor(alg.digestBits), nullptr, _key.get()) != 1
		|| !configurePss(pctx, alg))
		throw Exception("cannot start " + alg.name + " signing: " + takeOpenSslError());
	// EVP_PKEY_get_size is the largest signature the key makes: one call, no size query.
	std::string sig(static_cast<std::size_t>(EVP_PKEY_get_size(_key.get())), '\0');
	std::size_t len = sig.size();
	const auto* in = reinterpret_cast<const unsigned char*>(data.data());
	if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(&sig[0]), &len, in, data.size()) != 1)
		throw Exception(alg.name + " signing failed: " + takeOpenSslError());
	sig.resize(len);
	if (alg.padding == Algorithm::Padding::ECDSA) return derToJose(sig, alg.ecCoordinateBytes);
	return sig;
}

void PrivateKey::checkSuits(const Algorithm& alg) const
{
	checkKeySuits(_key.get(), _curve, alg, "private key");
}

std::string PrivateKey::toPem(const std::optional<std::string>& passphrase) const
{
	if (_hardware) throw InputException("a key in a PKCS#11 token cannot be exported: it signs where it is");
	BioPtr bio(BIO_new(BIO_s_mem()));
	int ok;
	if (passphrase)
		ok = PEM_write_bio_PKCS8PrivateKey(bio.get(), _key.get(), EVP_aes_256_cbc(),
			passphrase->data(), static_cast<int>(passphrase->size()), nullptr, nullptr);
	else
		ok = PEM_write_bio_PKCS8PrivateKey(bio.get(), _key.get(), nullptr, nullptr, 0, nullptr, nullptr);
	if (!ok) throw Exception("cannot write the private key: " + takeOpenSslError());
	return bioText(bio.get());
}

// ---------------------------------------------------------------- PublicKey

PublicKey::PublicKey(std::shared_ptr<evp_pkey_st> key): _key(std::move(key)), _curve(_key ? curveOf(_key.get()) : std::string()) {}

PublicKey PublicKey::fromFile(const std::string& path)
{
	std::string data = readInputFile(path, "public key");
	return fromPem(data, "public key '" + path + "'");
}

PublicKey PublicKey::fromPem(const std::string& data, const std::string& label)
{
	ERR_clear_error();
	const bool pem = contains(data, "-----BEGIN ");
	if (pem && contains(data, "-----BEGIN CERTIFICATE-----"))
	{
		BioPtr bio = memoryBio(data);
		X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
		if (!cert) throw InputException(label + " holds a damaged certificate (" + takeOpenSslError() + ")");
		EVP_PKEY* key = X509_get_pubkey(cert);
		X509_free(cert);
		if (!key) throw InputException(label + ": cannot read the certificate's public key (" + takeOpenSslError() + ")");
		auto owned = wrapKey(key);
		keyTypeOf(key, label);
		return PublicKey(owned);
	}
	if (pem && contains(data, "PRIVATE KEY-----") && !contains(data, "PUBLIC KEY-----"))
		throw InputException(label + " holds a private key, not a public key: give the public key (PATH_PUBLIC_KEY) "
			"or the certificate (PATH_CERTIFICATE); never share the private key");
	EVP_PKEY* key = decodePublic(data, pem ? "PEM" : "DER");
	if (!key && !pem)
	{
		const auto* q = reinterpret_cast<const unsigned char*>(data.data());
		X509* cert = d2i_X509(nullptr, &q, static_cast<long>(data.size()));
		ERR_clear_error();
		if (cert)
		{
			key = X509_get_pubkey(cert);
			X509_free(cert);
		}
	}
	if (!key)
		throw InputException(label + " is not a public key: expected PEM (-----BEGIN PUBLIC KEY-----), "
			"an RSA PUBLIC KEY, DER, or a certificate");
	auto owned = wrapKey(key);
	keyTypeOf(key, label);
	return PublicKey(owned);
}

KeyType PublicKey::type() const { return keyTypeOf(_key.get(), "the public key"); }
int PublicKey::bits() const { return EVP_PKEY_get_bits(_key.get()); }
std::string PublicKey::curveName() const { return _curve; }
evp_pkey_st* PublicKey::native() const { return _key.get(); }

bool PublicKey::verify(const Algorithm& alg, const std::string& data, const std::string& signature) const
{
	KeyType type = EVP_PKEY_get_base_id(_key.get()) == EVP_PKEY_RSA ? KeyType::RSA : KeyType::EC;
	if (type != alg.keyType) return false;
	if (type == KeyType::EC && _curve != "P-256") return false;
	std::string sig = signature;
	if (alg.padding == Algorithm::Padding::ECDSA)
	{
		sig = joseToDer(signature, alg.ecCoordinateBytes);
		if (sig.empty()) return false;
	}
	MdCtxPtr ctx(EVP_MD_CTX_new());
	EVP_PKEY_CTX* pctx = nullptr;
	if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, digestFor(alg.digestBits), nullptr, _key.get()) != 1
		|| !configurePss(pctx, alg))
	{
		ERR_clear_error();
		return false;
	}
	int rc = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
		reinterpret_cast<const unsigned char*>(data.data()), data.size());
	ERR_clear_error();
	return rc == 1;
}

bool PublicKey::matches(const PrivateKey& key) const
{
	int rc = EVP_PKEY_eq(_key.get(), key.native());
	ERR_clear_error();
	return rc == 1;
}

std::string PublicKey::toPem() const
{
	BioPtr bio(BIO_new(BIO_s_mem()));
	if (!PEM_write_bio_PUBKEY(bio.get(), _key.get())) throw Exception("cannot write the public key: " + takeOpenSslError());
	return bioText(bio.get());
}

std::string PublicKey::toDer() const
{
	unsigned char* der = nullptr;
	int len = i2d_PUBKEY(_key.get(), &der);
	if (len <= 0) throw Exception("cannot encode the public key: " + takeOpenSslError());
	std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
	OPENSSL_free(der);
	return out;
}

} // namespace jwtflow
