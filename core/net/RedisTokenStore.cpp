//
// RedisTokenStore.cpp
//
// Library: jwtflow net
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/RedisTokenStore.h"
#include "jwtflow/Encoding.h"
#include "jwtflow/Exception.h"
#include "jwtflow/Json.h"
#include "jwtflow/SafeText.h"
#include <Poco/Net/NetException.h>
#include <Poco/NumberParser.h>
#include <Poco/RandomStream.h>
#include <Poco/Redis/Array.h>
#include <Poco/Redis/Client.h>
#include <Poco/Redis/Command.h>
#include <Poco/Redis/Error.h>
#include <Poco/Redis/Exception.h>
#include <Poco/String.h>
#include <Poco/Timestamp.h>
#include <Poco/URI.h>
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

} // namespace

RedisStoreOptions RedisStoreOptions::fromUrl(const std::string& url)
{
	RedisStoreOptions o;
	Poco::URI uri;
	try
	{
		uri = Poco::URI(url);
	}
	catch (const Poco::Exception&)
	{
		throw UsageException("'" + safeText(url, 100) + "' is not a redis://host:port/database URL");
	}
	if (Poco::toLower(uri.getScheme()) != "redis" || uri.getHost().empty())
		throw UsageException("'" + safeText(url, 100) + "' is not a redis://host:port/database URL"
			+ std::string(Poco::toLower(uri.getScheme()) == "rediss" ? " (TLS to Redis, rediss://, is not supported: POCO's Redis client has "
				"no TLS; keep Redis on loopback or behind a TLS tunnel)" : ""));
	if (!uri.getUserInfo().empty())
		throw UsageException("put no password in the Redis URL (it would show wherever the URL does): give it with the password "
			"setting or a password file");
	if (!uri.getQuery().empty() || !uri.getFragment().empty())
		throw UsageException("the Redis URL takes no query or fragment: redis://host:port/database");
	o.host = uri.getHost();
	o.port = uri.getPort() ? uri.getPort() : 6379;
	std::string path = uri.getPath();
	if (!path.empty() && path != "/")
	{
		int db = -1;
		if (!Poco::NumberParser::tryParse(path.substr(1), db) || db < 0 || db > 1000000)
			throw UsageException("the Redis URL's path must be a database number (redis://host:port/0), not '" + safeText(path, 40) + "'");
		o.database = db;
	}
	return o;
}

RedisTokenStore::RedisTokenStore(RedisStoreOptions options, std::shared_ptr<const TokenSealer> sealer,
	std::function<void(const std::string&)> onNote):
	_options(std::move(options)), _sealer(std::move(sealer)), _onNote(std::move(onNote))
{
	if (!_sealer) throw UsageException("the Redis token store needs a sealer (the signing key): values are never kept in clear");
	if (_options.lockTimeoutSeconds < 1) throw UsageException("the Redis store's lock time-out must be at least 1 second");
	if (_options.operationTimeoutMs < 1) throw UsageException("the Redis store's operation time-out must be at least 1 ms");
}

RedisTokenStore::~RedisTokenStore()
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (_client)
	{
		try
		{
			_client->disconnect();
		}
		catch (...)
		{
		}
	}
}

void RedisTokenStore::note(const std::string& text) const
{
	if (_onNote) _onNote(text);
}

void RedisTokenStore::failLocked(const std::string& what)
{
	if (_client)
	{
		try
		{
			_client->disconnect();
		}
		catch (...)
		{
		}
		_client.reset();
	}
	_lastFailure = what;
	_skipUntilMs = nowMs() + _options.retryAfterFailureMs;
	throw NetworkException("the Redis token store at " + _options.host + ":" + std::to_string(_options.port) + " is unavailable: " + what);
}

