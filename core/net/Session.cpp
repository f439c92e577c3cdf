//
// Session.cpp
//
// Library: jwtflow core
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/Session.h"
#include "jwtflow/FederatedSources.h"
#include "jwtflow/Exception.h"
#include "jwtflow/Json.h"
#include "jwtflow/TokenClient.h"
#include "jwtflow/TokenStore.h"
#include "jwtflow/LoginBroker.h"
#include "jwtflow/LoginIdentity.h"
#include "jwtflow/RedisTokenStore.h"
#include "jwtflow/TokenStoreFactory.h"
#include <Poco/Thread.h>
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>

namespace jwtflow {

namespace {

struct Fetch
	/// One token request in flight, shared by the callers that wait for it.
{
	bool done = false;
	TokenResult token;
	std::exception_ptr error;
};

/// The session whose token this thread is fetching (its onEvent callbacks
/// run on this thread): a call back into it must not wait for itself.
thread_local const void* fetchingSession = nullptr;

SessionOptions checked(SessionOptions options)
{
	if (options.assumedLifetimeSeconds <= 0 || options.assumedLifetimeSeconds > MAX_LOGIN_LIFETIME_SECONDS)
		throw UsageException("the assumed token lifetime must be a positive number of seconds, at most "
			+ std::to_string(MAX_LOGIN_LIFETIME_SECONDS));
	if (options.refreshMarginSeconds < 0)
		throw UsageException("the refresh margin must not be a negative number of seconds");
	if (options.timeoutSeconds <= 0)
		throw UsageException("the time-out must be a positive number of seconds");
	return options;
}

const Settings& requireDeclared(const Provider& provider, const Settings& settings)
	/// Every setting the provider declares required, now rather than at the first fetch.
{
	for (const auto& spec: provider.settings())
		if (spec.required) settings.require(spec.name);
	return settings;
}

} // namespace

struct Session::Impl
{
	Impl(const Provider& p, Settings s, SessionOptions o):
		provider(p),
		settings(std::move(s)),
		options(checked(std::move(o))),
		// A federated credential (a workload token file, a CI ID token) needs no key at all.
		signing(usesFederatedCredential(provider, requireDeclared(provider, settings)) ? std::nullopt
			: std::optional<SigningKey>(loadSigningKey(provider, settings))),
		minter(signing ? std::make_unique<AssertionMinter>(provider, settings, *signing, options.extraClaims) : nullptr),
		http(httpOptions()),
		client(provider, settings, http),
		assertions(minter ? std::unique_ptr<ClientAssertionSource>(new MintedAssertions(*minter))
			: federatedAssertionSource(provider, settings, http)),
		broker(provider, *assertions, client, storeFor(options, signing ? &*signing : nullptr, settings),
			signing ? cacheKey(loginIdentity(provider, settings, signing->key, options.extraClaims)) : std::string(),
			loginLabel(provider, settings, signing ? &signing->key : nullptr), policy())
	{
	}

	static std::shared_ptr<TokenStore> storeFor(const SessionOptions& options, const SigningKey* signing, const Settings& settings)
	{
		if (options.store) return options.store;
		const std::string spec = !options.storeSpec.empty() ? options.storeSpec : options.shareCliCache ? "file" : "memory";
		if (spec == "memory" || spec == "none")
		{
			TokenStoreFactory::defaultFactory().check(spec, options.storeWhere);
			return nullptr;   // the session's own memory is the store
		}
		if (!signing)
			throw UsageException("a login with a federated credential has no private key to seal a shared store with (" + spec
				+ "): keep the session's store in memory");
		registerRedisTokenStore();
		TokenStoreContext context;
		context.settings = &settings;
		context.sealer = std::make_shared<TokenSealer>(signing->key);
		// No note callback: notes would reach onEvent under the session's lock.
		context.where = options.storeWhere;
		context.nameOf = options.storeNameOf;
		return TokenStoreFactory::defaultFactory().open(spec, context);
	}

	LoginPolicy policy() const
	{
		LoginPolicy p;
		p.assumedLifetimeSeconds = options.assumedLifetimeSeconds;
		p.refreshMarginSeconds = options.refreshMarginSeconds;
		p.lockWaitSeconds = options.timeoutSeconds;
		p.onEvent = options.onEvent;
		return p;
	}

	HttpOptions httpOptions() const
	{
		HttpOptions h = httpOptionsFrom(settings, options.timeoutSeconds);
		h.onRetry = options.onEvent;
		return h;
	}

	Poco::Timestamp now() const
	{
		return options.clock ? options.clock() : Poco::Timestamp();
	}

	void event(const std::string& what) const
	{
		if (options.onEvent) options.onEvent(what);
	}

