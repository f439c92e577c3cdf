//
// TokenExchange.cpp
//
// Module: jwtflow-network
//
// SPDX-License-Identifier: BSL-1.0
//
#include "TokenExchange.h"
#include "jwtflow/RedisTokenStore.h"
#include "jwtflow/SecureFiles.h"
#include "jwtflow/Exception.h"
#include "jwtflow/Json.h"
#include <Poco/NumberParser.h>
#include <Poco/Thread.h>
#include <Poco/Timestamp.h>

namespace jwtflow {
namespace host {


LoginCache openStoreFor(const Provider& provider, const Settings& settings, const Console& console, const CacheChoice& choice)
{
	if (choice.redisUrl.empty()) return openLoginCache(provider, settings, console);
	RedisStoreOptions options = RedisStoreOptions::fromUrl(choice.redisUrl);
	if (auto password = settings.get("REDIS_PASSWORD")) options.password = *password;
	if (auto file = settings.get("REDIS_PASSWORD_FILE"))
	{
		options.password = readSecretLine(*file, "the Redis password file (REDIS_PASSWORD_FILE)");
	}
	SigningKey signing = loadSigningKey(provider, settings);
	auto* redis = new RedisTokenStore(options, std::make_shared<TokenSealer>(signing.key),
		[&console](const std::string& note) { console.detail(note); });
	LoginCache cache;
	cache.store.reset(redis);
	cache.key = cacheKey(loginIdentity(provider, settings, signing.key));
	cache.location = "redis://" + options.host + ":" + std::to_string(options.port) + "/" + std::to_string(options.database) + " "
		+ redis->redisKey(cache.key).substr(0, options.keyPrefix.size() + 12) + "...";
	std::string why;
	const RedisTokenStore::Check check = redis->check(why);
	if (check == RedisTokenStore::Check::Refused)
		throw UsageException("Redis at " + options.host + ":" + std::to_string(options.port) + " refused the credentials or database (" + why
			+ "): check REDIS_PASSWORD or REDIS_PASSWORD_FILE, and the database in TOKEN_STORE");
	if (check == RedisTokenStore::Check::Unreachable)
		console.note("jwtflow: warning: the token store " + choice.redisUrl + " does not answer (" + why + "): logging in without it");
	return cache;
}

Exchange exchangeToken(Provider& provider, Settings& settings, const ExtraClaims& claims, int timeout,
	const Console& console, CacheChoice cache)
{
	AssertionMinter minter(provider, settings, claims);
	HttpOptions options = httpOptionsFrom(settings, timeout);
	options.onRetry = [&console](const std::string& what) { console.detail(what); };
	Exchange ex;
	ex.http.reset(new HttpClient(options));
	ex.client.reset(new TokenClient(provider, settings, *ex.http));
	cache = cacheChoiceFor(settings, cache);
	const Poco::Int64 lifetimeIfUnsaid = sessionLifetime(settings);

	// The cache: sealed with a key derived from this signing key, one entry per login identity.
	LoginCache login;
	std::unique_ptr<TokenStore>& store = login.store;
	const std::string& key = login.key;
	bool locked = false;
	if (cache.use)
	{
		login = openStoreFor(provider, settings, console, cache);
		auto fromStore = [&]() -> bool {
			auto cached = readCachedLogin(provider, login, console);
			if (!cached) return false;
			ex.token = cached->token;
			ex.fromCache = true;
			ex.usableUntil = cached->usableUntil;
			ex.cacheFile = cached->file;
			return true;
		};
		try
		{
			if (!cache.refresh && fromStore()) return ex;
			// One login at a time for this identity, across processes (and machines, with Redis): the others
			// wait for it and use its token, at most the store's lock time-out or --timeout.
			const Poco::Timestamp waitStarted;
			const int waitSeconds = std::min(timeout, store->lockTimeoutSeconds());
			while (!(locked = store->tryLock(key)))
			{
				if (waitStarted.isElapsed(static_cast<Poco::Timestamp::TimeDiff>(waitSeconds) * 1000000)) break;
				Poco::Thread::sleep(100);
				if (!cache.refresh && fromStore()) return ex;
			}
		}
		catch (const NetworkException& e)
		{
			// A shared store that does not answer never stops a login.
			console.note("jwtflow: warning: " + messageFor(e) + ": logging in without it");
			store.reset();
		}
	}
	struct Unlock
	{
		std::unique_ptr<TokenStore>& store;
		const std::string& key;
		bool locked;
		~Unlock()
		{
			if (!store || !locked) return;
			try
			{
				store->unlock(key);
			}
			catch (const Poco::Exception&)
			{
				// The lock expires on its own.
			}
		}
	} unlock{store, key, locked};

	MintedAssertion first = minter.mint();   // settings and key errors first, before anything is sent
	console.detail("posting the assertion to " + provider.tokenRequest(settings, "").url);
	// A fresh assertion (new jti) for every try: an IdP that refuses replays
	// may already have consumed the one sent before a 5xx.
	bool firstUsed = false;
	ex.token = ex.client->exchange([&] {
		if (!firstUsed)
		{
			firstUsed = true;
			ex.jwt = first.compact;
			return first.compact;
		}
		ex.jwt = minter.mint().compact;
		return ex.jwt;
	});
	const Poco::Int64 lifetime = std::min<Poco::Int64>(7 * 24 * 3600, ex.token.expiresIn && *ex.token.expiresIn > 0
		? *ex.token.expiresIn : lifetimeIfUnsaid);
	// Handed out until a margin before it expires: min(60 s, half its life).
	ex.usableUntil = Poco::Timestamp().epochTime() + lifetime - std::min<Poco::Int64>(60, lifetime / 2);
	if (store && ex.token.raw)
	{
		StoredToken stored;
		stored.accessToken = ex.token.accessToken;
		stored.responseJson = objectToJson(*ex.token.raw);
		stored.expiresAt = ex.usableUntil;
		stored.label = loginLabel(provider, settings);
		try
		{
			store->put(key, stored);
			auto* files = dynamic_cast<FileTokenStore*>(store.get());
			if (!files || files->problem().empty())
			{
				ex.cacheFile = login.location;
				console.detail("jwtflow: cached the " + provider.name() + " token for " + std::to_string(ex.usableUntil
					- Poco::Timestamp().epochTime()) + " s in " + ex.cacheFile);
			}
		}
		catch (const Poco::Exception& e)
		{
			console.detail("jwtflow: the token was not cached: " + messageFor(e));
		}
	}
	return ex;
}

} // namespace host
} // namespace jwtflow
