//
// OidcEndpoints.cpp
//
// Library: jwtflow emulator
// A generic OpenID Connect authorization server, strict like Okta and Keycloak
// (FACTS.md section 5): the discovery document at
// /oidc/.well-known/openid-configuration, and /oidc/v1/token taking
// client_credentials with private_key_jwt client authentication (RFC 7523
// section 2.2, OIDC Core section 9) or the JWT bearer grant (RFC 7523 2.1).
// Error texts follow Okta's where known; the rest are the emulator's own.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "EmulatorHandlers.h"
#include "EndpointSupport.h"
#include "jwtflow/Encoding.h"
#include "jwtflow/Json.h"
#include "jwtflow/Jwt.h"
#include <Poco/JSON/Array.h>
#include <Poco/RandomStream.h>

using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

namespace jwtflow {
namespace emulator {

namespace {

const char* const CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const char* const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const char* const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const int MAX_ASSERTION_LIFETIME = 3600;   // Okta: exp at most one hour after iat

Poco::JSON::Array::Ptr array(std::initializer_list<const char*> items)
{
	Poco::JSON::Array::Ptr a = new Poco::JSON::Array;
	for (const char* item: items) a->add(std::string(item));
	return a;
}

class DiscoveryHandler: public Poco::Net::HTTPRequestHandler
{
public:
	explicit DiscoveryHandler(std::shared_ptr<EmulatorState> state): _state(std::move(state)) {}

	void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override
	{
		if (request.getMethod() != "GET") return sendOAuthError(response, 405, "invalid_request", "use GET");
		const std::string issuer = _state->baseUrl() + "/oidc";
		Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
		body.set("issuer", issuer);
		body.set("authorization_endpoint", issuer + "/v1/authorize");
		body.set("token_endpoint", issuer + "/v1/token");
		body.set("jwks_uri", issuer + "/v1/keys");
		body.set("response_types_supported", array({"code"}));
		body.set("grant_types_supported", array({"authorization_code", "client_credentials", JWT_BEARER, TOKEN_EXCHANGE}));
		body.set("subject_types_supported", array({"public"}));
		body.set("id_token_signing_alg_values_supported", array({"RS256"}));
		body.set("token_endpoint_auth_methods_supported",
			array({"client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt"}));
		body.set("token_endpoint_auth_signing_alg_values_supported",
			array({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}));
		sendJson(response, 200, body);
	}

private:
	std::shared_ptr<EmulatorState> _state;
};

class OidcTokenHandler: public Poco::Net::HTTPRequestHandler
{
public:
	explicit OidcTokenHandler(std::shared_ptr<EmulatorState> state): _state(std::move(state)) {}

	void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override
	{
		Poco::Net::NameValueCollection form;
		if (!readForm(request, response, form)) return;
		const std::string grant = form.get("grant_type", "");
		if (grant == "client_credentials") return clientCredentials(form, response);
		if (grant == JWT_BEARER) return jwtBearer(form, response);
		if (grant == TOKEN_EXCHANGE) return tokenExchange(form, response);
		sendOAuthError(response, 400, "unsupported_grant_type", "The authorization grant type is not supported by the authorization server.");
	}

private:
	/// Checks an assertion's signature, kid, audience, lifetime and jti; the
	/// error text, or "" when it is good. `app` is the client named by iss.
	std::string checkAssertion(const DecodedJwt& jwt, const RegisteredApp& app, const std::string& what)
	{
		const std::string alg = jwt.algorithm();
		const Algorithm* algorithm = nullptr;
		try
		{
			algorithm = &Algorithm::fromName(alg);
		}
		catch (const Poco::Exception&)
		{
			return "The " + what + " is signed with an unsupported algorithm: " + alg + ".";
		}
		// A JWK registered with an alg binds the key to that one algorithm (RFC 7517 4.4; FACTS.md 7).
		if (!app.algorithm.empty() && alg != app.algorithm)
			return "The " + what + " token is signed with " + alg + ", but the client's key is registered for " + app.algorithm + ".";
		const std::string kid = jsonString(*jwt.header, "kid");
		if (!app.keyId.empty() && kid != app.keyId)
			return "The " + what + " token specified a 'kid' that does not match any of the client's keys.";
		if (!app.certificate.publicKey().verify(*algorithm, jwt.signingInput, jwt.signature))
			return "The " + what + " signature is invalid.";
		const Poco::JSON::Object& claims = *jwt.claims;
		const std::string issuer = _state->baseUrl() + "/oidc";
		const std::string aud = jsonString(claims, "aud");
		if (aud != issuer + "/v1/token" && aud != issuer)
			return "The audience claim for " + what + " must be the endpoint invoked for the request.";
		const std::optional<Poco::Int64> exp = timeClaim(claims, "exp");
		const std::optional<Poco::Int64> iat = timeClaim(claims, "iat");
		const Poco::Int64 now = _state->now();
		const int skew = _state->options().clockSkewSeconds;
		if (!exp) return "The " + what + " token has no expiration (exp).";
		if (*exp < now - skew) return "The " + what + " token is expired.";
		if (*exp > now + MAX_ASSERTION_LIFETIME + skew || (iat && *exp - *iat > MAX_ASSERTION_LIFETIME))
			return "The " + what + " token has an expiration too far into the future.";
		if (iat && *iat > now + skew) return "The " + what + " token was issued in the future (iat).";
		const std::string jti = jsonString(claims, "jti");
		if (jti.empty()) return "The " + what + " token has no jti.";
		if (!_state->firstUseOfJwtId(jti)) return "The " + what + " token has already been used.";
		return {};
	}

