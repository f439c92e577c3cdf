//
// AzureAdErrors.cpp
//
// Plugin: azure-ad
// Hints for the AADSTS codes seen with certificate assertions (FACTS.md 3.4),
// keyed on error_codes[0], never on the text.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "AzureAdProvider.h"

namespace jwtflow {
namespace azure {

std::string entraHint(long code, const std::string& error)
{
	switch (code)
	{
	case 700027:
		return "the key was not found or the signature did not verify: upload this certificate to the app registration "
			"(Certificates & secrets), check it is not expired, and that PATH_PRIVATE_KEY is its key; "
			"x5t must be base64url of the SHA-1 digest (jwtflow thumbprint shows it)";
	case 700024:
		// Entra ID answers it for time only (exp past, nbf ahead): a clock that is off, never a lifetime.
		return "the assertion is outside its valid time range: this machine's clock is off (jwtflow azure-ad doctor compares "
			"it with Entra ID's); synchronise it (NTP, UTC)";
	case 700023:
		return "the assertion's audience is wrong: TENANT_ID and AUTHORITY must be those of the app (v2.0 endpoint, same cloud)";
	case 700021:
		return "iss/sub must equal the client_id: CLIENT_ID must be the application (client) id";
	case 5002738:
		return "Entra ID accepts RS256 (or PS256) client assertions only: set JWT_ALGORITHM=RS256";
	case 5002723:
	case 50027:
		return "the JWT header lacks the certificate thumbprint: give PATH_CERTIFICATE or CERTIFICATE_THUMBPRINT";
	case 5002730:
		return "the key cannot sign for this algorithm: use an RSA key of 2048 bits or more";
	case 7000214:
	case 1000502:
		return "the certificate is revoked or outside its validity period: upload a current certificate";
	case 7000215:
		return "a client secret was sent or expected: use the certificate assertion, not a secret";
	case 7000218:
		return "the request had no client assertion";
	case 700016:
		return "no application with this CLIENT_ID in this tenant: check CLIENT_ID, TENANT_ID and the cloud (AUTHORITY), "
			"and that a multi-tenant app is consented in the tenant";
	case 90002:
		return "tenant not found: check TENANT_ID (GUID or verified domain) and the cloud (AUTHORITY)";
	case 90010:
		return "client credentials need a specific tenant, not common/organizations/consumers";
	case 70011:
	case 1002012:
		return "SCOPE must be one resource's <App ID URI>/.default, e.g. https://graph.microsoft.com/.default";
	case 70021:
	case 700211:
		return "the workload token matches none of the app's federated credentials: its issuer, subject and audience must be "
			"those of one of them (app registration > Certificates & secrets > Federated credentials); the message shows the token's";
	case 50013:
		return "the workload token's signature does not verify with its issuer's keys: is the token file the platform's?";
	case 900144:
		return "a parameter Entra ID requires is missing from the token request (client_id, grant_type or scope): "
			"check CLIENT_ID and SCOPE are set";
	case 90011:
		return "the client_assertion_type is not urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
	case 9000411:
		return "a parameter was sent twice: send each of client_id, scope, client_assertion once";
	case 900561:
		return "the token endpoint takes a form POST only: check AUTHORITY points to the Entra ID authority host";
	case 500011:
		return "the resource is not in the tenant: grant admin consent for the API, or check SCOPE";
	default:
		break;
	}
	if (error == "invalid_client") return "check the certificate uploaded to the app registration and CLIENT_ID";
	return {};
}

} // namespace azure
} // namespace jwtflow
