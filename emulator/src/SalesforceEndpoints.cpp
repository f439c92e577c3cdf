//
// SalesforceEndpoints.cpp
//
// Library: jwtflow emulator
// Salesforce's token, identity, userinfo, singleaccess and frontdoor.jsp
// endpoints (FACTS.md sections 1 and 2), for the org and each community site.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "EmulatorHandlers.h"
#include "EndpointSupport.h"
#include "jwtflow/Encoding.h"
#include "jwtflow/Exception.h"
#include "jwtflow/Json.h"
#include "jwtflow/Jwt.h"
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/String.h>
#include <Poco/StreamCopier.h>
#include <Poco/Thread.h>
#include <Poco/Timestamp.h>
#include <Poco/URI.h>
#include <Poco/Net/HTTPCookie.h>
#include <Poco/StringTokenizer.h>
#include <algorithm>
#include <map>

using Poco::Net::HTTPRequestHandler;
using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

namespace jwtflow {
namespace emulator {

namespace {

class SalesforceTokenHandler: public HTTPRequestHandler
{
public:
	SalesforceTokenHandler(std::shared_ptr<EmulatorState> state, std::string site):
		_state(std::move(state)), _site(std::move(site)) {}

	void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override
	{
		Poco::Net::NameValueCollection form;
		if (!readForm(request, response, form)) return;
		if (_state->options().tokenDelayMs > 0) Poco::Thread::sleep(_state->options().tokenDelayMs);
		if (form.get("grant_type", "") != "urn:ietf:params:oauth:grant-type:jwt-bearer")
			return sendOAuthError(response, 400, "unsupported_grant_type", "grant type not supported");
		const std::string assertion = form.get("assertion", "");
		if (assertion.empty()) return sendOAuthError(response, 400, "invalid_grant", "invalid assertion");
		DecodedJwt jwt;
		try
		{
			jwt = decodeJwt(assertion);
		}
		catch (const Poco::Exception&)
		{
			return sendOAuthError(response, 400, "invalid_grant", "invalid assertion");
		}
		if (jwt.algorithm() != "RS256") return sendOAuthError(response, 400, "invalid_grant", "invalid assertion");
		const Poco::JSON::Object& claims = *jwt.claims;
		const RegisteredApp* app = _state->app(jsonString(claims, "iss"));
		if (!app) return sendOAuthError(response, 400, "invalid_client_id", "client identifier invalid");

		if (!app->certificate.publicKey().verify(Algorithm::fromName("RS256"), jwt.signingInput, jwt.signature))
			return sendOAuthError(response, 400, "invalid_grant", "invalid assertion");
		// The connected app's certificate outside its validity: how Salesforce answers is not documented; the
		// emulator refuses it as a bad assertion rather than let it through.
		const Poco::Timestamp clock = Poco::Timestamp::fromEpochTime(static_cast<std::time_t>(_state->now()));
		if (clock < app->certificate.notBefore() || clock > app->certificate.notAfter())
			return sendOAuthError(response, 400, "invalid_grant", "invalid assertion");
		// aud is the login host of the org's kind (or the site's URL), wherever the request went: the
		// emulator's URL stands for My Domain (LOGIN_URL), never for an audience (FACTS.md 1.1, 1.2).
		const std::string aud = jsonString(claims, "aud");
		const std::string production = "https://login.salesforce.com", sandbox = "https://test.salesforce.com";
		const std::string expectedAud = !_site.empty() ? _state->baseUrl() + _site : _state->options().salesforceSandbox ? sandbox : production;
		if (aud != expectedAud)
		{
			// The other kind's login host names no org this app is in: Salesforce says the user has not approved it (FACTS.md 1.4).
			if (_site.empty() && (aud == production || aud == sandbox))
				return sendOAuthError(response, 400, "invalid_grant", "user hasn't approved this consumer");
			return sendOAuthError(response, 400, "invalid_grant", "audience is invalid");
		}

		const Poco::Int64 now = _state->now();
		const int skew = _state->options().clockSkewSeconds;
		const std::optional<Poco::Int64> exp = timeClaim(claims, "exp");
		if (!exp || *exp < now - skew) return sendOAuthError(response, 400, "invalid_grant", "expired authorization code");
		if (*exp > now + _state->options().salesforceMaxLifetime + skew)
			return sendOAuthError(response, 400, "invalid_grant", "invalid assertion");
		// Not yet valid (RFC 7523 3: nbf; an iat in the future is no better): refused like a bad assertion.
		for (const char* notYet: {"nbf", "iat"})
		{
			const std::optional<Poco::Int64> t = timeClaim(claims, notYet);
			if (claims.has(notYet) && (!t || *t > now + skew)) return sendOAuthError(response, 400, "invalid_grant", "invalid assertion");
		}

		const std::string username = jsonString(claims, "sub");
		if (!_state->knowsUser(username))
			return sendOAuthError(response, 400, "invalid_grant", "user hasn't approved this consumer");

		// Every JWT bearer exchange is a login, and Salesforce blocks a user past its hourly limit (FACTS.md 7).
		if (!_state->recordLogin(username)) return sendOAuthError(response, 400, "invalid_grant", "login rate exceeded");
		IssuedToken issued;
		issued.username = username;
		issued.clientId = app->clientId;
		issued.site = _site;
		issued.scopes.insert(app->scopes.begin(), app->scopes.end());
		const std::string token = _state->issueToken(issued);
		Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
		body.set("access_token", token);
		body.set("signature", base64Encode(std::string(32, '\x5a')));
		std::string scope;
		for (const auto& sc: app->scopes) scope += (scope.empty() ? "" : " ") + sc;
		body.set("scope", scope);
		body.set("instance_url", _state->baseUrl());
		body.set("id", _state->baseUrl() + "/id/" + _state->options().orgId + "/" + _state->userId(username));
		body.set("token_type", "Bearer");
		body.set("issued_at", std::to_string(Poco::Timestamp().epochMicroseconds() / 1000));
		if (!_site.empty())
		{
			body.set("sfdc_community_url", expectedAud);
			body.set("sfdc_community_id", "0DB000000000001AAA");
		}
		sendJson(response, 200, body);
	}

private:
	std::shared_ptr<EmulatorState> _state;
	std::string _site;
};

/// Resolves the Bearer (or OAuth) token of a Salesforce session (of that site, when one is named: the
/// identity URLs take a session of any site of the org), or answers 401 as Salesforce does.
std::optional<IssuedToken> authorize(EmulatorState& state, HTTPServerRequest& request, HTTPServerResponse& response,
	const std::optional<std::string>& site = std::nullopt)
{
	std::string token = salesforceSessionToken(request);
	auto info = token.empty() ? std::nullopt : state.lookupToken(token);
	if (info && (info->kind != "salesforce" || (site && info->site != *site))) info.reset();
	if (!info)
	{
		response.set("WWW-Authenticate", "Bearer error=\"invalid_token\"");
		sendText(response, 401, "application/json;charset=UTF-8",
			"[{\"message\":\"Session expired or invalid\",\"errorCode\":\"INVALID_SESSION_ID\"}]");
	}
	return info;
}

Poco::JSON::Object identityOf(EmulatorState& state, const IssuedToken& info)
{
	const std::string userId = state.userId(info.username);
	Poco::JSON::Object id(Poco::JSON_PRESERVE_KEY_ORDER);
	id.set("id", state.baseUrl() + "/id/" + state.options().orgId + "/" + userId);
	id.set("asserted_user", true);
	id.set("user_id", userId);
	id.set("organization_id", state.options().orgId);
	id.set("username", info.username);
	id.set("nick_name", info.username.substr(0, info.username.find('@')));
	id.set("display_name", info.username.substr(0, info.username.find('@')));
	id.set("email", info.username);
	id.set("active", true);
	id.set("user_type", info.site.empty() ? "STANDARD" : "CSP_LITE_PORTAL");
	id.set("language", "en_US");
	id.set("locale", "en_US");
	return id;
}

class IdentityHandler: public HTTPRequestHandler
{
public:
	explicit IdentityHandler(std::shared_ptr<EmulatorState> state): _state(std::move(state)) {}

