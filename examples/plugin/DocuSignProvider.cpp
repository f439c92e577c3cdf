//
// DocuSignProvider.cpp
//
// Only declarations: the core loads the key, signs, sends, retries and maps
// errors. Facts: https://developers.docusign.com/platform/auth/jwt/
//
#include "DocuSignProvider.h"
#include <jwtflow/Exception.h>
#include <jwtflow/Network.h>
#include <Poco/String.h>
#include <Poco/URI.h>

namespace docusign {

namespace {

const std::string SANDBOX = "account-d.docusign.com";
const std::string PRODUCTION = "account.docusign.com";
const std::string DEFAULT_SCOPE = "signature impersonation";

struct AuthServer
{
	std::string baseUrl;   // https://account-d.docusign.com
	std::string audience;  // account-d.docusign.com: the host name, no scheme
};

AuthServer authServer(const jwtflow::Settings& settings)
	/// AUTH_SERVER as a host name or an https URL (http only on loopback, for tests).
{
	std::string text = Poco::trim(settings.getOr("AUTH_SERVER", SANDBOX));
	while (!text.empty() && text.back() == '/') text.pop_back();
	if (text.find("://") == std::string::npos) text = "https://" + text;
	Poco::URI uri;
	try
	{
		uri = Poco::URI(text);
	}
	catch (const Poco::Exception&)
	{
		throw jwtflow::UsageException("AUTH_SERVER '" + text + "' is not a host name: use " + SANDBOX + " or " + PRODUCTION);
	}
	const bool local = uri.getScheme() == "http" && jwtflow::isLoopbackHost(uri.getHost());
	if (uri.getHost().empty() || (uri.getScheme() != "https" && !local) || !uri.getPath().empty())
		throw jwtflow::UsageException("AUTH_SERVER '" + text + "' must be a host name such as " + SANDBOX + " (sandbox) or " +
			PRODUCTION + " (production), without a path");
	AuthServer server;
	const bool defaultPort = uri.getPort() == 443 || (local && uri.getPort() == 80);
	server.audience = uri.getHost() + (defaultPort ? "" : ":" + std::to_string(uri.getPort()));
	server.baseUrl = uri.getScheme() + "://" + server.audience;
	return server;
}

bool has(const std::string& text, const std::string& part)
{
	return Poco::toLower(text).find(part) != std::string::npos;
}

} // namespace

std::string DocuSignProvider::name() const
{
	return "docusign";
}

std::string DocuSignProvider::description() const
{
	return "DocuSign JWT grant (integration key with an RSA keypair, impersonating a user)";
}

std::vector<jwtflow::SettingSpec> DocuSignProvider::settings() const
{
	return {
		{"CLIENT_ID", "client-id", "integration key (the JWT's iss)", true, "", false, "GUID"},
		{"SUBJECT", "subject", "user ID (a GUID, not the e-mail) to act as (the JWT's sub)", true, "", false, "GUID"},
		{"AUTH_SERVER", "auth-server", "account-d.docusign.com (developer sandbox) or account.docusign.com (production)",
			false, SANDBOX, false, "HOST"},
		{"SCOPE", "scope", "space-separated scopes; impersonation is required for the JWT grant", false, DEFAULT_SCOPE, false, "SCOPES"},
	};
}

jwtflow::AssertionPolicy DocuSignProvider::assertionPolicy() const
{
	jwtflow::AssertionPolicy policy;
	policy.algorithms = {"RS256"};        // DocuSign keypairs are RSA
	policy.defaultLifetimeSeconds = 300;
	policy.maxLifetimeSeconds = 3600;     // the token lives one hour whatever exp says
	return policy;
}

void DocuSignProvider::declareAssertion(const jwtflow::AssertionContext& context, Poco::JSON::Object& header,
	Poco::JSON::Object& claims) const
{
	const jwtflow::Settings& s = context.settings;
	header.set("typ", "JWT");
	claims.set("iss", s.require("CLIENT_ID"));
	claims.set("sub", s.require("SUBJECT"));
	claims.set("aud", authServer(s).audience);
	claims.set("iat", context.issuedAt);
	claims.set("exp", context.expiresAt);
	std::string scope = Poco::trim(s.getOr("SCOPE", DEFAULT_SCOPE));
	if (scope.find("impersonation") == std::string::npos)
		throw jwtflow::UsageException("SCOPE '" + scope + "' lacks impersonation, which DocuSign's JWT grant requires "
			"(for example: " + DEFAULT_SCOPE + ")");
	claims.set("scope", scope);
}

jwtflow::TokenRequest DocuSignProvider::tokenRequest(const jwtflow::Settings& settings, const std::string& assertion) const
{
	return {authServer(settings).baseUrl + "/oauth/token",
		{{"grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"}, {"assertion", assertion}}};
}

std::string DocuSignProvider::errorHint(const jwtflow::OAuthError& error) const
{
	const std::string& d = error.description;
	if (error.error == "consent_required")
		return "the user (SUBJECT) has not granted the integration key consent: open https://<AUTH_SERVER>/oauth/auth?"
			"response_type=code&scope=signature%20impersonation&client_id=<CLIENT_ID>&redirect_uri=<a redirect URI of the key> "
			"once as that user, or grant admin consent in DocuSign Admin";
	if (has(d, "issuer_not_found"))
		return "CLIENT_ID is not an integration key of this environment: sandbox keys work with " + SANDBOX +
			" only, production keys with " + PRODUCTION;
	if (has(d, "user_not_found"))
		return "SUBJECT must be the user's ID (a GUID from Apps and Keys or Users), in the environment AUTH_SERVER names";
	if (has(d, "no_valid_keys_or_signatures"))
		return "DocuSign could not verify the signature: add the public key of PATH_PRIVATE_KEY to the integration key "
			"(Apps and Keys, Service Integration, RSA keypairs)";
	if (has(d, "expired") || has(d, "invalid_grant"))
		return "check this machine's clock (UTC) and that aud is the bare host name of AUTH_SERVER";
	return "";
}

std::string DocuSignProvider::identityUrl(const jwtflow::TokenResult&, const jwtflow::Settings& settings) const
{
	return authServer(settings).baseUrl + "/oauth/userinfo";
}

std::vector<jwtflow::DoctorFinding> DocuSignProvider::diagnose(const jwtflow::Settings& settings) const
{
	std::vector<jwtflow::DoctorFinding> findings;
	jwtflow::DoctorFinding aud;
	aud.check = "auth server";
	AuthServer server = authServer(settings);
	if (server.audience == SANDBOX || server.audience == PRODUCTION)
	{
		aud.message = server.audience + (server.audience == SANDBOX ? " (developer sandbox)" : " (production)");
	}
	else
	{
		aud.level = jwtflow::DoctorFinding::Level::Warn;
		aud.message = server.audience + " is not one of DocuSign's authentication servers (" + SANDBOX + ", " + PRODUCTION + ")";
	}
	findings.push_back(aud);
	return findings;
}

} // namespace docusign
