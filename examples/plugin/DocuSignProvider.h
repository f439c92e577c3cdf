//
// DocuSignProvider.h
//
// DocuSign's OAuth JWT grant (RFC 7523 authorization grant): the integration
// key signs an assertion naming the user it acts as; aud is the bare host name
// of the authentication server (account-d.docusign.com for the developer
// sandbox, account.docusign.com for production).
//
#ifndef DOCUSIGN_PROVIDER_INCLUDED
#define DOCUSIGN_PROVIDER_INCLUDED

#include <jwtflow/Provider.h>

namespace docusign {

class DocuSignProvider: public jwtflow::Provider
{
public:
	std::string name() const override;
	std::string description() const override;
	std::vector<jwtflow::SettingSpec> settings() const override;
	jwtflow::AssertionPolicy assertionPolicy() const override;
	void declareAssertion(const jwtflow::AssertionContext& context, Poco::JSON::Object& header,
		Poco::JSON::Object& claims) const override;
	jwtflow::TokenRequest tokenRequest(const jwtflow::Settings& settings, const std::string& assertion) const override;
	std::string errorHint(const jwtflow::OAuthError& error) const override;
	std::string identityUrl(const jwtflow::TokenResult& token, const jwtflow::Settings& settings) const override;
	std::vector<jwtflow::DoctorFinding> diagnose(const jwtflow::Settings& settings) const override;
};

} // namespace docusign

#endif
