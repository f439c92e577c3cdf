//
// FederatedSources.h
//
// Library: jwtflow net
// Federated credentials that need the network: GitHub Actions' OIDC ID token,
// and the one choice of a login's assertion source.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_FEDERATEDSOURCES_INCLUDED
#define JWTFLOW_FEDERATEDSOURCES_INCLUDED

#include "jwtflow/ClientAssertion.h"
#include "jwtflow/Export.h"
#include "jwtflow/HttpClient.h"
#include <functional>
#include <memory>
#include <string>

namespace jwtflow {

const char* const DEFAULT_FEDERATED_AUDIENCE = "api://AzureADTokenExchange";
	/// The audience Entra ID's federated credentials expect by default (what Azure/login asks GitHub for).

class JWTFLOW_NET_API GitHubIdToken: public ClientAssertionSource
	/// A workflow's OIDC ID token: GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=AUD with
	/// `Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN` → {"value": "<JWT>"}
	/// (the job needs `permissions: id-token: write`). A new one for every login.
{
public:
	GitHubIdToken(std::string requestUrl, std::string requestToken, std::string audience, HttpClient& http);
	std::string next() const override;
	std::string describe() const override;

private:
	std::string _requestUrl;
	std::string _requestToken;
	std::string _audience;
	HttpClient& _http;
};

JWTFLOW_NET_API std::unique_ptr<ClientAssertionSource> federatedAssertionSource(const Provider& provider, const Settings& settings,
	HttpClient& http);
	/// The federated credential this login uses (usesFederatedCredential), or null:
	/// CLIENT_ASSERTION_FILE (FederatedTokenFile), or FEDERATED_TOKEN_SOURCE=github
	/// (also chosen when GitHub offers an ID token and no key or file is set) with
	/// FEDERATED_TOKEN_AUDIENCE (default api://AzureADTokenExchange). Throws
	/// UsageException for a source it does not know or that is not available here.

} // namespace jwtflow

#endif // JWTFLOW_FEDERATEDSOURCES_INCLUDED
