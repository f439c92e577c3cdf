//
// EmulatorHandlers.h
//
// Library: jwtflow emulator (internal)
// The emulator's shared state and its HTTP request handlers.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_EMULATOR_HANDLERS_INCLUDED
#define JWTFLOW_EMULATOR_HANDLERS_INCLUDED

#include "jwtflow/Keys.h"
#include "jwtflow/emulator/Emulator.h"
#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace jwtflow {
namespace emulator {

struct IssuedToken
{
	std::string username;
	std::string clientId;
	std::string site;   // "" for the org, else the community path
	std::set<std::string> scopes;      // salesforce: the connected app's scopes (web, api, id, full, refresh_token ...)
	std::string kind = "salesforce";   // "salesforce" (a session: lives while used) or "entra" (expires at exp)
	std::string audience;              // entra: the resource the token is for
	Poco::Int64 lastUsed = 0;          // salesforce: the session times out this long after its last use
	Poco::Int64 expiresAt = 0;         // entra: exp
};

bool hasScope(const IssuedToken& token, const std::string& scope);
	/// A Salesforce token's scope, or full (which includes every other).

class EmulatorState
	/// Registered apps, users and sites, and the tokens and one-time links issued.
{
public:
	EmulatorState(const EmulatorOptions& options, std::string baseUrl);

	const EmulatorOptions& options() const { return _options; }
	const std::string& baseUrl() const { return _baseUrl; }
	Poco::Int64 now() const;
		/// The emulator's clock, in seconds (shifted by clockOffsetSeconds).

	const RegisteredApp* app(const std::string& clientId) const;
	bool knowsUser(const std::string& username) const;
	bool knowsCommunity(const std::string& path) const;
	std::string userId(const std::string& username) const;

	std::string issueToken(const IssuedToken& info);
		/// A new Salesforce session token (sliding timeout: salesforceSessionSeconds after its last use).
	void registerToken(const std::string& token, const IssuedToken& info);
		/// Knows an access token issued elsewhere (Entra ID's), valid until info.expiresAt.
	std::optional<IssuedToken> lookupToken(const std::string& token);
		/// The token's facts while it is valid (a use extends a Salesforce session); nullopt for an unknown,
		/// revoked or expired token.
	bool revokeToken(const std::string& token);
		/// Ends the token (and its one-time links); false when it was not valid.
	void expireTokens();
		/// Ends every token issued so far, as a session timeout would.
	bool recordLogin(const std::string& user);
		/// Counts a login of `user`; false (and not counted) when the user is over the login rate limit.
	int loginsFor(const std::string& user) const;
		/// Logins of `user` so far.
	int apiCallsMade() const;
	void countApiCall();
	Poco::JSON::Object::Ptr account(const std::string& id) const;
	std::string createAccount(Poco::JSON::Object::Ptr fields);
	bool updateAccount(const std::string& id, const Poco::JSON::Object& fields);
	bool deleteAccount(const std::string& id);
	std::string issueOneTimePassword(const std::string& token);
	std::optional<std::string> redeemOneTimePassword(const std::string& otp);
	std::string openUiSession(const IssuedToken& token);
		/// A browser session (the `sid` cookie frontdoor.jsp sets) for the token's user and site.
	std::optional<IssuedToken> uiSession(const std::string& id) const;
	int tokensIssued() const;
	std::string workloadIssuer() const { return _baseUrl + "/workload"; }
	std::string mintWorkloadToken(const std::string& subject, const std::string& audience, int lifetimeSeconds) const;
		/// A workload token signed with the issuer's key (see Emulator::mintWorkloadToken).
	const PrivateKey& workloadKey() const;
		/// Made on first use (an RSA key costs tens of milliseconds; most runs never need it).
	std::string workloadKeyId() const;
	const std::string& githubRequestToken() const { return _githubRequestToken; }
	bool firstUseOfJwtId(const std::string& jti);
		/// False when this jti was seen before (Entra ID, Okta and Keycloak refuse replays).
	void countIssued();

private:
	EmulatorOptions _options;
	std::string _baseUrl;
	mutable std::once_flag _workloadOnce;
	mutable std::optional<PrivateKey> _workloadKey;
	std::string _githubRequestToken;
	mutable std::mutex _mutex;
	std::map<std::string, IssuedToken> _tokens;
	std::map<std::string, std::vector<Poco::Int64>> _logins;   // user -> login times within the last hour (and the total)
	std::map<std::string, int> _loginTotals;
	std::map<std::string, Poco::JSON::Object::Ptr> _accounts;
	int _apiCalls = 0;
	int _nextAccount = 2;
	std::map<std::string, std::string> _otps;
	std::map<std::string, IssuedToken> _uiSessions;
	std::set<std::string> _jwtIds;
	int _issued = 0;
};

Poco::Net::HTTPRequestHandler* createEntraHandler(std::shared_ptr<EmulatorState> state, const std::string& path);
	/// A handler for /<tenant>/oauth2/v2.0/token, or nullptr for another path.

Poco::Net::HTTPRequestHandler* createWorkloadHandler(std::shared_ptr<EmulatorState> state, const std::string& path);
	/// The workload issuer's discovery and JWKS, and the GitHub-like ID-token endpoint, or nullptr.

Poco::Net::HTTPRequestHandler* createGoogleHandler(std::shared_ptr<EmulatorState> state, const std::string& path);
	/// A handler for /google/token, or nullptr for another path.

Poco::Net::HTTPRequestHandler* createGoogleFederationHandler(std::shared_ptr<EmulatorState> state, const std::string& path);
	/// Google STS (/sts/v1/token) and IAM generateAccessToken, or nullptr for another path.

Poco::Net::HTTPRequestHandler* createSalesforceRestHandler(std::shared_ptr<EmulatorState> state, const std::string& path);
	/// A handler for the REST API under /services/data, or nullptr for another path.

Poco::Net::HTTPRequestHandler* createGraphHandler(std::shared_ptr<EmulatorState> state, const std::string& path);
	/// A handler for Graph-like /v1.0/organization, or nullptr for another path.

Poco::Net::HTTPRequestHandler* createOidcHandler(std::shared_ptr<EmulatorState> state, const std::string& path);
	/// Handlers for /oidc/.well-known/openid-configuration and /oidc/v1/token, or nullptr.

class EmulatorHandlerFactory: public Poco::Net::HTTPRequestHandlerFactory
{
public:
	explicit EmulatorHandlerFactory(std::shared_ptr<EmulatorState> state): _state(std::move(state)) {}
	Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& request) override;

private:
	Poco::Net::HTTPRequestHandler* createEndpoint(const Poco::Net::HTTPServerRequest& request);

	std::shared_ptr<EmulatorState> _state;
};

} // namespace emulator
} // namespace jwtflow

#endif