	const Provider& provider;
	const Settings settings;
	const SessionOptions options;
	std::optional<SigningKey> signing;
	std::unique_ptr<const AssertionMinter> minter;
	HttpClient http;      // used by the one fetching thread only
	TokenClient client;
	std::unique_ptr<ClientAssertionSource> assertions;   // minted with the key, or a federated credential
	LoginBroker broker;   // the one login pipeline; used by the one fetching thread only

	mutable std::mutex mutex;
	std::condition_variable fetched;
	std::optional<TokenResult> cached;
	Poco::Timestamp expiresAt = 0;
	Poco::Timestamp refreshAt = 0;
	std::shared_ptr<Fetch> inFlight;
};

Session::Session(const Provider& provider, Settings settings, SessionOptions options):
	_impl(new Impl(provider, std::move(settings), std::move(options)))
{
}

Session::~Session() = default;

std::string Session::accessToken()
{
	{
		// The warm path copies the token only, not the whole answer.
		std::lock_guard<std::mutex> lock(_impl->mutex);
		if (_impl->cached && _impl->now() < _impl->refreshAt) return _impl->cached->accessToken;
	}
	return token().accessToken;
}

TokenResult Session::token()
{
	Impl& d = *_impl;
	std::unique_lock<std::mutex> lock(d.mutex);
	Poco::Timestamp now = d.now();
	if (d.cached && now < d.refreshAt) return *d.cached;
	if (d.inFlight && fetchingSession == &d)
	{
		// Called from this session's own onEvent callback during its fetch:
		// waiting would wait for ourselves.
		if (d.cached && now < d.expiresAt) return *d.cached;
		throw Exception("Session::accessToken() was called from the session's own onEvent callback while it fetches "
			"the first token: it cannot wait for itself (call it from another thread, or after the event)");
	}
	if (d.inFlight)
	{
		// Someone is fetching: a token that is still valid will do meanwhile.
		if (d.cached && now < d.expiresAt) return *d.cached;
		std::shared_ptr<Fetch> fetch = d.inFlight;
		d.fetched.wait(lock, [&fetch] { return fetch->done; });
		if (fetch->error) std::rethrow_exception(fetch->error);
		return fetch->token;
	}

	auto fetch = std::make_shared<Fetch>();
	d.inFlight = fetch;
	lock.unlock();
	struct FetchingMark
	{
		explicit FetchingMark(const void* s) { fetchingSession = s; }
		~FetchingMark() { fetchingSession = nullptr; }
	};
	Login got;
	try
	{
		FetchingMark mark(&d);
		got = d.broker.obtain();
		fetch->token = got.token;
	}
	catch (...)
	{
		fetch->error = std::current_exception();
	}
	lock.lock();
	if (!fetch->error)
	{
		d.cached = fetch->token;
		d.expiresAt = now + got.lifetime * Poco::Timestamp::resolution();
		d.refreshAt = now + (got.lifetime - got.margin) * Poco::Timestamp::resolution();
	}
	fetch->done = true;
	d.inFlight.reset();
	lock.unlock();
	d.fetched.notify_all();
	// Outside the lock: the callback may call back into the session.
	if (!fetch->error)
		d.event(got.fromStore ? "using the stored " + d.provider.name() + " token"
			: "cached a " + d.provider.name() + " token for " + std::to_string(got.lifetime) + " s");
	if (fetch->error) std::rethrow_exception(fetch->error);
	return fetch->token;
}

void Session::invalidate()
{
	std::lock_guard<std::mutex> lock(_impl->mutex);
	_impl->broker.forgetAll();
	_impl->cached.reset();
	_impl->expiresAt = 0;
	_impl->refreshAt = 0;
}

void Session::invalidate(const std::string& rejectedToken)
{
	std::lock_guard<std::mutex> lock(_impl->mutex);
	// The stored login is forgotten too when it is the one refused (another process may have stored a newer one):
	// a burst of 401s across a fleet causes one login.
	_impl->broker.forget(rejectedToken);
	if (!_impl->cached || _impl->cached->accessToken != rejectedToken) return;
	_impl->cached.reset();
	_impl->expiresAt = 0;
	_impl->refreshAt = 0;
}

Poco::Timestamp Session::expiresAt() const
{
	std::lock_guard<std::mutex> lock(_impl->mutex);
	return _impl->cached ? _impl->expiresAt : Poco::Timestamp(0);
}

int Session::fetches() const
{
	return _impl->broker.logins();
}

const Provider& Session::provider() const { return _impl->provider; }
const Settings& Session::settings() const { return _impl->settings; }

} // namespace jwtflow
