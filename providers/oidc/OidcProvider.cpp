//
// OidcProvider.cpp
//
// Plugin: oidc
//
// SPDX-License-Identifier: BSL-1.0
//
#include "OidcProvider.h"
#include "Discovery.h"
#include "jwtflow/ClientAssertion.h"
#include "jwtflow/Exception.h"
#include <Poco/String.h>
#include <algorithm>

namespace jwtflow {
namespace oidc {

namespace {

const std::string CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const std::string JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const std::string TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const std::string JWT_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:jwt";

enum class Grant { ClientCredentials, JwtBearer, TokenExchange };

Grant grantOf(const Settings& s)
{
	const std::string grant = Poco::toLower(Poco::trim(s.getOr("GRANT", "client_credentials")));
	if (grant == "client_credentials") return Grant::ClientCredentials;
	if (grant == "jwt-bearer" || grant == JWT_BEARER) return Grant::JwtBearer;
	if (grant == "token-exchange" || grant == TOKEN_EXCHANGE) return Grant::TokenExchange;
	throw UsageException("GRANT '" + grant + "' is not client_credentials, jwt-bearer or token-exchange");
}

bool jwtBearerGrant(const Settings& s)
{
	return grantOf(s) == Grant::JwtBearer;
}

/// RFC 8693's subject token: the file's JWT, read for every request (the platform rotates it), with
/// the rules of every federated token file (owner and mode, never sent near or past its exp).
std::string subjectToken(const Settings& s)
{
	return FederatedTokenFile(s.require("SUBJECT_TOKEN_FILE"), "SUBJECT_TOKEN_FILE").next();
}

bool has(const std::string& text, const char* part)
{
	return Poco::toLower(text).find(part) != std::string::npos;
}

} // namespace

std::string OidcProvider::name() const
{
	return "oidc";
}

std::string OidcProvider::description() const
{
	return "Generic OAuth 2.0 / OpenID Connect: private_key_jwt client credentials, JWT bearer grant or token exchange "
		"(Okta, Keycloak, Auth0)";
}

std::vector<std::string> OidcProvider::actions() const
{
	return {"jwt", "token", "describe", "doctor"};
}

std::vector<SettingSpec> OidcProvider::settings() const
{
	std::vector<SettingSpec> specs(15);
	specs[0] = {"ISSUER", "issuer", "the authorization server's issuer URL (its discovery document gives the token endpoint)", false, "", false, "URL"};
	specs[1] = {"TOKEN_ENDPOINT", "token-endpoint", "the token endpoint, instead of discovery through ISSUER", false, "", false, "URL"};
	specs[2] = {"CLIENT_ID", "client-id", "the client (application) id: the JWT's iss and sub", true, "", false, "ID"};
	specs[3] = {"KEY_ID", "key-id", "the `kid` of the client's registered public key (Okta and Keycloak select the key by it)", false, "", false, "KID"};
	specs[4] = {"SCOPE", "scope", "space-separated scopes to request (Okta requires one for client credentials)", false, "", false, "SCOPES"};
	specs[5] = {"AUDIENCE", "audience", "the JWT's aud, sent exactly as given (default: the token endpoint; Auth0: https://TENANT.auth0.com/)", false, "", false, "URL"};
	specs[6] = {"GRANT", "grant", "client_credentials (default), jwt-bearer (the JWT is the grant, for SUBJECT) or token-exchange "
		"(RFC 8693: SUBJECT_TOKEN_FILE's token for this client's)", false, "client_credentials", false, "GRANT"};
	specs[7] = {"SUBJECT", "subject", "jwt-bearer grant: the user the token is for (the JWT's sub)", false, "", false, "USER"};
	specs[8] = {"API_AUDIENCE", "api-audience", "Auth0: the API identifier, sent as the `audience` form field", false, "", false, "ID"};
	specs[9] = {"DISCOVERY_CACHE_SECONDS", "", "how long the discovery document is kept on disk (0: not kept)", false, "3600", false, "SECONDS"};
	specs[10] = {"CLIENT_ASSERTION_FILE", "client-assertion-file", "a workload token file to send as the client assertion "
		"instead of signing one (a federated client; re-read for every login)", false, "", false, "FILE"};
	specs[11] = {"SUBJECT_TOKEN_FILE", "subject-token-file", "token-exchange grant: the file whose token is exchanged (re-read "
		"for every login)", false, "", false, "FILE"};
	specs[12] = {"SUBJECT_TOKEN_TYPE", "subject-token-type", "token-exchange grant: the subject token's type", false,
		JWT_TOKEN_TYPE, false, "URN"};
	specs[13] = {"REQUESTED_TOKEN_TYPE", "requested-token-type", "token-exchange grant: the type of token asked for (the server's "
		"default when unset)", false, "", false, "URN"};
	specs[14] = {"RESOURCE", "resource", "token-exchange grant: the resource the token is for (RFC 8693 resource)", false, "", false, "URI"};
	for (int named: {0, 1, 2, 4, 5, 7, 14}) specs[static_cast<std::size_t>(named)].label = true;
	specs[9].identity = false;   // how long discovery is kept does not change the token
	specs[10].identity = false;  // the federated client is CLIENT_ID whatever file carries its token
	for (int rare: {10, 11, 12, 13, 14}) specs[static_cast<std::size_t>(rare)].rare = true;
	return specs;
}

AssertionPolicy OidcProvider::assertionPolicy() const
{
	AssertionPolicy policy;
	policy.algorithms = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256"};
	policy.defaultLifetimeSeconds = 300;
	policy.maxLifetimeSeconds = 3600;   // Okta: exp at most one hour after iat
	return policy;
}

std::string OidcProvider::tokenEndpoint(const Settings& s)
{
	if (auto endpoint = s.get("TOKEN_ENDPOINT")) return checkedUrl(*endpoint, "TOKEN_ENDPOINT");
	if (!s.get("ISSUER"))
		throw UsageException("missing setting ISSUER or TOKEN_ENDPOINT: give the authorization server's issuer URL "
			"(--issuer, e.g. https://example.okta.com/oauth2/default) or its token endpoint (--token-endpoint)");
	return checkedUrl(discover(s).tokenEndpoint, "the discovery document's token_endpoint");
}

void OidcProvider::declareAssertion(const AssertionContext& context, Poco::JSON::Object& header,
	Poco::JSON::Object& claims) const
{
	const Settings& s = context.settings;
	const std::string endpoint = tokenEndpoint(s);
	if (!s.get("TOKEN_ENDPOINT") && s.get("ISSUER"))
	{
		const DiscoveryDocument doc = discover(s);
		if (!doc.signingAlgs.empty() && std::find(doc.signingAlgs.begin(), doc.signingAlgs.end(), context.algorithm) == doc.signingAlgs.end())
		{
			std::string list;
			for (const auto& a: doc.signingAlgs) list += (list.empty() ? "" : ", ") + a;
			throw UsageException("the IdP does not take " + context.algorithm + " client assertions (it lists " + list +
				"): choose one of those with JWT_ALGORITHM");
		}
	}
	header.set("typ", "JWT");
	if (auto kid = s.get("KEY_ID")) header.set("kid", *kid);
	const std::string client = s.require("CLIENT_ID");
	claims.set("iss", client);
	if (jwtBearerGrant(s))
		claims.set("sub", s.require("SUBJECT"));
	else
		claims.set("sub", client);
	if (auto audience = s.get("AUDIENCE"))
	{
		// Checked, then sent exactly as given: Auth0 wants its tenant URL with the trailing slash.
		checkedUrl(*audience, "AUDIENCE");
		claims.set("aud", Poco::trim(*audience));
	}
	else
	{
		claims.set("aud", endpoint);
	}
	claims.set("jti", context.jwtId);
	claims.set("iat", context.issuedAt);
	claims.set("exp", context.expiresAt);
}

TokenRequest OidcProvider::tokenRequest(const Settings& s, const std::string& assertion) const
{
	TokenRequest request;
	request.url = tokenEndpoint(s);
	const std::string scope = Poco::trim(s.getOr("SCOPE", ""));
	const Grant grant = grantOf(s);
	if (grant == Grant::JwtBearer)
	{
		request.form = {{"grant_type", JWT_BEARER}, {"assertion", assertion}, {"client_id", s.require("CLIENT_ID")}};
	}
	else
	{
		request.form = {{"grant_type", grant == Grant::TokenExchange ? TOKEN_EXCHANGE : "client_credentials"},
			{"client_assertion_type", CLIENT_ASSERTION_TYPE}, {"client_assertion", assertion}};
		// A federated client's assertion is another issuer's token: client_id says which client it stands for.
		if (s.get("CLIENT_ASSERTION_FILE") || grant == Grant::TokenExchange) request.form.push_back({"client_id", s.require("CLIENT_ID")});
	}
	if (grant == Grant::TokenExchange)
	{
		request.form.push_back({"subject_token", subjectToken(s)});
		request.form.push_back({"subject_token_type", s.getOr("SUBJECT_TOKEN_TYPE", JWT_TOKEN_TYPE)});
		if (auto type = s.get("REQUESTED_TOKEN_TYPE")) request.form.push_back({"requested_token_type", *type});
		if (auto resource = s.get("RESOURCE")) request.form.push_back({"resource", *resource});
	}
	if (!scope.empty()) request.form.push_back({"scope", scope});
	if (auto api = s.get("API_AUDIENCE")) request.form.push_back({"audience", *api});
	return request;
}

std::string OidcProvider::errorHint(const OAuthError& e) const
{
	const std::string& d = e.description;
	if (e.error == "invalid_scope")
		return "set SCOPE to scopes the authorization server grants this client (Okta: add them to the authorization server "
			"and grant them to the app; Okta org server: okta.* API scopes)";
	if (has(d, "kid"))
		return "KEY_ID must be the kid of the public key registered for the client (Okta: the app's Public Keys; Keycloak: "
			"the client's Keys tab or JWKS URL)";
	if (has(d, "signature"))
		return "the IdP could not verify the signature: register the public key of PATH_PRIVATE_KEY for CLIENT_ID "
			"(jwtflow keygen prints it), with the right KEY_ID";
	if (has(d, "audience") || has(d, "aud"))
		return "the aud claim must be the token endpoint URL exactly (Keycloak also takes the realm's issuer URL): check AUDIENCE "
			"and TOKEN_ENDPOINT / ISSUER";
	if (has(d, "expir") || has(d, "future") || has(d, "iat"))
		return "check this machine's clock (UTC) and keep JWT_LIFETIME at 3600 s or less (300 s is the default)";
	if (has(d, "already been used") || has(d, "replay"))
		return "each client assertion may be used once: mint a new one (jwtflow does, per request)";
	if (e.error == "invalid_client")
		// "client authentication failed" names no cause: the usual ones, most likely first (seen against a certified provider).
		return "the usual causes, in order: (1) KEY_ID is not the kid of a key in the client's registered JWKS (jwtflow jwk "
			"--private-key KEY prints the JWK and its kid); (2) the registered JWK carries an alg other than the one signed with "
			"(JWT_ALGORITHM): register it without alg, or sign with that alg; (3) the aud is not what the server expects "
			"(AUDIENCE / TOKEN_ENDPOINT); (4) this machine's clock (UTC). Also check CLIENT_ID, and that the client "
			"authenticates with private_key_jwt (Okta: Public key / Private key; Keycloak: Signed JWT)";
	if (e.error == "unsupported_grant_type" || e.error == "unauthorized_client")
		return "allow the grant for this client (Okta: Client Credentials under the app's grant types); GRANT is " +
			std::string("client_credentials unless set to jwt-bearer");
	if (e.error == "invalid_grant" && has(d, "subject_token"))
		return "the subject token was refused: SUBJECT_TOKEN_FILE must hold a current token of an issuer the server trusts";
	if (e.error == "invalid_grant")
		return "the grant was refused: check SUBJECT (jwt-bearer) or SUBJECT_TOKEN_FILE (token-exchange), and that the IdP "
			"accepts them from this client";
	return "";
}

std::vector<DoctorFinding> OidcProvider::diagnose(const Settings& s) const
{
	std::vector<DoctorFinding> findings;
	DoctorFinding endpoint;
	endpoint.check = "token endpoint";
	try
	{
		endpoint.message = tokenEndpoint(s) + (s.get("TOKEN_ENDPOINT") ? " (TOKEN_ENDPOINT)" : " (from ISSUER's discovery document)");
	}
	catch (const Poco::Exception& e)
	{
		endpoint.level = DoctorFinding::Level::Fail;
		endpoint.message = e.message();
	}
	findings.push_back(endpoint);
	if (!s.get("KEY_ID"))
		findings.push_back({DoctorFinding::Level::Warn, "key id", "KEY_ID is not set: Okta and Keycloak choose the client's "
			"key by the JWT's kid; set it to the registered key's kid"});
	if (!s.get("SCOPE") && !jwtBearerGrant(s))
		findings.push_back({DoctorFinding::Level::Warn, "scope", "SCOPE is not set: Okta refuses client credentials without one"});
	return findings;
}

} // namespace oidc
} // namespace jwtflow