	void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override
	{
		auto info = authorize(*_state, request, response);
		if (!info) return;
		std::string path = Poco::URI(request.getURI()).getPath();
		std::string expected = "/id/" + _state->options().orgId + "/" + _state->userId(info->username);
		if (path != expected) return sendText(response, 403, "text/plain", "Forbidden");
		sendJson(response, 200, identityOf(*_state, *info));
	}

private:
	std::shared_ptr<EmulatorState> _state;
};

class UserInfoHandler: public HTTPRequestHandler
{
public:
	explicit UserInfoHandler(std::shared_ptr<EmulatorState> state): _state(std::move(state)) {}

	void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override
	{
		auto info = authorize(*_state, request, response);
		if (!info) return;
		Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
		body.set("sub", _state->baseUrl() + "/id/" + _state->options().orgId + "/" + _state->userId(info->username));
		body.set("user_id", _state->userId(info->username));
		body.set("organization_id", _state->options().orgId);
		body.set("preferred_username", info->username);
		body.set("email", info->username);
		sendJson(response, 200, body);
	}

private:
	std::shared_ptr<EmulatorState> _state;
};

class SingleAccessHandler: public HTTPRequestHandler
{
public:
	SingleAccessHandler(std::shared_ptr<EmulatorState> state, std::string site): _state(std::move(state)), _site(std::move(site)) {}

