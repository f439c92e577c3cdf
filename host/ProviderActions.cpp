//
// ProviderActions.cpp
//
// Program: jwtflow
// The actions of `jwtflow <provider> <action>`.
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
#include <algorithm>
#include <iostream>

namespace jwtflow {
namespace host {

namespace {

ExtraClaims claimsFrom(const std::map<std::string, std::vector<std::string>>& values)
{
	ExtraClaims claims;
	auto it = values.find("claim");
	if (it == values.end()) return claims;
	for (const auto& text: it->second) claims.push_back(parseClaimOption(text));
	return claims;
}

Poco::JSON::Object::Ptr tokenJson(const TokenResult& token)
{
	if (token.raw) return token.raw;
	Poco::JSON::Object::Ptr obj = newJsonObject();
	obj->set("access_token", token.accessToken);
	return obj;
}

} // namespace

int JwtflowApp::runProviderAction(Provider& provider, const std::string& action)
{
	const auto actions = provider.actions();
	if (std::find(actions.begin(), actions.end(), action) == actions.end())
	{
		std::string list;
		for (const auto& a: actions) list += (list.empty() ? "" : ", ") + a;
		throw UsageException("unknown action '" + action + "' for " + provider.name() + "; available: " + list);
	}
	if (action == "jwt") return actionJwt(provider);
	if (action == "describe") return actionDescribe(provider);
	if (action == "token") return actionToken(provider);
	if (action == "whoami") return actionWhoami(provider);
	if (action == "frontdoor") return actionFrontdoor(provider);
	if (action == "doctor") return actionDoctor(provider);
	throw UsageException("action '" + action + "' of " + provider.name() + " is not available in this jwtflow");
}

int JwtflowApp::actionJwt(Provider& provider)
{
	OutputFormat format = outputFormat();
	AssertionMinter minter(provider, settings(), claimsFrom(_values));
	MintedAssertion jwt = minter.mint();
	switch (format)
	{
	case OutputFormat::Json:
	{
		Poco::JSON::Object out(Poco::JSON_PRESERVE_KEY_ORDER);
		out.set("jwt", jwt.compact);
		out.set("header", jwt.header);
		out.set("claims", jwt.claims);
		_console.json(out);
		break;
	}
	case OutputFormat::Env:
		_console.envLines({{"JWT", jwt.compact}});
		break;
	default:
		_console.result(jwt.compact);
	}
	_console.detail("signed with " + minter.algorithm().name + ", valid for " + std::to_string(minter.lifetimeSeconds()) + " s");
	return 0;
}

int JwtflowApp::actionDescribe(Provider& provider)
{
	OutputFormat format = outputFormat();
	Settings& s = settings();
	Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
	std::string text = provider.name() + ": " + provider.description() + "\n";
	std::vector<SettingSpec> specs = provider.settings();
	for (const auto& s2: coreSettings())
	{
		if (s2.name == "PATH_PUBLIC_KEY") continue;
		bool seen = false;
		for (const auto& e: specs) seen = seen || e.name == s2.name;
		if (!seen) specs.push_back(s2);
	}
	for (const auto& spec: specs)
	{
		SettingValue v = s.lookup(spec.name);
		std::string shown = !v.found ? "(not set)" : spec.secret ? Settings::mask(v.value) : v.value;
		std::string source = v.found ? v.source : (spec.required ? "MISSING (required)" : "");
		if (v.found && v.source == "option" && !spec.option.empty()) source = "option --" + spec.option;
		Poco::JSON::Object::Ptr item = newJsonObject();
		item->set("name", spec.name);
		item->set("option", spec.option.empty() ? std::string() : "--" + spec.option);
		item->set("value", v.found ? shown : std::string());
		item->set("set", v.found);
		item->set("source", v.found ? source : std::string());
		item->set("required", spec.required);
		item->set("secret", spec.secret);
		list->add(item);
		std::string left = "  " + spec.name;
		std::string middle = left + std::string(left.size() < 32 ? 32 - left.size() : 1, ' ') + shown;
		text += middle + (source.empty() ? "" : std::string(middle.size() < 72 ? 72 - middle.size() : 2, ' ') + source) + "\n";
	}
	if (format == OutputFormat::Json)
	{
		Poco::JSON::Object out(Poco::JSON_PRESERVE_KEY_ORDER);
		out.set("provider", provider.name());
		out.set("settings", list);
		_console.json(out);
	}
	else
	{
		std::cout << text;
	}
	return 0;
}

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
	MintedAssertion jwt = minter.mint();
	console.detail("posting the assertion to " + provider.tokenRequest(settings, "").url);
	ex.token = ex.client->exchange(jwt.compact);
	return ex;
}

int JwtflowApp::actionToken(Provider& provider)
{
	OutputFormat format = outputFormat();
	Exchange ex = exchangeToken(provider, settings(), claimsFrom(_values), timeoutSeconds(), _console);
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
	Exchange ex = exchangeToken(provider, settings(), claimsFrom(_values), timeoutSeconds(), _console);
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
	Exchange ex = exchangeToken(provider, settings(), claimsFrom(_values), timeoutSeconds(), _console);
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
