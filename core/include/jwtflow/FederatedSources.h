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
#include <Poco/Timestamp.h>
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

class JWTFLOW_NET_API SubjectTokenReader: public ClientAssertionSource
	/// Reads the subject token a provider's credentials name (Provider::subjectTokenSource,
	/// Google's credential_source of AIP-4117), anew for every login:
	/// - File: the file (not writable by others than its owner), its text or a JSON field;
	/// - Url: a GET with the declared headers (https, or http to loopback and the
	///   link-local metadata address 169.254.169.254), its text or a JSON field;
	/// - Executable: only when the allow variable is 1 in the process environment;
	///   the program (absolute path, owned by root or the user, not writable by
	///   others) run without a shell, with PATH, HOME, LANG and the declared
	///   variables only, stdin from /dev/null, within its time-out; its JSON answer
	///   ({"version": 1, "success": true, "token_type", "id_token" | "saml_response",
	///   "expiration_time"}) read and checked; a cached answer in its output file used
	///   while it has not expired.
	/// A token of a JWT type is refused within FederatedTokenFile::MIN_REMAINING_SECONDS of its exp.
{
public:
	SubjectTokenReader(SubjectTokenSource source, HttpClient& http, std::function<Poco::Timestamp()> clock = {});
	std::string next() const override;
	std::string describe() const override;

private:
	std::string fromFile() const;
	std::string fromUrl() const;
	std::string fromExecutable() const;
	std::string fieldOf(const std::string& text, const std::string& where) const;
	std::string checked(std::string token, const std::string& where) const;
	Poco::Int64 now() const;

	SubjectTokenSource _source;
	HttpClient& _http;
	std::function<Poco::Timestamp()> _clock;
};

JWTFLOW_NET_API std::unique_ptr<ClientAssertionSource> federatedAssertionSource(const Provider& provider, const Settings& settings,
	HttpClient& http);
	/// The federated credential this login uses (usesFederatedCredential), or null:
	/// the provider's declared subject token (SubjectTokenReader), CLIENT_ASSERTION_FILE (FederatedTokenFile), or FEDERATED_TOKEN_SOURCE=github
	/// (also chosen when GitHub offers an ID token and no key or file is set) with
	/// FEDERATED_TOKEN_AUDIENCE (default api://AzureADTokenExchange). Throws
	/// UsageException for a source it does not know or that is not available here.

} // namespace jwtflow

#endif // JWTFLOW_FEDERATEDSOURCES_INCLUDED