	void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override
	{
		auto info = authorize(*_state, request, response, std::optional<std::string>(_site));
		if (!info) return;
		Poco::Net::NameValueCollection form;
		if (request.getContentLength64() > 0 || request.getChunkedTransferEncoding())
		{
			if (!readForm(request, response, form)) return;
		}
		std::string redirect = form.get("redirect_uri", "");
		if (!redirect.empty() && (redirect[0] != '/' || (redirect.size() > 1 && redirect[1] == '/')))
			return sendOAuthError(response, 400, "invalid_request", "redirect_uri must be a relative URL");
		std::string otp = _state->issueOneTimePassword(salesforceSessionToken(request));
		std::string uri = _state->baseUrl() + _site + "/secur/frontdoor.jsp?otp=" + urlEncode(otp);
		if (!redirect.empty()) uri += "&startURL=" + urlEncode(redirect);
		Poco::JSON::Object body;
		body.set("frontdoor_uri", uri);
		sendJson(response, 200, body);
	}

private:
	std::shared_ptr<EmulatorState> _state;
	std::string _site;
};

class FrontdoorHandler: public HTTPRequestHandler
{
public:
	FrontdoorHandler(std::shared_ptr<EmulatorState> state, std::string site): _state(std::move(state)), _site(std::move(site)) {}

