//
// TokenExchange.h
//
// Module: jwtflow-network
// Getting an access token for a provider action: from the encrypted login
// cache when it holds a usable one, else by minting and exchanging an
// assertion (one login at a time per identity, across processes).
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_HOST_TOKENEXCHANGE_INCLUDED
#define JWTFLOW_HOST_TOKENEXCHANGE_INCLUDED

#include "LoginCache.h"
#include "Output.h"
#include "jwtflow/Assertion.h"
#include "jwtflow/HttpClient.h"
#include "jwtflow/Provider.h"
#include "jwtflow/TokenClient.h"
#include "jwtflow/TokenStore.h"
#include <memory>
#include <string>

namespace jwtflow {
namespace host {

LoginCache openStoreFor(const Provider& provider, const Settings& settings, const Console& console, const CacheChoice& choice);
	/// The login cache TOKEN_STORE names: the file cache, or the Redis store
	/// (REDIS_PASSWORD / REDIS_PASSWORD_FILE; a wrong password is a usage error).

struct Exchange
	/// An access token and where it came from.
{
	std::unique_ptr<HttpClient> http;
	std::unique_ptr<TokenClient> client;
	TokenResult token;
	std::string jwt;             ///< the assertion sent, when one was (not for a cached token)
	bool fromCache = false;
	Poco::Int64 usableUntil = 0; ///< when the token stops being handed out (seconds since 1970)
	std::string cacheFile;       ///< where it is cached, "" when not
};

Exchange exchangeToken(Provider& provider, Settings& settings, const ExtraClaims& claims, int timeout,
	const Console& console, CacheChoice cache = {});
	/// A token for the action: cached, or from a new login (then cached).
	/// TOKEN_STORE (file | none) and SESSION_LIFETIME are read here.

} // namespace host
} // namespace jwtflow

#endif
