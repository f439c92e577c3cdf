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

	/// What the fetching thread obtained, and for how long it may be used.
	struct Obtained
	{
		TokenResult token;
		Poco::Int64 lifetime = 0;   // seconds it is valid from now
		Poco::Int64 margin = 0;     // refreshed this long before it ends
		bool fromStore = false;
	};

	/// A failure of the shared store (never of the IdP): the session goes on without the store.
	struct StoreDown
	{
		std::string why;
	};

	template <typename F>
	auto storeCall(F&& call) -> decltype(call())
	{
		try
		{
			return call();
		}
		catch (const Poco::Exception& e)
		{
			throw StoreDown{e.message().empty() ? e.displayText() : e.message()};
		}
		catch (const std::exception& e)
		{
			throw StoreDown{e.what()};
		}
	}

	/// A usable token another process (or an earlier run) stored.
	std::optional<Obtained> fromStore()
	{
		std::optional<StoredToken> stored = storeCall([this] { return store->get(storeKey); });
		if (!stored) return std::nullopt;
		const Poco::Int64 left = stored->expiresAt - Poco::Timestamp().epochTime();
		if (left <= 0) return std::nullopt;
		try
		{
			Poco::JSON::Object::Ptr response = parseJsonObject(stored->responseJson);
			Obtained got;
			got.token = provider.readTokenResponse(*response);
			got.token.raw = response;
			got.lifetime = left;   // the stored expiry already has the margin taken off
			got.fromStore = true;
			return got;
		}
		catch (const Poco::Exception&)
		{
			return std::nullopt;
		}
	}

	/// A new login at the IdP, put in the store when there is one.
	Obtained exchange(bool putInStore)
	{
		Obtained got;
		++fetchCount;
		event("fetching a new " + provider.name() + " token");
		// A fresh assertion (new jti) for every try: an IdP that refuses
		// replays may already have consumed the one sent before a 5xx.
		got.token = client.exchange([this] { return minter.mint().compact; });
		got.lifetime = std::min<Poco::Int64>(MAX_CACHED_LIFETIME_SECONDS,
			got.token.expiresIn && *got.token.expiresIn > 0 ? *got.token.expiresIn : options.assumedLifetimeSeconds);
		got.margin = std::min<Poco::Int64>(options.refreshMarginSeconds, got.lifetime / 2);
		if (putInStore && store && got.token.raw)
		{
			StoredToken stored;
			stored.accessToken = got.token.accessToken;
			stored.responseJson = objectToJson(*got.token.raw);
			stored.expiresAt = Poco::Timestamp().epochTime() + got.lifetime - got.margin;
			stored.label = label;
			try
			{
				storeCall([&] { store->put(storeKey, stored); });
			}
			catch (const StoreDown& down)
			{
				// The store only saves logins: one that cannot be written costs a login elsewhere.
				storeFailed(down);
			}
		}
		return got;
	}

	void storeFailed(const StoreDown& down)
	{
		if (!storeFailing.exchange(true))
			event("the token store is unavailable (" + down.why + "): fetching without it until it answers again");
	}

	void storeAnswered()
	{
		if (storeFailing.exchange(false)) event("the token store answers again");
	}

	/// A token from the store, from the process that holds the login lock, or from a new login
	/// (this thread is the session's only fetcher; the mutex is not held).
	Obtained obtain()
	{
		if (!store) return exchange(false);
		try
		{
			if (auto got = fromStore())
			{
				storeAnswered();
				return *got;
			}
			storeAnswered();
			const Poco::Timestamp waitStarted;
			const Poco::Timestamp::TimeDiff lockWait = static_cast<Poco::Timestamp::TimeDiff>(store->lockTimeoutSeconds())
				* Poco::Timestamp::resolution();
			long pauseMs = 50;
			bool told = false;
			for (;;)
			{
				if (storeCall([this] { return store->tryLock(storeKey); }))
				{
					struct Unlock
					{
						Impl& d;
						~Unlock()
						{
							try
							{
								d.store->unlock(d.storeKey);
							}
							catch (...)
							{
								// It expires on its own (lock time-out).
							}
						}
					} unlock{*this};
					if (auto got = fromStore()) return *got;   // stored while we took the lock
					return exchange(true);
				}
				// Another process is logging in: wait for its token, bounded by the lock's time-out
				// (a holder that died loses the lock by then, and the next try takes it).
				if (!told)
				{
					event("another process is fetching the " + provider.name() + " token: waiting for it");
					told = true;
				}
				if (waitStarted.isElapsed(lockWait + Poco::Timestamp::resolution()))
				{
					event("no token from the process holding the login lock within " + std::to_string(store->lockTimeoutSeconds())
						+ " s: fetching without it");
					return exchange(true);
				}
				Poco::Thread::sleep(pauseMs);
				pauseMs = std::min<long>(pauseMs * 2, 500);
				if (auto got = fromStore()) return *got;
			}
		}
		catch (const StoreDown& down)
		{
			storeFailed(down);
			return exchange(false);
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
	std::atomic<int> fetchCount{0};
	std::atomic<bool> storeFailing{false};
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

	auto fetch = std::make_shared<Fetch>();
	d.inFlight = fetch;
	lock.unlock();
	struct FetchingMark
	{
		explicit FetchingMark(const void* s) { fetchingSession = s; }
		~FetchingMark() { fetchingSession = nullptr; }
	};
	Impl::Obtained got;
	try
	{
		FetchingMark mark(&d);
		got = d.obtain();
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
	if (_impl->store)
	{
		try
		{
			_impl->store->remove(_impl->storeKey);
		}
		catch (const std::exception&)
		{
			// An unavailable store: its entry ends on its own.
		}
	}
	_impl->cached.reset();
	_impl->expiresAt = 0;
	_impl->refreshAt = 0;
}

void Session::invalidate(const std::string& rejectedToken)
{
	std::lock_guard<std::mutex> lock(_impl->mutex);
	if (_impl->store)
	{
		// The stored login is forgotten too when it is the one refused (another process may have stored a newer one):
		// a burst of 401s across a fleet causes one login.
		try
		{
			_impl->store->removeIf(_impl->storeKey, rejectedToken);
		}
		catch (const std::exception&)
		{
			// An unavailable store: its entry ends on its own.
		}
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
	return _impl->fetchCount.load();
}

const Provider& Session::provider() const { return _impl->provider; }
const Settings& Session::settings() const { return _impl->settings; }

} // namespace jwtflow
