//
// Keys.h
//
// Library: jwtflow core
// Private and public keys (RSA, EC P-256) loaded from PEM or DER, and the
// raw sign/verify operations behind JWT signing.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_KEYS_INCLUDED
#define JWTFLOW_KEYS_INCLUDED

#include "jwtflow/Algorithm.h"
#include "jwtflow/Export.h"
#include <memory>
#include <optional>
#include <string>

struct evp_pkey_st;

namespace jwtflow {

class PublicKey;

class JWTFLOW_API PrivateKey
	/// An RSA or EC private key. Copies share the parsed key (cheap).
	/// The key material never appears in any message this class produces.
{
public:
	static PrivateKey fromFile(const std::string& path, const std::optional<std::string>& passphrase = std::nullopt);
		/// Loads a PEM (PKCS#1, SEC1 or PKCS#8, optionally encrypted) or DER
		/// PKCS#8 private key file. Throws InputException naming the file and
		/// what is wrong: missing, unreadable, empty, a certificate or public
		/// key instead of a private key, encrypted without a passphrase, wrong
		/// passphrase, not a key at all, or an unsupported key type.

	static PrivateKey fromPem(const std::string& pem, const std::string& label,
		const std::optional<std::string>& passphrase = std::nullopt);
		/// As fromFile(), from text in memory; label names it in messages.

	static PrivateKey fromPkcs11(const std::string& uri, const std::string& module, const std::optional<std::string>& pin);
		/// A key that stays in an HSM or smart card, named by an RFC 7512 URI
		/// (pkcs11:token=...;object=...), reached through OpenSSL's pkcs11
		/// engine (Debian's libengine-pkcs11-openssl) with the PKCS#11 module
		/// `module`. Signing happens in the token. Throws InputException (exit
		/// 3) for a missing engine or module, a wrong PIN, or no such key; the
		/// PIN never appears in a message.

	bool isHardwareKey() const;
		/// True for a PKCS#11 key: its private part cannot be read (toPem() throws).

	KeyType type() const;
		/// RSA or EC.

	int bits() const;
		/// Key size in bits (modulus size for RSA, curve size for EC).

	std::string curveName() const;
		/// "P-256" etc. for EC keys; empty for RSA.

	PublicKey publicKey() const;
		/// The matching public key.

	std::string sign(const Algorithm& alg, const std::string& data) const;
		/// Signs data and returns the signature in its JWS form (for ECDSA the
		/// fixed-size r||s, not DER). Throws InputException when the key does
		/// not suit the algorithm (an EC key for RS256, an RSA key under 2048 bits).

	void checkSuits(const Algorithm& alg) const;
		/// Throws InputException when the key cannot sign with alg (wrong
		/// type, RSA under 2048 bits, EC curve other than P-256).

	std::string toPem(const std::optional<std::string>& passphrase = std::nullopt) const;
		/// PKCS#8 PEM, encrypted with AES-256-CBC when a passphrase is given.

	evp_pkey_st* native() const;
		/// The underlying OpenSSL key, owned by this object.

	explicit PrivateKey(std::shared_ptr<evp_pkey_st> key);
		/// Takes a key already made with OpenSSL.

private:
	std::shared_ptr<evp_pkey_st> _key;
	std::string _curve;   /// read once: asking OpenSSL for the group name on every signature is slow
	bool _hardware = false;
};

class JWTFLOW_API PublicKey
	/// An RSA or EC public key, from a PEM file, a certificate or a private key.
{
public:
	static PublicKey fromFile(const std::string& path);
		/// Loads a PEM or DER SubjectPublicKeyInfo (or PKCS#1 RSA public key)
		/// file; a certificate file is accepted too and its key taken.
		/// Throws InputException naming the file and what is wrong.

	static PublicKey fromPem(const std::string& pem, const std::string& label);
		/// As fromFile(), from text in memory.

	KeyType type() const;
	int bits() const;
	std::string curveName() const;

	bool verify(const Algorithm& alg, const std::string& data, const std::string& signature) const;
		/// True when signature (JWS form) is a valid signature of data.
		/// False, never an exception, for a wrong signature or a key that
		/// does not suit the algorithm.

	bool matches(const PrivateKey& key) const;
		/// True when this is the public half of key.

	std::string toPem() const;
		/// SubjectPublicKeyInfo PEM.

	std::string toDer() const;
		/// SubjectPublicKeyInfo DER.

	evp_pkey_st* native() const;

	explicit PublicKey(std::shared_ptr<evp_pkey_st> key);

private:
	std::shared_ptr<evp_pkey_st> _key;
	std::string _curve;   /// read once: asking OpenSSL for the group name on every signature is slow
};

JWTFLOW_API std::string describeKey(KeyType type, int bits, const std::string& curve);
	/// "RSA 2048-bit" or "EC P-256", for messages.

JWTFLOW_API bool isLowSEcdsaSignature(const std::string& joseSignature, int coordinateBytes);
	/// False for a JWS ECDSA signature (r || s) on P-256 whose s is above n/2:
	/// (r, n - s) verifies too, so such a signature can be re-made without the
	/// key. jwtflow signs only low-s (verify accepts both, as RFC 7518 does).

} // namespace jwtflow

#endif // JWTFLOW_KEYS_INCLUDED
