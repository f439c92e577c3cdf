//
// Session.h
//
// Library: jwtflow core
// A cached access token for one provider and one set of settings: the key is
// parsed once, the HTTPS connection is kept alive, and a new token is fetched
// shortly before the cached one expires, by one caller at a time.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_SESSION_INCLUDED
#define JWTFLOW_SESSION_INCLUDED

#include "jwtflow/Assertion.h"
#include "jwtflow/Export.h"
#include "jwtflow/HttpClient.h"
#include "jwtflow/Provider.h"
#include "jwtflow/TokenStore.h"
#include "jwtflow/Settings.h"
#include <Poco/Timestamp.h>
#include <functional>
#include <memory>
#include <string>

namespace jwtflow {

struct JWTFLOW_NET_API SessionOptions
	/// How a Session caches.
{
	int assumedLifetimeSeconds = 900;
		/// How long a token is kept when the IdP does not say (Salesforce never
		/// sends expires_in; its session timeout is 15 minutes at the shortest).
	int refreshMarginSeconds = 60;
		/// A new token is fetched this long before the cached one expires
		/// (at most half the token's lifetime).
	int timeoutSeconds = 30;
		/// Connect and whole-request time-out of the token request.
	ExtraClaims extraClaims;
		/// Claims added to every assertion.
	std::function<Poco::Timestamp()> clock;
		/// The clock the cache decides with; empty: the system clock. Assertions
		/// are always dated with the system clock (the IdP checks them).
	std::function<void(const std::string&)> onEvent;
		/// Told of fetches and retries (never of tokens); may be empty.
	std::shared_ptr<TokenStore> store;
		/// A store besides memory, e.g. shared by processes; empty: memory only.
	bool shareCliCache = false;
		/// Keep tokens in the `jwtflow` CLI's encrypted cache ($XDG_CACHE_HOME/jwtflow/tokens, sealed
		/// with this session's signing key): the program and `jwtflow <provider> token` with the same
		/// settings reuse each other's logins. Ignored when store is given. The same as storeSpec "file".
	std::string storeSpec;
		/// A store by name, in TOKEN_STORE's words (TokenStoreFactory): memory or none (this
		/// session's memory only), file, redis://host:port/database (its sub-settings, such as
		/// REDIS_PASSWORD_FILE, from the session's settings), sealed with this session's key.
		/// Ignored when store is given; empty: shareCliCache decides.
	std::string storeWhere = "TOKEN_STORE";
		/// How messages name the store setting (SessionSubsystem: jwtflow.session.<name>.store).
	std::function<std::string(const std::string&)> storeNameOf;
		/// How messages name the store's sub-settings; empty: by their own names.
};

class JWTFLOW_NET_API Session
	/// Hands out a provider's access token, fetching one only when there is no
	/// valid cached token. Thread-safe: while one caller fetches, the others
	/// wait for that fetch and share its result (a failed fetch is reported to
	/// every caller that waited for it, and the next call tries again; a failure
	/// never replaces a token that is still valid).
	///
	///     jwtflow::Session session(registry.get("salesforce"), settings);
	///     std::string token = session.accessToken();
	///     // ... the API answered 401:
	///     session.invalidate(token);
	///
	/// The provider (and the registry that loaded it) must outlive the session.
{
public:
	Session(const Provider& provider, Settings settings, SessionOptions options = {});
		/// Validates the settings and parses the key (and certificate) now.
		/// Throws UsageException for a missing or bad setting, InputException
		/// for a key, certificate or CA file that cannot be used.

	~Session();
	Session(const Session&) = delete;
	Session& operator=(const Session&) = delete;

	std::string accessToken();
		/// A valid access token: the cached one, or a new one. Throws IdpException
		/// when the IdP refuses the assertion, NetworkException when it cannot be
		/// reached or answers with something that is not a token.

	TokenResult token();
		/// As accessToken(), with everything the IdP said (instance URL, scope ...).

	void invalidate();
		/// Drops the cached token: the next call fetches a new one.

	void invalidate(const std::string& rejectedToken);
		/// Drops the cached token only if it is rejectedToken: call this after the
		/// API answered 401, so that many callers holding the same rejected token
		/// cause one new fetch, not one each.

	Poco::Timestamp expiresAt() const;
		/// When the cached token expires (by the IdP's expires_in, or the assumed
		/// lifetime); 0 when none is cached.

	int fetches() const;
		/// How many token requests were made (successful or not).

	const Provider& provider() const;
	const Settings& settings() const;

private:
	struct Impl;
	std::unique_ptr<Impl> _impl;
};

} // namespace jwtflow

#endif // JWTFLOW_SESSION_INCLUDED
