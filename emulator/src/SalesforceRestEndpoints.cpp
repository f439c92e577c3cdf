//
// SalesforceRestEndpoints.cpp
//
// Library: jwtflow emulator
// A small part of Salesforce's REST API under /services/data (FACTS.md
// section 7): the version list, a version's resources, limits, and Account
// records (read, create, update, delete), with Salesforce's error shapes and
// a 401 INVALID_SESSION_ID for an unknown, revoked or expired token.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "EmulatorHandlers.h"
#include "EndpointSupport.h"
#include "jwtflow/Json.h"
#include <Poco/JSON/Array.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>
#include <Poco/URI.h>

using Poco::Net::HTTPRequestHandler;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

namespace jwtflow {
namespace emulator {

namespace {

const char* const VERSIONS[][2] = {
	{"58.0", "Summer '23"}, {"59.0", "Winter '24"}, {"60.0", "Spring '24"}, {"61.0", "Summer '24"}, {"62.0", "Winter '25"},
};
const int DAILY_API_REQUESTS = 15000;

/// Salesforce REST errors are a JSON array of {message, errorCode[, fields]}.
void sendRestError(HTTPServerResponse& response, int status, const std::string& errorCode, const std::string& message)
{
	Poco::JSON::Object error(Poco::JSON_PRESERVE_KEY_ORDER);
	error.set("message", message);
	error.set("errorCode", errorCode);
	sendText(response, status, "application/json;charset=UTF-8", "[" + objectToJson(error) + "]");
}

void sendArray(HTTPServerResponse& response, int status, const Poco::JSON::Array& array)
{
	std::ostringstream text;
	array.stringify(text);
	sendText(response, status, "application/json;charset=UTF-8", text.str());
}

void sendNoContent(HTTPServerResponse& response)
{
	response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
	response.setContentLength(0);
	response.send();
}

bool knownVersion(const std::string& version)
{
	for (const auto& v: VERSIONS)
		if (version == std::string("v") + v[0]) return true;
	return false;
}

class RestHandler: public HTTPRequestHandler
{
public:
	RestHandler(std::shared_ptr<EmulatorState> state, std::string path): _state(std::move(state)), _path(std::move(path)) {}

	void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override
	{
		// Bearer or OAuth; a Salesforce session of the org (not a site's, not another IdP's) ...
		const std::string token = salesforceSessionToken(request);
		auto info = token.empty() ? std::nullopt : _state->lookupToken(token);
		if (!info || info->kind != "salesforce" || !info->site.empty())
		{
			response.set("WWW-Authenticate", "Token");
			return sendRestError(response, 401, "INVALID_SESSION_ID", "Session expired or invalid");
		}
		// ... with the api (or full) scope [mem: the wording of Salesforce's answer to a web-only session].
		if (!hasScope(*info, "api"))
			return sendRestError(response, 401, "INVALID_SESSION_ID", "This session is not valid for use with the REST API");
		// /services/data[/vNN.N[/limits | /sobjects/Account[/<id>]]]
		Poco::StringTokenizer parts(_path, "/", Poco::StringTokenizer::TOK_IGNORE_EMPTY);
		std::vector<std::string> p(parts.begin(), parts.end());
		const std::string method = request.getMethod();
		if (p.size() == 2)
		{
			if (method != "GET") return notAllowed(response, method, "GET");
			Poco::JSON::Array versions;
			for (const auto& v: VERSIONS)
			{
				Poco::JSON::Object::Ptr entry = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
				entry->set("label", v[1]);
				entry->set("url", std::string("/services/data/v") + v[0]);
				entry->set("version", v[0]);
				versions.add(entry);
			}
			_state->countApiCall();
			return sendArray(response, 200, versions);
		}
		if (!knownVersion(p[2])) return sendRestError(response, 404, "NOT_FOUND", "The requested resource does not exist");
		const std::string base = "/services/data/" + p[2];
		if (p.size() == 3)
		{
			if (method != "GET") return notAllowed(response, method, "GET");
			Poco::JSON::Object resources(Poco::JSON_PRESERVE_KEY_ORDER);
			resources.set("limits", base + "/limits");
			resources.set("sobjects", base + "/sobjects");
			_state->countApiCall();
			return sendJson(response, 200, resources);
		}
		if (p.size() == 4 && p[3] == "limits")
		{
			if (method != "GET") return notAllowed(response, method, "GET");
			_state->countApiCall();
			Poco::JSON::Object limits(Poco::JSON_PRESERVE_KEY_ORDER);
			Poco::JSON::Object::Ptr daily = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
			daily->set("Max", DAILY_API_REQUESTS);
			daily->set("Remaining", std::max(0, DAILY_API_REQUESTS - _state->apiCallsMade()));
			limits.set("DailyApiRequests", daily);
			Poco::JSON::Object::Ptr storage = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
			storage->set("Max", 5);
			storage->set("Remaining", 5);
			limits.set("DataStorageMB", storage);
			return sendJson(response, 200, limits);
		}
		if (p.size() >= 5 && p.size() <= 6 && p[3] == "sobjects")
		{
			if (p[4] != "Account")
				return sendRestError(response, 404, "NOT_FOUND", "The requested resource does not exist");
			if (p.size() == 5) return createAccount(request, response, base);
			return accountRecord(request, response, base, p[5]);
		}
		sendRestError(response, 404, "NOT_FOUND", "The requested resource does not exist");
	}

private:
	void notAllowed(HTTPServerResponse& response, const std::string& method, const std::string& allowed)
	{
		response.set("Allow", allowed);
		sendRestError(response, 405, "METHOD_NOT_ALLOWED", "HTTP Method '" + method + "' not allowed. Allowed are " + allowed);
	}

