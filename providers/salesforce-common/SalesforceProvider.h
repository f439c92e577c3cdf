//
// SalesforceProvider.h
//
// Plugin: salesforce
// The Salesforce OAuth 2.0 JWT bearer flow (FACTS.md section 1).
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_SALESFORCEPROVIDER_INCLUDED
#define JWTFLOW_SALESFORCEPROVIDER_INCLUDED

#include "jwtflow/Provider.h"

namespace jwtflow {
namespace salesforce {

class SalesforceProvider: public Provider
	/// Salesforce: RS256 assertion with iss = consumer key, sub = username,
	/// aud = AUDIENCE (login/test URL or a community URL), exp <= 300 s;
	/// posted to LOGIN_URL or AUDIENCE + /services/oauth2/token.
{
public:
	std::string name() const override;
	std::string description() const override;
	std::vector<std::string> actions() const override;
	std::vector<SettingSpec> settings() const override;
	AssertionPolicy assertionPolicy() const override;
	void declareAssertion(const AssertionContext& context, Poco::JSON::Object& header,
		Poco::JSON::Object& claims) const override;
	TokenRequest tokenRequest(const Settings& settings, const std::string& assertion) const override;
	TokenResult readTokenResponse(const Poco::JSON::Object& response) const override;
	std::string errorHint(const OAuthError& error) const override;
	FrontdoorPlan frontdoor(const TokenResult& token, const Settings& settings, bool singleUse) const override;
	std::vector<DoctorFinding> diagnose(const Settings& settings) const override;
	std::string apiBase(const TokenResult& token, const Settings& settings) const override;
	std::optional<TokenRequest> revocation(const TokenResult& token, const Settings& settings) const override;
	std::vector<std::pair<std::string, std::string>> tokenVariables(const TokenResult& token, const Settings& settings) const override;

	static std::string normalizeUrl(const std::string& value, const std::string& settingName);
		/// Checks that value is an absolute https URL (http only for loopback
		/// hosts) and drops a trailing slash. Throws UsageException.

	static std::string checkRetUrl(const std::string& retUrl);
		/// RET_URL must be a relative URL starting with a single '/'. Throws UsageException.

protected:
	virtual std::string audience(const Settings& settings) const;
		/// AUDIENCE, normalized; https://login.salesforce.com when unset.
};

} // namespace salesforce
} // namespace jwtflow

#endif
