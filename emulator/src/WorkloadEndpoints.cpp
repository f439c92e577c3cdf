//
// WorkloadEndpoints.cpp
//
// Library: jwtflow emulator
// The emulator's OIDC issuer of workload tokens (a Kubernetes cluster's or a
// CI platform's): discovery and JWKS, and a GitHub-Actions-like ID-token
// endpoint that checks its bearer (FACTS.md 8.2).
//
// SPDX-License-Identifier: BSL-1.0
//
#include "EmulatorHandlers.h"
#include "EndpointSupport.h"
#include "jwtflow/Jwk.h"
#include <Poco/JSON/Array.h>
#include <Poco/URI.h>

using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

namespace jwtflow {
namespace emulator {

namespace {

class WorkloadDiscoveryHandler: public Poco::Net::HTTPRequestHandler
{
public:
	explicit WorkloadDiscoveryHandler(std::shared_ptr<EmulatorState> state): _state(std::move(state)) {}

	void handleRequest(HTTPServerRequest&, HTTPServerResponse& response) override
	{
		Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
		body.set("issuer", _state->workloadIssuer());
		body.set("jwks_uri", _state->workloadIssuer() + "/jwks");
		Poco::JSON::Array::Ptr algs = new Poco::JSON::Array;
		algs->add("RS256");
		body.set("id_token_signing_alg_values_supported", algs);
		Poco::JSON::Array::Ptr types = new Poco::JSON::Array;
		types->add("public");
		body.set("subject_types_supported", types);
		sendJson(response, 200, body);
	}

private:
	std::shared_ptr<EmulatorState> _state;
};

class WorkloadJwksHandler: public Poco::Net::HTTPRequestHandler
{
public:
	explicit WorkloadJwksHandler(std::shared_ptr<EmulatorState> state): _state(std::move(state)) {}

	void handleRequest(HTTPServerRequest&, HTTPServerResponse& response) override
	{
		Poco::JSON::Array::Ptr keys = new Poco::JSON::Array;
		keys->add(publicJwk(_state->workloadKey().publicKey(), _state->workloadKeyId(), "RS256"));
		Poco::JSON::Object body;
		body.set("keys", keys);
		sendJson(response, 200, body);
	}

private:
	std::shared_ptr<EmulatorState> _state;
};

/// GET /github/idtoken?audience=AUD with `Authorization: bearer <request token>` → {"value": "<JWT>"}.
class GitHubIdTokenHandler: public Poco::Net::HTTPRequestHandler
{
public:
	explicit GitHubIdTokenHandler(std::shared_ptr<EmulatorState> state): _state(std::move(state)) {}

	void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override
	{
		if (request.getMethod() != "GET") return sendText(response, 405, "application/json", "{\"message\":\"Method not allowed\"}");
		if (bearerToken(request) != _state->githubRequestToken())
			return sendText(response, 401, "application/json", "{\"message\":\"Bad credentials\"}");
		std::string audience;
		try
		{
			for (const auto& p: Poco::URI(request.getURI()).getQueryParameters())
				if (p.first == "audience") audience = p.second;
		}
		catch (const Poco::Exception&)
		{
			audience.clear();
		}
		Poco::JSON::Object body;
		body.set("value", _state->mintWorkloadToken(_state->options().githubSubject, audience.empty() ? _state->baseUrl() : audience, 300));
		body.set("count", 1);
		sendJson(response, 200, body);
	}

private:
	std::shared_ptr<EmulatorState> _state;
};

} // namespace

Poco::Net::HTTPRequestHandler* createWorkloadHandler(std::shared_ptr<EmulatorState> state, const std::string& path)
{
	if (path == "/workload/.well-known/openid-configuration") return new WorkloadDiscoveryHandler(std::move(state));
	if (path == "/workload/jwks") return new WorkloadJwksHandler(std::move(state));
	if (path == "/github/idtoken") return new GitHubIdTokenHandler(std::move(state));
	return nullptr;
}

} // namespace emulator
} // namespace jwtflow
