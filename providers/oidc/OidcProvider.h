//
// OidcProvider.h
//
// Plugin: oidc
// A generic OAuth 2.0 client with private_key_jwt client authentication
// (RFC 7523 section 2.2, OpenID Connect Core section 9): Okta, Keycloak,
// Auth0 and any authorization server that follows them; and the JWT bearer
// authorization grant (RFC 7523 section 2.1) with SUBJECT.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_OIDCPROVIDER_INCLUDED
#define JWTFLOW_OIDCPROVIDER_INCLUDED

#include "jwtflow/Provider.h"

namespace jwtflow {
namespace oidc {

class OidcProvider: public Provider
	/// Header {alg, typ JWT, kid KEY_ID}; claims iss = sub = CLIENT_ID (sub =
	/// SUBJECT for the jwt-bearer grant), aud = AUDIENCE or the token endpoint,
	/// jti, iat, exp (at most one hour). The token endpoint is TOKEN_ENDPOINT,
	/// or found through ISSUER's discovery document.
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

	static std::string tokenEndpoint(const Settings& settings);
		/// TOKEN_ENDPOINT, else the discovery document's token_endpoint.
};

} // namespace oidc
} // namespace jwtflow

#endif
