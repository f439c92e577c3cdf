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
	const SigningKey& signing, const ExtraClaims& claims)
{
	LoginCache cache;
	auto* files = new FileTokenStore(FileTokenStore::defaultFolder(), std::make_shared<TokenSealer>(signing.key),
		[&console](const std::string& note) { console.detail(note); });
	cache.store.reset(files);
	cache.key = cacheKey(loginIdentity(provider, settings, signing.key, claims));
	cache.location = files->fileFor(cache.key);
	return cache;
}

std::optional<CachedLogin> readCachedLogin(const Provider& provider, LoginCache& cache, const Console& console)
{
	auto stored = cache.store->get(cache.key);
	if (!stored) return std::nullopt;
	CachedLogin login;
	Poco::JSON::Object::Ptr response = parseJsonObject(stored->responseJson);
	login.token = provider.readTokenResponse(*response);
	login.token.raw = response;
	login.usableUntil = stored->expiresAt;
	login.file = cache.location;
	console.detail("jwtflow: using the cached " + provider.name() + " token (" + std::to_string(stored->expiresAt
		- Poco::Timestamp().epochTime()) + " s left; " + login.file + ")");
	return login;
}

} // namespace host
} // namespace jwtflow
