//
// LoginIdentity.h
//
// Library: jwtflow core
// What makes one login distinct, computed in one place from what the
// provider declares (SettingSpec::identity and ::label): the CLI, Session and
// every later user of the login pipeline share a cached login exactly when
// they would have received the same token.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_LOGINIDENTITY_INCLUDED
#define JWTFLOW_LOGINIDENTITY_INCLUDED

#include "jwtflow/Assertion.h"
#include "jwtflow/Export.h"
#include "jwtflow/Keys.h"
#include "jwtflow/Provider.h"
#include "jwtflow/Settings.h"
#include "jwtflow/TokenStore.h"
#include <optional>
#include <map>
#include <string>

namespace jwtflow {

JWTFLOW_API std::map<std::string, std::string> loginIdentity(const Provider& provider, const Settings& settings,
	const PrivateKey& signingKey, const ExtraClaims& extraClaims = {});
	/// Everything that changes the token a login returns, and nothing else: the
	/// provider's name; each setting the provider and the core declare with
	/// identity (never a secret), by name; each extra claim (`claim:NAME` = its
	/// JSON), since the IdP may grant by it; and the public key's SHA-256.

JWTFLOW_API std::string loginLabel(const Provider& provider, const Settings& settings, const PrivateKey* signingKey = nullptr);
	/// One line naming the login, from the settings declared with label
	/// (provider, client id, subject, tenant, audience, login URL, profile ...),
	/// and the signing key's public-key SHA-256 (its first 16 hex digits, as
	/// key=SHA256:...) when given, for `cache list`: two logins that differ only
	/// by their key are told apart.

JWTFLOW_API std::string cacheKey(const std::map<std::string, std::string>& identity);
	/// A stable key from an identity: "name=value" lines in name order, hashed
	/// with SHA-256 (hex).

JWTFLOW_API std::vector<SettingSpec> declaredSettings(const Provider& provider);
	/// The provider's settings, then the core's it does not declare itself.

struct JWTFLOW_API StoredLogin
	/// A login read back from a token store.
{
	TokenResult token;           /// as the provider reads its answer, raw included
	Poco::Int64 usableUntil = 0; /// seconds since 1970 (the refresh margin already taken off)
};

JWTFLOW_API std::optional<StoredLogin> readStoredLogin(const Provider& provider, TokenStore& store, const std::string& key);
	/// The login stored under key while it is usable: the one reader of a stored login,
	/// for LoginBroker and for the CLI's cached `token` that loads no network library.
	/// nullopt when there is none, it ended, or its answer no longer parses; what the
	/// store itself throws (Redis down) is passed on.
	/// The provider's settings, then the core's it does not declare itself.

} // namespace jwtflow

#endif // JWTFLOW_LOGINIDENTITY_INCLUDED
