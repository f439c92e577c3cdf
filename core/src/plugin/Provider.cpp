//
// Provider.cpp
//
// Library: jwtflow core
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/Provider.h"
#include "jwtflow/Exception.h"
#include "jwtflow/Json.h"
#include <Poco/NumberParser.h>

namespace jwtflow {

Provider::~Provider() = default;

std::vector<std::string> Provider::actions() const
{
	return {"jwt", "token", "whoami", "describe", "doctor"};
}

std::vector<DoctorFinding> Provider::diagnose(const Settings&) const
{
	return {};
}

std::optional<KeyMaterial> Provider::privateKey(const Settings&) const
{
	return std::nullopt;
}

TokenResult Provider::readTokenResponse(const Poco::JSON::Object& response) const
{
	TokenResult result;
	result.accessToken = jsonString(response, "access_token");
	if (result.accessToken.empty())
		throw NetworkException("the token endpoint answered 200 without an access_token: it is not an OAuth token endpoint, "
			"or the URL points to the wrong service");
	result.tokenType = jsonString(response, "token_type");
	result.instanceUrl = jsonString(response, "instance_url");
	result.identityUrl = jsonString(response, "id");
	result.scope = jsonString(response, "scope");
	std::string expires = jsonString(response, "expires_in");
	Poco::Int64 seconds = 0;
	if (!expires.empty() && Poco::NumberParser::tryParse64(expires, seconds) && seconds > 0) result.expiresIn = seconds;
	return result;
}

std::string Provider::errorHint(const OAuthError&) const
{
	return {};
}

std::string Provider::identityUrl(const TokenResult& token, const Settings&) const
{
	return token.identityUrl;
}

FrontdoorPlan Provider::frontdoor(const TokenResult&, const Settings&, bool) const
{
	throw UsageException("provider '" + name() + "' has no frontdoor link");
}

std::string Provider::apiBase(const TokenResult&, const Settings&) const
{
	return {};
}

std::optional<TokenRequest> Provider::revocation(const TokenResult&, const Settings&) const
{
	return std::nullopt;
}

std::optional<SubjectTokenSource> Provider::subjectTokenSource(const Settings&) const
{
	return std::nullopt;
}

std::optional<FollowUpRequest> Provider::followUp(const TokenResult&, const Settings&) const
{
	return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> Provider::tokenVariables(const TokenResult&, const Settings&) const
{
	return {};
}

} // namespace jwtflow
