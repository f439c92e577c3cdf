//
// GraphEndpoints.cpp
//
// Library: jwtflow emulator
// A Graph-like resource for Entra ID app tokens: GET /v1.0/organization,
// with Microsoft Graph's error shape and a 401 for a token that is unknown,
// expired or meant for another resource. Its resource is the emulator's own
// base URL: SCOPE=<base URL>/.default asks for a token it takes.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "EmulatorHandlers.h"
#include "EndpointSupport.h"
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Array.h>
#include <Poco/UUIDGenerator.h>

using Poco::Net::HTTPRequestHandler;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

namespace jwtflow {
namespace emulator {

namespace {

void sendGraphError(HTTPServerResponse& response, int status, const std::string& code, const std::string& message)
{
	Poco::JSON::Object::Ptr inner = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
	inner->set("date", Poco::DateTimeFormatter::format(Poco::Timestamp(), Poco::DateTimeFormat::ISO8601_FORMAT));
	inner->set("request-id", Poco::UUIDGenerator::defaultGenerator().createRandom().toString());
	Poco::JSON::Object::Ptr error = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
	error->set("code", code);
	error->set("message", message);
	error->set("innerError", inner);
	Poco::JSON::Object body;
	body.set("error", error);
	sendJson(response, status, body);
}

class OrganizationHandler: public HTTPRequestHandler
{
public:
	explicit OrganizationHandler(std::shared_ptr<EmulatorState> state): _state(std::move(state)) {}

	void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override
	{
		const std::string token = bearerToken(request);
		if (token.empty())
		{
			response.set("WWW-Authenticate", "Bearer realm=\"\", error=\"invalid_token\"");
			return sendGraphError(response, 401, "InvalidAuthenticationToken", "Access token is empty.");
		}
		auto info = _state->lookupToken(token);
		if (!info || info->kind != "entra")
		{
			response.set("WWW-Authenticate", "Bearer realm=\"\", error=\"invalid_token\"");
			return sendGraphError(response, 401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.");
		}
		// Like Graph, which takes tokens for https://graph.microsoft.com only, this resource takes tokens for its own URL.
		if (info->audience != _state->baseUrl())
		{
			response.set("WWW-Authenticate", "Bearer realm=\"\", error=\"invalid_token\"");
			return sendGraphError(response, 401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.");
		}
		if (request.getMethod() != "GET")
			return sendGraphError(response, 405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.");
		const EmulatorOptions& o = _state->options();
		Poco::JSON::Object::Ptr org = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
		org->set("id", o.tenant);
		org->set("displayName", "jwtflow emulated tenant");
		Poco::JSON::Array::Ptr domains = new Poco::JSON::Array;
		Poco::JSON::Object::Ptr domain = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
		domain->set("name", o.tenantDomain);
		domain->set("isDefault", true);
		domains->add(domain);
		org->set("verifiedDomains", domains);
		Poco::JSON::Array::Ptr value = new Poco::JSON::Array;
		value->add(org);
		Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
		body.set("@odata.context", _state->baseUrl() + "/v1.0/$metadata#organization");
		body.set("value", value);
		_state->countApiCall();
		sendJson(response, 200, body);
	}

private:
	std::shared_ptr<EmulatorState> _state;
};

} // namespace

HTTPRequestHandler* createGraphHandler(std::shared_ptr<EmulatorState> state, const std::string& path)
{
	if (path != "/v1.0/organization") return nullptr;
	return new OrganizationHandler(std::move(state));
}

} // namespace emulator
} // namespace jwtflow
