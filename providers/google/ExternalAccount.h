//
// ExternalAccount.h
//
// Plugin: google
// A workload identity federation configuration (`type: external_account`,
// AIP-4117): where the subject token comes from, the STS exchange, and the
// optional service-account impersonation (FACTS.md 8.3).
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_GOOGLE_EXTERNALACCOUNT_INCLUDED
#define JWTFLOW_GOOGLE_EXTERNALACCOUNT_INCLUDED

#include "jwtflow/Provider.h"
#include <memory>
#include <string>

namespace jwtflow {
namespace google {

struct ExternalAccount
	/// What jwtflow uses from an external_account file.
{
	std::string path;
	std::string audience;             /// //iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/P/providers/X
	std::string subjectTokenType;     /// urn:ietf:params:oauth:token-type:jwt, id_token or saml2
	std::string tokenUrl;             /// the STS token endpoint
	std::string impersonationUrl;     /// …/serviceAccounts/EMAIL:generateAccessToken, or empty
	std::string serviceAccountEmail;  /// the EMAIL of impersonationUrl
	int tokenLifetimeSeconds = 3600;  /// service_account_impersonation.token_lifetime_seconds
	std::string workforceUserProject; /// workforce_pool_user_project (workforce pools)
	SubjectTokenSource source;        /// credential_source
};

const char* const EXECUTABLES_ALLOWED_VARIABLE = "GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES";

std::shared_ptr<const ExternalAccount> externalAccountIn(const std::string& path, const std::string& settingName);
	/// The external_account configuration in a Google credentials file, or null
	/// when the file is of another type (a service-account key). Reads and
	/// checks every field, cached by path, size and modification time
	/// (thread-safe). Throws InputException naming the file and the field, or
	/// UsageException for a source jwtflow does not take (AWS, client secrets).

} // namespace google
} // namespace jwtflow

#endif
