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
	try
	{
		Poco::JSON::Object::Ptr fields = parseJsonObject(*plain);
		StoredToken token;
		token.accessToken = jsonString(*fields, "access_token");
		token.responseJson = jsonString(*fields, "response");
		token.label = jsonString(*fields, "label");
		token.expiresAt = fields->optValue<Poco::Int64>("expires_at", 0);
		if (token.accessToken.empty() || token.expiresAt <= nowSeconds()) return std::nullopt;
		return token;
	}
	catch (const Poco::Exception&)
	{
		return std::nullopt;
	}
}

void RedisTokenStore::put(const std::string& key, const StoredToken& token)
{
	const Poco::Int64 ttlMs = (token.expiresAt - nowSeconds()) * 1000;
	if (ttlMs <= 0) return;
	Poco::JSON::Object fields(Poco::JSON_PRESERVE_KEY_ORDER);
	fields.set("access_token", token.accessToken);
	fields.set("response", token.responseJson);
	fields.set("label", token.label);
	fields.set("expires_at", token.expiresAt);
	const std::string sealed = base64Encode(_sealer->seal(key, objectToJson(fields)));
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
	bool matches = !plain;   // a value that does not open is worth nothing: remove it too
	if (plain)
	{
		try
		{
			matches = jsonString(*parseJsonObject(*plain), "access_token") == accessToken;
		}
		catch (const Poco::Exception&)
		{
			matches = true;
		}
	}
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
