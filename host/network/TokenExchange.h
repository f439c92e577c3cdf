//
// TokenExchange.h
//
// Module: jwtflow-network
// Getting an access token for a provider action through the one login
// pipeline (LoginBroker): from the store TOKEN_STORE names when it holds a
// usable one, else by minting and exchanging an assertion (one login at a
// time per identity, across processes and, with Redis, machines).
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_HOST_TOKENEXCHANGE_INCLUDED
#define JWTFLOW_HOST_TOKENEXCHANGE_INCLUDED

#include "LoginCache.h"
#include "Output.h"
#include "jwtflow/Assertion.h"
#include "jwtflow/ClientAssertion.h"
#include "jwtflow/HttpClient.h"
#include "jwtflow/LoginBroker.h"
#include "jwtflow/Provider.h"
#include "jwtflow/TokenClient.h"
#include "jwtflow/TokenStore.h"
#include <memory>
#include <string>

namespace jwtflow {
namespace host {

LoginCache openStoreFor(const Provider& provider, const Settings& settings, const Console& console, const CacheChoice& choice,
	const SigningKey& signing, const ExtraClaims& claims);
	/// The login store TOKEN_STORE names: the file cache, or the Redis store
	/// (REDIS_PASSWORD / REDIS_PASSWORD_FILE; a wrong password is a usage error).

struct Exchange
	/// An access token, where it came from, and the pipeline that got it.
{
	std::unique_ptr<HttpClient> http;
	std::unique_ptr<TokenClient> client;
	std::unique_ptr<AssertionMinter> minter;
	std::unique_ptr<ClientAssertionSource> assertions;   ///< a federated credential, when there is no key
	std::unique_ptr<LoginBroker> broker;
	TokenResult token;
	std::string jwt;             ///< the assertion sent, when one was (not for a cached token)
	bool fromCache = false;
	Poco::Int64 usableUntil = 0; ///< when the token stops being handed out (seconds since 1970)
	std::string cacheFile;       ///< where it is cached, "" when not

	void renew(const Console& console);
		/// After an API refused the token (HTTP 401): forgets it in the store
		/// while the store still holds it (another process may have stored a
		/// newer one, which is then used), and obtains another.

private:
	friend Exchange exchangeToken(Provider&, Settings&, const SigningKey*, const ExtraClaims&, int, const Console&, CacheChoice);
	void take(const Login& login, const Console& console, const std::string& provider);
	std::string _location;
	std::string _provider;
};

Exchange exchangeToken(Provider& provider, Settings& settings, const SigningKey* signing, const ExtraClaims& claims, int timeout,
	const Console& console, CacheChoice cache = {});
	/// A token for the action: cached, or from a new login (then cached).
	/// TOKEN_STORE (file | none | memory | redis://...) and SESSION_LIFETIME are read here.

} // namespace host
} // namespace jwtflow

#endif
