//
// NetworkActions.cpp
//
// Module: jwtflow-network
// The provider actions that exchange the assertion: token, whoami, frontdoor.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "JwtflowApp.h"
#include "jwtflow/Encoding.h"
#include "jwtflow/Exception.h"
#include "jwtflow/HttpClient.h"
#include "jwtflow/Json.h"
#include "jwtflow/SafeText.h"
#include "jwtflow/TokenClient.h"
#include "jwtflow/TokenStore.h"
#include <Poco/DateTimeFormat.h>
#include <Poco/File.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/NumberParser.h>
#include <Poco/SHA2Engine.h>
#include <Poco/Thread.h>
#include <set>
#include <Poco/JSON/Object.h>
#include <Poco/String.h>
#include <iostream>
#include <memory>

namespace jwtflow {
namespace host {

namespace {

Poco::JSON::Object::Ptr tokenJson(const TokenResult& token)
{
	if (token.raw) return token.raw;
	Poco::JSON::Object::Ptr obj = newJsonObject();
	obj->set("access_token", token.accessToken);
	return obj;
}

} // namespace

namespace {

struct Exchange
{
	std::unique_ptr<HttpClient> http;
	std::unique_ptr<TokenClient> client;
	TokenResult token;
	std::string jwt;             // the assertion sent, when one was (not for a cached token)
	bool fromCache = false;
	Poco::Int64 usableUntil = 0; // when the token stops being handed out (seconds since 1970)
	std::string cacheFile;       // where it is cached, "" when not
};

struct CacheChoice
{
	bool use = true;
	bool refresh = false;
};

Poco::Int64 sessionLifetime(const Settings& settings)
{
	const std::string text = settings.getOr("SESSION_LIFETIME", "900");
	int seconds = 0;
	if (!Poco::NumberParser::tryParse(text, seconds) || seconds < 1 || seconds > 7 * 24 * 3600)
		throw UsageException("SESSION_LIFETIME '" + text + "' is not a number of seconds from 1 to 604800");
	return seconds;
}

} // namespace

static Exchange exchangeToken(Provider& provider, Settings& settings, const ExtraClaims& claims, int timeout,
	const Console& console, CacheChoice cache = {})
{
	AssertionMinter minter(provider, settings, claims);
	HttpOptions options = httpOptionsFrom(settings, timeout);
	options.onRetry = [&console](const std::string& what) { console.detail(what); };
	Exchange ex;
	ex.http.reset(new HttpClient(options));
	ex.client.reset(new TokenClient(provider, settings, *ex.http));
	const std::string storeName = settings.getOr("TOKEN_STORE", "file");
	if (storeName != "file" && storeName != "none")
		throw UsageException("TOKEN_STORE '" + storeName + "' is not a store here: file (the default) or none");
	cache.use = cache.use && storeName == "file";
	const Poco::Int64 lifetimeIfUnsaid = sessionLifetime(settings);

	// The cache: sealed with a key derived from this signing key, one file per login identity.
	std::unique_ptr<FileTokenStore> store;
	std::string key;
	if (cache.use)
	{
		SigningKey signing = loadSigningKey(provider, settings);
		store.reset(new FileTokenStore(FileTokenStore::defaultFolder(), std::make_shared<TokenSealer>(signing.key),
			[&console](const std::string& note) { console.detail(note); }));
		key = cacheKey(loginIdentity(provider, settings, signing.key));
		auto fromStore = [&]() -> bool {
			auto stored = store->get(key);
			if (!stored) return false;
			Poco::JSON::Object::Ptr response = parseJsonObject(stored->responseJson);
			ex.token = provider.readTokenResponse(*response);
			ex.token.raw = response;
			ex.fromCache = true;
			ex.usableUntil = stored->expiresAt;
			ex.cacheFile = store->fileFor(key);
			console.detail("jwtflow: using the cached " + provider.name() + " token (" + std::to_string(stored->expiresAt
				- Poco::Timestamp().epochTime()) + " s left; " + ex.cacheFile + ")");
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

int JwtflowApp::actionToken(Provider& provider)
{
	OutputFormat format = outputFormat();
	Exchange ex = exchangeToken(provider, settings(), extraClaims(), timeoutSeconds(), _console, CacheChoice{!hasFlag("no-cache"), hasFlag("refresh")});
	const TokenResult& t = ex.token;
	if (format == OutputFormat::Json)
	{
		_console.json(*tokenJson(t));
	}
	else if (format == OutputFormat::Env)
	{
		std::vector<std::pair<std::string, std::string>> vars = {{"ACCESS_TOKEN", t.accessToken}};
		if (!t.instanceUrl.empty()) vars.push_back({"INSTANCE_URL", t.instanceUrl});
		if (!t.identityUrl.empty()) vars.push_back({"IDENTITY_URL", t.identityUrl});
		if (!t.tokenType.empty()) vars.push_back({"TOKEN_TYPE", t.tokenType});
		if (t.expiresIn) vars.push_back({"EXPIRES_IN", std::to_string(*t.expiresIn)});
		for (const auto& e: t.extra)
			if (e.first != "signature") vars.push_back({Poco::toUpper(e.first), e.second});
		_console.envLines(vars);
	}
	else
	{
		_console.result(t.accessToken);
	}
	return 0;
}

int JwtflowApp::actionWhoami(Provider& provider)
{
	OutputFormat format = outputFormat();
	CacheChoice cache{!hasFlag("no-cache"), hasFlag("refresh")};
	Exchange ex = exchangeToken(provider, settings(), extraClaims(), timeoutSeconds(), _console, cache);
	std::string url = provider.identityUrl(ex.token, settings());
	if (url.empty()) throw NetworkException("the token response names no identity URL (id), so whoami cannot ask who it is");
	Poco::JSON::Object::Ptr identity;
	try
	{
		identity = ex.client->bearerGet(url, ex.token.accessToken);
	}
	catch (const NetworkException& e)
	{
		// A cached token the IdP no longer takes (revoked, session ended): log in again, once.
		if (!ex.fromCache || e.message().find("HTTP 401") == std::string::npos) throw;
		_console.detail("jwtflow: the cached token was refused (HTTP 401): logging in again");
		cache.refresh = true;
		ex = exchangeToken(provider, settings(), extraClaims(), timeoutSeconds(), _console, cache);
		url = provider.identityUrl(ex.token, settings());
		identity = ex.client->bearerGet(url, ex.token.accessToken);
	}
	if (format == OutputFormat::Json)
	{
		_console.json(*identity);
		return 0;
	}
	std::vector<std::pair<std::string, std::string>> fields;
	for (const char* key: {"username", "preferred_username", "display_name", "name", "email", "user_id", "organization_id", "user_type"})
	{
		std::string v = jsonString(*identity, key);
		if (!v.empty()) fields.push_back({key, v});
	}
	if (format == OutputFormat::Env)
	{
		std::vector<std::pair<std::string, std::string>> vars;
		for (const auto& f: fields) vars.push_back({Poco::toUpper(f.first), f.second});
		_console.envLines(vars);
		return 0;
	}
	for (const auto& f: fields) _console.result(f.first + ": " + f.second);
	return 0;
}

int JwtflowApp::actionFrontdoor(Provider& provider)
{
	OutputFormat format = outputFormat();
	bool singleUse = hasFlag("single-use");
	// Let the provider refuse a bad RET_URL (or a provider without frontdoor)
	// before any network traffic: plan once with a placeholder token.
	TokenResult placeholder;
	placeholder.instanceUrl = "https://example.invalid";
	placeholder.accessToken = "x";
	provider.frontdoor(placeholder, settings(), singleUse);
	Exchange ex = exchangeToken(provider, settings(), extraClaims(), timeoutSeconds(), _console,
		CacheChoice{!hasFlag("no-cache"), hasFlag("refresh")});
	FrontdoorPlan plan = provider.frontdoor(ex.token, settings(), singleUse);
	std::string url = plan.url;
	if (url.empty())
	{
		Poco::JSON::Object::Ptr answer = ex.client->bearerPost(plan.singleAccessEndpoint, plan.singleAccessForm, ex.token.accessToken);
		url = jsonString(*answer, "frontdoor_uri");
		if (url.empty())
			throw NetworkException("the singleaccess endpoint " + plan.singleAccessEndpoint + " answered without a frontdoor_uri");
	}
	if (format == OutputFormat::Json)
	{
		Poco::JSON::Object out(Poco::JSON_PRESERVE_KEY_ORDER);
		out.set("frontdoor_url", url);
		out.set("single_use", singleUse);
		_console.json(out);
	}
	else if (format == OutputFormat::Env)
	{
		_console.envLines({{"FRONTDOOR_URL", url}});
	}
	else
	{
		_console.result(url);
	}
	return 0;
}

int JwtflowApp::actionLogin(Provider& provider)
{
	// Always a new login (the point of the command), stored for token, whoami and frontdoor.
	OutputFormat format = outputFormat();
	Exchange ex = exchangeToken(provider, settings(), extraClaims(), timeoutSeconds(), _console,
		CacheChoice{!hasFlag("no-cache"), true});
	const TokenResult& t = ex.token;
	Poco::JSON::Object::Ptr identity;
	const std::string identityUrl = provider.identityUrl(t, settings());
	if (!identityUrl.empty())
	{
		try
		{
			identity = ex.client->bearerGet(identityUrl, t.accessToken);
		}
		catch (const Poco::Exception& e)
		{
			_console.note("jwtflow: warning: the identity call failed: " + messageFor(e));
		}
	}
	std::string frontdoor;
	try
	{
		FrontdoorPlan plan = provider.frontdoor(t, settings(), false);
		frontdoor = plan.url;
	}
	catch (const Poco::Exception&)
	{
		// No frontdoor for this provider (or no instance URL): nothing to show.
	}
	const std::string expires = Poco::DateTimeFormatter::format(Poco::Timestamp::fromEpochTime(static_cast<std::time_t>(ex.usableUntil)),
		Poco::DateTimeFormat::ISO8601_FORMAT);
	if (format == OutputFormat::Json)
	{
		Poco::JSON::Object out(Poco::JSON_PRESERVE_KEY_ORDER);
		out.set("provider", provider.name());
		out.set("jwt", ex.jwt);
		out.set("token", t.raw);
		out.set("access_token", t.accessToken);
		if (identity) out.set("identity", identity);
		if (!frontdoor.empty()) out.set("frontdoor_url", frontdoor);
		out.set("cached_until", expires);
		out.set("cache_file", ex.cacheFile);
		_console.json(out);
		return 0;
	}
	if (format == OutputFormat::Env)
	{
		std::vector<std::pair<std::string, std::string>> vars = {{"JWT", ex.jwt}, {"ACCESS_TOKEN", t.accessToken}};
		if (!t.instanceUrl.empty()) vars.push_back({"INSTANCE_URL", t.instanceUrl});
		if (!frontdoor.empty()) vars.push_back({"FRONTDOOR_URL", frontdoor});
		vars.push_back({"CACHED_UNTIL", expires});
		_console.envLines(vars);
		return 0;
	}
	std::string who;
	if (identity)
		for (const char* key: {"username", "preferred_username", "email", "name"})
			if (who.empty()) who = jsonString(*identity, key);
	_console.result("logged in to " + provider.name() + (who.empty() ? std::string() : " as " + safeText(who, 120)));
	if (identity)
	{
		for (const char* key: {"user_id", "organization_id", "tid", "sub"})
		{
			const std::string v = jsonString(*identity, key);
			if (!v.empty()) _console.result("  " + std::string(key) + std::string(17 - std::string(key).size(), ' ') + safeText(v, 120));
		}
	}
	if (!t.instanceUrl.empty()) _console.result("  instance url     " + safeText(t.instanceUrl, 200));
	_console.result("  token            " + shorten(t.accessToken) + (t.tokenType.empty() ? "" : " (" + safeText(t.tokenType, 20) + ")"));
	_console.result("  valid until      " + expires + (ex.cacheFile.empty() ? " (not cached)" : " (cached: token, whoami and frontdoor reuse it)"));
	if (!frontdoor.empty()) _console.result("  frontdoor        " + frontdoor);
	return 0;
}

int JwtflowApp::actionLogout(Provider& provider)
{
	// The cache entry of this login identity goes; the token itself stays valid at the IdP until it expires.
	Settings& s = settings();
	SigningKey signing = loadSigningKey(provider, s);
	FileTokenStore store(FileTokenStore::defaultFolder(), std::make_shared<TokenSealer>(signing.key),
		[this](const std::string& note) { _console.detail(note); });
	const std::string key = cacheKey(loginIdentity(provider, s, signing.key));
	const bool had = Poco::File(store.fileFor(key)).exists();
	store.remove(key);
	_console.result(had ? "logged out of " + provider.name() + ": the cached token is removed" : "no cached " + provider.name() + " login for these settings");
	if (had) _console.note("note: the token stays valid at the identity provider until it expires (revoke it there to end it at once)");
	return 0;
}

} // namespace host
} // namespace jwtflow
