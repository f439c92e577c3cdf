//
// RedisTokenStore.cpp
//
// Library: jwtflow net
// The fleet's token store on Redis: plain, TLS, or the master a set of
// sentinels names; every command through the bounded RESP connection.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/RedisTokenStore.h"
#include "RespConnection.h"
#include "jwtflow/Encoding.h"
#include "jwtflow/Exception.h"
#include "jwtflow/SafeText.h"
#include <Poco/NumberParser.h>
#include <Poco/RandomStream.h>
#include <Poco/String.h>
#include <Poco/Timestamp.h>
#include <cstdio>

namespace jwtflow {

namespace {

/// Deletes KEYS[1] only while it holds ARGV[1]: releasing a lock, forgetting a refused token.
const char* const COMPARE_AND_DELETE =
	"if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

Poco::Int64 nowMs()
{
	return Poco::Timestamp().epochMicroseconds() / 1000;
}

std::string randomHex(std::size_t bytes)
{
	std::string raw(bytes, '\0');
	Poco::RandomInputStream().read(&raw[0], static_cast<std::streamsize>(bytes));
	return hexEncode(raw);
}

/// What is sealed: "1 <expires_at> <token length> <label length>\n", the token, the label, the IdP's answer.
/// Lengths rather than JSON: reading it is a few copies, not a parse.
std::string frame(const StoredToken& token)
{
	return "1 " + std::to_string(token.expiresAt) + " " + std::to_string(token.accessToken.size()) + " "
		+ std::to_string(token.label.size()) + "\n" + token.accessToken + token.label + token.responseJson;
}

std::optional<StoredToken> unframe(const std::string& plain)
{
	const auto newline = plain.find('\n');
	if (newline == std::string::npos || plain.compare(0, 2, "1 ") != 0) return std::nullopt;
	long long expiresAt = 0;
	unsigned long tokenLength = 0, labelLength = 0;
	char rest = 0;
	if (std::sscanf(plain.substr(2, newline - 2).c_str(), "%lld %lu %lu%c", &expiresAt, &tokenLength, &labelLength, &rest) != 3)
		return std::nullopt;
	const std::size_t body = newline + 1;
	if (tokenLength > plain.size() - body || labelLength > plain.size() - body - tokenLength) return std::nullopt;
	StoredToken token;
	token.expiresAt = static_cast<Poco::Int64>(expiresAt);
	token.accessToken = plain.substr(body, tokenLength);
	token.label = plain.substr(body + tokenLength, labelLength);
	token.responseJson = plain.substr(body + tokenLength + labelLength);
	return token;
}

/// An error reply that says the server is (no longer) the writable master: a failover to follow.
bool isFailoverError(const std::string& text)
{
	for (const char* prefix: {"READONLY", "MASTERDOWN", "LOADING"})
		if (text.compare(0, std::char_traits<char>::length(prefix), prefix) == 0) return true;
	return false;
}

/// Thrown by the connection set-up when AUTH or SELECT is refused: the configuration's fault.
class RedisRefusal: public NetworkException
{
public:
	explicit RedisRefusal(const std::string& message): NetworkException(message) {}
};

} // namespace

RedisTokenStore::RedisTokenStore(RedisStoreOptions options, std::shared_ptr<const TokenSealer> sealer,
	std::function<void(const std::string&)> onNote):
	_options(std::move(options)), _sealer(std::move(sealer)), _onNote(std::move(onNote))
{
	if (!_sealer) throw UsageException("the Redis token store needs a sealer (the signing key): values are never kept in clear");
	if (_options.lockTimeoutSeconds < 1) throw UsageException("the Redis store's lock time-out must be at least 1 second");
	if (_options.operationTimeoutMs < 1) throw UsageException("the Redis store's operation time-out must be at least 1 ms");
}

RedisTokenStore::~RedisTokenStore() = default;

void RedisTokenStore::note(const std::string& text) const
{
	if (_onNote) _onNote(text);
}

std::string RedisTokenStore::where() const
{
	return _options.sentinels.empty() ? _options.host + ":" + std::to_string(_options.port)
		: "master " + _options.masterName + " of the sentinels " + _options.sentinelList();
}

void RedisTokenStore::failLocked(const std::string& what)
{
	_connection.reset();
	_lastFailure = what;
	_skipUntilMs = nowMs() + _options.retryAfterFailureMs;
	throw NetworkException("the Redis token store (" + where() + ") is unavailable: " + what);
}

detail::RespEndpoint RedisTokenStore::endpoint(const std::string& host, int port) const
{
	detail::RespEndpoint e;
	e.host = host;
	e.port = port;
	e.tls = _options.tls;
	e.caFile = _options.caFile;
	e.certFile = _options.certFile;
	e.keyFile = _options.keyFile;
	return e;
}

detail::RespLimits RedisTokenStore::limits() const
{
	detail::RespLimits l;
	l.maxValueBytes = _options.maxValueBytes;
	l.maxReplyBytes = _options.maxValueBytes + 64 * 1024;
	return l;
}

void RedisTokenStore::authenticate(detail::RespConnection& connection, const std::string& username, const std::string& password,
	const std::string& what) const
{
	if (password.empty()) return;
	std::vector<std::string> auth = {"AUTH"};
	if (!username.empty()) auth.push_back(username);
	auth.push_back(password);
	const detail::RespValue reply = connection.command(auth);
	if (reply.isError()) throw RedisRefusal(what + " refused the credentials: " + detail::respText(reply.text, 120));
}

std::pair<std::string, int> RedisTokenStore::masterFromSentinels() const
{
	std::string problems;
	for (const auto& sentinel: _options.sentinels)
	{
		try
		{
			detail::RespConnection s(endpoint(sentinel.first, sentinel.second), _options.operationTimeoutMs, limits());
			authenticate(s, _options.sentinelUsername, _options.sentinelPassword, "the sentinel " + s.endpoint().where());
			const detail::RespValue reply = s.command({"SENTINEL", "get-master-addr-by-name", _options.masterName});
			int port = 0;
			if (reply.kind == detail::RespValue::Kind::Array && reply.items.size() == 2 && !reply.items[0].text.empty()
				&& Poco::NumberParser::tryParse(reply.items[1].text, port) && port > 0 && port < 65536)
				return {reply.items[0].text, port};
			problems += "; " + s.endpoint().where() + (reply.isError() ? " answered " + detail::respText(reply.text, 80)
				: " knows no master " + _options.masterName);
		}
		catch (const RedisRefusal&)
		{
			throw;
		}
		catch (const NetworkException& e)
		{
			problems += "; " + e.message();
		}
	}
	throw NetworkException("no sentinel named the master " + _options.masterName + problems);
}

void RedisTokenStore::connectLocked()
{
	if (_connection && !_connection->broken()) return;
	_connection.reset();
	std::pair<std::string, int> master = {_options.host, _options.port};
	if (!_options.sentinels.empty()) master = masterFromSentinels();
	auto connection = std::make_unique<detail::RespConnection>(endpoint(master.first, master.second), _options.operationTimeoutMs, limits());
	authenticate(*connection, _options.username, _options.password, "Redis at " + connection->endpoint().where());
	if (_options.database != 0)
	{
		const detail::RespValue reply = connection->command({"SELECT", std::to_string(_options.database)});
		if (reply.isError()) throw RedisRefusal("Redis refused the database " + std::to_string(_options.database) + ": "
			+ detail::respText(reply.text, 120));
	}
	if (!_options.sentinels.empty())
	{
		// A sentinel's answer may be a failover behind: only a master takes the writes.
		const detail::RespValue role = connection->command({"ROLE"});
		if (role.kind != detail::RespValue::Kind::Array || role.items.empty() || role.items[0].text != "master")
			throw NetworkException("the sentinels named " + connection->endpoint().where() + " as the master " + _options.masterName
				+ ", but it is not the master (a failover in progress)");
	}
	_connection = std::move(connection);
}

detail::RespValue RedisTokenStore::execute(const std::vector<std::string>& command)
{
	// Caller holds _mutex.
	if (_skipUntilMs > nowMs())
		throw NetworkException("the Redis token store (" + where() + ") is skipped for " + std::to_string(_skipUntilMs - nowMs())
			+ " ms more after a failure (" + _lastFailure + ")");
	std::string problem;
	// A kept connection the server dropped, or a master that is one no longer (a failover): once more,
	// on a new connection (to the master the sentinels name now).
	for (int attempt = 1; attempt <= 2; ++attempt)
	{
		const bool reused = _connection && !_connection->broken();
		try
		{
			connectLocked();
			detail::RespValue reply = _connection->command(command);
			if (!reply.isError()) return reply;
			problem = "Redis answered " + command[0] + " with an error: " + detail::respText(reply.text, 160);
			if (!isFailoverError(reply.text)) break;
			_connection.reset();
		}
		catch (const RedisRefusal& e)
		{
			problem = e.message();
			break;
		}
		catch (const NetworkException& e)
		{
			problem = e.message();
			_connection.reset();
			if (!reused && _options.sentinels.empty()) break;   // a fresh connection that failed: no point in another
		}
	}
	failLocked(problem);
}

RedisTokenStore::Check RedisTokenStore::check(std::string& why)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_skipUntilMs = 0;
	_connection.reset();
	try
	{
		connectLocked();
		const detail::RespValue pong = _connection->command({"PING"});
		// A RESP error starts with its code: NOAUTH (a password is needed) is the configuration's fault.
		if (pong.isError() && pong.text.compare(0, 7, "NOAUTH ") == 0)
			throw RedisRefusal("Redis at " + _connection->endpoint().where() + " needs a password: " + detail::respText(pong.text, 120));
		if (pong.isError()) throw NetworkException("Redis answered PING with " + detail::respText(pong.text, 120));
		why.clear();
		return Check::Ok;
	}
	catch (const RedisRefusal& e)
	{
		// An error answer to AUTH or SELECT is the configuration's fault; anything else is the server's state.
		why = e.message();
		_connection.reset();
		return Check::Refused;
	}
	catch (const TlsException& e)
	{
		why = e.message();
		_connection.reset();
		return Check::Refused;
	}
	catch (const Exception& e)
	{
		why = e.message();
		_connection.reset();
		return Check::Unreachable;
	}
}

