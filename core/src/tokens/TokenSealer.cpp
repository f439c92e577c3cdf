//
// TokenSealer.cpp
//
// Library: jwtflow core
// AES-256-GCM under a key from HKDF-SHA256 over the signing key (or, for a key in a token, key material made with it).
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/TokenStore.h"
#include "OpenSslSupport.h"
#include "jwtflow/Encoding.h"
#include "jwtflow/Exception.h"
#include "jwtflow/SecureFiles.h"
#include "jwtflow/Algorithm.h"
#include <Poco/SHA2Engine.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

namespace jwtflow {

namespace {

const char* const SEAL_SALT = "jwtflow token cache v1";
const std::size_t NONCE_BYTES = 12;
const std::size_t TAG_BYTES = 16;

struct CipherCtxFree
{
	void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

} // namespace

// ---- TokenSealer ----

namespace {

const char* const HARDWARE_SEAL_LABEL = "jwtflow token cache v1: sealing key of a key that cannot leave its token";

/// The input keying material for a key kept in a PKCS#11 token, whose private part cannot be read
/// (DESIGN.md, token stores): for RSA, a PKCS#1 v1.5 signature of a fixed label made in the token
/// (deterministic: the same key gives the same bytes); for EC, whose signatures are not
/// deterministic, a random key of the user's in a 0600 file beside the cache, named by the public key.
std::string hardwareKeyMaterial(const PrivateKey& key)
{
	if (key.type() == KeyType::RSA)
	{
		const std::string der = key.publicKey().toDer();
		return key.sign(Algorithm::fromName("RS256"), std::string(HARDWARE_SEAL_LABEL) + der);
	}
	const std::string folder = userCacheFolder("sealing-keys");
	if (folder.empty()) throw InputException("no folder for the sealing key of a PKCS#11 EC key: set HOME or XDG_CACHE_HOME");
	makePrivateFolders(folder);
	checkTrustedFolder(folder, "the sealing-key folder");
	Poco::SHA2Engine sha;
	sha.update(key.publicKey().toDer());
	const std::string path = folder + "/" + Poco::DigestEngine::digestToHex(sha.digest()) + ".key";
	for (int attempt = 0; attempt < 2; ++attempt)
	{
		struct stat st{};
		if (::lstat(path.c_str(), &st) == 0)
		{
			checkTrustedFile(path, "the sealing key", TrustedFileKind::Secret);
			const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0) throw InputException("cannot read the sealing key '" + path + "': " + std::strerror(errno));
			std::string data(33, '\0');
			const ssize_t n = ::read(fd, &data[0], data.size());
			::close(fd);
			if (n != 32) throw InputException("the sealing key '" + path + "' is not 32 bytes: remove it (the cached tokens go with it)");
			data.resize(32);
			return data;
		}
		std::string fresh(32, '\0');
		if (RAND_bytes(reinterpret_cast<unsigned char*>(&fresh[0]), 32) != 1) throw Exception("no random sealing key: " + detail::takeOpenSslError());
		try
		{
			writeNewFile(path, fresh, 0600);
			return fresh;
		}
		catch (const InputException&)
		{
			// Another process made it first: read theirs.
		}
	}
	throw InputException("cannot make the sealing key '" + path + "'");
}

} // namespace

TokenSealer::TokenSealer(const PrivateKey& signingKey)
{
	if (signingKey.isHardwareKey())
	{
		_ikm = hardwareKeyMaterial(signingKey);
		return;
	}
	// PKCS#8 DER, the same bytes whatever format the key file was in.
	PKCS8_PRIV_KEY_INFO* info = EVP_PKEY2PKCS8(signingKey.native());
	unsigned char* der = nullptr;
	const int len = info ? i2d_PKCS8_PRIV_KEY_INFO(info, &der) : -1;
	PKCS8_PRIV_KEY_INFO_free(info);
	if (len <= 0) throw Exception("cannot derive the token cache key from the private key: " + detail::takeOpenSslError());
	_ikm.assign(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
	OPENSSL_clear_free(der, static_cast<std::size_t>(len));
}

TokenSealer::~TokenSealer()
{
	if (!_ikm.empty()) OPENSSL_cleanse(&_ikm[0], _ikm.size());
	for (auto& k: _keys) OPENSSL_cleanse(&k.second[0], k.second.size());
}

namespace {

/// OpenSSL 3's algorithms fetched once per process: an implicit fetch per use
/// (EVP_aes_256_gcm(), EVP_KDF_fetch) costs more than sealing a token.
EVP_KDF* hkdf()
{
	static EVP_KDF* const kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
	return kdf;
}

const EVP_CIPHER* aes256gcm()
{
	static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
	return cipher ? cipher : EVP_aes_256_gcm();
}

} // namespace

std::string TokenSealer::derive(const std::string& cacheKey) const
{
	{
		std::lock_guard<std::mutex> lock(_keysMutex);
		auto it = _keys.find(cacheKey);
		if (it != _keys.end()) return it->second;
	}
	EVP_KDF_CTX* ctx = hkdf() ? EVP_KDF_CTX_new(hkdf()) : nullptr;
	if (!ctx) throw Exception("HKDF is not available: " + detail::takeOpenSslError());
	std::string key(32, '\0');
	char digest[] = "SHA256";
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<char*>(_ikm.data()), _ikm.size()),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(SEAL_SALT), std::strlen(SEAL_SALT)),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(cacheKey.data()), cacheKey.size()),
		OSSL_PARAM_construct_end()};
	const int ok = EVP_KDF_derive(ctx, reinterpret_cast<unsigned char*>(&key[0]), key.size(), params);
	EVP_KDF_CTX_free(ctx);
	if (ok != 1) throw Exception("HKDF failed: " + detail::takeOpenSslError());
	std::lock_guard<std::mutex> lock(_keysMutex);
	if (_keys.size() >= 64)
	{
		for (auto& k: _keys) OPENSSL_cleanse(&k.second[0], k.second.size());
		_keys.clear();
	}
	_keys[cacheKey] = key;
	return key;
}

