//
// TokenStore.cpp
//
// Library: jwtflow core
// The store interface and the memory store.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/TokenStore.h"
#include <Poco/Timestamp.h>

namespace jwtflow {

// ---- TokenStore ----

TokenStore::~TokenStore() = default;

void TokenStore::setClock(std::function<Poco::Timestamp()> clock)
{
	_clock = std::move(clock);
}

bool TokenStore::removeIf(const std::string& key, const std::string& accessToken)
{
	auto stored = get(key);
	if (!stored || stored->accessToken != accessToken) return false;
	remove(key);
	return true;
}

int TokenStore::lockTimeoutSeconds() const
{
	return 30;
}

Poco::Int64 TokenStore::nowSeconds() const
{
	return (_clock ? _clock() : Poco::Timestamp()).epochTime();
}

// ---- MemoryTokenStore ----

std::optional<StoredToken> MemoryTokenStore::get(const std::string& key)
{
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _tokens.find(key);
	if (it == _tokens.end() || it->second.expiresAt <= nowSeconds()) return std::nullopt;
	return it->second;
}

void MemoryTokenStore::put(const std::string& key, const StoredToken& token)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_tokens[key] = token;
}

void MemoryTokenStore::remove(const std::string& key)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_tokens.erase(key);
}

bool MemoryTokenStore::tryLock(const std::string& key)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (_locks[key]) return false;
	_locks[key] = true;
	return true;
}

void MemoryTokenStore::unlock(const std::string& key)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_locks.erase(key);
}

} // namespace jwtflow
