//
// AzureAdProvider.cpp
//
// Plugin: azure-ad
//
// SPDX-License-Identifier: BSL-1.0
//
#include "AzureAdProvider.h"
#include "jwtflow/Encoding.h"
#include "jwtflow/Exception.h"
#include "jwtflow/Network.h"
#include "jwtflow/Thumbprint.h"
#include <Poco/String.h>
#include <Poco/URI.h>

namespace jwtflow {
namespace azure {

namespace {

const std::string DEFAULT_AUTHORITY = "https://login.microsoftonline.com";
const std::string DEFAULT_SCOPE = "https://graph.microsoft.com/.default";

} // namespace

std::string AzureAdProvider::name() const { return "azure-ad"; }

std::string AzureAdProvider::description() const
{
	return "Microsoft Entra ID (Azure AD) client credentials with a certificate assertion (x5t / x5t#S256)";
}

std::vector<std::string> AzureAdProvider::actions() const
{
	return {"jwt", "token", "describe", "doctor"};
}

std::vector<SettingSpec> AzureAdProvider::settings() const
{
	std::vector<SettingSpec> specs(9);
	specs[0] = {"TENANT_ID", "tenant", "directory (tenant) id: a GUID or a verified domain (not common/organizations/consumers)", true, "", false, "TENANT"};
	specs[1] = {"CLIENT_ID", "client-id", "application (client) id of the app registration (the JWT's iss and sub)", true, "", false, "GUID"};
	specs[2] = {"SCOPE", "scope", "<resource App ID URI>/.default, one resource", false, DEFAULT_SCOPE, false, "SCOPE"};
	specs[3] = {"AUTHORITY", "authority", "authority host: https://login.microsoftonline.com, https://login.microsoftonline.us, https://login.chinacloudapi.cn",
		false, DEFAULT_AUTHORITY, false, "URL"};
	specs[4] = {"PATH_CERTIFICATE", "certificate", "the certificate uploaded to the app registration (gives x5t and x5t#S256)", false, "", false, "FILE"};
	specs[5] = {"CERTIFICATE_THUMBPRINT", "thumbprint", "the certificate's SHA-1 thumbprint, when the certificate file is not at hand (hex, base64 or base64url)",
		false, "", false, "THUMBPRINT"};
	// A federated credential instead of a key (workload identity): a token file the platform rotates, or a
	// CI platform's ID token. The file says how, not who: the token's issuer and subject are the app's.
	specs[6] = {"CLIENT_ASSERTION_FILE", "client-assertion-file", "a workload token file to send as the client assertion instead of "
		"signing one (AKS workload identity: AZURE_FEDERATED_TOKEN_FILE; re-read for every login)", false, "", false, "FILE"};
	specs[7] = {"FEDERATED_TOKEN_SOURCE", "federated-token-source", "github: the GitHub Actions ID token as the client assertion "
		"(chosen by itself in a job with id-token: write and no key)", false, "", false, "SOURCE"};
	specs[8] = {"FEDERATED_TOKEN_AUDIENCE", "federated-token-audience", "the audience asked of the CI platform's ID token "
		"(the app's federated credential's audience)", false, "api://AzureADTokenExchange", false, "AUDIENCE"};
	specs[0].label = specs[1].label = specs[2].label = specs[3].label = true;
	specs[4].identity = false;   // the certificate says how (x5t), not who: the key is in the identity
	specs[6].identity = false;
	specs[6].rare = specs[7].rare = specs[8].rare = true;
	return specs;
}

AssertionPolicy AzureAdProvider::assertionPolicy() const
{
	AssertionPolicy policy;
	policy.algorithms = {"RS256", "PS256"};
	policy.defaultLifetimeSeconds = 300;
	policy.maxLifetimeSeconds = 600;
	return policy;
}

std::string AzureAdProvider::tokenUrl(const Settings& settings)
{
	std::string authority = Poco::trim(settings.getOr("AUTHORITY", DEFAULT_AUTHORITY));
	while (!authority.empty() && authority.back() == '/') authority.pop_back();
	Poco::URI uri;
	try
	{
		uri = Poco::URI(authority);
	}
	catch (const Poco::Exception&)
	{
		throw UsageException("AUTHORITY '" + authority + "' is not a URL: expected for example " + DEFAULT_AUTHORITY);
	}
	if (uri.getHost().empty() || (uri.getScheme() != "https" && !(uri.getScheme() == "http" && isLoopbackHost(uri.getHost()))))
		throw UsageException("AUTHORITY '" + authority + "' is not an https URL: expected for example " + DEFAULT_AUTHORITY);
	if (uri.getPath().find("/oauth2") != std::string::npos)
		throw UsageException("AUTHORITY is the host only (" + DEFAULT_AUTHORITY + "); jwtflow adds /<tenant>/oauth2/v2.0/token");
	std::string tenant = Poco::trim(settings.require("TENANT_ID"));
	std::string lower = Poco::toLower(tenant);
	if (lower == "common" || lower == "organizations" || lower == "consumers")
		throw UsageException("TENANT_ID '" + tenant + "' cannot be used with client credentials (AADSTS90010): give the tenant's GUID or domain");
	for (char c: tenant)
		if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.'))
			throw UsageException("TENANT_ID '" + tenant + "' is not a GUID or a domain name");
	return authority + "/" + tenant + "/oauth2/v2.0/token";
}

void AzureAdProvider::declareAssertion(const AssertionContext& context, Poco::JSON::Object& header,
	Poco::JSON::Object& claims) const
{
	const Settings& s = context.settings;
	header.set("typ", "JWT");
	if (context.algorithm == "PS256")
	{
		if (!context.certificate)
			throw UsageException("PS256 identifies the certificate by x5t#S256 (its SHA-256 thumbprint): give PATH_CERTIFICATE "
				"(--certificate), or use RS256 with CERTIFICATE_THUMBPRINT");
		header.set("x5t#S256", context.certificate->x5tS256());
	}
	else if (context.certificate)
	{
		std::string x5t = context.certificate->x5t();
		if (auto given = s.get("CERTIFICATE_THUMBPRINT"))
		{
			if (base64UrlEncode(parseSha1Thumbprint(*given)) != x5t)
				throw InputException("CERTIFICATE_THUMBPRINT does not match PATH_CERTIFICATE's SHA-1 thumbprint "
					"(" + hexEncode(context.certificate->sha1Thumbprint(), true) + "): drop one of them, or fix it");
		}
		header.set("x5t", x5t);
	}
	else if (auto given = s.get("CERTIFICATE_THUMBPRINT"))
	{
		header.set("x5t", base64UrlEncode(parseSha1Thumbprint(*given)));
	}
	else
	{
		throw UsageException("missing setting PATH_CERTIFICATE or CERTIFICATE_THUMBPRINT: Entra ID finds the key by the "
			"certificate's thumbprint (x5t); give --certificate FILE or --thumbprint THUMBPRINT");
	}
	const std::string client = s.require("CLIENT_ID");
	claims.set("aud", tokenUrl(s));
	claims.set("iss", client);
	claims.set("sub", client);
	claims.set("jti", context.jwtId);
	claims.set("nbf", context.issuedAt);
	claims.set("iat", context.issuedAt);
	claims.set("exp", context.expiresAt);
}

TokenRequest AzureAdProvider::tokenRequest(const Settings& settings, const std::string& assertion) const
{
	std::string scope = Poco::trim(settings.getOr("SCOPE", DEFAULT_SCOPE));
	if (scope.find(' ') != std::string::npos || !Poco::endsWith(scope, std::string("/.default")))
		throw UsageException("SCOPE '" + scope + "' must be one resource's <App ID URI>/.default for client credentials, "
			"for example " + DEFAULT_SCOPE);
	TokenRequest request;
	request.url = tokenUrl(settings);
	request.form = {
		{"client_id", settings.require("CLIENT_ID")},
		{"scope", scope},
		{"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		{"client_assertion", assertion},
		{"grant_type", "client_credentials"},
	};
	return request;
}

std::string AzureAdProvider::errorHint(const OAuthError& error) const
{
	return entraHint(error.code, error.error);
}

std::vector<DoctorFinding> AzureAdProvider::diagnose(const Settings& settings) const
{
	std::vector<DoctorFinding> findings;
	DoctorFinding endpoint;
	endpoint.check = "token endpoint";
	try
	{
		endpoint.message = "aud and POST URL will be " + tokenUrl(settings);
	}
	catch (const Poco::Exception& e)
	{
		endpoint.level = DoctorFinding::Level::Fail;
		endpoint.message = e.message();
	}
	findings.push_back(endpoint);
	DoctorFinding thumb;
	thumb.check = "certificate thumbprint";
	if (!settings.get("PATH_CERTIFICATE") && !settings.get("CERTIFICATE_THUMBPRINT"))
	{
		thumb.level = DoctorFinding::Level::Fail;
		thumb.message = "neither PATH_CERTIFICATE nor CERTIFICATE_THUMBPRINT is set: Entra ID finds the key by x5t";
	}
	else if (auto t = settings.get("CERTIFICATE_THUMBPRINT"))
	{
		try
		{
			thumb.message = "x5t will be " + base64UrlEncode(parseSha1Thumbprint(*t));
		}
		catch (const Poco::Exception& e)
		{
			thumb.level = DoctorFinding::Level::Fail;
			thumb.message = e.message();
		}
	}
	else
	{
		thumb.message = "taken from PATH_CERTIFICATE";
	}
	findings.push_back(thumb);
	return findings;
}

std::string AzureAdProvider::identityUrl(const TokenResult&, const Settings&) const
{
	return {};
}

std::string AzureAdProvider::apiBase(const TokenResult&, const Settings& settings) const
{
	// The token is for the resource of SCOPE: https://graph.microsoft.com/.default -> https://graph.microsoft.com.
	// An App ID URI that is not an https URL (api://...) names no place to call.
	std::string scope = Poco::trim(settings.getOr("SCOPE", DEFAULT_SCOPE));
	if (!Poco::endsWith(scope, std::string("/.default"))) return {};
	scope.erase(scope.size() - std::string("/.default").size());
	if (Poco::toLower(scope).compare(0, 8, "https://") != 0) return {};
	return scope;
}

} // namespace azure
} // namespace jwtflow
