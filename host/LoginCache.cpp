//
// LoginCache.cpp
//
// Program: jwtflow
//
// SPDX-License-Identifier: BSL-1.0
//
#include "LoginCache.h"
#include "jwtflow/Assertion.h"
#include "jwtflow/Exception.h"
#include "jwtflow/Json.h"
#include "jwtflow/LoginIdentity.h"
#include "jwtflow/TokenStoreFactory.h"
#include <Poco/NumberParser.h>
#include <Poco/Timestamp.h>

namespace jwtflow {
namespace host {

Poco::Int64 sessionLifetime(const Settings& settings)
{
	const std::string text = settings.getOr("SESSION_LIFETIME", "900");
	int seconds = 0;
	if (!Poco::NumberParser::tryParse(text, seconds) || seconds < 1 || seconds > 7 * 24 * 3600)
		throw UsageException("SESSION_LIFETIME '" + text + "' is not a number of seconds from 1 to 604800");
	return seconds;
}

CacheChoice cacheChoiceFor(const Settings& settings, CacheChoice asked)
{
	sessionLifetime(settings);
	const std::string spec = settings.getOr("TOKEN_STORE", "file");
	const TokenStoreFactory& factory = TokenStoreFactory::defaultFactory();
	// The words are the core's; a URL's scheme may be one the network module registers (redis), checked there.
	if (factory.has(TokenStoreFactory::schemeOf(spec)) || spec.find("://") == std::string::npos) factory.check(spec);
	asked.use = asked.use && spec != "none";
	asked.store = spec;
	return asked;
}

LoginCache openLoginCache(const Provider& provider, const Settings& settings, const Console& console,
	const SigningKey& signing, const ExtraClaims& claims, const std::string& store)
{
	TokenStoreContext context;
	context.settings = &settings;
	context.sealer = std::make_shared<TokenSealer>(signing.key);
	context.onNote = [&console](const std::string& note) { console.detail(note); };
	context.onWarning = [&console](const std::string& warning) { console.note("jwtflow: warning: " + warning); };
	LoginCache cache;
	cache.store = TokenStoreFactory::defaultFactory().open(store, context);
	cache.key = cacheKey(loginIdentity(provider, settings, signing.key, claims));
	const auto* files = dynamic_cast<const FileTokenStore*>(cache.store.get());
	cache.location = files ? files->fileFor(cache.key) : store;
	return cache;
}

std::optional<CachedLogin> readCachedLogin(const Provider& provider, LoginCache& cache, const Console& console)
{
	std::optional<StoredLogin> stored = readStoredLogin(provider, *cache.store, cache.key);
	if (!stored) return std::nullopt;
	console.detail("jwtflow: using the cached " + provider.name() + " token (" + std::to_string(stored->usableUntil
		- Poco::Timestamp().epochTime()) + " s left; " + cache.location + ")");
	return CachedLogin{stored->token, stored->usableUntil, cache.location};
}

} // namespace host
} // namespace jwtflow