void RedisTokenStore::connectLocked()
{
	if (_client && _client->isConnected()) return;
	const Poco::Timespan timeout(static_cast<Poco::Timespan::TimeDiff>(_options.operationTimeoutMs) * 1000);
	_client.reset(new Poco::Redis::Client);
	_client->connect(_options.host, _options.port, timeout);
	_client->setReceiveTimeout(timeout);
	auto answer = [this](Poco::Redis::Array& command, const char* what) {
		Poco::Redis::RedisType::Ptr reply = _client->sendCommand(command);
		if (reply && reply->isError())
		{
			const std::string message = static_cast<Poco::Redis::Type<Poco::Redis::Error>*>(reply.get())->value().getMessage();
			throw Poco::Redis::RedisException(std::string(what) + " refused: " + safeText(message, 120));
		}
	};
	if (!_options.password.empty())
	{
		Poco::Redis::Array auth;
		auth << "AUTH";
		if (!_options.username.empty()) auth << _options.username;
		auth << _options.password;
		answer(auth, "AUTH");
	}
	if (_options.database != 0)
	{
		Poco::Redis::Array select;
		select << "SELECT" << std::to_string(_options.database);
		answer(select, "SELECT");
	}
}

template <typename Reply>
Reply RedisTokenStore::execute(const Poco::Redis::Array& command)
{
	// Caller holds _mutex.
	if (_skipUntilMs > nowMs())
		throw NetworkException("the Redis token store at " + _options.host + ":" + std::to_string(_options.port) + " is skipped for "
			+ std::to_string(_skipUntilMs - nowMs()) + " ms more after a failure (" + _lastFailure + ")");
	try
	{
		connectLocked();
		return _client->execute<Reply>(command);
	}
	catch (const Poco::TimeoutException&)
	{
		failLocked("no answer within " + std::to_string(_options.operationTimeoutMs) + " ms");
	}
	catch (const Poco::Net::ConnectionRefusedException&)
	{
		failLocked("connection refused");
	}
	catch (const Poco::Redis::RedisException& e)
	{
		failLocked("Redis answered an error: " + safeText(e.message(), 160));
	}
	catch (const Poco::Exception& e)
	{
		failLocked(safeText(e.displayText(), 160));
	}
	catch (const std::exception& e)
	{
		failLocked(safeText(e.what(), 160));
	}
	throw NetworkException("unreachable");
}

RedisTokenStore::Check RedisTokenStore::check(std::string& why)
{
	std::lock_guard<std::mutex> lock(_mutex);
	try
	{
		_skipUntilMs = 0;
		if (_client) _client->disconnect();
		_client.reset();
		connectLocked();
		Poco::Redis::Array ping;
		ping << "PING";
		_client->execute<std::string>(ping);
		why.clear();
		return Check::Ok;
	}
	catch (const Poco::Redis::RedisException& e)
	{
		why = safeText(e.message(), 200);
		_client.reset();
		// An error answer to AUTH or SELECT is the configuration's fault; anything else is the server's state.
		const bool refused = why.find("AUTH refused") != std::string::npos || why.find("SELECT refused") != std::string::npos
			|| why.find("NOAUTH") != std::string::npos;
		return refused ? Check::Refused : Check::Unreachable;
	}
	catch (const Poco::Exception& e)
	{
		why = safeText(e.displayText(), 200);
		_client.reset();
		return Check::Unreachable;
	}
}

std::optional<StoredToken> RedisTokenStore::get(const std::string& key)
{
	Poco::Redis::BulkString value;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		value = execute<Poco::Redis::BulkString>(Poco::Redis::Command::get(redisKey(key)));
	}
	if (value.isNull()) return std::nullopt;
	std::optional<std::string> plain;
	try
	{
		plain = _sealer->open(key, base64Decode(value.value()));
	}
	catch (const Poco::Exception&)
	{
	}
	if (!plain)
	{
		note("jwtflow: the stored token under " + redisKey(key).substr(0, _options.keyPrefix.size() + 12)
			+ "... does not open with this key (altered, moved from another key, or another fleet's): ignored, and replaced by the next login");
		return std::nullopt;
	}
	std::optional<StoredToken> token = unframe(*plain);
	if (!token || token->accessToken.empty() || token->expiresAt <= nowSeconds()) return std::nullopt;
	return token;
}

