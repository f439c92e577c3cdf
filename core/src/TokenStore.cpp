//
// TokenStore.cpp
//
// Library: jwtflow core
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/TokenStore.h"
#include "FileInput.h"
#include "OpenSslSupport.h"
#include "jwtflow/Encoding.h"
#include "jwtflow/Exception.h"
#include "jwtflow/Json.h"
#include "jwtflow/SecureFiles.h"
#include "jwtflow/Algorithm.h"
#include "jwtflow/SafeText.h"
#include <Poco/DirectoryIterator.h>
#include <Poco/NumberParser.h>
#include <algorithm>
#include <Poco/JSON/Object.h>
#include <Poco/SHA2Engine.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace jwtflow {

namespace {

const char* const SEAL_SALT = "jwtflow token cache v1";
const char* const FILE_MAGIC = "jwtflow-token-cache 1\n";
const std::size_t NONCE_BYTES = 12;
const std::size_t TAG_BYTES = 16;
const std::size_t MAX_FILE_BYTES = 256 * 1024;

struct CipherCtxFree
{
	void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

/// The header (label and expiry, readable without the key) is bound to the
/// seal: it is part of the HKDF info and of the associated data.
std::string boundKey(const std::string& key, const std::string& label, const std::string& expires)
{
	return key + "\n" + label + "\n" + expires;
}

bool parseCacheFile(const std::string& data, std::string& label, std::string& expires, std::string& sealed)
{
	const std::string magic(FILE_MAGIC);
	if (data.compare(0, magic.size(), magic) != 0) return false;
	std::size_t pos = magic.size();
	auto line = [&](const std::string& prefix, std::string& out) {
		const std::size_t end = data.find('\n', pos);
		if (end == std::string::npos || data.compare(pos, prefix.size(), prefix) != 0) return false;
		out = data.substr(pos + prefix.size(), end - pos - prefix.size());
		pos = end + 1;
		return true;
	};
	if (!line("label: ", label) || !line("expires: ", expires)) return false;
	const std::size_t end = data.find('\n', pos);
	sealed = data.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
	return !sealed.empty();
}

} // namespace

// ---- TokenStore ----

TokenStore::~TokenStore() = default;

void TokenStore::setClock(std::function<Poco::Timestamp()> clock)
{
	_clock = std::move(clock);
}

bool TokenStore::removeIf(const std::string& key, const std::string& accessToken)
{
	auto stored = get(key);
	if (!stored || stored->accessToken != accessToken) return false;
	remove(key);
	return true;
}

int TokenStore::lockTimeoutSeconds() const
{
	return 30;
}

Poco::Int64 TokenStore::nowSeconds() const
{
	return (_clock ? _clock() : Poco::Timestamp()).epochTime();
}

// ---- MemoryTokenStore ----

std::optional<StoredToken> MemoryTokenStore::get(const std::string& key)
{
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _tokens.find(key);
	if (it == _tokens.end() || it->second.expiresAt <= nowSeconds()) return std::nullopt;
	return it->second;
}

void MemoryTokenStore::put(const std::string& key, const StoredToken& token)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_tokens[key] = token;
}

void MemoryTokenStore::remove(const std::string& key)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_tokens.erase(key);
}

bool MemoryTokenStore::tryLock(const std::string& key)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (_locks[key]) return false;
	_locks[key] = true;
	return true;
}

void MemoryTokenStore::unlock(const std::string& key)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_locks.erase(key);
}

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

FileTokenStore::FileTokenStore(std::string folder, std::shared_ptr<const TokenSealer> sealer,
	std::function<void(const std::string&)> onNote):
	_folder(std::move(folder)), _sealer(std::move(sealer)), _onNote(std::move(onNote))
{
	while (_folder.size() > 1 && _folder.back() == '/') _folder.pop_back();
}

std::string FileTokenStore::defaultFolder()
{
	return userCacheFolder("tokens");
}

std::string FileTokenStore::fileFor(const std::string& key) const
{
	return _folder + "/" + sha256Hex(key).substr(0, 40) + ".token";
}

std::string FileTokenStore::problem() const
{
	return _problem;
}

void FileTokenStore::note(const std::string& text) const
{
	if (_onNote) _onNote(text);
}

