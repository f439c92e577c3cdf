//
// LoginCache.h
//
// Program: jwtflow
// The CLI's login cache as the actions see it: which logins it holds (one
// encrypted entry per login identity) and reading one. Lives in the
// executable, so that `token` is served from the cache without loading the
// network module (POCO Net/NetSSL, libssl).
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_HOST_LOGINCACHE_INCLUDED
#define JWTFLOW_HOST_LOGINCACHE_INCLUDED

#include "HostExport.h"
#include "Output.h"
#include "jwtflow/Assertion.h"
#include "jwtflow/Provider.h"
#include "jwtflow/Settings.h"
#include "jwtflow/TokenStore.h"
#include <memory>
#include <optional>
#include <string>

namespace jwtflow {
namespace host {

struct CacheChoice
	/// How an action uses the login cache.
{
	CacheChoice(bool use_ = true, bool refresh_ = false): use(use_), refresh(refresh_) {}
	bool use = true;        ///< read and write it (--no-cache and TOKEN_STORE=none turn it off)
	bool refresh = false;   ///< log in anew even when it holds a usable token (--refresh, login, a 401)
	std::string store = "file"; ///< TOKEN_STORE's words (TokenStoreFactory): file (read in-process too), memory, or a URL
	                            ///< (redis://...: the network module opens it)
};

JWTFLOW_HOST_API CacheChoice cacheChoiceFor(const Settings& settings, CacheChoice asked);
	/// asked, with TOKEN_STORE applied (none: no cache; anything else: store). Throws
	/// UsageException for a word no store answers to (a URL scheme the network module
	/// registers is checked there), or a SESSION_LIFETIME that is not a number of
	/// seconds (checked even when the cache is not used).

JWTFLOW_HOST_API Poco::Int64 sessionLifetime(const Settings& settings);
	/// SESSION_LIFETIME: how long a token whose answer has no expires_in
	/// (Salesforce) is taken to live; 900 s by default, 1 s to 7 days.

struct LoginCache
	/// The cache entry of one login identity: the store sealed with a key
	/// derived from the signing key, and the entry's key.
{
	std::shared_ptr<TokenStore> store;
	std::string key;
	std::string location;   ///< for people: the cache file, or the Redis server and key
};

JWTFLOW_HOST_API LoginCache openLoginCache(const Provider& provider, const Settings& settings, const Console& console,
	const SigningKey& signing, const ExtraClaims& claims, const std::string& store = "file");
	/// The entry for these settings, claims and signing key (loadSigningKey, once per run) in the
	/// store TOKEN_STORE names, made by the one TokenStoreFactory (the file cache unless said otherwise;
	/// a URL store needs its scheme registered first: the network module does).

struct CachedLogin
	/// A usable token read from the cache.
{
	TokenResult token;           ///< as the provider reads its answer, raw included
	Poco::Int64 usableUntil = 0; ///< seconds since 1970
	std::string file;            ///< the cache file
};

JWTFLOW_HOST_API std::optional<CachedLogin> readCachedLogin(const Provider& provider, LoginCache& cache, const Console& console);
	/// The entry's token while it is usable; nullopt when there is none, it
	/// expired, or it cannot be read (told under -v).

} // namespace host
} // namespace jwtflow

#endif
