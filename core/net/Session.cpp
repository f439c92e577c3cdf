//
// Session.cpp
//
// Library: jwtflow core
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/Session.h"
#include "jwtflow/Exception.h"
#include "jwtflow/Json.h"
#include "jwtflow/TokenClient.h"
#include "jwtflow/TokenStore.h"
#include <algorithm>
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

/// The longest a token is cached, whatever expires_in says: no IdP issues
/// week-long access tokens, and a huge value must not overflow the
/// microsecond arithmetic (which made every call fetch).
const Poco::Int64 MAX_CACHED_LIFETIME_SECONDS = 7 * 24 * 3600;

/// The session whose token this thread is fetching (its onEvent callbacks
/// run on this thread): a call back into it must not wait for itself.
thread_local const void* fetchingSession = nullptr;

SessionOptions checked(SessionOptions options)
{
	if (options.assumedLifetimeSeconds <= 0 || options.assumedLifetimeSeconds > MAX_CACHED_LIFETIME_SECONDS)
		throw UsageException("the assumed token lifetime must be a positive number of seconds, at most "
			+ std::to_string(MAX_CACHED_LIFETIME_SECONDS));
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
		if (spec.required) settings.require(spec.name, spec.option);
	return settings;
}

} // namespace

struct Session::Impl
{
	Impl(const Provider& p, Settings s, SessionOptions o):
		provider(p),
		settings(std::move(s)),
		options(checked(std::move(o))),
		minter(provider, requireDeclared(provider, settings), options.extraClaims),
		http(httpOptions()),
		client(provider, settings, http)
	{
		store = options.store;
		if (store || options.shareCliCache)
		{
			SigningKey signing = loadSigningKey(provider, settings);
			if (!store)
				// No note callback: notes would reach onEvent under the session's lock.
				store = std::make_shared<FileTokenStore>(FileTokenStore::defaultFolder(), std::make_shared<TokenSealer>(signing.key));
			storeKey = cacheKey(loginIdentity(provider, settings, signing.key));
			label = loginLabel(provider, settings);
		}
	}

	/// A token another process (or an earlier run) stored, still usable; caller holds the mutex.
	bool takeFromStore(Poco::Timestamp now)
	{
		if (!store) return false;
		std::optional<StoredToken> stored;
		try
		{
			stored = store->get(storeKey);
		}
		catch (const std::exception&)
		{
			return false;
		}
		if (!stored) return false;
		const Poco::Int64 left = stored->expiresAt - Poco::Timestamp().epochTime();
		if (left <= 0) return false;
		try
		{
			Poco::JSON::Object::Ptr response = parseJsonObject(stored->responseJson);
			TokenResult token = provider.readTokenResponse(*response);
			token.raw = response;
			cached = token;
			expiresAt = now + left * Poco::Timestamp::resolution();
			refreshAt = expiresAt;
			return true;
		}
		catch (const Poco::Exception&)
		{
			return false;
		}
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
	const AssertionMinter minter;
	HttpClient http;      // used by the one fetching thread only
	TokenClient client;

	mutable std::mutex mutex;
	std::condition_variable fetched;
	std::optional<TokenResult> cached;
	Poco::Timestamp expiresAt = 0;
	Poco::Timestamp refreshAt = 0;
	std::shared_ptr<Fetch> inFlight;
	int fetches = 0;
	std::shared_ptr<TokenStore> store;   // besides memory, when configured
	std::string storeKey;
	std::string label;
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

	// Another process (the CLI, another instance) may hold a usable login.
	if (d.takeFromStore(now))
	{
		d.event("using the stored " + d.provider.name() + " token");
		return *d.cached;
	}
	auto fetch = std::make_shared<Fetch>();
	d.inFlight = fetch;
	++d.fetches;
	lock.unlock();
	struct FetchingMark
	{
		explicit FetchingMark(const void* s) { fetchingSession = s; }
		~FetchingMark() { fetchingSession = nullptr; }
	};
	try
	{
		FetchingMark mark(&d);
		d.event("fetching a new " + d.provider.name() + " token");
		// A fresh assertion (new jti) for every try: an IdP that refuses
		// replays may already have consumed the one sent before a 5xx.
		fetch->token = d.client.exchange([&d] { return d.minter.mint().compact; });
	}
	catch (...)
	{
		fetch->error = std::current_exception();
	}
	lock.lock();
	Poco::Int64 cachedFor = 0;
	if (!fetch->error)
	{
		const Poco::Int64 lifetime = std::min<Poco::Int64>(MAX_CACHED_LIFETIME_SECONDS,
			fetch->token.expiresIn && *fetch->token.expiresIn > 0 ? *fetch->token.expiresIn : d.options.assumedLifetimeSeconds);
		const Poco::Int64 margin = std::min<Poco::Int64>(d.options.refreshMarginSeconds, lifetime / 2);
		d.cached = fetch->token;
		d.expiresAt = now + lifetime * Poco::Timestamp::resolution();
		d.refreshAt = now + (lifetime - margin) * Poco::Timestamp::resolution();
		cachedFor = lifetime;
		if (d.store && fetch->token.raw)
		{
			StoredToken stored;
			stored.accessToken = fetch->token.accessToken;
			stored.responseJson = objectToJson(*fetch->token.raw);
			stored.expiresAt = Poco::Timestamp().epochTime() + lifetime - margin;
			stored.label = d.label;
			try
			{
				d.store->put(d.storeKey, stored);
			}
			catch (const std::exception&)
			{
				// The store only saves logins: a store that cannot be written costs a login elsewhere.
			}
		}
	}
	fetch->done = true;
	d.inFlight.reset();
	lock.unlock();
	d.fetched.notify_all();
	// Outside the lock: the callback may call back into the session.
	if (cachedFor) d.event("cached a " + d.provider.name() + " token for " + std::to_string(cachedFor) + " s");
	if (fetch->error) std::rethrow_exception(fetch->error);
	return fetch->token;
}

void Session::invalidate()
{
	std::lock_guard<std::mutex> lock(_impl->mutex);
	if (_impl->store) _impl->store->remove(_impl->storeKey);
	_impl->cached.reset();
	_impl->expiresAt = 0;
	_impl->refreshAt = 0;
}

void Session::invalidate(const std::string& rejectedToken)
{
	std::lock_guard<std::mutex> lock(_impl->mutex);
	if (_impl->store)
	{
		// The stored login is forgotten too when it is the one refused (another process may have stored a newer one).
		auto stored = _impl->store->get(_impl->storeKey);
		if (stored && stored->accessToken == rejectedToken) _impl->store->remove(_impl->storeKey);
	}
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
	std::lock_guard<std::mutex> lock(_impl->mutex);
	return _impl->fetches;
}

const Provider& Session::provider() const { return _impl->provider; }
const Settings& Session::settings() const { return _impl->settings; }

} // namespace jwtflow