bool FileTokenStore::folderUsable()
{
	if (_folder.empty() || _folder[0] != '/')
	{
		_problem = "no cache folder (set XDG_CACHE_HOME or HOME)";
		return false;
	}
	// Each missing level made 0700; the last one must be a real folder, ours, closed to others.
	try
	{
		makePrivateFolders(_folder);
	}
	catch (const InputException& e)
	{
		_problem = e.message() + ": the token cache is not used";
		return false;
	}
	struct stat st{};
	if (::lstat(_folder.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
	{
		_problem = "the token cache folder " + _folder + " is not a folder (a link or a file is there): the cache is not used";
		return false;
	}
	std::string loose = trustProblem(_folder, TrustedFileKind::Secret, false);
	if (!loose.empty())
	{
		_problem = "the token cache folder " + _folder + " is refused: " + loose + "; the cache is not used";
		return false;
	}
	_problem.clear();
	return true;
}

std::optional<StoredToken> FileTokenStore::get(const std::string& key)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (!folderUsable())
	{
		note("jwtflow: " + _problem);
		return std::nullopt;
	}
	const std::string path = fileFor(key);
	const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
	{
		if (errno == ELOOP) note("jwtflow: the token cache file " + path + " is a symbolic link: ignored");
		return std::nullopt;
	}
	struct stat st{};
	std::string data;
	if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == ::geteuid() && (st.st_mode & 077) == 0
		&& static_cast<std::size_t>(st.st_size) <= MAX_FILE_BYTES)
	{
		detail::readOpenFile(fd, static_cast<std::size_t>(st.st_size), data);
	}
	else
	{
		note("jwtflow: the token cache file " + path + " is not yours alone (owner or mode): ignored");
	}
	::close(fd);
	std::optional<std::string> plain;
	std::string label, expires, sealed;
	if (parseCacheFile(data, label, expires, sealed))
	{
		try
		{
			plain = _sealer->open(boundKey(key, label, expires), base64Decode(sealed));
		}
		catch (const Poco::Exception&)
		{
		}
	}
	if (!plain)
	{
		note("jwtflow: the token cache file " + path + " does not open with this key (another key, or altered): ignored");
		return std::nullopt;
	}
	detail::WipeOnExit wipe{*plain};
	try
	{
		Poco::JSON::Object::Ptr json = parseStrictJsonObject(*plain);
		StoredToken token;
		token.accessToken = jsonString(*json, "access_token");
		token.responseJson = jsonString(*json, "response");
		token.expiresAt = json->getValue<Poco::Int64>("expires_at");
		if (token.accessToken.empty() || token.expiresAt <= nowSeconds()) return std::nullopt;
		return token;
	}
	catch (const Poco::Exception&)
	{
		return std::nullopt;
	}
}

void FileTokenStore::put(const std::string& key, const StoredToken& token)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (!folderUsable())
	{
		note("jwtflow: " + _problem);
		return;
	}
	Poco::JSON::Object::Ptr json = newJsonObject();
	json->set("access_token", token.accessToken);
	json->set("response", token.responseJson);
	json->set("expires_at", token.expiresAt);
	std::string plain = objectToJson(*json);
	detail::WipeOnExit wipe{plain};
	std::string label;
	for (char c: token.label) label += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? ' ' : c;
	const std::string expires = std::to_string(token.expiresAt);
	replaceFile(fileFor(key), std::string(FILE_MAGIC) + "label: " + label + "\nexpires: " + expires + "\n"
		+ base64Encode(_sealer->seal(boundKey(key, label, expires), plain)) + "\n", 0600);
}

void FileTokenStore::remove(const std::string& key)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (folderUsable()) ::unlink(fileFor(key).c_str());
}

bool FileTokenStore::tryLock(const std::string& key)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (_lockFds.count(key)) return false;
	if (!folderUsable()) return true;   // no cache, nothing to share: proceed
	const std::string path = fileFor(key) + ".lock";
	const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) return true;
	if (::flock(fd, LOCK_EX | LOCK_NB) != 0)
	{
		::close(fd);
		return false;
	}
	_lockFds[key] = fd;
	return true;
}

void FileTokenStore::unlock(const std::string& key)
{
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _lockFds.find(key);
	if (it == _lockFds.end()) return;
	::flock(it->second, LOCK_UN);
	::close(it->second);
	_lockFds.erase(it);
}

std::vector<CachedEntry> FileTokenStore::list()
{
	std::lock_guard<std::mutex> lock(_mutex);
	std::vector<CachedEntry> entries;
	if (!folderUsable()) return entries;
	for (Poco::DirectoryIterator it(_folder), end; it != end; ++it)
	{
		const std::string name = it.name();
		if (name.size() < 7 || name.compare(name.size() - 6, 6, ".token") != 0) continue;
		const std::string path = _folder + "/" + name;
		const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) continue;
		char buf[2048];
		const ssize_t n = ::read(fd, buf, sizeof buf);
		::close(fd);
		std::string label, expires, sealed;
		if (n <= 0 || !parseCacheFile(std::string(buf, static_cast<std::size_t>(n)), label, expires, sealed)) continue;
		CachedEntry entry;
		entry.file = path;
		entry.label = label;
		Poco::NumberParser::tryParse64(expires, entry.expiresAt);
		entries.push_back(entry);
	}
	std::sort(entries.begin(), entries.end(), [](const CachedEntry& a, const CachedEntry& b) { return a.file < b.file; });
	return entries;
}

int FileTokenStore::clear()
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (!folderUsable()) return 0;
	int removed = 0;
	std::vector<std::string> names;
	for (Poco::DirectoryIterator it(_folder), end; it != end; ++it) names.push_back(it.name());
	for (const auto& name: names)
	{
		const bool token = name.size() > 6 && name.compare(name.size() - 6, 6, ".token") == 0;
		const bool lockFile = name.size() > 11 && name.compare(name.size() - 11, 11, ".token.lock") == 0;
		if (!token && !lockFile) continue;
		// unlink removes a link itself, never its target.
		if (::unlink((_folder + "/" + name).c_str()) == 0 && token) ++removed;
	}
	return removed;
}

} // namespace jwtflow