	/// A workload token of the emulator's issuer (signature, times), or why not; "" when good.
	std::string checkWorkloadToken(const DecodedJwt& jwt, const std::string& what)
	{
		if (jsonString(*jwt.claims, "iss") != _state->workloadIssuer())
			return "The " + what + " was not issued by an issuer this server trusts.";
		if (jwt.algorithm() != "RS256" || !_state->workloadKey().publicKey().verify(Algorithm::fromName("RS256"), jwt.signingInput, jwt.signature))
			return "The " + what + " signature is invalid.";
		const std::optional<Poco::Int64> exp = timeClaim(*jwt.claims, "exp");
		if (!exp || *exp < _state->now() - _state->options().clockSkewSeconds) return "The " + what + " is expired.";
		return {};
	}

	/// The client a token request authenticates: private_key_jwt with the client's key, or (a federated
	/// client, Keycloak's federated client authentication) a workload token that one of its federated
	/// credentials names. nullptr when it fails; the answer is then sent.
	const RegisteredApp* authenticate(const Poco::Net::NameValueCollection& form, HTTPServerResponse& response)
	{
		if (form.get("client_assertion_type", "") != CLIENT_ASSERTION_TYPE || form.get("client_assertion", "").empty())
		{
			sendOAuthError(response, 401, "invalid_client", "Client authentication failed. Either the client or the client credentials are invalid.");
			return nullptr;
		}
		DecodedJwt jwt;
		try
		{
			jwt = decodeJwt(form.get("client_assertion"));
		}
		catch (const Poco::Exception&)
		{
			sendOAuthError(response, 401, "invalid_client", "The client_assertion token is malformed.");
			return nullptr;
		}
		const std::string issuer = jsonString(*jwt.claims, "iss");
		const RegisteredApp* federatedClient = form.has("client_id") ? _state->app(form.get("client_id")) : nullptr;
		if (federatedClient && !federatedClient->federated.empty() && issuer != federatedClient->clientId)
		{
			std::string problem = checkWorkloadToken(jwt, "client_assertion token");
			bool matched = false;
			for (const auto& f: federatedClient->federated)
				matched = matched || (f.subject == jsonString(*jwt.claims, "sub") && f.audience == jsonString(*jwt.claims, "aud"));
			if (problem.empty() && !matched) problem = "The client_assertion token's subject or audience is not one this client trusts.";
			if (!problem.empty())
			{
				sendOAuthError(response, 401, "invalid_client", problem);
				return nullptr;
			}
			return federatedClient;
		}
		const std::string clientId = issuer;
		if (jsonString(*jwt.claims, "sub") != clientId)
		{
			sendOAuthError(response, 401, "invalid_client", "The client_assertion token's 'iss' and 'sub' claims must both be the client_id.");
			return nullptr;
		}
		if (form.has("client_id") && form.get("client_id") != clientId)
		{
			sendOAuthError(response, 401, "invalid_client", "The client_id does not match the client_assertion's issuer.");
			return nullptr;
		}
		const RegisteredApp* app = _state->app(clientId);
		if (!app)
		{
			sendOAuthError(response, 401, "invalid_client", "Client authentication failed. Either the client or the client credentials are invalid.");
			return nullptr;
		}
		const std::string problem = checkAssertion(jwt, *app, "client_assertion");
		if (!problem.empty())
		{
			sendOAuthError(response, 401, "invalid_client", problem);
			return nullptr;
		}
		return app;
	}