std::optional<std::string> RedisTokenStore::sealedValue(const std::string& key)
{
	std::lock_guard<std::mutex> lock(_mutex);
	const detail::RespValue value = execute({"GET", redisKey(key)});
	if (value.isNull()) return std::nullopt;
	if (value.kind != detail::RespValue::Kind::Bulk) failLocked("Redis answered GET with something other than a value");
	return value.text;
}

std::optional<StoredToken> RedisTokenStore::opened(const std::string& key, const std::string& sealed) const
{
	std::optional<std::string> plain;
	try
	{
		plain = _sealer->open(key, base64Decode(sealed));
	}
	catch (const Poco::Exception&)
	{
	}
	if (!plain) return std::nullopt;
	return unframe(*plain);
}

std::optional<StoredToken> RedisTokenStore::get(const std::string& key)
{
	const std::optional<std::string> sealed = sealedValue(key);
	if (!sealed) return std::nullopt;
	std::optional<StoredToken> token = opened(key, *sealed);
	if (!token)
	{
		note("jwtflow: the stored token under " + redisKey(key).substr(0, _options.keyPrefix.size() + 12)
			+ "... does not open with this key (altered, moved from another key, or another fleet's): ignored, and replaced by the next login");
		return std::nullopt;
	}
	if (token->accessToken.empty() || token->expiresAt <= nowSeconds()) return std::nullopt;
	return token;
}