std::string TokenSealer::seal(const std::string& cacheKey, const std::string& plaintext) const
{
	std::string key = derive(cacheKey);
	detail::WipeOnExit wipeKey{key};
	std::string out(NONCE_BYTES, '\0');
	if (RAND_bytes(reinterpret_cast<unsigned char*>(&out[0]), static_cast<int>(NONCE_BYTES)) != 1)
		throw Exception("no random nonce for the token cache: " + detail::takeOpenSslError());
	CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
	int len = 0;
	std::string cipher(plaintext.size() + 16, '\0');
	const auto* k = reinterpret_cast<const unsigned char*>(key.data());
	const auto* iv = reinterpret_cast<const unsigned char*>(out.data());
	if (!ctx || EVP_EncryptInit_ex(ctx.get(), aes256gcm(), nullptr, k, iv) != 1
		|| EVP_EncryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(cacheKey.data()), static_cast<int>(cacheKey.size())) != 1
		|| EVP_EncryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(&cipher[0]), &len,
			reinterpret_cast<const unsigned char*>(plaintext.data()), static_cast<int>(plaintext.size())) != 1)
		throw Exception("cannot seal the token: " + detail::takeOpenSslError());
	int total = len;
	if (EVP_EncryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(&cipher[0]) + total, &len) != 1)
		throw Exception("cannot seal the token: " + detail::takeOpenSslError());
	total += len;
	cipher.resize(static_cast<std::size_t>(total));
	std::string tag(TAG_BYTES, '\0');
	if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(TAG_BYTES), &tag[0]) != 1)
		throw Exception("cannot seal the token: " + detail::takeOpenSslError());
	return out + cipher + tag;
}

std::optional<std::string> TokenSealer::open(const std::string& cacheKey, const std::string& sealed) const
{
	if (sealed.size() < NONCE_BYTES + TAG_BYTES) return std::nullopt;
	std::string key = derive(cacheKey);
	detail::WipeOnExit wipeKey{key};
	const std::string nonce = sealed.substr(0, NONCE_BYTES);
	const std::string cipher = sealed.substr(NONCE_BYTES, sealed.size() - NONCE_BYTES - TAG_BYTES);
	std::string tag = sealed.substr(sealed.size() - TAG_BYTES);
	CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
	std::string plain(cipher.size() + 16, '\0');
	int len = 0;
	if (!ctx || EVP_DecryptInit_ex(ctx.get(), aes256gcm(), nullptr, reinterpret_cast<const unsigned char*>(key.data()),
			reinterpret_cast<const unsigned char*>(nonce.data())) != 1
		|| EVP_DecryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(cacheKey.data()), static_cast<int>(cacheKey.size())) != 1
		|| EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(&plain[0]), &len,
			reinterpret_cast<const unsigned char*>(cipher.data()), static_cast<int>(cipher.size())) != 1
		|| EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(TAG_BYTES), &tag[0]) != 1)
	{
		ERR_clear_error();
		return std::nullopt;
	}
	int total = len;
	if (EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(&plain[0]) + total, &len) != 1)
	{
		ERR_clear_error();
		OPENSSL_cleanse(&plain[0], plain.size());
		return std::nullopt;   // wrong key, other cache key, or altered
	}
	total += len;
	plain.resize(static_cast<std::size_t>(total));
	return plain;
}

// ---- FileTokenStore ----

} // namespace jwtflow
