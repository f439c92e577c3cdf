//
// GoogleProvider.h
//
// Plugin: google
// Google service accounts: the JWT bearer grant at token_uri (RFC 7523) with
// the key from the service-account JSON file, optional domain-wide delegation,
// and self-signed JWTs for the APIs that take one directly.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_GOOGLEPROVIDER_INCLUDED
#define JWTFLOW_GOOGLEPROVIDER_INCLUDED

#include "jwtflow/Provider.h"

namespace jwtflow {
namespace google {

class GoogleProvider: public Provider
	/// Header {alg RS256, typ JWT, kid private_key_id}. Exchange mode: iss =
	/// client_email, scope, aud = token_uri, iat, exp <= iat + 1 h, sub = SUBJECT
	/// when delegating. Self-signed mode (MODE=self-signed): iss = sub =
	/// client_email, aud = SELF_SIGNED_AUDIENCE (or a scope claim), no exchange.
	/// Workload identity federation (KEY_FILE of type external_account): no key;
	/// the subject token its credential_source names goes to STS (RFC 8693),
	/// then to IAM generateAccessToken when it impersonates a service account.
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
	std::vector<DoctorFinding> diagnose(const Settings& settings) const override;
	std::optional<KeyMaterial> privateKey(const Settings& settings) const override;
	std::optional<SubjectTokenSource> subjectTokenSource(const Settings& settings) const override;
	std::optional<FollowUpRequest> followUp(const TokenResult& first, const Settings& settings) const override;
	TokenResult readTokenResponse(const Poco::JSON::Object& response) const override;
	std::vector<std::pair<std::string, std::string>> tokenVariables(const TokenResult& token, const Settings& settings) const override;
};

} // namespace google
} // namespace jwtflow

#endif
