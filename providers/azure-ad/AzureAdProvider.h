//
// AzureAdProvider.h
//
// Plugin: azure-ad
// Microsoft Entra ID client credentials with a certificate client assertion
// (FACTS.md section 3).
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_AZUREADPROVIDER_INCLUDED
#define JWTFLOW_AZUREADPROVIDER_INCLUDED

#include "jwtflow/Provider.h"

namespace jwtflow {
namespace azure {

class AzureAdProvider: public Provider
	/// RS256 + x5t by default (works everywhere), PS256 + x5t#S256 on request
	/// (what Microsoft now recommends); aud = the v2.0 token URL; iss = sub =
	/// client id; a fresh jti, nbf, iat; lifetime default 300 s, at most 600 s.
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
	std::string errorHint(const OAuthError& error) const override;
	std::string identityUrl(const TokenResult& token, const Settings& settings) const override;
	std::string apiBase(const TokenResult& token, const Settings& settings) const override;
	std::vector<DoctorFinding> diagnose(const Settings& settings) const override;

	static std::string tokenUrl(const Settings& settings);
		/// <AUTHORITY>/<TENANT_ID>/oauth2/v2.0/token, validated.
};

std::string entraHint(long code, const std::string& error);
	/// What to fix for an AADSTS code (FACTS.md 3.4); empty when unknown.

} // namespace azure
} // namespace jwtflow

#endif
