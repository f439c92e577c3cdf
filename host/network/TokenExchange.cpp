//
// TokenExchange.cpp
//
// Module: jwtflow-network
//
// SPDX-License-Identifier: BSL-1.0
//
#include "TokenExchange.h"
#include <Poco/DateTimeFormatter.h>
#include <Poco/DateTimeFormat.h>
#include "jwtflow/Certificate.h"
#include "jwtflow/FederatedSources.h"
#include "jwtflow/LoginIdentity.h"
#include "jwtflow/RedisTokenStore.h"
#include "jwtflow/SecureFiles.h"
#include "jwtflow/TokenStoreFactory.h"
#include "jwtflow/Exception.h"
#include <Poco/Timestamp.h>

namespace jwtflow {
namespace host {

LoginCache openStoreFor(const Provider& provider, const Settings& settings, const Console& console, const CacheChoice& choice,
	const SigningKey& signing, const ExtraClaims& claims)
{
	registerRedisTokenStore();
	LoginCache cache = openLoginCache(provider, settings, console, signing, claims, choice.store);
	if (auto* redis = dynamic_cast<RedisTokenStore*>(cache.store.get()))
	{
		// For people: the server and the start of the key, never the whole cache key.
		cache.location = choice.store + " " + redis->redisKey(cache.key).substr(0, redis->redisKey("").size() + 12) + "...";
	}
	return cache;
}

void Exchange::take(const Login& login, const Console& console, const std::string& provider)
{
	token = login.token;
	fromCache = login.fromStore;
	usableUntil = login.usableUntil;
	jwt = login.assertion;
	cacheFile = login.fromStore || login.stored ? _location : std::string();
	if (login.fromStore)
		console.detail("jwtflow: using the cached " + provider + " token (" + std::to_string(login.usableUntil - Poco::Timestamp().epochTime())
			+ " s left; " + _location + ")");
	else if (login.stored)
		console.detail("jwtflow: cached the " + provider + " token for " + std::to_string(login.usableUntil - Poco::Timestamp().epochTime())
			+ " s in " + _location);
}

void Exchange::renew(const Console& console)
{
	broker->forget(token.accessToken);
	take(broker->obtain(), console, _provider);
}

namespace {

/// A certificate past its end is what the IdP holds too, unless a newer one was uploaded: said, not refused
/// (Salesforce never sees the file; it checks its own copy).
void warnOfExpiredCertificate(const Settings& settings, const Console& console)
{
	const auto path = settings.get("PATH_CERTIFICATE");
	if (!path) return;
	try
	{
		const Certificate certificate = Certificate::fromFile(*path);
		if (certificate.notAfter() >= Poco::Timestamp()) return;
		console.note("jwtflow: warning: the certificate " + *path + " (PATH_CERTIFICATE) expired on "
			+ Poco::DateTimeFormatter::format(certificate.notAfter(), Poco::DateTimeFormat::ISO8601_FORMAT) + ": the app's copy has "
			"expired too unless you uploaded a newer one, and the IdP refuses assertions it cannot check; make a new one (jwtflow keygen) "
			"and upload it");
	}
	catch (const Poco::Exception&)
	{
		// Unreadable: the minter or doctor says so where it matters.
	}
}

} // namespace

Exchange exchangeToken(Provider& provider, Settings& settings, const SigningKey* signing, const ExtraClaims& claims, int timeout,
	const Console& console, CacheChoice cache)
{
	Exchange ex;
	// Settings and key errors before anything is sent.
	if (signing) ex.minter.reset(new AssertionMinter(provider, settings, *signing, claims));
	warnOfExpiredCertificate(settings, console);
	HttpOptions options = httpOptionsFrom(settings, timeout);
	options.onRetry = [&console](const std::string& what) { console.detail(what); };
	ex.http.reset(new HttpClient(options));
	ex.client.reset(new TokenClient(provider, settings, *ex.http));
	cache = cacheChoiceFor(settings, cache);
	if (!signing)
	{
		// A federated credential: no private key, so nothing to seal a stored login with.
		ex.assertions = federatedAssertionSource(provider, settings, *ex.http);
		if (!ex.assertions) throw UsageException("no signing key and no federated credential for " + provider.name());
		console.detail("jwtflow: the client assertion is " + ex.assertions->describe() + "; the login is not cached");
		cache.use = false;
	}

	LoginCache login;
	if (cache.use) login = openStoreFor(provider, settings, console, cache, *signing, claims);
	ex._location = login.location;
	ex._provider = provider.name();
	LoginPolicy policy;
	policy.assumedLifetimeSeconds = static_cast<int>(sessionLifetime(settings));
	policy.lockWaitSeconds = timeout;
	policy.onEvent = [&console](const std::string& what) { console.detail("jwtflow: " + what); };
	policy.onWarning = [&console](const std::string& what) { console.note("jwtflow: warning: " + what); };
	if (ex.minter)
		ex.broker.reset(new LoginBroker(provider, *ex.minter, *ex.client, login.store, login.key, loginLabel(provider, settings, &signing->key), policy));
	else
		ex.broker.reset(new LoginBroker(provider, *ex.assertions, *ex.client, login.store, login.key, loginLabel(provider, settings), policy));
	ex.take(ex.broker->obtain(cache.refresh), console, provider.name());
	return ex;
}

} // namespace host
} // namespace jwtflow
