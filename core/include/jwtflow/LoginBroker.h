//
// LoginBroker.h
//
// Library: jwtflow net
// The one login pipeline: read the store, take the cross-process lock, wait
// for another process's login with backoff, log in, put the token, release;
// the refresh margin and the lifetime clamp; a refused token compare-and-
// deleted. Session, every `jwtflow` command that needs a token (token, login,
// whoami, frontdoor, call) and what comes next (a token server, federated
// credentials) obtain their tokens through it.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_LOGINBROKER_INCLUDED
#define JWTFLOW_LOGINBROKER_INCLUDED

#include "jwtflow/Assertion.h"
#include "jwtflow/ClientAssertion.h"
#include "jwtflow/Export.h"
#include "jwtflow/Provider.h"
#include "jwtflow/TokenClient.h"
#include "jwtflow/TokenStore.h"
#include <Poco/Types.h>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace jwtflow {

const Poco::Int64 MAX_LOGIN_LIFETIME_SECONDS = 7 * 24 * 3600;
	/// The longest a token is kept, whatever expires_in says: no IdP issues
	/// week-long access tokens, and a huge value must not overflow time arithmetic.

struct JWTFLOW_NET_API LoginPolicy
	/// How long logins are kept and how long to wait for another process's.
{
	int assumedLifetimeSeconds = 900;   /// when the IdP sends no expires_in (Salesforce): SESSION_LIFETIME
	int refreshMarginSeconds = 60;      /// handed out until this long (at most half its life) before it ends
	int lockWaitSeconds = 30;           /// the longest to wait for another process's login (at most the store's lock time-out)
	std::function<void(const std::string&)> onEvent;    /// fetches, waits (never tokens); may be empty
	std::function<void(const std::string&)> onWarning;  /// the store failing; empty: onEvent
};

struct JWTFLOW_NET_API Login
	/// A token and for how long it may be handed out.
{
	TokenResult token;
	Poco::Int64 lifetime = 0;       /// seconds it is valid from now
	Poco::Int64 margin = 0;         /// handed out until this long before it ends
	Poco::Int64 usableUntil = 0;    /// seconds since 1970: now + lifetime - margin
	bool fromStore = false;         /// another process's (or an earlier run's) login
	bool stored = false;            /// a new login that was put in the store
	std::string assertion;          /// the last assertion sent; empty when from the store
};

class JWTFLOW_NET_API LoginBroker
	/// One provider's logins for one identity. Not thread-safe: Session lets
	/// one thread at a time obtain; each CLI run has one.
{
public:
	LoginBroker(const Provider& provider, const AssertionMinter& minter, TokenClient& client,
		std::shared_ptr<TokenStore> store, std::string storeKey, std::string label, LoginPolicy policy);
		/// store may be null (no store: every obtain() logs in). minter and
		/// client must outlive the broker.

	LoginBroker(const Provider& provider, const ClientAssertionSource& assertions, TokenClient& client,
		std::shared_ptr<TokenStore> store, std::string storeKey, std::string label, LoginPolicy policy);
		/// As above, with the assertions from a source of their own (a federated
		/// credential: FederatedTokenFile, GitHubIdToken), one per login.

	static Poco::Int64 lifetimeOf(const TokenResult& token, int assumedLifetimeSeconds);
		/// expires_in when the IdP gave a positive one, else the assumed
		/// lifetime; at most MAX_LOGIN_LIFETIME_SECONDS.

	std::optional<Login> stored();
		/// A usable token in the store, without a login; nullopt when there is
		/// none, it cannot be read, or the store fails (a warning, once).

	Login obtain(bool refresh = false);
		/// A usable token: the stored one unless refresh; else, under the
		/// store's lock (waiting for another process's login, 50 ms doubling to
		/// 500 ms, at most lockWaitSeconds, then logging in anyway), a new login
		/// put in the store. A store that fails never stops a login. Throws as
		/// TokenClient::exchange does.

	void forget(const std::string& rejectedToken);
		/// Removes the stored login while it still holds rejectedToken (an API
		/// refused it; a newer one another process stored stays).

	void forgetAll();
		/// Removes the stored login, whatever it holds.

	bool hasStore() const;
	int logins() const;
		/// How many logins (token requests) this broker made.

private:
	struct StoreDown
	{
		std::string why;
	};
	template <typename F>
	auto storeCall(F&& call) -> decltype(call());
	std::optional<Login> readStore();
	Login logIn(bool putInStore);
	Login underLock(bool refresh);
	void storeFailed(const StoreDown& down);
	void event(const std::string& what) const;

	const Provider& _provider;
	std::unique_ptr<MintedAssertions> _minted;   // set by the minter's constructor
	const ClientAssertionSource& _assertions;
	TokenClient& _client;
	std::shared_ptr<TokenStore> _store;
	std::string _storeKey;
	std::string _label;
	LoginPolicy _policy;
	std::atomic<bool> _storeFailing{false};
	std::atomic<int> _logins{0};
};

} // namespace jwtflow

#endif // JWTFLOW_LOGINBROKER_INCLUDED