	void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override
	{
		// GET with the query, or POST with the same fields as a form (what Salesforce recommends: FACTS.md 2.1).
		std::map<std::string, std::string> fields;
		try
		{
			for (const auto& p: Poco::URI(request.getURI()).getQueryParameters()) fields.emplace(p.first, p.second);
		}
		catch (const Poco::Exception&)
		{
			fields.clear();
		}
		if (request.getMethod() == "POST")
		{
			// A post that is not a proper form logs nobody in: it lands on the login page like a missing sid.
			Poco::Net::NameValueCollection form;
			if (readFormFields(request, form).problem == FormProblem::None)
				for (const auto& f: form) fields.emplace(f.first, f.second);
		}
		const std::string sid = fields["sid"], otp = fields["otp"], retUrl = fields["retURL"], startUrl = fields["startURL"];
		std::optional<IssuedToken> info;
		if (!sid.empty()) info = _state->lookupToken(sid);
		else if (!otp.empty())
		{
			auto token = _state->redeemOneTimePassword(otp);
			if (token) info = _state->lookupToken(*token);
		}
		// A UI session needs a Salesforce token of this very site with the web (or full) scope; an api-only
		// token, another site's, or another IdP's bounces to the login page (FACTS.md 2.1).
		if (info && (info->kind != "salesforce" || info->site != _site || !hasScope(*info, "web"))) info.reset();
		if (!info)
		{
			response.redirect(_state->baseUrl() + _site + "/login?ec=302", HTTPResponse::HTTP_FOUND);
			return;
		}
		std::string target = !retUrl.empty() ? retUrl : !startUrl.empty() ? startUrl : (_site.empty() ? "/home/home.jsp" : _site + "/s");
		if (target[0] != '/' || (target.size() > 1 && target[1] == '/')) target = "/home/home.jsp";
		// A UI session of its own (the token stays an API credential), in a cookie only HTTPS and the server read.
		Poco::Net::HTTPCookie cookie("sid", _state->openUiSession(*info));
		cookie.setPath("/");
		cookie.setSecure(true);
		cookie.setHttpOnly(true);
		response.addCookie(cookie);
		response.redirect(_state->baseUrl() + target, HTTPResponse::HTTP_FOUND);
	}

private:
	std::shared_ptr<EmulatorState> _state;
	std::string _site;
};

class RevokeHandler: public HTTPRequestHandler
	/// POST /services/oauth2/revoke, token=<access token>: 200 with an empty body, or 400 for a token it does not know.
{
public:
	explicit RevokeHandler(std::shared_ptr<EmulatorState> state): _state(std::move(state)) {}

	void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override
	{
		// POST with a form, or GET with the token in the query: Salesforce documents both.
		std::string token;
		if (request.getMethod() == "GET")
		{
			try
			{
				for (const auto& p: Poco::URI(request.getURI()).getQueryParameters())
					if (p.first == "token") token = p.second;
			}
			catch (const Poco::Exception&)
			{
				token.clear();
			}
		}
		else
		{
			Poco::Net::NameValueCollection form;
			if (!readForm(request, response, form)) return;
			token = form.get("token", "");
		}
		if (token.empty()) return sendOAuthError(response, 400, "invalid_request", "missing token parameter");
		// Only Salesforce's own sessions: an Entra ID token is not one.
		const auto info = _state->lookupToken(token);
		if (!info || info->kind != "salesforce" || !_state->revokeToken(token))
			return sendOAuthError(response, 400, "invalid_token", "invalid token");
		sendText(response, 200, "text/plain", "");
	}

private:
	std::shared_ptr<EmulatorState> _state;
};

std::string htmlEscape(const std::string& text)
{
	std::string out;
	for (char c: text)
	{
		if (c == '<') out += "&lt;";
		else if (c == '>') out += "&gt;";
		else if (c == '&') out += "&amp;";
		else if (c == '"') out += "&quot;";
		else out += c;
	}
	return out;
}

/// /login: where Salesforce sends a browser without a session (a missing, used or refused link).
class LoginPageHandler: public HTTPRequestHandler
{
public:
	void handleRequest(HTTPServerRequest&, HTTPServerResponse& response) override
	{
		sendText(response, 200, "text/html;charset=UTF-8", "<!DOCTYPE html><html><head><title>Login | Salesforce</title></head><body>"
			"<h1 id=\"login\">Log in</h1><p>jwtflow emulator: no session. A frontdoor link logs a browser in once.</p></body></html>");
	}
};

/// The org's pages (/home/home.jsp, /lightning/..., a site's /s): who is logged in, by the session cookie; else the login page.
class UiPageHandler: public HTTPRequestHandler
{
public:
	UiPageHandler(std::shared_ptr<EmulatorState> state, std::string site): _state(std::move(state)), _site(std::move(site)) {}

