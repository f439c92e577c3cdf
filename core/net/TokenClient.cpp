//
// TokenClient.cpp
//
// Library: jwtflow core
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/TokenClient.h"
#include "jwtflow/SecureFiles.h"
#include "jwtflow/Exception.h"
#include "jwtflow/Json.h"
#include <Poco/Environment.h>
#include <Poco/JSON/Array.h>
#include <Poco/String.h>
#include <Poco/URI.h>
#include <Poco/Net/HTTPResponse.h>

namespace jwtflow {

HttpOptions httpOptionsFrom(const Settings& settings, int timeoutSeconds)
{
	HttpOptions options;
	options.timeoutSeconds = timeoutSeconds;
	if (auto ca = settings.get("CA_FILE"))
	{
		readTextFile(*ca, "CA file");
		options.caFile = *ca;
	}
	std::string proxy = settings.getOr("HTTPS_PROXY", Poco::Environment::get("https_proxy", ""));
	if (!proxy.empty())
	{
		if (proxy.find("://") == std::string::npos) proxy = "http://" + proxy;
		Poco::URI uri;
		try
		{
			uri = Poco::URI(proxy);
		}
		catch (const Poco::Exception&)
		{
			throw UsageException("HTTPS_PROXY is not a URL: expected http://[user:password@]host:port");
		}
		if (uri.getScheme() != "http" || uri.getHost().empty())
			throw UsageException("HTTPS_PROXY must be an http:// proxy URL (http://[user:password@]host:port)");
		options.proxy = proxy;
	}
	options.noProxy = Poco::Environment::get("NO_PROXY", Poco::Environment::get("no_proxy", ""));
	return options;
}

TokenClient::TokenClient(const Provider& provider, const Settings& settings, HttpClient& http):
	_provider(provider), _settings(settings), _http(http)
{
}

namespace {

long firstErrorCode(const Poco::JSON::Object& body)
{
	if (!body.has("error_codes")) return 0;
	Poco::Dynamic::Var v = body.get("error_codes");
	if (v.type() != typeid(Poco::JSON::Array::Ptr)) return 0;
	auto arr = v.extract<Poco::JSON::Array::Ptr>();
	if (!arr || arr->size() == 0) return 0;
	try
	{
		return arr->get(0).convert<long>();
	}
	catch (const Poco::Exception&)
	{
		return 0;
	}
}

std::string hostOf(const std::string& url)
{
	try
	{
		Poco::URI uri(url);
		return uri.getHost() + (uri.getPort() != 443 && uri.getPort() != 80 ? ":" + std::to_string(uri.getPort()) : "");
	}
	catch (const Poco::Exception&)
	{
		return url;
	}
}

/// The first line of a text or HTML answer; for an answer that looks like
/// JSON but is not, only its size: it may hold a token cut in half.
std::string bodySummary(const HttpResponse& response)
{
	std::size_t start = response.body.find_first_not_of(" \t\r\n");
	if (start == std::string::npos) return "an empty body";
	char first = response.body[start];
	if (first == '{' || first == '[' || first == '"')
		return "invalid or truncated JSON of " + std::to_string(response.body.size()) + " bytes (not shown: it may hold a token)";
	return firstLine(response.body);
}

} // namespace

Poco::JSON::Object::Ptr TokenClient::readJson(const HttpResponse& response, const std::string& what, const std::string& url)
{
	Poco::JSON::Object::Ptr body;
	try
	{
		body = parseJsonObject(response.body);
	}
	catch (const Poco::Exception&)
	{
	}
	if (body && body->has("error") && !jsonString(*body, "error").empty() && response.status >= 400)
	{
		OAuthError error;
		error.httpStatus = response.status;
		if (Poco::JSON::Object::Ptr api = body->getObject("error"))
		{
			// A Google API's error ({"error": {"code", "message", "status"}}, AIP-193), e.g. IAM's generateAccessToken.
			error.error = jsonString(*api, "status");
			error.description = jsonString(*api, "message");
		}
		else
		{
			error.error = jsonString(*body, "error");
			error.description = jsonString(*body, "error_description");
		}
		error.code = firstErrorCode(*body);
		error.body = body;
		std::string hint;
		try
		{
			hint = _provider.errorHint(error);
		}
		catch (...)
		{
		}
		throw IdpException(error.httpStatus, error.error, error.description, error.code, hint);
	}
	if (response.status != 200)
	{
		std::string message = hostOf(url) + " answered " + what + " with HTTP " + std::to_string(response.status) + " "
			+ Poco::Net::HTTPResponse::getReasonForStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(response.status));
		if (response.tries > 1) message += " after " + std::to_string(response.tries) + " tries";
		message += ": " + bodySummary(response);
		if (response.status == 404) message += " (is the URL right?)";
		if (response.status == 401 || response.status == 403)
			message += " (the token was refused: it may have expired or lack the scope)";
		throw NetworkException(message, response.status);   // code(): the status, for callers that act on it
	}
	if (!body)
		throw NetworkException(hostOf(url) + " answered " + what + " with HTTP 200 but not JSON (" +
			(response.contentType.empty() ? std::string("no content type") : response.contentType) + "): " + bodySummary(response)
			+ " (is the URL an OAuth endpoint?)");
	return body;
}

TokenResult TokenClient::exchange(const std::string& assertion)
{
	return exchange([&assertion] { return assertion; });
}

TokenResult TokenClient::exchange(const std::function<std::string()>& mintAssertion)
{
	std::string url;
	HttpResponse response = _http.postForm([&]() {
		TokenRequest request = _provider.tokenRequest(_settings, mintAssertion());
		url = request.url;
		return std::make_pair(request.url, request.form);
	});
	Poco::JSON::Object::Ptr body = readJson(response, "the token request", url);
	TokenResult result = _provider.readTokenResponse(*body);
	result.raw = body;
	if (std::optional<FollowUpRequest> next = _provider.followUp(result, _settings))
		return followUp(*next, result.accessToken);
	return result;
}

TokenResult TokenClient::followUp(const FollowUpRequest& next, const std::string& firstToken)
{
	HttpCall call;
	call.method = "POST";
	call.url = next.url;
	call.body = next.jsonBody;
	call.contentType = "application/json";
	call.bearerToken = firstToken;
	Poco::JSON::Object::Ptr body = readJson(_http.request(call), "the second token request", next.url);
	TokenResult result = _provider.readTokenResponse(*body);
	// The answer in an OAuth token response's shape, whatever the second endpoint's own (IAM's accessToken, expireTime).
	Poco::JSON::Object::Ptr oauth = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
	oauth->set("access_token", result.accessToken);
	oauth->set("token_type", result.tokenType.empty() ? std::string("Bearer") : result.tokenType);
	if (result.expiresIn) oauth->set("expires_in", *result.expiresIn);
	if (!result.scope.empty()) oauth->set("scope", result.scope);
	result.raw = oauth;
	return result;
}


Poco::JSON::Object::Ptr TokenClient::bearerGet(const std::string& url, const std::string& accessToken)
{
	return readJson(_http.get(url, accessToken), "the Bearer request", url);
}

Poco::JSON::Object::Ptr TokenClient::bearerPost(const std::string& url, const FormFields& form, const std::string& accessToken)
{
	return readJson(_http.postForm(url, form, accessToken), "the Bearer request", url);
}

} // namespace jwtflow
