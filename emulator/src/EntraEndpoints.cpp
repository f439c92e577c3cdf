//
// EntraEndpoints.cpp
//
// Library: jwtflow emulator
// Microsoft Entra ID's v2.0 token endpoint for client credentials with a
// certificate assertion (FACTS.md section 3): the checks Entra makes, its
// AADSTS error bodies and status codes, and its success shape.
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
#include <Poco/Net/NameValueCollection.h>
#include <Poco/RandomStream.h>
#include <Poco/String.h>
#include <Poco/URI.h>
#include <Poco/UUIDGenerator.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

namespace jwtflow {
namespace emulator {

namespace {

void sendEntraError(HTTPServerResponse& response, int status, const std::string& error, long code, const std::string& text)
{
	const std::string trace = Poco::UUIDGenerator::defaultGenerator().createRandom().toString();
	const std::string correlation = Poco::UUIDGenerator::defaultGenerator().createRandom().toString();
	const std::string timestamp = Poco::DateTimeFormatter::format(Poco::Timestamp(), "%Y-%m-%d %H:%M:%SZ");
	Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
	body.set("error", error);
	body.set("error_description", (code ? "AADSTS" + std::to_string(code) + ": " : std::string()) + text + " Trace ID: " + trace
		+ " Correlation ID: " + correlation + " Timestamp: " + timestamp);
	Poco::JSON::Array::Ptr codes = new Poco::JSON::Array;
	if (code) codes->add(code);
	body.set("error_codes", codes);
	body.set("timestamp", timestamp);
	body.set("trace_id", trace);
	body.set("correlation_id", correlation);
	if (code) body.set("error_uri", "https://login.microsoftonline.com/error?code=" + std::to_string(code));
	sendJson(response, status, body);
}

/// The resources a tenant knows, by identifier URI or app id: Graph, Key Vault, Azure Resource
/// Manager (whose identifier ends in a slash, hence "https://management.azure.com//.default"),
/// the AKS server app, the emulator's own API (its base URL) and any the options add.
bool knownResource(const EmulatorState& state, const std::string& resource)
{
	static const char* const builtIn[] = {
		"https://graph.microsoft.com", "00000003-0000-0000-c000-000000000000",
		"https://vault.azure.net", "cfa8b339-82a2-471a-a3c9-0fc0be7a4093",
		"https://management.azure.com/", "https://management.core.windows.net/", "797f4846-ba00-4fd7-ba43-dac1f8f63013",
		"6dae42f8-4368-4678-94ff-3960e28e3630"};
	const std::string lower = Poco::toLower(resource);
	for (const char* r: builtIn)
		if (lower == r) return true;
	if (resource == state.baseUrl()) return true;
	for (const auto& r: state.options().entraResources)
		if (Poco::icompare(r, resource) == 0) return true;
	return false;
}

/// Answers a request that is not one strict form post as Entra ID does; false then.
bool readEntraForm(HTTPServerRequest& request, HTTPServerResponse& response, Poco::Net::NameValueCollection& form)
{
	const FormReading reading = readFormFields(request, form);
	switch (reading.problem)
	{
	case FormProblem::None:
		return true;
	case FormProblem::NotPost:
		sendEntraError(response, 400, "invalid_request", 900561, "The endpoint only accepts POST requests. Received a " + reading.method + " request.");
		break;
	case FormProblem::NotForm:
		sendEntraError(response, 400, "invalid_request", 900561,
			"The endpoint only accepts POST requests with an application/x-www-form-urlencoded body.");
		break;
	case FormProblem::TooLarge:
		sendEntraError(response, 413, "invalid_request", 90014, "The request body is too large.");
		break;
	case FormProblem::Malformed:
		sendEntraError(response, 400, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.");
		break;
	case FormProblem::Duplicate:
		sendEntraError(response, 400, "invalid_request", 9000411, "The parameter '" + reading.duplicate + "' is duplicated.");
		break;
	}
	return false;
}

/// The registered certificate's thumbprint as the portal shows it (hex SHA-1, upper case).
std::string portalThumbprint(const Certificate& cert)
{
	return hexEncode(cert.sha1Thumbprint(), true);
}

std::string opaqueAccessToken(const std::string& tenant, const std::string& clientId, const std::string& audience)
{
	Poco::JSON::Object header(Poco::JSON_PRESERVE_KEY_ORDER);
	header.set("typ", "JWT");
	header.set("alg", "RS256");
	Poco::JSON::Object claims(Poco::JSON_PRESERVE_KEY_ORDER);
	const Poco::Int64 now = Poco::Timestamp().epochTime();
	claims.set("aud", audience);
	claims.set("tid", tenant);
	claims.set("appid", clientId);
	claims.set("iat", now);
	claims.set("exp", now + 3599);
	std::string sig(64, '\0');
	Poco::RandomInputStream().read(&sig[0], 64);
	return base64UrlEncode(objectToJson(header)) + "." + base64UrlEncode(objectToJson(claims)) + "." + base64UrlEncode(sig);
}

/// The x5c leaf of a "subject name + issuer" app, when the header's chain starts with a certificate that the
/// app's trusted CA signed for the app's subject; else nullopt and why (as Entra ID words it, roughly).
std::optional<Certificate> x5cLeaf(const Poco::JSON::Object& header, const RegisteredApp& app, std::string& why)
{
	Poco::JSON::Array::Ptr x5c = header.getArray("x5c");
	if (!x5c || x5c->size() == 0)
	{
		why = "The application is registered by subject name and issuer: send the certificate chain in the x5c header.";
		return std::nullopt;
	}
	std::optional<Certificate> leaf;
	try
	{
		leaf = Certificate::fromPem(base64Decode(x5c->getElement<std::string>(0)), "x5c[0]");
	}
	catch (const Poco::Exception&)
	{
		why = "The x5c header does not hold a certificate (standard base64 DER, leaf first).";
		return std::nullopt;
	}
	if (X509_check_issued(app.trustedIssuer->native(), leaf->native()) != X509_V_OK
		|| X509_verify(leaf->native(), X509_get0_pubkey(app.trustedIssuer->native())) != 1)
	{
		ERR_clear_error();
		why = "The certificate in x5c is not issued by the issuer registered for the application.";
		return std::nullopt;
	}
	if (leaf->subject() != app.subjectName)
	{
		why = "The subject name of the certificate in x5c does not match the one registered for the application.";
		return std::nullopt;
	}
	const Poco::Timestamp now;
	if (now < leaf->notBefore() || now > leaf->notAfter())
	{
		why = "The certificate in x5c is outside its validity period.";
		return std::nullopt;
	}
	return leaf;
}

class EntraTokenHandler: public Poco::Net::HTTPRequestHandler
{
public:
	EntraTokenHandler(std::shared_ptr<EmulatorState> state, std::string tenantInPath):
		_state(std::move(state)), _tenant(std::move(tenantInPath)) {}

	void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override
	{
		const EmulatorOptions& o = _state->options();
		// A tenant GUID or domain, in any case (GUIDs and DNS names are case-insensitive).
		if (Poco::icompare(_tenant, o.tenant) != 0 && Poco::icompare(_tenant, o.tenantDomain) != 0)
		{
			if (_tenant == "common" || _tenant == "organizations" || _tenant == "consumers")
				return sendEntraError(response, 400, "invalid_request", 90010,
					"The grant type is not supported over the /common or /consumers endpoints.");
			return sendEntraError(response, 400, "invalid_request", 90002, "Tenant '" + _tenant + "' not found.");
		}
		Poco::Net::NameValueCollection form;
		if (!readEntraForm(request, response, form)) return;
		for (const char* required: {"grant_type", "client_id"})
			if (form.get(required, "").empty())
				return sendEntraError(response, 400, "invalid_request", 900144,
					std::string("The request body must contain the following parameter: '") + required + "'.");
		if (form.get("grant_type", "") != "client_credentials")
			return sendEntraError(response, 400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.");
		const std::string clientId = form.get("client_id", "");
		const RegisteredApp* app = _state->app(clientId);
		if (!app)
			return sendEntraError(response, 400, "unauthorized_client", 700016, "Application with identifier '" + clientId
				+ "' was not found in the directory '" + o.tenant + "'.");
		if (form.has("client_secret"))
			return sendEntraError(response, 401, "invalid_client", 7000215, "Invalid client secret provided.");
		const std::string assertion = form.get("client_assertion", "");
		if (assertion.empty())
			return sendEntraError(response, 401, "invalid_client", 7000218,
				"The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
		if (form.get("client_assertion_type", "") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
			return sendEntraError(response, 400, "invalid_request", 90011, "Unexpected client assertion type.");
		const std::string scope = form.get("scope", "");
		if (scope.empty())
			return sendEntraError(response, 400, "invalid_request", 900144, "The request body must contain the following parameter: 'scope'.");
		if (scope.find(' ') != std::string::npos || scope.size() < 9 || scope.substr(scope.size() - 9) != "/.default")
			return sendEntraError(response, 400, "invalid_scope", 1002012, "The provided value for scope " + scope + " is not valid. "
				"Client credential flows must have a scope value with /.default suffixed to the resource identifier.");
		const std::string resource = scope.substr(0, scope.size() - 9);
		if (!knownResource(*_state, resource))
			return sendEntraError(response, 400, "invalid_resource", 500011, "The resource principal named " + resource
				+ " was not found in the tenant named " + o.tenant + ". This can happen if the application has not been installed "
				"by the administrator of the tenant or consented to by any user in the tenant. You might have sent your "
				"authentication request to the wrong tenant.");

		DecodedJwt jwt;
		try
		{
			jwt = decodeJwt(assertion);
		}
		catch (const Poco::Exception&)
		{
			return sendEntraError(response, 400, "invalid_request", 50027, "JWT token is invalid or malformed.");
		}
		// A token another issuer minted for a workload (no key of the app's own): a federated credential.
		if (!app->federated.empty() && jsonString(*jwt.claims, "iss") != clientId)
			return federated(*app, jwt, scope.substr(0, scope.size() - 9), response);
		const std::string algName = jwt.algorithm();
		if (algName != "RS256" && algName != "RS384" && algName != "RS512" && algName != "PS256")
			return sendEntraError(response, 401, "invalid_client", 5002738, "Invalid JWT token. '" + algName
				+ "' is not a supported signature algorithm. Supported signing algorithms are: 'RS256,RS384,RS512,PS256'");
		const std::string x5t = jsonString(*jwt.header, "x5t");
		const std::string x5tS256 = jsonString(*jwt.header, "x5t#S256");
		if (x5t.empty() && x5tS256.empty())
			return sendEntraError(response, 401, "invalid_client", 5002723,
				"Invalid JWT token. No certificate SHA-1 thumbprint, certificate SHA-256 thumbprint, nor keyId specified in token header.");
		// The certificate the assertion is checked with: the registered one, or for a "subject name + issuer"
		// app the x5c leaf, when the trusted CA issued it to the registered subject.
		Certificate signer = app->certificate;
		if (app->trustedIssuer)
		{
			std::string why;
			std::optional<Certificate> leaf = x5cLeaf(*jwt.header, *app, why);
			if (!leaf)
				return sendEntraError(response, 401, "invalid_client", 700027, "Client assertion failed signature validation. " + why);
			signer = *leaf;
		}
		if ((!x5t.empty() && x5t != signer.x5t()) || (!x5tS256.empty() && x5tS256 != signer.x5tS256()))
			return sendEntraError(response, 401, "invalid_client", 700027, "Client assertion failed signature validation. "
				"The key was not found.");
		if (!signer.publicKey().verify(Algorithm::fromName(algName), jwt.signingInput, jwt.signature))
			return sendEntraError(response, 401, "invalid_client", 700027, "Client assertion failed signature validation.");
		// A registered key counts only within its certificate's validity (the x5c path checked its leaf above).
		const Poco::Timestamp clock = Poco::Timestamp::fromEpochTime(static_cast<std::time_t>(_state->now()));
		if (!app->trustedIssuer && (clock < signer.notBefore() || clock > signer.notAfter()))
			return sendEntraError(response, 401, "invalid_client", 700027, "Client assertion contains an invalid signature. "
				"[Reason - The key used is expired., Thumbprint of key used by client: '" + portalThumbprint(signer) + "']");
		const Poco::JSON::Object& claims = *jwt.claims;
		if (jsonString(claims, "iss") != clientId || jsonString(claims, "sub") != clientId)
			return sendEntraError(response, 401, "invalid_client", 700021,
				"Client assertion application identifier doesn't match 'client_id' parameter.");
		const std::string expectedAud = _state->baseUrl() + "/" + _tenant + "/oauth2/v2.0/token";
		if (Poco::icompare(jsonString(claims, "aud"), expectedAud) != 0)   // the tenant (and host) in any case
			return sendEntraError(response, 401, "invalid_client", 700023, "Client assertion audience claim does not match Realm issuer.");
		const Poco::Int64 now = _state->now();
		const int skew = o.clockSkewSeconds;
		const std::optional<Poco::Int64> exp = timeClaim(claims, "exp");
		const std::optional<Poco::Int64> nbf = timeClaim(claims, "nbf");
		if (!exp || *exp < now - skew || (nbf && *nbf > now + skew))
			return sendEntraError(response, 401, "invalid_client", 700024, "Client assertion is not within its valid time range.");
		// No cap on the lifetime: Entra ID "doesn't place restrictions on the exp time currently" (FACTS.md 3.2).
		// Whether Entra ID refuses a replayed jti is not documented: the emulator does, in words of its own and
		// with no AADSTS code (so nothing takes it for clock skew, 700024).
		const std::string jti = jsonString(claims, "jti");
		if (jti.empty() || !_state->firstUseOfJwtId(jti))
			return sendEntraError(response, 401, "invalid_client", 0,
				"jwtflow emulator: the client assertion has no jti, or one used before (each assertion is used once).");

		issue(clientId, resource, now, response);
	}

private:
	/// Entra ID's workload identity federation: the issuer must be one the app trusts, the signature
	/// verify with that issuer's key, the token be within its times, and issuer, subject and audience
	/// match one of the app's federated credentials (FACTS.md 8.2).
	void federated(const RegisteredApp& app, const DecodedJwt& jwt, const std::string& resource, HTTPServerResponse& response)
	{
		const Poco::JSON::Object& claims = *jwt.claims;
		const std::string issuer = jsonString(claims, "iss"), subject = jsonString(claims, "sub");
		std::string audience = jsonString(claims, "aud");
		if (claims.isArray("aud") && claims.getArray("aud")->size() > 0) audience = claims.getArray("aud")->getElement<std::string>(0);
		bool knownIssuer = false;
		for (const auto& f: app.federated) knownIssuer = knownIssuer || (f.issuer.empty() ? _state->workloadIssuer() : f.issuer) == issuer;
		if (!knownIssuer || issuer != _state->workloadIssuer())
			return sendEntraError(response, 400, "invalid_request", 700211,
				"No matching federated identity record found for presented assertion issuer '" + issuer + "'. Please note that the "
				"matching is done using a case-sensitive comparison. Check your federated identity credential Issuer, Subject and "
				"Audience.");
		if (jwt.algorithm() != "RS256" || !_state->workloadKey().publicKey().verify(Algorithm::fromName("RS256"), jwt.signingInput, jwt.signature))
			return sendEntraError(response, 400, "invalid_client", 50013, "Assertion failed signature validation.");
		const Poco::Int64 now = _state->now();
		const int skew = _state->options().clockSkewSeconds;
		const std::optional<Poco::Int64> exp = timeClaim(claims, "exp"), nbf = timeClaim(claims, "nbf");
		if (!exp || *exp < now - skew || (nbf && *nbf > now + skew))
			return sendEntraError(response, 400, "invalid_client", 700024, "Client assertion is not within its valid time range.");
		bool matched = false;
		for (const auto& f: app.federated)
			matched = matched || ((f.issuer.empty() ? _state->workloadIssuer() : f.issuer) == issuer && f.subject == subject && f.audience == audience);
		if (!matched)
			return sendEntraError(response, 400, "invalid_client", 70021, "No matching federated identity record found for presented "
				"assertion. Assertion Issuer: '" + issuer + "'. Assertion Subject: '" + subject + "'. Assertion Audience: '" + audience
				+ "'.");
		issue(app.clientId, resource, now, response);
	}

	void issue(const std::string& clientId, const std::string& resource, Poco::Int64 now, HTTPServerResponse& response)
	{
		_state->recordLogin(clientId);
		_state->countIssued();
		const std::string accessToken = opaqueAccessToken(_state->options().tenant, clientId, resource);
		IssuedToken issued;
		issued.clientId = clientId;
		issued.kind = "entra";
		issued.audience = resource;
		issued.expiresAt = now + 3599;
		_state->registerToken(accessToken, issued);
		Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
		body.set("token_type", "Bearer");
		body.set("expires_in", 3599);
		body.set("ext_expires_in", 3599);
		body.set("access_token", accessToken);
		sendJson(response, 200, body);
	}

	std::shared_ptr<EmulatorState> _state;
	std::string _tenant;
};

} // namespace

namespace {

/// GET /<tenant>/v2.0/.well-known/openid-configuration: what MSAL reads to find the token endpoint.
class EntraDiscoveryHandler: public Poco::Net::HTTPRequestHandler
{
public:
	EntraDiscoveryHandler(std::shared_ptr<EmulatorState> state, std::string tenant): _state(std::move(state)), _tenant(std::move(tenant)) {}

	void handleRequest(HTTPServerRequest&, HTTPServerResponse& response) override
	{
		const EmulatorOptions& o = _state->options();
		if (Poco::icompare(_tenant, o.tenant) != 0 && Poco::icompare(_tenant, o.tenantDomain) != 0)
			return sendEntraError(response, 400, "invalid_tenant", 90002, "Tenant '" + _tenant + "' not found.");
		const std::string base = _state->baseUrl() + "/" + _tenant;
		Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
		body.set("token_endpoint", base + "/oauth2/v2.0/token");
		body.set("authorization_endpoint", base + "/oauth2/v2.0/authorize");
		body.set("issuer", _state->baseUrl() + "/" + o.tenant + "/v2.0");
		body.set("jwks_uri", base + "/discovery/v2.0/keys");
		Poco::JSON::Array::Ptr methods = new Poco::JSON::Array;
		methods->add("private_key_jwt");
		body.set("token_endpoint_auth_methods_supported", methods);
		sendJson(response, 200, body);
	}

private:
	std::shared_ptr<EmulatorState> _state;
	std::string _tenant;
};

} // namespace

Poco::Net::HTTPRequestHandler* createEntraHandler(std::shared_ptr<EmulatorState> state, const std::string& path)
{
	const std::string discovery = "/v2.0/.well-known/openid-configuration";
	if (path.size() > discovery.size() + 1 && path.compare(path.size() - discovery.size(), discovery.size(), discovery) == 0)
	{
		const std::string tenant = path.substr(1, path.size() - discovery.size() - 1);
		if (!tenant.empty() && tenant.find('/') == std::string::npos) return new EntraDiscoveryHandler(std::move(state), tenant);
	}
	// /<tenant>/oauth2/v2.0/token
	const std::string suffix = "/oauth2/v2.0/token";
	if (path.size() <= suffix.size() + 1 || path.compare(path.size() - suffix.size(), suffix.size(), suffix) != 0) return nullptr;
	std::string tenant = path.substr(1, path.size() - suffix.size() - 1);
	if (tenant.empty() || tenant.find('/') != std::string::npos) return nullptr;
	return new EntraTokenHandler(std::move(state), tenant);
}

} // namespace emulator
} // namespace jwtflow