	void clientCredentials(const Poco::Net::NameValueCollection& form, HTTPServerResponse& response)
	{
		if (!authenticate(form, response)) return;
		const std::string scope = form.get("scope", "");
		if (scope.empty())
			return sendOAuthError(response, 400, "invalid_scope",
				"The authorization server resource does not have any configured default scopes, 'scope' must be provided.");
		issue(response, scope, 3600);
	}

	/// RFC 8693: an authenticated client exchanges a subject token (here: a workload token of the
	/// emulator's issuer) for an access token.
	void tokenExchange(const Poco::Net::NameValueCollection& form, HTTPServerResponse& response)
	{
		if (!authenticate(form, response)) return;
		const std::string type = form.get("subject_token_type", "");
		if (form.get("subject_token", "").empty() || type.empty())
			return sendOAuthError(response, 400, "invalid_request", "subject_token and subject_token_type are required.");
		if (type != "urn:ietf:params:oauth:token-type:jwt" && type != "urn:ietf:params:oauth:token-type:id_token"
			&& type != "urn:ietf:params:oauth:token-type:access_token")
			return sendOAuthError(response, 400, "invalid_request", "The subject_token_type is not supported.");
		DecodedJwt subject;
		try
		{
			subject = decodeJwt(form.get("subject_token"));
		}
		catch (const Poco::Exception&)
		{
			return sendOAuthError(response, 400, "invalid_grant", "The subject_token is malformed.");
		}
		const std::string problem = checkWorkloadToken(subject, "subject_token");
		if (!problem.empty()) return sendOAuthError(response, 400, "invalid_grant", problem);
		const std::string requested = form.get("requested_token_type", "urn:ietf:params:oauth:token-type:access_token");
		if (requested != "urn:ietf:params:oauth:token-type:access_token")
			return sendOAuthError(response, 400, "invalid_request", "The requested_token_type is not supported.");
		issue(response, form.get("scope", "openid"), 3600, true);
	}

	void jwtBearer(const Poco::Net::NameValueCollection& form, HTTPServerResponse& response)
	{
		const std::string assertion = form.get("assertion", "");
		if (assertion.empty()) return sendOAuthError(response, 400, "invalid_request", "The assertion parameter is missing.");
		DecodedJwt jwt;
		try
		{
			jwt = decodeJwt(assertion);
		}
		catch (const Poco::Exception&)
		{
			return sendOAuthError(response, 400, "invalid_grant", "The assertion is malformed.");
		}
		const RegisteredApp* app = _state->app(jsonString(*jwt.claims, "iss"));
		if (!app) return sendOAuthError(response, 400, "invalid_grant", "The assertion's issuer is not a known client.");
		const std::string problem = checkAssertion(jwt, *app, "assertion");
		if (!problem.empty()) return sendOAuthError(response, 400, "invalid_grant", problem);
		if (!_state->knowsUser(jsonString(*jwt.claims, "sub")))
			return sendOAuthError(response, 400, "invalid_grant", "The assertion's subject is not a known user.");
		issue(response, form.get("scope", "openid"), 3600);
	}

	void issue(HTTPServerResponse& response, const std::string& scope, int lifetime, bool exchanged = false)
	{
		_state->countIssued();
		Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
		body.set("token_type", "Bearer");
		body.set("expires_in", lifetime);
		body.set("access_token", "eyJraWQiOiJlbXVsYXRvciJ9." + randomText(32));
		body.set("scope", scope);
		if (exchanged) body.set("issued_token_type", "urn:ietf:params:oauth:token-type:access_token");
		sendJson(response, 200, body);
	}

	std::shared_ptr<EmulatorState> _state;
};

} // namespace

Poco::Net::HTTPRequestHandler* createOidcHandler(std::shared_ptr<EmulatorState> state, const std::string& path)
{
	if (path == "/oidc/.well-known/openid-configuration") return new DiscoveryHandler(std::move(state));
	if (path == "/oidc/v1/token") return new OidcTokenHandler(std::move(state));
	return nullptr;
}

} // namespace emulator
} // namespace jwtflow
