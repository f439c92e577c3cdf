//
// SalesforceProvider.cpp
//
// Plugin: salesforce
//
// SPDX-License-Identifier: BSL-1.0
//
#include "SalesforceProvider.h"
#include "jwtflow/Encoding.h"
#include "jwtflow/Exception.h"
#include "jwtflow/Json.h"
#include "jwtflow/Network.h"
#include "jwtflow/SafeText.h"
#include <Poco/String.h>
#include <Poco/URI.h>

namespace jwtflow {
namespace salesforce {

namespace {

const std::string DEFAULT_AUDIENCE = "https://login.salesforce.com";

bool has(const std::string& text, const char* what)
{
	return Poco::toLower(text).find(what) != std::string::npos;
}

} // namespace

std::string SalesforceProvider::name() const { return "salesforce"; }

std::string SalesforceProvider::description() const
{
	return "Salesforce OAuth 2.0 JWT bearer flow (connected app with a certificate)";
}

std::vector<std::string> SalesforceProvider::actions() const
{
	return {"jwt", "token", "frontdoor", "whoami", "describe", "doctor"};
}

std::vector<SettingSpec> SalesforceProvider::settings() const
{
	std::vector<SettingSpec> specs(5);
	specs[0] = {"CLIENT_ID", "client-id", "connected app consumer key (the JWT's iss)", true, "", false, "KEY"};
	specs[1] = {"SUBJECT", "subject", "Salesforce username to act as (the JWT's sub)", true, "", false, "USERNAME"};
	specs[2] = {"AUDIENCE", "audience", "login URL: https://login.salesforce.com, https://test.salesforce.com (sandbox) or a community URL (the JWT's aud)",
		false, DEFAULT_AUDIENCE, false, "URL"};
	specs[3] = {"LOGIN_URL", "login-url", "where to send the token request when it differs from AUDIENCE (My Domain)", false, "", false, "URL"};
	specs[4] = {"RET_URL", "ret-url", "where frontdoor lands, a relative URL such as /lightning/page/home", false, "", false, "PATH"};
	specs[0].label = specs[1].label = specs[2].label = specs[3].label = true;
	specs[4].identity = false;   // where frontdoor lands does not change the token
	return specs;
}

AssertionPolicy SalesforceProvider::assertionPolicy() const
{
	// FACTS.md 1.1: RS256 only; exp within 3 minutes (default 180 s), 300 s accepted in practice.
	AssertionPolicy policy;
	policy.algorithms = {"RS256"};
	policy.defaultLifetimeSeconds = 180;
	policy.maxLifetimeSeconds = 300;
	return policy;
}

std::string SalesforceProvider::normalizeUrl(const std::string& value, const std::string& settingName)
{
	std::string url = Poco::trim(value);
	Poco::URI uri;
	try
	{
		uri = Poco::URI(url);
	}
	catch (const Poco::Exception&)
	{
		throw UsageException(settingName + " " + quotedText(value) + " is not a URL: expected for example " + DEFAULT_AUDIENCE);
	}
	if (uri.getHost().empty() || (uri.getScheme() != "https" && uri.getScheme() != "http"))
		throw UsageException(settingName + " " + quotedText(value) + " is not an absolute https URL: expected for example " + DEFAULT_AUDIENCE);
	if (uri.getScheme() == "http" && !isLoopbackHost(uri.getHost()))
		throw UsageException(settingName + " " + quotedText(value) + " uses plain http: Salesforce needs https (http is accepted for loopback addresses only)");
	// The raw text, not getQuery(): that decodes, and throws on a bad %-escape (found by the fuzzer).
	if (url.find_first_of("?#") != std::string::npos)
		throw UsageException(settingName + " " + quotedText(value) + " has a query or fragment: give the bare site URL");
	while (!url.empty() && url.back() == '/') url.pop_back();
	return url;
}

std::string SalesforceProvider::checkRetUrl(const std::string& retUrl)
{
	// Frontdoor never redirects to another host: the core checks it as a browser reads it.
	return sameHostPath(retUrl, "RET_URL");
}

std::string SalesforceProvider::audience(const Settings& settings) const
{
	return normalizeUrl(settings.getOr("AUDIENCE", DEFAULT_AUDIENCE), "AUDIENCE");
}

void SalesforceProvider::declareAssertion(const AssertionContext& context, Poco::JSON::Object& /*header*/,
	Poco::JSON::Object& claims) const
{
	const Settings& s = context.settings;
	claims.set("iss", s.require("CLIENT_ID"));
	claims.set("sub", s.require("SUBJECT"));
	claims.set("aud", audience(s));
	claims.set("exp", context.expiresAt);
	claims.set("iat", context.issuedAt);
}

TokenRequest SalesforceProvider::tokenRequest(const Settings& settings, const std::string& assertion) const
{
	std::string base = settings.get("LOGIN_URL") ? normalizeUrl(*settings.get("LOGIN_URL"), "LOGIN_URL")
		: audience(settings);
	TokenRequest request;
	request.url = base + "/services/oauth2/token";
	request.form = {{"grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"}, {"assertion", assertion}};
	return request;
}

TokenResult SalesforceProvider::readTokenResponse(const Poco::JSON::Object& response) const
{
	TokenResult result = Provider::readTokenResponse(response);
	for (const char* key: {"issued_at", "signature", "sfdc_community_url", "sfdc_community_id"})
	{
		std::string v = jsonString(response, key);
		if (!v.empty()) result.extra[key] = v;
	}
	return result;
}

std::string SalesforceProvider::apiBase(const TokenResult& token, const Settings&) const
{
	// REST and the other APIs live on the org's instance (My Domain), named by the token answer.
	if (token.instanceUrl.empty()) return {};
	return normalizeUrl(token.instanceUrl, "instance_url");
}

std::optional<TokenRequest> SalesforceProvider::revocation(const TokenResult& token, const Settings& settings) const
{
	// POST <instance or login URL>/services/oauth2/revoke, token=<access token> (FACTS.md section 7).
	std::string base;
	if (!token.instanceUrl.empty()) base = normalizeUrl(token.instanceUrl, "instance_url");
	else base = settings.get("LOGIN_URL") ? normalizeUrl(*settings.get("LOGIN_URL"), "LOGIN_URL") : audience(settings);
	TokenRequest request;
	request.url = base + "/services/oauth2/revoke";
	request.form = {{"token", token.accessToken}};
	return request;
}

std::string SalesforceProvider::errorHint(const OAuthError& e) const
{
	const std::string& d = e.description;
	if (has(d, "login rate exceeded"))
		return "Salesforce blocks a user after 3,600 logins in an hour (LOGIN_RATE_EXCEEDED): reuse the cached token "
			"(leave TOKEN_STORE=file, avoid --no-cache and --refresh in loops) and wait for the hour to pass";
	if (has(d, "hasn't approved this consumer") || has(d, "has not approved this consumer"))
		return "in the connected app, set Permitted Users to \"Admin approved users are pre-authorized\" and assign the app "
			"to the user's profile or a permission set (or approve it once interactively); also check that AUDIENCE is the "
			"right environment (login vs test) and the user is active";
	if (has(d, "not admin approved"))
		return "assign the connected app to the user's profile or a permission set (Manage Profiles / Permission Sets on the app)";
	if (has(d, "audience is invalid"))
		return "AUDIENCE must be https://login.salesforce.com (production), https://test.salesforce.com (sandbox) or the "
			"community URL, without a trailing slash; send the request to a My Domain with LOGIN_URL instead";
	if (has(d, "expired authorization code") || has(d, "expired"))
		return "the JWT was expired when Salesforce read it: check this machine's clock (UTC) and keep JWT_LIFETIME within "
			"3 minutes (the default is 180 s)";
	if (has(d, "invalid assertion") || has(d, "invalid signature") || has(d, "jwt signature"))
		return "Salesforce could not verify the JWT: upload the certificate of PATH_PRIVATE_KEY to the connected app "
			"(\"Use digital signatures\") and check CLIENT_ID is that app's consumer key";
	if (e.error == "invalid_client_id" || has(d, "client identifier invalid"))
		return "CLIENT_ID must be the connected app's consumer key, in the same org as the user";
	if (has(d, "user not found") || has(d, "invalid user") || has(d, "inactive user") || has(d, "user is not active"))
		return "SUBJECT must be the username of an active user in the org that AUDIENCE points to";
	if (e.error == "unsupported_grant_type")
		return "the endpoint does not take the JWT bearer grant: check AUDIENCE / LOGIN_URL point to Salesforce";
	if (e.error == "invalid_scope" || has(d, "scope"))
		return "add the needed OAuth scopes to the connected app: api, and web for frontdoor links, "
			"plus refresh_token offline_access";
	return {};
}

std::vector<DoctorFinding> SalesforceProvider::diagnose(const Settings& settings) const
{
	std::vector<DoctorFinding> findings;
	DoctorFinding aud;
	aud.check = "audience";
	try
	{
		std::string a = audience(settings);
		std::string host = Poco::toLower(Poco::URI(a).getHost());
		if (Poco::endsWith(host, std::string(".my.salesforce.com")) || Poco::endsWith(host, std::string(".lightning.force.com")))
		{
			aud.level = DoctorFinding::Level::Warn;
			aud.message = "AUDIENCE " + a + " is an org (My Domain) URL; Salesforce documents https://login.salesforce.com, "
				"https://test.salesforce.com or a community URL as aud: set AUDIENCE to one of those and LOGIN_URL=" + a;
		}
		else if (Poco::endsWith(host, std::string(".sandbox.my.salesforce.com")))
		{
			aud.level = DoctorFinding::Level::Warn;
			aud.message = "AUDIENCE is a sandbox My Domain: use AUDIENCE=https://test.salesforce.com and LOGIN_URL=" + a;
		}
		else
		{
			aud.message = "aud will be " + a;
		}
	}
	catch (const Poco::Exception& e)
	{
		aud.level = DoctorFinding::Level::Fail;
		aud.message = e.message();
	}
	findings.push_back(aud);
	if (auto ret = settings.get("RET_URL"))
	{
		DoctorFinding r;
		r.check = "RET_URL";
		try
		{
			checkRetUrl(*ret);
			r.message = "frontdoor lands on " + *ret;
		}
		catch (const Poco::Exception& e)
		{
			r.level = DoctorFinding::Level::Fail;
			r.message = e.message();
		}
		findings.push_back(r);
	}
	return findings;
}

FrontdoorPlan SalesforceProvider::frontdoor(const TokenResult& token, const Settings& settings, bool singleUse) const
{
	if (token.instanceUrl.empty())
		throw NetworkException("the token response has no instance_url, so no frontdoor link can be built");
	std::string instance = normalizeUrl(token.instanceUrl, "instance_url");
	auto retUrl = settings.get("RET_URL");
	if (retUrl) checkRetUrl(*retUrl);
	FrontdoorPlan plan;
	if (singleUse)
	{
		plan.singleAccessEndpoint = instance + "/services/oauth2/singleaccess";
		if (retUrl) plan.singleAccessForm.push_back({"redirect_uri", *retUrl});
		return plan;
	}
	plan.url = instance + "/secur/frontdoor.jsp?sid=" + urlEncode(token.accessToken);
	if (retUrl) plan.url += "&retURL=" + urlEncode(*retUrl);
	return plan;
}

std::vector<std::pair<std::string, std::string>> SalesforceProvider::tokenVariables(const TokenResult& token, const Settings&) const
{
	// What the Salesforce CLI reads (sf org login access-token: SF_ACCESS_TOKEN; the org's URL).
	std::vector<std::pair<std::string, std::string>> vars = {{"SF_ACCESS_TOKEN", token.accessToken}};
	if (!token.instanceUrl.empty()) vars.emplace_back("INSTANCE_URL", token.instanceUrl);
	return vars;
}

} // namespace salesforce
} // namespace jwtflow
