//
// GoogleEndpoints.cpp
//
// Library: jwtflow emulator
// A Google-style token endpoint for service accounts (FACTS.md section 5):
// POST /google/token with the JWT bearer grant; the service account is found
// by iss (client_email) and its key by kid; Google's error texts.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "EmulatorHandlers.h"
#include "EndpointSupport.h"
#include "jwtflow/Encoding.h"
#include "jwtflow/Json.h"
#include "jwtflow/Jwt.h"

using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

namespace jwtflow {
namespace emulator {

namespace {

const char* const SHORT_LIVED = "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. "
	"Check your iat and exp values in the JWT claim.";

class GoogleTokenHandler: public Poco::Net::HTTPRequestHandler
{
public:
	explicit GoogleTokenHandler(std::shared_ptr<EmulatorState> state): _state(std::move(state)) {}

	void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override
	{
		Poco::Net::NameValueCollection form;
		if (!readForm(request, response, form)) return;
		const std::string grant = form.get("grant_type", "");
		if (grant != "urn:ietf:params:oauth:grant-type:jwt-bearer")
			return sendOAuthError(response, 400, "unsupported_grant_type", "Invalid grant_type: " + grant);
		const std::string assertion = form.get("assertion", "");
		if (assertion.empty()) return sendOAuthError(response, 400, "invalid_request", "Missing required parameter: assertion");
		DecodedJwt jwt;
		try
		{
			jwt = decodeJwt(assertion);
		}
		catch (const Poco::Exception&)
		{
			return sendOAuthError(response, 400, "invalid_grant", "Invalid JWT: malformed assertion.");
		}
		const Poco::JSON::Object& claims = *jwt.claims;
		const RegisteredApp* account = _state->app(jsonString(claims, "iss"));
		if (!account) return sendOAuthError(response, 400, "invalid_grant", "Invalid grant: account not found");
		const std::string kid = jsonString(*jwt.header, "kid");
		if (jwt.algorithm() != "RS256" || (!kid.empty() && !account->keyId.empty() && kid != account->keyId)
			|| !account->certificate.publicKey().verify(Algorithm::fromName("RS256"), jwt.signingInput, jwt.signature))
			return sendOAuthError(response, 400, "invalid_grant", "Invalid JWT Signature.");
		// aud: the token URI of the key file (here the emulator's, standing for Google's), Google's own, or
		// the legacy one older key files and libraries still carry (Google accepts both of its own).
		const std::string tokenUrl = _state->baseUrl() + "/google/token";
		const std::string aud = jsonString(claims, "aud");
		if (aud != tokenUrl && aud != "https://oauth2.googleapis.com/token" && aud != "https://accounts.google.com/o/oauth2/token")
			return sendOAuthError(response, 400, "invalid_grant", "Invalid JWT: Failed audience check. The right audience is " + tokenUrl);
		const std::optional<Poco::Int64> iat = timeClaim(claims, "iat");
		const std::optional<Poco::Int64> exp = timeClaim(claims, "exp");
		const Poco::Int64 now = _state->now();
		const int skew = _state->options().clockSkewSeconds;
		if (!iat || !exp || *exp - *iat > 3600 || *iat > now + skew || *exp < now - skew)
			return sendOAuthError(response, 400, "invalid_grant", SHORT_LIVED);
		if (jsonString(claims, "scope").empty())
			return sendOAuthError(response, 400, "invalid_scope", "Invalid OAuth scope or ID token audience provided.");
		const std::string subject = jsonString(claims, "sub");
		if (!subject.empty() && subject != account->clientId && !_state->knowsUser(subject))
			return sendOAuthError(response, 401, "unauthorized_client", "Client is unauthorized to retrieve access tokens using "
				"this method, or client not authorized for any of the scopes requested.");

		_state->countIssued();
		Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
		body.set("access_token", "ya29.c." + randomText(48));
		body.set("expires_in", 3599);
		body.set("token_type", "Bearer");
		sendJson(response, 200, body);
	}

private:
	std::shared_ptr<EmulatorState> _state;
};

} // namespace

Poco::Net::HTTPRequestHandler* createGoogleHandler(std::shared_ptr<EmulatorState> state, const std::string& path)
{
	if (path == "/google/token") return new GoogleTokenHandler(std::move(state));
	return nullptr;
}

} // namespace emulator
} // namespace jwtflow