void RedisTokenStore::put(const std::string& key, const StoredToken& token)
{
	const Poco::Int64 ttlMs = (token.expiresAt - nowSeconds()) * 1000;
	if (ttlMs <= 0) return;
	const std::string sealed = base64Encode(_sealer->seal(key, frame(token)));
	std::lock_guard<std::mutex> lock(_mutex);
	execute({"SET", redisKey(key), sealed, "PX", std::to_string(ttlMs)});
}

void RedisTokenStore::remove(const std::string& key)
{
	std::lock_guard<std::mutex> lock(_mutex);
	execute({"DEL", redisKey(key)});
}

bool RedisTokenStore::removeIf(const std::string& key, const std::string& accessToken)
{
	const std::optional<std::string> sealed = sealedValue(key);
	if (!sealed) return false;
	// A value that does not open (or read) is worth nothing: it goes too.
	const std::optional<StoredToken> stored = opened(key, *sealed);
	if (stored && stored->accessToken != accessToken) return false;
	// Only if it is still the value read: another process may have stored a new token meanwhile.
	std::lock_guard<std::mutex> lock(_mutex);
	const detail::RespValue deleted = execute({"EVAL", COMPARE_AND_DELETE, "1", redisKey(key), *sealed});
	return deleted.kind == detail::RespValue::Kind::Integer && deleted.integer == 1;
}

bool RedisTokenStore::tryLock(const std::string& key)
{
	const std::string value = randomHex(16);
	std::lock_guard<std::mutex> lock(_mutex);
	// OK when set; a null bulk string when someone holds the lock.
	const detail::RespValue reply = execute({"SET", redisKey("lock:" + key), value, "NX", "PX",
		std::to_string(_options.lockTimeoutSeconds * 1000)});
	if (reply.isNull()) return false;
	_lockValues[key] = value;
	return true;
}

void RedisTokenStore::unlock(const std::string& key)
{
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _lockValues.find(key);
	if (it == _lockValues.end()) return;
	const std::string value = it->second;
	_lockValues.erase(it);
	execute({"EVAL", COMPARE_AND_DELETE, "1", redisKey("lock:" + key), value});
}

int RedisTokenStore::lockTimeoutSeconds() const
{
	return _options.lockTimeoutSeconds;
}

} // namespace jwtflow