	/// The JSON object of the request body, or nullptr after answering 400.
	Poco::JSON::Object::Ptr jsonBody(HTTPServerRequest& request, HTTPServerResponse& response)
	{
		std::string body;
		if (!readBody(request, response, body)) return nullptr;
		if (Poco::icompare(request.getContentType().substr(0, 16), "application/json") != 0)
		{
			sendRestError(response, 415, "UNSUPPORTED_MEDIA_TYPE", "MediaType of '" + request.getContentType() + "' is not supported by this resource");
			return nullptr;
		}
		try
		{
			return parseJsonObject(body);
		}
		catch (const Poco::Exception&)
		{
			sendRestError(response, 400, "JSON_PARSER_ERROR", "The request body is not a JSON object");
			return nullptr;
		}
	}

	void createAccount(HTTPServerRequest& request, HTTPServerResponse& response, const std::string& base)
	{
		if (request.getMethod() != "POST") return notAllowed(response, request.getMethod(), "POST");
		Poco::JSON::Object::Ptr fields = jsonBody(request, response);
		if (!fields) return;
		if (jsonString(*fields, "Name").empty())
			return sendRestError(response, 400, "REQUIRED_FIELD_MISSING", "Required fields are missing: [Name]");
		const std::string id = _state->createAccount(fields);
		_state->countApiCall();
		response.set("Location", base + "/sobjects/Account/" + id);
		Poco::JSON::Object created(Poco::JSON_PRESERVE_KEY_ORDER);
		created.set("id", id);
		created.set("success", true);
		created.set("errors", Poco::JSON::Array::Ptr(new Poco::JSON::Array));
		sendJson(response, 201, created);
	}

	void accountRecord(HTTPServerRequest& request, HTTPServerResponse& response, const std::string& base, const std::string& id)
	{
		const std::string method = request.getMethod();
		if (method == "GET")
		{
			Poco::JSON::Object::Ptr record = _state->account(id);
			if (!record) return sendRestError(response, 404, "NOT_FOUND", "The requested resource does not exist");
			Poco::JSON::Object out(Poco::JSON_PRESERVE_KEY_ORDER);
			Poco::JSON::Object::Ptr attributes = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
			attributes->set("type", "Account");
			attributes->set("url", base + "/sobjects/Account/" + id);
			out.set("attributes", attributes);
			out.set("Id", id);
			for (const auto& name: record->getNames()) out.set(name, record->get(name));
			_state->countApiCall();
			return sendJson(response, 200, out);
		}
		if (method == "PATCH")
		{
			Poco::JSON::Object::Ptr fields = jsonBody(request, response);
			if (!fields) return;
			if (!_state->updateAccount(id, *fields)) return sendRestError(response, 404, "NOT_FOUND", "The requested resource does not exist");
			_state->countApiCall();
			return sendNoContent(response);
		}
		if (method == "DELETE")
		{
			if (!_state->deleteAccount(id)) return sendRestError(response, 404, "NOT_FOUND", "The requested resource does not exist");
			_state->countApiCall();
			return sendNoContent(response);
		}
		notAllowed(response, method, "GET, PATCH, DELETE");
	}

	std::shared_ptr<EmulatorState> _state;
	std::string _path;
};

} // namespace

HTTPRequestHandler* createSalesforceRestHandler(std::shared_ptr<EmulatorState> state, const std::string& path)
{
	if (path != "/services/data" && !Poco::startsWith(path, std::string("/services/data/"))) return nullptr;
	return new RestHandler(std::move(state), path);
}

} // namespace emulator
} // namespace jwtflow