void RedisTokenStore::put(const std::string& key, const StoredToken& token)
{
	const Poco::Int64 ttlMs = (token.expiresAt - nowSeconds()) * 1000;
	if (ttlMs <= 0) return;
	const std::string sealed = base64Encode(_sealer->seal(key, frame(token)));
	Poco::Redis::Array set;
	set << "SET" << redisKey(key) << sealed << "PX" << std::to_string(ttlMs);
	std::lock_guard<std::mutex> lock(_mutex);
	execute<std::string>(set);
}

void RedisTokenStore::remove(const std::string& key)
{
	std::lock_guard<std::mutex> lock(_mutex);
	execute<Poco::Int64>(Poco::Redis::Command::del(redisKey(key)));
}

bool RedisTokenStore::removeIf(const std::string& key, const std::string& accessToken)
{
	Poco::Redis::BulkString value;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		value = execute<Poco::Redis::BulkString>(Poco::Redis::Command::get(redisKey(key)));
	}
	if (value.isNull()) return false;
	std::optional<std::string> plain;
	try
	{
		plain = _sealer->open(key, base64Decode(value.value()));
	}
	catch (const Poco::Exception&)
	{
	}
	// A value that does not open (or read) is worth nothing: it goes too.
	std::optional<StoredToken> stored = plain ? unframe(*plain) : std::nullopt;
	const bool matches = !stored || stored->accessToken == accessToken;
	if (!matches) return false;
	// Only if it is still the value read: another process may have stored a new token meanwhile.
	Poco::Redis::Array eval;
	eval << "EVAL" << COMPARE_AND_DELETE << "1" << redisKey(key) << value.value();
	std::lock_guard<std::mutex> lock(_mutex);
	return execute<Poco::Int64>(eval) == 1;
}

bool RedisTokenStore::tryLock(const std::string& key)
{
	const std::string value = randomHex(16);
	Poco::Redis::Array set;
	set << "SET" << redisKey("lock:" + key) << value << "NX" << "PX" << std::to_string(_options.lockTimeoutSeconds * 1000);
	std::lock_guard<std::mutex> lock(_mutex);
	// OK when set; a null bulk string when someone holds the lock.
	const Poco::Redis::BulkString reply = [&]() -> Poco::Redis::BulkString {
		if (_skipUntilMs > nowMs()) return execute<Poco::Redis::BulkString>(set);   // throws: skipped
		try
		{
			connectLocked();
			Poco::Redis::RedisType::Ptr answer = _client->sendCommand(set);
			if (!answer) throw Poco::Redis::RedisException("no answer");
			if (answer->isSimpleString()) return Poco::Redis::BulkString(static_cast<Poco::Redis::Type<std::string>*>(answer.get())->value());
			if (answer->isBulkString()) return static_cast<Poco::Redis::Type<Poco::Redis::BulkString>*>(answer.get())->value();
			if (answer->isError())
				throw Poco::Redis::RedisException(static_cast<Poco::Redis::Type<Poco::Redis::Error>*>(answer.get())->value().getMessage());
			throw Poco::Redis::RedisException("an unexpected answer to SET NX");
		}
		catch (const NetworkException&)
		{
			throw;
		}
		catch (const Poco::TimeoutException&)
		{
			failLocked("no answer within " + std::to_string(_options.operationTimeoutMs) + " ms");
		}
		catch (const Poco::Exception& e)
		{
			failLocked(safeText(e.displayText(), 160));
		}
		throw NetworkException("unreachable");
	}();
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
	Poco::Redis::Array eval;
	eval << "EVAL" << COMPARE_AND_DELETE << "1" << redisKey("lock:" + key) << value;
	execute<Poco::Int64>(eval);
}

int RedisTokenStore::lockTimeoutSeconds() const
{
	return _options.lockTimeoutSeconds;
}

} // namespace jwtflow