	void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override
	{
		Poco::Net::NameValueCollection cookies;
		request.getCookies(cookies);
		const std::optional<IssuedToken> session = _state->uiSession(cookies.get("sid", ""));
		if (!session || session->site != _site)
		{
			response.redirect(_state->baseUrl() + _site + "/login?ec=302&startURL=" + Poco::URI(request.getURI()).getPath(),
				HTTPResponse::HTTP_FOUND);
			return;
		}
		sendText(response, 200, "text/html;charset=UTF-8", "<!DOCTYPE html><html><head><title>Home | Salesforce</title></head><body>"
			"<h1>jwtflow emulator</h1><p id=\"user\">Logged in as " + htmlEscape(session->username) + "</p><p id=\"org\">Org "
			+ htmlEscape(_state->options().orgId) + (_site.empty() ? "" : ", site " + htmlEscape(_site)) + "</p><p id=\"page\">"
			+ htmlEscape(Poco::URI(request.getURI()).getPath()) + "</p></body></html>");
	}

private:
	std::shared_ptr<EmulatorState> _state;
	std::string _site;
};

class NotFoundHandler: public HTTPRequestHandler
{
public:
	void handleRequest(HTTPServerRequest&, HTTPServerResponse& response) override
	{
		sendText(response, 404, "text/html;charset=UTF-8",
			"<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1><p>jwtflow emulator: no such endpoint.</p></body></html>");
	}
};

} // namespace

namespace {

/// Sets the Date header from the emulator's (possibly shifted) clock, then runs the endpoint.
class DatedHandler: public HTTPRequestHandler
{
public:
	DatedHandler(std::shared_ptr<EmulatorState> state, HTTPRequestHandler* inner): _state(std::move(state)), _inner(inner) {}
	void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override
	{
		response.setDate(Poco::Timestamp::fromEpochTime(static_cast<std::time_t>(_state->now())));
		_inner->handleRequest(request, response);
	}

private:
	std::shared_ptr<EmulatorState> _state;
	std::unique_ptr<HTTPRequestHandler> _inner;
};

} // namespace

Poco::Net::HTTPRequestHandler* EmulatorHandlerFactory::createRequestHandler(const HTTPServerRequest& request)
{
	return new DatedHandler(_state, createEndpoint(request));
}

Poco::Net::HTTPRequestHandler* EmulatorHandlerFactory::createEndpoint(const HTTPServerRequest& request)
{
	const std::string path = Poco::URI(request.getURI()).getPath();
	// A community site path prefixes the Salesforce endpoints.
	std::string site;
	std::string rest = path;
	for (const auto& c: _state->options().communities)
	{
		if (!c.empty() && Poco::startsWith(path, c + "/"))
		{
			site = c;
			rest = path.substr(c.size());
			break;
		}
	}
	if (rest == "/services/oauth2/token") return new SalesforceTokenHandler(_state, site);
	if (rest == "/services/oauth2/singleaccess") return new SingleAccessHandler(_state, site);
	if (rest == "/secur/frontdoor.jsp") return new FrontdoorHandler(_state, site);
	if (rest == "/services/oauth2/revoke") return new RevokeHandler(_state);
	if (site.empty())
		if (auto* api = createSalesforceRestHandler(_state, rest)) return api;
	if (auto* graph = createGraphHandler(_state, path)) return graph;
	if (site.empty() && rest == "/services/oauth2/userinfo") return new UserInfoHandler(_state);
	if (site.empty() && Poco::startsWith(rest, std::string("/id/"))) return new IdentityHandler(_state);
	if (auto* entra = createEntraHandler(_state, path)) return entra;
	if (auto* google = createGoogleHandler(_state, path)) return google;
	if (auto* federation = createGoogleFederationHandler(_state, path)) return federation;
	if (auto* workload = createWorkloadHandler(_state, path)) return workload;
	if (auto* oidc = createOidcHandler(_state, path)) return oidc;
	if (rest == "/login") return new LoginPageHandler;
	if (rest.rfind("/home/", 0) == 0 || rest.rfind("/lightning/", 0) == 0 || rest == "/lightning" || (!site.empty() && (rest == "/s" || rest.rfind("/s/", 0) == 0)))
		return new UiPageHandler(_state, site);
	return new NotFoundHandler;
}

} // namespace emulator
} // namespace jwtflow
