//
// EndpointSupport.h
//
// Library: jwtflow emulator (internal)
// Reading strict form requests and writing JSON / OAuth error answers.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_EMULATOR_ENDPOINTSUPPORT_INCLUDED
#define JWTFLOW_EMULATOR_ENDPOINTSUPPORT_INCLUDED

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/Types.h>
#include <optional>
#include <string>

namespace jwtflow {
namespace emulator {

std::string randomText(std::size_t bytes);
	/// bytes random bytes, base64url: tokens, one-time passwords and session ids.

void sendJson(Poco::Net::HTTPServerResponse& response, int status, const Poco::JSON::Object& body);
void sendOAuthError(Poco::Net::HTTPServerResponse& response, int status, const std::string& error, const std::string& description);
void sendText(Poco::Net::HTTPServerResponse& response, int status, const std::string& contentType, const std::string& text);
std::string bearerToken(const Poco::Net::HTTPServerRequest& request);
	/// The token of an `Authorization: Bearer` header, "" when none.
std::string salesforceSessionToken(const Poco::Net::HTTPServerRequest& request);
	/// As bearerToken(), and Salesforce's older `Authorization: OAuth <token>` too.
enum class FormProblem
	/// Why a request is not one strict form post.
{
	None,
	NotPost,      ///< another method (GET ...)
	NotForm,      ///< another content type (JSON ...)
	TooLarge,     ///< over 64 KiB
	Malformed,    ///< not valid application/x-www-form-urlencoded
	Duplicate     ///< a parameter twice (RFC 6749 3.1: "MUST NOT be included more than once")
};

struct FormReading
{
	FormProblem problem = FormProblem::None;
	std::string duplicate;   ///< the repeated parameter's name
	std::string method;      ///< the request's method
};

FormReading readFormFields(Poco::Net::HTTPServerRequest& request, Poco::Net::NameValueCollection& fields);
	/// Reads a form body strictly (POST, the form content type, at most 64 KiB,
	/// each parameter once), answering nothing: each endpoint words the problem
	/// as its IdP does.

bool readForm(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response, Poco::Net::NameValueCollection& fields);
	/// readFormFields(), answering a problem as Salesforce does (a body that is not a
	/// form: unsupported_grant_type, FACTS.md 1.4; a repeated parameter: invalid_request);
	/// returns false then.
bool readBody(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response, std::string& body);
	/// Reads a request body of at most 64 KiB; on a larger one answers 413 (Salesforce's error shape) and returns false.
std::optional<Poco::Int64> timeClaim(const Poco::JSON::Object& claims, const std::string& name);
	/// A NumericDate claim in whole seconds; nullopt when absent or not a number
	/// (each endpoint refuses that with its IdP's own error).
bool parseFormBody(const std::string& body, Poco::Net::NameValueCollection& fields, std::string* duplicate = nullptr);
	/// Decodes application/x-www-form-urlencoded text; false when it is malformed, or
	/// (with duplicate) when a name repeats: *duplicate is then that name.

} // namespace emulator
} // namespace jwtflow

#endif
