//
// NetworkActions.cpp
//
// Module: jwtflow-network
// The provider actions that exchange the assertion: token, whoami, frontdoor.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "JwtflowApp.h"
#include "jwtflow/Exception.h"
#include "jwtflow/HttpClient.h"
#include "jwtflow/Json.h"
#include "jwtflow/TokenClient.h"
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
};

} // namespace

static Exchange exchangeToken(Provider& provider, Settings& settings, const ExtraClaims& claims, int timeout,
	const Console& console)
{
	AssertionMinter minter(provider, settings, claims);
	HttpOptions options = httpOptionsFrom(settings, timeout);
	options.onRetry = [&console](const std::string& what) { console.detail(what); };
	Exchange ex;
	ex.http.reset(new HttpClient(options));
	ex.client.reset(new TokenClient(provider, settings, *ex.http));
	minter.mint();   // settings and key errors first, before anything is sent
	console.detail("posting the assertion to " + provider.tokenRequest(settings, "").url);
	// A fresh assertion (new jti) for every try: an IdP that refuses replays
	// may already have consumed the one sent before a 5xx.
	ex.token = ex.client->exchange([&minter] { return minter.mint().compact; });
	return ex;
}

int JwtflowApp::actionToken(Provider& provider)
{
	OutputFormat format = outputFormat();
	Exchange ex = exchangeToken(provider, settings(), extraClaims(), timeoutSeconds(), _console);
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
	Exchange ex = exchangeToken(provider, settings(), extraClaims(), timeoutSeconds(), _console);
	std::string url = provider.identityUrl(ex.token, settings());
	if (url.empty()) throw NetworkException("the token response names no identity URL (id), so whoami cannot ask who it is");
	Poco::JSON::Object::Ptr identity = ex.client->bearerGet(url, ex.token.accessToken);
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
	Exchange ex = exchangeToken(provider, settings(), extraClaims(), timeoutSeconds(), _console);
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

} // namespace host
} // namespace jwtflow
