//
// GoogleFederationEndpoints.cpp
//
// Library: jwtflow emulator
// Google workload identity federation (FACTS.md 8.3): the Security Token
// Service (POST /sts/v1/token, RFC 8693) that exchanges a workload token of a
// pool provider's issuer for a federated token, and IAM Credentials'
// generateAccessToken (POST /iamcredentials/v1/projects/-/serviceAccounts/
// EMAIL:generateAccessToken) that turns it into a service account's token
// when the subject was granted roles/iam.workloadIdentityUser.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "EmulatorHandlers.h"
#include "EndpointSupport.h"
#include "jwtflow/Encoding.h"
#include "jwtflow/Json.h"
#include "jwtflow/Jwt.h"
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Array.h>
#include <Poco/NumberParser.h>
#include <Poco/URI.h>

using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

namespace jwtflow {
namespace emulator {

namespace {

const std::string TOKEN_TYPE = "urn:ietf:params:oauth:token-type:";
const std::string IAM_PREFIX = "/iamcredentials/v1/projects/-/serviceAccounts/";
const std::string GENERATE = ":generateAccessToken";

/// A Google API error (AIP-193): {"error": {"code", "message", "status"}}.
void sendApiError(HTTPServerResponse& response, int code, const std::string& status, const std::string& message)
{
	Poco::JSON::Object::Ptr error = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
	error->set("code", code);
	error->set("message", message);
	error->set("status", status);
	Poco::JSON::Object body;
	body.set("error", error);
	sendJson(response, code, body);
}

class StsTokenHandler: public Poco::Net::HTTPRequestHandler
{
public:
	explicit StsTokenHandler(std::shared_ptr<EmulatorState> state): _state(std::move(state)) {}

	void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override
	{
		Poco::Net::NameValueCollection form;
		const FormReading reading = readFormFields(request, form);
		if (reading.problem != FormProblem::None)
			return sendOAuthError(response, 400, "invalid_request", reading.problem == FormProblem::Duplicate
				? "Duplicate parameter: " + reading.duplicate : "The request must be a form POST.");
		const std::string grant = form.get("grant_type", "");
		if (grant != "urn:ietf:params:oauth:grant-type:token-exchange")
			return sendOAuthError(response, 400, "unsupported_grant_type", "Invalid value for \"grant_type\".");
		const std::string audience = form.get("audience", "");
		const std::string prefix = "//iam.googleapis.com/";
		if (audience.rfind(prefix + "projects/", 0) != 0 && audience.rfind(prefix + "locations/", 0) != 0)
			return sendOAuthError(response, 400, "invalid_request", "Invalid value for \"audience\". This value should be the full "
				"resource name of the Identity Provider. See https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token "
				"for the list of possible formats.");
		const WorkloadPoolProvider* pool = nullptr;
		for (const auto& p: _state->options().googlePools)
			if (p.audience() == audience) pool = &p;
		if (!pool)
			return sendOAuthError(response, 400, "invalid_target", "The target service indicated by the \"audience\" parameters is "
				"invalid. This might either be because the pool or provider is disabled or deleted or because it doesn't exist.");
		if (form.get("requested_token_type", "") != TOKEN_TYPE + "access_token")
			return sendOAuthError(response, 400, "invalid_request", "Invalid value for \"requested_token_type\". Only "
				"\"urn:ietf:params:oauth:token-type:access_token\" is supported.");
		const std::string subjectType = form.get("subject_token_type", "");
		if (subjectType != TOKEN_TYPE + "jwt" && subjectType != TOKEN_TYPE + "id_token")
			return sendOAuthError(response, 400, "invalid_request", "Invalid value for \"subject_token_type\". An OIDC provider "
				"takes urn:ietf:params:oauth:token-type:jwt or urn:ietf:params:oauth:token-type:id_token.");
		DecodedJwt jwt;
		try
		{
			jwt = decodeJwt(form.get("subject_token", ""));
		}
		catch (const Poco::Exception&)
		{
			return sendOAuthError(response, 400, "invalid_grant", "The subject token is not a valid JWT.");
		}
		const Poco::JSON::Object& claims = *jwt.claims;
		const std::string expectedIssuer = pool->issuer.empty() ? _state->workloadIssuer() : pool->issuer;
		const std::string issuer = jsonString(claims, "iss");
		if (issuer != expectedIssuer)
			return sendOAuthError(response, 400, "invalid_grant", "The issuer in ID Token " + issuer + " does not match the "
				"expected ones: " + expectedIssuer + ".");
		if (issuer != _state->workloadIssuer() || jwt.algorithm() != "RS256"
			|| !_state->workloadKey().publicKey().verify(Algorithm::fromName("RS256"), jwt.signingInput, jwt.signature))
			return sendOAuthError(response, 400, "invalid_grant", "Invalid ID Token signature.");
		const Poco::Int64 now = _state->now();
		const int skew = _state->options().clockSkewSeconds;
		const std::optional<Poco::Int64> exp = timeClaim(claims, "exp"), iat = timeClaim(claims, "iat");
		if (!exp || *exp < now - skew)
			return sendOAuthError(response, 400, "invalid_grant", "ID Token issued at " + std::to_string(iat.value_or(0))
				+ " is stale to sign-in.");
		std::vector<std::string> allowed = pool->allowedAudiences;
		if (allowed.empty()) allowed.push_back("https://iam.googleapis.com/" + pool->name);
		std::vector<std::string> audiences;
		if (claims.isArray("aud"))
		{
			for (const auto& a: *claims.getArray("aud")) audiences.push_back(a.toString());
		}
		else
		{
			audiences.push_back(jsonString(claims, "aud"));
		}
		bool audienceOk = false;
		for (const auto& a: audiences)
			for (const auto& ok: allowed) audienceOk = audienceOk || a == ok;
		if (!audienceOk)
			return sendOAuthError(response, 400, "invalid_grant", "The audience in ID Token [" + audiences.front()
				+ "] does not match the expected audience " + allowed.front() + ".");

		const std::string token = "ya29.d." + randomText(48);
		IssuedToken issued;
		issued.kind = "google-sts";
		issued.username = jsonString(claims, "sub");
		issued.audience = pool->name;
		issued.expiresAt = now + 3599;
		_state->registerToken(token, issued);
		_state->recordLogin(issued.username);
		_state->countIssued();
		Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
		body.set("access_token", token);
		body.set("issued_token_type", TOKEN_TYPE + "access_token");
		body.set("token_type", "Bearer");
		body.set("expires_in", 3599);
		sendJson(response, 200, body);
	}

private:
	std::shared_ptr<EmulatorState> _state;
};

class GenerateAccessTokenHandler: public Poco::Net::HTTPRequestHandler
{
public:
	GenerateAccessTokenHandler(std::shared_ptr<EmulatorState> state, std::string serviceAccount):
		_state(std::move(state)), _serviceAccount(std::move(serviceAccount)) {}

