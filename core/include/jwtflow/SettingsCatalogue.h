//
// SettingsCatalogue.h
//
// Library: jwtflow core (settings)
// The one catalogue of the settings DESIGN.md names: those the core reads
// itself, and the common ones every provider declares in its own way.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_SETTINGSCATALOGUE_INCLUDED
#define JWTFLOW_SETTINGSCATALOGUE_INCLUDED

#include "jwtflow/Export.h"
#include "jwtflow/Settings.h"
#include <string>
#include <utility>
#include <vector>

namespace jwtflow {

JWTFLOW_API std::vector<SettingSpec> coreSettings();
	/// The settings the core itself reads: key, passphrase, certificate,
	/// algorithm, lifetimes, CA file, proxy, PKCS#11, token store. Each says
	/// whether it is part of the login identity (SettingSpec::identity) and
	/// whether help lists it only in full (SettingSpec::rare).

JWTFLOW_API std::vector<SettingSpec> commonSettings();
	/// The names DESIGN.md gives the settings providers share (CLIENT_ID,
	/// SUBJECT, AUDIENCE, ISSUER, LOGIN_URL, CERTIFICATE_THUMBPRINT, TENANT_ID,
	/// SCOPE, AUTHORITY, RET_URL), with their options: what every command knows,
	/// whichever provider is loaded. A provider's own spec of one of them wins.

JWTFLOW_API std::vector<std::pair<std::string, std::string>> neighbourNames(const std::string& provider);
	/// (setting, environment variable) for the names other tools already give a
	/// provider's settings, which jwtflow reads when its own are not set:
	/// azure-identity's AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_AUTHORITY_HOST,
	/// AZURE_CLIENT_CERTIFICATE_PATH (the key and the certificate),
	/// AZURE_CLIENT_CERTIFICATE_PASSWORD, AZURE_CLIENT_SEND_CERTIFICATE_CHAIN and
	/// AZURE_FEDERATED_TOKEN_FILE for azure-ad; the Salesforce CLI's SF_USERNAME,
	/// SF_CLIENT_ID, SF_LOGIN_URL, SF_INSTANCE_URL, SF_JWT_KEY_FILE and
	/// PRIVATE_KEY_PATH for salesforce and salesforce-community.

JWTFLOW_API std::vector<std::pair<std::string, std::string>> dotEnvNeighbourNames(const std::string& provider);
	/// As neighbourNames, for a `.env` file (and a profile or --env-file), where a
	/// project's own names are read too: USERNAME, CONSUMER_KEY and INSTANCE_URL
	/// of the node JWT examples (USERNAME only there: in the environment it is
	/// the login user's name on many systems).

} // namespace jwtflow

#endif // JWTFLOW_SETTINGSCATALOGUE_INCLUDED
