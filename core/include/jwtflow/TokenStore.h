//
// TokenStore.h
//
// Library: jwtflow core
// Where access tokens are kept between uses: in memory, or in files that are
// sealed with AES-256-GCM under a key derived from the signing private key
// (HKDF-SHA256), so that the cache is never worth more than the key that
// made it (DESIGN.md, token stores).
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_TOKENSTORE_INCLUDED
#define JWTFLOW_TOKENSTORE_INCLUDED

#include "jwtflow/Export.h"
#include "jwtflow/Keys.h"
#include <Poco/Timestamp.h>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace jwtflow {

struct JWTFLOW_API StoredToken
	/// What a store keeps for one login.
{
	std::string accessToken;
	std::string responseJson;   /// the IdP's whole token response (instance_url, scope ...), as JSON
	Poco::Int64 expiresAt = 0;  /// seconds since 1970
	std::string label;          /// who the login is for, one line (provider, client id, subject ...): shown by
	                            /// `jwtflow cache list`, kept outside the seal but bound to it
};

struct JWTFLOW_API CachedEntry
	/// What `cache list` shows of a cache file: never the token.
{
	std::string file;
	std::string label;
	Poco::Int64 expiresAt = 0;
};

class JWTFLOW_API TokenStore
	/// A place to keep tokens by cache key (see cacheKey()). Implementations
	/// are thread-safe.
{
public:
	virtual ~TokenStore();

	virtual std::optional<StoredToken> get(const std::string& key) = 0;
		/// The token stored under key, or nothing (absent, unreadable, expired by expiresAt vs now).

	virtual void put(const std::string& key, const StoredToken& token) = 0;

	virtual void remove(const std::string& key) = 0;

	virtual bool tryLock(const std::string& key) = 0;
		/// Takes the key's lock without waiting (one login at a time, across
		/// processes for the file store); false when someone else holds it.

	virtual void unlock(const std::string& key) = 0;

	virtual bool removeIf(const std::string& key, const std::string& accessToken);
		/// Removes the entry only while it still holds accessToken (after an API
		/// refused that token: a newer one stored by another process stays);
		/// true when it removed it. The default reads, compares and removes;
		/// the Redis store does it atomically.

	virtual int lockTimeoutSeconds() const;
		/// How long a lock may be held (a holder that dies loses it after this
		/// at the latest), and so how long others wait for the holder's token
		/// before fetching on their own. Default 30.

	void setClock(std::function<Poco::Timestamp()> clock);
		/// For tests: what "now" is when deciding expiry.

protected:
	Poco::Int64 nowSeconds() const;

private:
	std::function<Poco::Timestamp()> _clock;
};

class JWTFLOW_API MemoryTokenStore: public TokenStore
	/// Tokens in this process only.
{
public:
	std::optional<StoredToken> get(const std::string& key) override;
	void put(const std::string& key, const StoredToken& token) override;
	void remove(const std::string& key) override;
	bool tryLock(const std::string& key) override;
	void unlock(const std::string& key) override;

private:
	std::mutex _mutex;
	std::map<std::string, StoredToken> _tokens;
	std::map<std::string, bool> _locks;
};

class JWTFLOW_API TokenSealer
	/// AES-256-GCM with a key from HKDF-SHA256: input the signing private
	/// key's DER (PKCS#8), salt "jwtflow token cache v1", info the cache key;
	/// a random 96-bit nonce per seal; the cache key is also the associated
	/// data, so a sealed token moved to another key's file does not open.
{
public:
	explicit TokenSealer(const PrivateKey& signingKey);
	~TokenSealer();
	TokenSealer(const TokenSealer&) = delete;
	TokenSealer& operator=(const TokenSealer&) = delete;

	std::string seal(const std::string& cacheKey, const std::string& plaintext) const;
		/// nonce (12 bytes) || ciphertext || tag (16 bytes).

	std::optional<std::string> open(const std::string& cacheKey, const std::string& sealed) const;
		/// The plaintext, or nothing when the data was not sealed by this key
		/// for this cache key, or was altered.

private:
	std::string derive(const std::string& cacheKey) const;
	std::string _ikm;   // the key's DER, wiped when destroyed
	mutable std::mutex _keysMutex;
	mutable std::map<std::string, std::string> _keys;   // cache key -> derived key (a few per process), wiped when destroyed
};

class JWTFLOW_API FileTokenStore: public TokenStore
	/// One sealed file per cache key, named by the key's SHA-256, in a folder
	/// made 0700; files 0600, written fresh and renamed into place. A folder
	/// or file that another user owns, that others may write (or read, for a
	/// file), or a symbolic link, is refused: the store then keeps nothing
	/// (get() finds nothing, put() writes nothing) and `problem()` says why.
	/// A file that does not open (another key, altered, truncated) is ignored.
{
public:
	FileTokenStore(std::string folder, std::shared_ptr<const TokenSealer> sealer,
		std::function<void(const std::string&)> onNote = {});

	static std::string defaultFolder();
		/// $XDG_CACHE_HOME/jwtflow/tokens, else ~/.cache/jwtflow/tokens; "" without either.

	std::optional<StoredToken> get(const std::string& key) override;
	void put(const std::string& key, const StoredToken& token) override;
	void remove(const std::string& key) override;
	bool tryLock(const std::string& key) override;
	void unlock(const std::string& key) override;

	std::vector<CachedEntry> list();
		/// Every cache file's label and expiry (read from its header; nothing is opened).

	int clear();
		/// Removes every cache file (and lock file); returns how many tokens were removed.

	int clear(const std::function<bool(const CachedEntry&)>& which);
		/// Removes the cache files whose entry `which` picks (and their lock files); returns how many.

	std::string fileFor(const std::string& key) const;
	const std::string& folder() const { return _folder; }
	std::string problem() const;
		/// Why the folder is not used, or "".

private:
	bool folderUsable();
	void note(const std::string& text) const;

	std::string _folder;
	std::shared_ptr<const TokenSealer> _sealer;
	std::function<void(const std::string&)> _onNote;
	std::string _problem;
	std::mutex _mutex;
	std::map<std::string, int> _lockFds;
};

} // namespace jwtflow

#endif // JWTFLOW_TOKENSTORE_INCLUDED
