//
// LoginBroker.cpp
//
// Library: jwtflow net
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/LoginBroker.h"
#include "jwtflow/Json.h"
#include "jwtflow/LoginIdentity.h"
#include <Poco/Thread.h>
#include <Poco/Timestamp.h>
#include <algorithm>

namespace jwtflow {

LoginBroker::LoginBroker(const Provider& provider, const AssertionMinter& minter, TokenClient& client,
	std::shared_ptr<TokenStore> store, std::string storeKey, std::string label, LoginPolicy policy):
	_provider(provider),
	_minted(new MintedAssertions(minter)),
	_assertions(*_minted),
	_client(client),
	_store(std::move(store)),
	_storeKey(std::move(storeKey)),
	_label(std::move(label)),
	_policy(std::move(policy))
{
}

LoginBroker::LoginBroker(const Provider& provider, const ClientAssertionSource& assertions, TokenClient& client,
	std::shared_ptr<TokenStore> store, std::string storeKey, std::string label, LoginPolicy policy):
	_provider(provider),
	_assertions(assertions),
	_client(client),
	_store(std::move(store)),
	_storeKey(std::move(storeKey)),
	_label(std::move(label)),
	_policy(std::move(policy))
{
}

Poco::Int64 LoginBroker::lifetimeOf(const TokenResult& token, int assumedLifetimeSeconds)
{
	const Poco::Int64 said = token.expiresIn && *token.expiresIn > 0 ? *token.expiresIn : assumedLifetimeSeconds;
	return std::min<Poco::Int64>(MAX_LOGIN_LIFETIME_SECONDS, said);
}

bool LoginBroker::hasStore() const
{
	return _store != nullptr;
}

int LoginBroker::logins() const
{
	return _logins.load();
}

void LoginBroker::event(const std::string& what) const
{
	if (_policy.onEvent) _policy.onEvent(what);
}

template <typename F>
auto LoginBroker::storeCall(F&& call) -> decltype(call())
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

void LoginBroker::storeFailed(const StoreDown& down)
{
	if (_storeFailing.exchange(true)) return;
	const std::string text = "the token store is unavailable (" + down.why + "): logging in without it until it answers again";
	if (_policy.onWarning) _policy.onWarning(text);
	else event(text);
}

std::optional<Login> LoginBroker::readStore()
{
	const std::optional<StoredLogin> stored = storeCall([this] { return readStoredLogin(_provider, *_store, _storeKey); });
	if (_storeFailing.exchange(false)) event("the token store answers again");
	if (!stored) return std::nullopt;
	Login got;
	got.token = stored->token;
	got.lifetime = stored->usableUntil - Poco::Timestamp().epochTime();   // the margin is already taken off
	got.usableUntil = stored->usableUntil;
	got.fromStore = true;
	return got;
}

std::optional<Login> LoginBroker::stored()
{
	if (!_store) return std::nullopt;
	try
	{
		return readStore();
	}
	catch (const StoreDown& down)
	{
		storeFailed(down);
		return std::nullopt;
	}
}

Login LoginBroker::logIn(bool putInStore)
{
	++_logins;
	event("fetching a new " + _provider.name() + " token");
	Login got;
	// A fresh assertion (new jti) for every try: an IdP that refuses replays
	// may already have consumed the one sent before a 5xx.
	got.token = _client.exchange([this, &got] {
		got.assertion = _assertions.next();
		return got.assertion;
	});
	got.lifetime = lifetimeOf(got.token, _policy.assumedLifetimeSeconds);
	got.margin = std::min<Poco::Int64>(std::max(0, _policy.refreshMarginSeconds), got.lifetime / 2);
	got.usableUntil = Poco::Timestamp().epochTime() + got.lifetime - got.margin;
	if (putInStore && _store && got.token.raw)
	{
		StoredToken stored;
		stored.accessToken = got.token.accessToken;
		stored.responseJson = objectToJson(*got.token.raw);
		stored.expiresAt = got.usableUntil;
		stored.label = _label;
		try
		{
			storeCall([&] { _store->put(_storeKey, stored); });
			got.stored = true;
		}
		catch (const StoreDown& down)
		{
			// The store only saves logins: one that cannot be written costs a login elsewhere.
			storeFailed(down);
		}
	}
	return got;
}

Login LoginBroker::underLock(bool refresh)
{
	const Poco::Timestamp waitStarted;
	const int waitSeconds = std::max(0, std::min(_policy.lockWaitSeconds, _store->lockTimeoutSeconds()));
	long pauseMs = 50;
	bool told = false;
	for (;;)
	{
		if (storeCall([this] { return _store->tryLock(_storeKey); }))
		{
			struct Unlock
			{
				LoginBroker& b;
				~Unlock()
				{
					try
					{
						b._store->unlock(b._storeKey);
					}
					catch (...)
					{
						// It expires on its own (the lock's time-out).
					}
				}
			} unlock{*this};
			if (!refresh)
				if (auto got = readStore()) return *got;   // stored while we took the lock
			return logIn(true);
		}
		// Another process is logging in: wait for its token, bounded (a holder that died loses the lock by then).
		if (!told)
		{
			event("another process is fetching the " + _provider.name() + " token: waiting for it");
			told = true;
		}
		if (waitStarted.isElapsed(static_cast<Poco::Timestamp::TimeDiff>(waitSeconds) * Poco::Timestamp::resolution()))
		{
			event("no token from the process holding the login lock within " + std::to_string(waitSeconds) + " s: fetching without it");
			return logIn(true);
		}
		Poco::Thread::sleep(pauseMs);
		pauseMs = std::min<long>(pauseMs * 2, 500);
		if (!refresh)
			if (auto got = readStore()) return *got;
	}
}

Login LoginBroker::obtain(bool refresh)
{
	if (!_store) return logIn(false);
	try
	{
		if (!refresh)
			if (auto got = readStore()) return *got;
		return underLock(refresh);
	}
	catch (const StoreDown& down)
	{
		storeFailed(down);
		return logIn(false);
	}
}

void LoginBroker::forget(const std::string& rejectedToken)
{
	if (!_store) return;
	try
	{
		_store->removeIf(_storeKey, rejectedToken);
	}
	catch (const std::exception&)
	{
		// An unavailable store: its entry ends on its own.
	}
}

void LoginBroker::forgetAll()
{
	if (!_store) return;
	try
	{
		_store->remove(_storeKey);
	}
	catch (const std::exception&)
	{
		// An unavailable store: its entry ends on its own.
	}
}

} // namespace jwtflow