	void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override
	{
		if (request.getMethod() != "POST")
			return sendApiError(response, 405, "METHOD_NOT_ALLOWED", "generateAccessToken is a POST.");
		const std::optional<IssuedToken> caller = _state->lookupToken(bearerToken(request));
		if (!caller || (caller->kind != "google-sts" && caller->kind != "google"))
			return sendApiError(response, 401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 "
				"access token, login cookie or other valid authentication credential. See "
				"https://developers.google.com/identity/sign-in/web/devconsole-project.");
		bool granted = false;
		for (const auto& pool: _state->options().googlePools)
			if (pool.name == caller->audience)
				for (const auto& grant: pool.serviceAccountUsers)
					granted = granted || (grant.first == _serviceAccount && grant.second == caller->username);
		if (!granted)
			return sendApiError(response, 403, "PERMISSION_DENIED", "Permission 'iam.serviceAccounts.getAccessToken' denied on "
				"resource (or it may not exist).");
		std::string text;
		if (!readBody(request, response, text)) return;
		Poco::JSON::Object::Ptr body;
		try
		{
			body = parseJsonObject(text);
		}
		catch (const Poco::Exception&)
		{
			return sendApiError(response, 400, "INVALID_ARGUMENT", "Invalid JSON payload received.");
		}
		Poco::JSON::Array::Ptr scopes = body->getArray("scope");
		if (!scopes || scopes->size() == 0) return sendApiError(response, 400, "INVALID_ARGUMENT", "Scope required.");
		Poco::Int64 lifetime = 3600;
		const std::string asked = jsonString(*body, "lifetime");
		if (!asked.empty())
		{
			if (asked.back() != 's' || !Poco::NumberParser::tryParse64(asked.substr(0, asked.size() - 1), lifetime) || lifetime <= 0)
				return sendApiError(response, 400, "INVALID_ARGUMENT", "Invalid value at 'lifetime' (type.googleapis.com/google.protobuf.Duration), \""
					+ asked + "\"");
			if (lifetime > 3600)
				return sendApiError(response, 400, "INVALID_ARGUMENT", "The lifetime requested is longer than the allowed maximum "
					"of 3600s (constraints/iam.allowServiceAccountCredentialLifetimeExtension is not set).");
		}
		const Poco::Int64 now = _state->now();
		const std::string token = "ya29.c." + randomText(48);
		IssuedToken issued;
		issued.kind = "google";
		issued.clientId = _serviceAccount;
		issued.expiresAt = now + lifetime;
		_state->registerToken(token, issued);
		_state->recordLogin(_serviceAccount);
		_state->countIssued();
		Poco::JSON::Object answer(Poco::JSON_PRESERVE_KEY_ORDER);
		answer.set("accessToken", token);
		answer.set("expireTime", Poco::DateTimeFormatter::format(Poco::Timestamp::fromEpochTime(static_cast<std::time_t>(issued.expiresAt)),
			"%Y-%m-%dT%H:%M:%SZ"));
		sendJson(response, 200, answer);
	}

private:
	std::shared_ptr<EmulatorState> _state;
	std::string _serviceAccount;
};

} // namespace

Poco::Net::HTTPRequestHandler* createGoogleFederationHandler(std::shared_ptr<EmulatorState> state, const std::string& path)
{
	if (path == "/sts/v1/token") return new StsTokenHandler(std::move(state));
	if (path.rfind(IAM_PREFIX, 0) == 0 && path.size() > IAM_PREFIX.size() + GENERATE.size()
		&& path.compare(path.size() - GENERATE.size(), GENERATE.size(), GENERATE) == 0)
	{
		std::string account;
		Poco::URI::decode(path.substr(IAM_PREFIX.size(), path.size() - IAM_PREFIX.size() - GENERATE.size()), account);
		return new GenerateAccessTokenHandler(std::move(state), account);
	}
	return nullptr;
}

} // namespace emulator
} // namespace jwtflow
