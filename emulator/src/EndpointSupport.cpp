//
// EndpointSupport.cpp
//
// Library: jwtflow emulator
//
// SPDX-License-Identifier: BSL-1.0
//
#include "EndpointSupport.h"
#include "jwtflow/Encoding.h"
#include <Poco/RandomStream.h>
#include "jwtflow/Json.h"
#include "jwtflow/Jwt.h"
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>
#include <Poco/URI.h>
#include <algorithm>

using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

namespace jwtflow {
namespace emulator {

const std::size_t MAX_REQUEST_BODY = 64 * 1024;

std::string randomText(std::size_t bytes)
{
	std::string raw(bytes, '\0');
	Poco::RandomInputStream().read(&raw[0], static_cast<std::streamsize>(bytes));
	return base64UrlEncode(raw);
}

void sendJson(HTTPServerResponse& response, int status, const Poco::JSON::Object& body)
{
	std::string text = objectToJson(body);
	response.setStatusAndReason(static_cast<HTTPResponse::HTTPStatus>(status));
	response.setContentType("application/json;charset=UTF-8");
	response.set("Cache-Control", "no-cache,must-revalidate,max-age=0,no-store,private");
	response.setContentLength(static_cast<std::streamsize>(text.size()));
	response.send() << text;
}

void sendOAuthError(HTTPServerResponse& response, int status, const std::string& error, const std::string& description)
{
	Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
	body.set("error", error);
	body.set("error_description", description);
	sendJson(response, status, body);
}

void sendText(HTTPServerResponse& response, int status, const std::string& contentType, const std::string& text)
{
	response.setStatusAndReason(static_cast<HTTPResponse::HTTPStatus>(status));
	response.setContentType(contentType);
	response.setContentLength(static_cast<std::streamsize>(text.size()));
	response.send() << text;
}

std::string bearerToken(const HTTPServerRequest& request)
{
	std::string auth = request.get("Authorization", "");
	if (Poco::icompare(auth.substr(0, 7), "Bearer ") != 0) return {};
	return Poco::trim(auth.substr(7));
}

std::string salesforceSessionToken(const HTTPServerRequest& request)
{
	const std::string auth = request.get("Authorization", "");
	if (Poco::icompare(auth.substr(0, 6), "OAuth ") == 0) return Poco::trim(auth.substr(6));
	return bearerToken(request);
}

FormReading readFormFields(HTTPServerRequest& request, Poco::Net::NameValueCollection& fields)
{
	FormReading reading;
	reading.method = request.getMethod();
	if (request.getMethod() != "POST")
	{
		reading.problem = FormProblem::NotPost;
		return reading;
	}
	const std::string type = request.getContentType();
	if (Poco::icompare(type.substr(0, 33), "application/x-www-form-urlencoded") != 0)
	{
		reading.problem = FormProblem::NotForm;
		return reading;
	}
	std::string body;
	char buf[4096];
	std::istream& in = request.stream();
	while (in.read(buf, sizeof buf) || in.gcount() > 0)
	{
		body.append(buf, static_cast<std::size_t>(in.gcount()));
		if (body.size() > MAX_REQUEST_BODY)
		{
			reading.problem = FormProblem::TooLarge;
			return reading;
		}
	}
	if (!parseFormBody(body, fields, &reading.duplicate))
		reading.problem = reading.duplicate.empty() ? FormProblem::Malformed : FormProblem::Duplicate;
	return reading;
}

bool readForm(HTTPServerRequest& request, HTTPServerResponse& response, Poco::Net::NameValueCollection& fields)
{
	const FormReading reading = readFormFields(request, fields);
	switch (reading.problem)
	{
	case FormProblem::None:
		return true;
	case FormProblem::NotPost:
		sendOAuthError(response, 405, "invalid_request", "must use HTTP POST");
		break;
	case FormProblem::NotForm:
		// Salesforce reads the grant from a form body only: anything else has no grant type it knows.
		sendOAuthError(response, 400, "unsupported_grant_type", "grant type not supported");
		break;
	case FormProblem::TooLarge:
		sendOAuthError(response, 413, "invalid_request", "request body too large");
		break;
	case FormProblem::Malformed:
		sendOAuthError(response, 400, "invalid_request", "malformed form body");
		break;
	case FormProblem::Duplicate:
		sendOAuthError(response, 400, "invalid_request", "parameter " + reading.duplicate + " is included more than once");
		break;
	}
	return false;
}

bool readBody(HTTPServerRequest& request, HTTPServerResponse& response, std::string& body)
{
	char buf[4096];
	std::istream& in = request.stream();
	while (in.read(buf, sizeof buf) || in.gcount() > 0)
	{
		body.append(buf, static_cast<std::size_t>(in.gcount()));
		if (body.size() > MAX_REQUEST_BODY)
		{
			sendText(response, 413, "application/json;charset=UTF-8",
				"[{\"message\":\"Request body too large\",\"errorCode\":\"REQUEST_LIMIT_EXCEEDED\"}]");
			return false;
		}
	}
	return true;
}

std::optional<Poco::Int64> timeClaim(const Poco::JSON::Object& claims, const std::string& name)
{
	try
	{
		return numericClaim(claims, name);
	}
	catch (const Poco::Exception&)
	{
		return std::nullopt;
	}
}

bool parseFormBody(const std::string& body, Poco::Net::NameValueCollection& fields, std::string* duplicate)
{
	Poco::StringTokenizer pairs(body, "&", Poco::StringTokenizer::TOK_IGNORE_EMPTY);
	for (const auto& pair: pairs)
	{
		auto eq = pair.find('=');
		std::string name, value;
		std::string rawName = pair.substr(0, eq);
		std::string rawValue = eq == std::string::npos ? "" : pair.substr(eq + 1);
		std::replace(rawName.begin(), rawName.end(), '+', ' ');
		std::replace(rawValue.begin(), rawValue.end(), '+', ' ');
		try
		{
			Poco::URI::decode(rawName, name);
			Poco::URI::decode(rawValue, value);
		}
		catch (const Poco::Exception&)
		{
			return false;
		}
		if (duplicate && fields.has(name))
		{
			*duplicate = name;
			return false;
		}
		fields.add(name, value);
	}
	return true;
}

} // namespace emulator
} // namespace jwtflow
