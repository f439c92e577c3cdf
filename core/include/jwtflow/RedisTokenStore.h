//
// RedisTokenStore.h
//
// Library: jwtflow net
// A TokenStore on a Redis server (plain, TLS, or the master that Redis
// Sentinel names), shared by every process of a fleet: values
// sealed with AES-256-GCM under a key derived from the signing private key
// (the cache key as associated data), a lock per login (SET NX PX, released
// by its holder only), and a compare-and-delete for refused tokens. Redis
// trouble never becomes an outage: every operation is bounded by a time-out,
// and after a failure the store is skipped for a while (operations throw at
// once), so a Session fetches on its own until Redis answers again. Replies
// are read by jwtflow's own bounded RESP reader (depth, size, one deadline).
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_REDISTOKENSTORE_INCLUDED
#define JWTFLOW_REDISTOKENSTORE_INCLUDED

#include "jwtflow/Export.h"
#include "jwtflow/TokenStore.h"
#include "jwtflow/TokenStoreFactory.h"
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace jwtflow {

namespace detail {
class RespConnection;
struct RespValue;
struct RespEndpoint;
struct RespLimits;
}

struct JWTFLOW_NET_API RedisStoreOptions
	/// Where the Redis server is and how the store uses it.
{
	std::string host = "127.0.0.1";
	int port = 6379;
	int database = 0;                  /// SELECT this database
	std::string password;              /// AUTH, when not empty (never logged, never in a message)
	std::string username;              /// AUTH username password (Redis 6 ACLs), when not empty
	std::string keyPrefix = "jwtflow:token:";   /// Redis keys are prefix + cache key (a SHA-256: no identity in clear)
	int lockTimeoutSeconds = 30;       /// a lock expires after this (a holder that died)
	int operationTimeoutMs = 1000;     /// connect and each reply
	int retryAfterFailureMs = 5000;    /// after a failure, operations fail at once for this long
	bool tls = false;                  /// rediss:// (and rediss-sentinel://): TLS, certificate and host name verified
	std::string caFile;                /// TLS: CAs trusted besides the system's (REDIS_CA_FILE)
	std::string certFile;              /// TLS: a client certificate for mutual TLS (REDIS_CERT_FILE)
	std::string keyFile;               /// TLS: its private key (REDIS_KEY_FILE)
	std::vector<std::pair<std::string, int>> sentinels;   /// redis-sentinel://: the sentinels, asked in order
	std::string masterName;            /// redis-sentinel://...#master: the master they watch
	std::string sentinelPassword;      /// AUTH to the sentinels, when they have a password of their own
	std::string sentinelUsername;
	std::size_t maxValueBytes = 1024 * 1024;   /// the largest value (or status line) a reply may hold (REDIS_MAX_VALUE_BYTES)

	static RedisStoreOptions fromUrl(const std::string& url);
		/// redis://host[:port][/database], rediss://... (TLS),
		/// redis-sentinel://host:port[,host:port...][/database]#master and
		/// rediss-sentinel://... (sentinels and master over TLS; Lettuce's form).
		/// A password in the URL is refused (it would show in configuration dumps
		/// and process lists): give it with the password setting or a file.
		/// Throws UsageException.

	std::string sentinelList() const;
		/// host:port,host:port of the sentinels.

	static RedisStoreOptions fromSettings(const std::string& url, const Settings& settings,
		const std::function<std::string(const std::string&)>& nameOf = {});
		/// fromUrl(url) with the sub-settings a TOKEN_STORE (or a session's store)
		/// takes: REDIS_PASSWORD or REDIS_PASSWORD_FILE (a file only its owner
		/// reads), REDIS_USERNAME, REDIS_SENTINEL_PASSWORD(_FILE) and
		/// REDIS_SENTINEL_USERNAME, REDIS_CA_FILE, REDIS_CERT_FILE and
		/// REDIS_KEY_FILE (TLS), REDIS_KEY_PREFIX, REDIS_LOCK_TIMEOUT (seconds),
		/// REDIS_TIMEOUT_MS, REDIS_RETRY_AFTER_MS and REDIS_MAX_VALUE_BYTES.
		/// nameOf names them in messages. Throws UsageException.
};

class JWTFLOW_NET_API RedisTokenStore: public TokenStore
	/// Thread-safe (one kept connection, one request at a time; a dropped
	/// connection, or a master that a failover demoted, is replaced once
	/// within the request, asking the sentinels again). Throws
	/// NetworkException when Redis cannot be reached, is too slow, or
	/// answers with something unexpected; a value that does not open (tampered
	/// with, moved from another key, sealed by another fleet's key) is a miss.
{
public:
	RedisTokenStore(RedisStoreOptions options, std::shared_ptr<const TokenSealer> sealer,
		std::function<void(const std::string&)> onNote = {});
	~RedisTokenStore() override;
	RedisTokenStore(const RedisTokenStore&) = delete;
	RedisTokenStore& operator=(const RedisTokenStore&) = delete;

	std::optional<StoredToken> get(const std::string& key) override;
	void put(const std::string& key, const StoredToken& token) override;
	void remove(const std::string& key) override;
	bool tryLock(const std::string& key) override;
		/// SET <prefix>lock:<key> <random> NX PX <lock time-out>.
	void unlock(const std::string& key) override;
		/// Deletes the lock only while it holds this store's random value (a
		/// lock that expired and was taken by another process stays).
	bool removeIf(const std::string& key, const std::string& accessToken) override;
		/// Deletes the value only while it is the one that held accessToken (one script, atomic).
	int lockTimeoutSeconds() const override;

	enum class Check { Ok, Unreachable, Refused };
	Check check(std::string& why);
		/// Connects and authenticates now. Refused: Redis answered the AUTH or
		/// SELECT with an error (a wrong password, a database out of range), or
		/// its TLS certificate is not trusted, which is a configuration error;
		/// Unreachable: down, slow or not Redis.
		/// `why` says what happened, never the password.

	const RedisStoreOptions& options() const { return _options; }
	std::string redisKey(const std::string& key) const { return _options.keyPrefix + key; }

private:
	detail::RespValue execute(const std::vector<std::string>& command);
	void connectLocked();
	[[noreturn]] void failLocked(const std::string& what);
	void note(const std::string& text) const;
	std::string where() const;
	detail::RespEndpoint endpoint(const std::string& host, int port) const;
	detail::RespLimits limits() const;
	void authenticate(detail::RespConnection& connection, const std::string& username, const std::string& password,
		const std::string& what) const;
	std::pair<std::string, int> masterFromSentinels() const;
	std::optional<std::string> sealedValue(const std::string& key);
	std::optional<StoredToken> opened(const std::string& key, const std::string& sealed) const;

	RedisStoreOptions _options;
	std::shared_ptr<const TokenSealer> _sealer;
	std::function<void(const std::string&)> _onNote;
	std::mutex _mutex;
	std::unique_ptr<detail::RespConnection> _connection;
	Poco::Int64 _skipUntilMs = 0;     // after a failure: operations fail at once until then
	std::string _lastFailure;
	std::map<std::string, std::string> _lockValues;   // key -> the random value of the lock we hold
};

JWTFLOW_NET_API void registerRedisTokenStore(TokenStoreFactory& factory = TokenStoreFactory::defaultFactory());
	/// Adds redis://, rediss://, redis-sentinel:// and rediss-sentinel:// to the factory (idempotent). The store is
	/// checked when it is made: credentials or a database Redis refuses are a
	/// UsageException naming the settings; a Redis that does not answer is a
	/// warning (context.onWarning), and logins go on without it.

} // namespace jwtflow

#endif // JWTFLOW_REDISTOKENSTORE_INCLUDED
