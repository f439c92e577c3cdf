//
// TokenExchange.cpp
//
// Module: jwtflow-network
//
// SPDX-License-Identifier: BSL-1.0
//
#include "TokenExchange.h"
#include "jwtflow/Exception.h"
#include "jwtflow/Json.h"
#include <Poco/NumberParser.h>
#include <Poco/Thread.h>
#include <Poco/Timestamp.h>

namespace jwtflow {
namespace host {


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

	// The cache: sealed with a key derived from this signing key, one file per login identity.
	LoginCache login;
	std::unique_ptr<FileTokenStore>& store = login.store;
	const std::string& key = login.key;
	if (cache.use)
	{
		login = openLoginCache(provider, settings, console);
		auto fromStore = [&]() -> bool {
			auto cached = readCachedLogin(provider, login, console);
			if (!cached) return false;
			ex.token = cached->token;
			ex.fromCache = true;
			ex.usableUntil = cached->usableUntil;
			ex.cacheFile = cached->file;
			return true;
		};
		if (!cache.refresh && fromStore()) return ex;
		// One login at a time for this identity, across processes: the others wait for it and use its token.
		const Poco::Timestamp waitStarted;
		while (!store->tryLock(key))
		{
			if (waitStarted.isElapsed(static_cast<Poco::Timestamp::TimeDiff>(timeout) * 1000000)) break;
			Poco::Thread::sleep(100);
			if (!cache.refresh && fromStore()) return ex;
		}
	}
	struct Unlock
	{
		FileTokenStore* store;
		const std::string& key;
		~Unlock() { if (store) store->unlock(key); }
	} unlock{store.get(), key};

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
			if (store->problem().empty())
			{
				ex.cacheFile = store->fileFor(key);
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
