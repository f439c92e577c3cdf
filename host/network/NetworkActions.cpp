//
// NetworkActions.cpp
//
// Module: jwtflow-network
// The provider actions that exchange the assertion: token, whoami, frontdoor.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "JwtflowApp.h"
#include "jwtflow/ClientAssertion.h"
#include "TokenExchange.h"
#include "Browser.h"
#include "jwtflow/Encoding.h"
#include "jwtflow/Exception.h"
#include "jwtflow/HttpClient.h"
#include "jwtflow/Json.h"
#include "jwtflow/Jwt.h"
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


int JwtflowApp::actionToken(Provider& provider)
{
	Exchange ex = exchangeToken(provider, settings(), signingKeyFor(provider), extraClaims(), timeoutSeconds(), _console, CacheChoice{!hasFlag("no-cache"), hasFlag("refresh")});
	return deliverToken(ex.token, ex.usableUntil);
}

int JwtflowApp::actionWhoami(Provider& provider)
{
	OutputFormat format = outputFormat();
	CacheChoice cache{!hasFlag("no-cache"), hasFlag("refresh")};
	Exchange ex = exchangeToken(provider, settings(), signingKeyFor(provider), extraClaims(), timeoutSeconds(), _console, cache);
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
		if (!ex.fromCache || e.code() != 401) throw;
		_console.detail("jwtflow: the cached token was refused (HTTP 401): logging in again");
		ex.renew(_console);
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

std::string JwtflowApp::frontdoorLink(Provider& provider, bool singleUse)
{
	// Let the provider refuse a bad RET_URL (or a provider without frontdoor)
	// before any network traffic: plan once with a placeholder token.
	TokenResult placeholder;
	placeholder.instanceUrl = "https://example.invalid";
	placeholder.accessToken = "x";
	provider.frontdoor(placeholder, settings(), singleUse);
	Exchange ex = exchangeToken(provider, settings(), signingKeyFor(provider), extraClaims(), timeoutSeconds(), _console,
		CacheChoice{!hasFlag("no-cache"), hasFlag("refresh")});
	FrontdoorPlan plan = provider.frontdoor(ex.token, settings(), singleUse);
	if (!plan.url.empty()) return plan.url;
	Poco::JSON::Object::Ptr answer;
	try
	{
		answer = ex.client->bearerPost(plan.singleAccessEndpoint, plan.singleAccessForm, ex.token.accessToken);
	}
	catch (const NetworkException& e)
	{
		// A cached token the org no longer takes (its session ended): log in again, once.
		if (!ex.fromCache || e.code() != 401) throw;
		ex.renew(_console);
		plan = provider.frontdoor(ex.token, settings(), singleUse);
		answer = ex.client->bearerPost(plan.singleAccessEndpoint, plan.singleAccessForm, ex.token.accessToken);
	}
	const std::string url = jsonString(*answer, "frontdoor_uri");
	if (url.empty()) throw NetworkException("the singleaccess endpoint " + plan.singleAccessEndpoint + " answered without a frontdoor_uri");
	return url;
}

int JwtflowApp::actionOpen(Provider& provider)
{
	const OutputFormat format = outputFormat();
	const std::string url = frontdoorLink(provider, true);
	if (hasFlag("url-only"))
	{
		if (format == OutputFormat::Json)
		{
			Poco::JSON::Object out(Poco::JSON_PRESERVE_KEY_ORDER);
			out.set("frontdoor_url", url);
			out.set("single_use", true);
			_console.json(out);
		}
		else
		{
			_console.result(url);
		}
		return 0;
	}
	const std::string browser = openInBrowser(url);
	_console.note("jwtflow: opened " + provider.name() + " with " + browser + " (a one-time link)");
	return 0;
}

int JwtflowApp::actionFrontdoor(Provider& provider)
{
	OutputFormat format = outputFormat();
	// --open: the one-time link, as open gives it (a browser's command line must not carry the token).
	const bool open = hasFlag("open");
	bool singleUse = hasFlag("single-use") || open;
	const std::string url = frontdoorLink(provider, singleUse);
	if (open)
	{
		_console.note("jwtflow: opened " + provider.name() + " with " + openInBrowser(url) + " (a one-time link)");
		return 0;
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

namespace {

/// A claim of an access token that is a JWT (Entra ID's are), "" for an opaque one: read, not verified (it is ours to show).
std::string tokenClaim(const std::string& token, const char* name)
{
	try
	{
		return jsonString(*decodeJwt(token).claims, name);
	}
	catch (const Poco::Exception&)
	{
		return {};
	}
}

} // namespace

int JwtflowApp::actionLogin(Provider& provider)
{
	// Always a new login (the point of the command), stored for token, whoami and frontdoor.
	OutputFormat format = outputFormat();
	Exchange ex = exchangeToken(provider, settings(), signingKeyFor(provider), extraClaims(), timeoutSeconds(), _console,
		CacheChoice{!hasFlag("no-cache"), true});
	const TokenResult& t = ex.token;
	// login --profile NAME: the settings this login used, for -p NAME from anywhere (made or brought up to date).
	const std::string profile = chosenProfile();
	if (!profile.empty()) saveProfile(provider, profile);
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
		// Who and where: Salesforce's identity answer (username, user_id, organization_id), Entra's claims (tid, oid).
		if (identity)
			for (const auto& key: std::vector<std::pair<const char*, const char*>>{{"username", "USERNAME"}, {"user_id", "USER_ID"},
				{"organization_id", "ORG_ID"}, {"preferred_username", "USERNAME"}, {"sub", "SUBJECT_ID"}})
			{
				const std::string v = jsonString(*identity, key.first);
				bool have = false;
				for (const auto& existing: vars) have = have || existing.first == key.second;
				if (!v.empty() && !have) vars.push_back({key.second, v});
			}
		for (const auto& claim: std::vector<std::pair<const char*, const char*>>{{"tid", "TENANT_ID"}, {"oid", "OBJECT_ID"}, {"appid", "APP_ID"},
			{"azp", "APP_ID"}})
		{
			const std::string v = tokenClaim(t.accessToken, claim.first);
			bool have = false;
			for (const auto& existing: vars) have = have || existing.first == claim.second;
			if (!v.empty() && !have) vars.push_back({claim.second, v});
		}
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
	// An Entra ID token says who it is for itself (no identity URL): tenant, app, roles.
	for (const auto& claim: std::vector<std::pair<const char*, const char*>>{{"tid", "tenant"}, {"appid", "app"}, {"azp", "app"},
		{"aud", "audience"}, {"roles", "roles"}})
	{
		if (identity) break;
		const std::string v = tokenClaim(t.accessToken, claim.first);
		if (!v.empty()) _console.result("  " + std::string(claim.second) + std::string(17 - std::string(claim.second).size(), ' ') + safeText(v, 200));
	}
	_console.result("  token            " + shorten(t.accessToken) + (t.tokenType.empty() ? "" : " (" + safeText(t.tokenType, 20) + ")"));
	std::string reusers;
	for (const auto& a: offeredActions(provider))
		if (a == "token" || a == "whoami" || a == "frontdoor" || a == "call" || a == "exec") reusers += (reusers.empty() ? "" : ", ") + a;
	_console.result("  valid until      " + expires + (ex.cacheFile.empty() ? " (not cached)" : " (cached: " + reusers + " reuse it)"));
	if (!frontdoor.empty()) _console.result("  frontdoor        " + frontdoor);
	return 0;
}

int JwtflowApp::actionLogout(Provider& provider)
{
	// Revoke the cached token where the IdP can, then forget it. A token that cannot be revoked for a
	// network reason stays cached, so that logout can be run again (or --local forgets it anyway).
	Settings& s = settings();
	if (usesFederatedCredential(provider, s))
	{
		_console.result("no cached " + provider.name() + " login: a login with a federated credential is not cached (no key seals it)");
		return 0;
	}
	LoginCache login = openStoreFor(provider, s, _console, cacheChoiceFor(s, CacheChoice{}), signingKey(provider), extraClaims());
	const auto stored = login.store->get(login.key);
	if (!stored)
	{
		login.store->remove(login.key);   // an unreadable entry, if any, goes too
		_console.result("no cached " + provider.name() + " login for these settings");
		return 0;
	}
	std::string outcome = "the cached token is removed";
	std::string afterwards;
	if (hasFlag("local"))
	{
		afterwards = "the token stays valid at the identity provider until it expires (--local: not revoked)";
	}
	else
	{
		TokenResult token = provider.readTokenResponse(*parseJsonObject(stored->responseJson));
		const std::optional<TokenRequest> revocation = provider.revocation(token, s);
		if (!revocation)
		{
			afterwards = provider.name() + " has no token revocation: the token stays valid until it expires (within "
				+ std::to_string(std::max<Poco::Int64>(0, stored->expiresAt - Poco::Timestamp().epochTime())) + " s)";
		}
		else
		{
			HttpOptions options = httpOptionsFrom(s, timeoutSeconds());
			options.onRetry = [this](const std::string& what) { _console.detail(what); };
			HttpClient http(options);
			_console.detail("jwtflow: revoking the token at " + safeText(revocation->url, 200));
			HttpResponse response = http.postForm(revocation->url, revocation->form);
			if (response.status == 200)
			{
				outcome = "the token is revoked and the cache entry removed";
			}
			else if (response.status == 400)
			{
				// invalid_token: it had ended already (session timeout, revoked elsewhere).
				outcome = "the cache entry is removed (the identity provider no longer knew the token: it had ended)";
			}
			else
			{
				throw NetworkException("revoking the token at " + safeText(revocation->url, 200) + " answered HTTP "
					+ std::to_string(response.status) + ": " + firstLine(response.body, 120)
					+ "; the login stays cached: run logout again, or logout --local to only forget it");
			}
		}
	}
	login.store->remove(login.key);
	_console.result("logged out of " + provider.name() + ": " + outcome);
	if (!afterwards.empty()) _console.note("note: " + afterwards);
	return 0;
}

} // namespace host
} // namespace jwtflow
