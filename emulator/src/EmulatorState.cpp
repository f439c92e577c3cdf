//
// EmulatorState.cpp
//
// Library: jwtflow emulator
//
// SPDX-License-Identifier: BSL-1.0
//
#include "EmulatorHandlers.h"
#include "EndpointSupport.h"
#include "jwtflow/Jwt.h"
#include "jwtflow/Jwk.h"
#include "jwtflow/KeyFactory.h"
#include "jwtflow/Encoding.h"
#include <Poco/RandomStream.h>
#include <Poco/SHA1Engine.h>
#include <Poco/Timestamp.h>
#include <algorithm>
#include <cstdio>

namespace jwtflow {
namespace emulator {

bool hasScope(const IssuedToken& token, const std::string& scope)
{
	return token.scopes.count(scope) > 0 || token.scopes.count("full") > 0;
}

namespace {


} // namespace

EmulatorState::EmulatorState(const EmulatorOptions& options, std::string baseUrl):
	_options(options), _baseUrl(std::move(baseUrl)), _githubRequestToken(randomText(24))
{
	// One account to read from the start (the REST surface's fixture).
	Poco::JSON::Object::Ptr first = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
	first->set("Name", "Emulated Account One");
	first->set("Industry", "Technology");
	_accounts["001000000000001AAA"] = first;
}

Poco::Int64 EmulatorState::now() const
{
	return Poco::Timestamp().epochTime() + _options.clockOffsetSeconds;
}

const RegisteredApp* EmulatorState::app(const std::string& clientId) const
{
	for (const auto& a: _options.apps)
		if (a.clientId == clientId) return &a;
	return nullptr;
}

bool EmulatorState::knowsUser(const std::string& username) const
{
	for (const auto& u: _options.users)
		if (u == username) return true;
	return false;
}

bool EmulatorState::knowsCommunity(const std::string& path) const
{
	for (const auto& c: _options.communities)
		if (c == path) return true;
	return false;
}

std::string EmulatorState::userId(const std::string& username) const
{
	Poco::SHA1Engine sha;
	sha.update(username);
	std::string hex = Poco::DigestEngine::digestToHex(sha.digest()).substr(0, 12);
	for (auto& c: hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
	return "005" + hex + "AAA";
}

std::string EmulatorState::issueToken(const IssuedToken& info)
{
	std::string token = _options.orgId.substr(0, 15) + "!" + randomText(72);
	IssuedToken session = info;
	session.kind = "salesforce";
	session.lastUsed = now();
	std::lock_guard<std::mutex> lock(_mutex);
	_tokens[token] = session;
	++_issued;
	return token;
}

void EmulatorState::registerToken(const std::string& token, const IssuedToken& info)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_tokens[token] = info;
}

std::optional<IssuedToken> EmulatorState::lookupToken(const std::string& token)
{
	const Poco::Int64 t = now();
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _tokens.find(token);
	if (it == _tokens.end()) return std::nullopt;
	IssuedToken& info = it->second;
	const bool valid = info.kind == "salesforce" ? t - info.lastUsed < _options.salesforceSessionSeconds : t < info.expiresAt;
	if (!valid)
	{
		_tokens.erase(it);
		return std::nullopt;
	}
	if (info.kind == "salesforce") info.lastUsed = t;
	return info;
}

bool EmulatorState::revokeToken(const std::string& token)
{
	std::lock_guard<std::mutex> lock(_mutex);
	for (auto it = _otps.begin(); it != _otps.end();)
		it = it->second == token ? _otps.erase(it) : std::next(it);
	return _tokens.erase(token) > 0;
}

void EmulatorState::expireTokens()
{
	std::lock_guard<std::mutex> lock(_mutex);
	_tokens.clear();
	_otps.clear();
}

bool EmulatorState::recordLogin(const std::string& user)
{
	const Poco::Int64 t = now();
	std::lock_guard<std::mutex> lock(_mutex);
	std::vector<Poco::Int64>& times = _logins[user];
	times.erase(std::remove_if(times.begin(), times.end(), [t](Poco::Int64 when) { return when <= t - 3600; }), times.end());
	if (_options.loginRateLimit > 0 && static_cast<int>(times.size()) >= _options.loginRateLimit) return false;
	times.push_back(t);
	++_loginTotals[user];
	return true;
}

int EmulatorState::loginsFor(const std::string& user) const
{
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _loginTotals.find(user);
	return it == _loginTotals.end() ? 0 : it->second;
}

int EmulatorState::apiCallsMade() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _apiCalls;
}

void EmulatorState::countApiCall()
{
	std::lock_guard<std::mutex> lock(_mutex);
	++_apiCalls;
}

Poco::JSON::Object::Ptr EmulatorState::account(const std::string& id) const
{
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _accounts.find(id);
	if (it == _accounts.end()) return nullptr;
	Poco::JSON::Object::Ptr copy = new Poco::JSON::Object(*it->second);
	return copy;
}

std::string EmulatorState::createAccount(Poco::JSON::Object::Ptr fields)
{
	std::lock_guard<std::mutex> lock(_mutex);
	char id[19];
	std::snprintf(id, sizeof id, "001%012dAAA", _nextAccount++);
	_accounts[id] = fields;
	return id;
}

bool EmulatorState::updateAccount(const std::string& id, const Poco::JSON::Object& fields)
{
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _accounts.find(id);
	if (it == _accounts.end()) return false;
	for (const auto& name: fields.getNames()) it->second->set(name, fields.get(name));
	return true;
}

bool EmulatorState::deleteAccount(const std::string& id)
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _accounts.erase(id) > 0;
}

std::string EmulatorState::issueOneTimePassword(const std::string& token)
{
	std::string otp = randomText(32);
	std::lock_guard<std::mutex> lock(_mutex);
	_otps[otp] = token;
	return otp;
}

std::optional<std::string> EmulatorState::redeemOneTimePassword(const std::string& otp)
{
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _otps.find(otp);
	if (it == _otps.end()) return std::nullopt;
	std::string token = it->second;
	_otps.erase(it);
	return token;
}

std::string EmulatorState::openUiSession(const IssuedToken& token)
{
	std::string id = randomText(32);
	std::lock_guard<std::mutex> lock(_mutex);
	_uiSessions[id] = token;
	return id;
}

std::optional<IssuedToken> EmulatorState::uiSession(const std::string& id) const
{
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _uiSessions.find(id);
	if (it == _uiSessions.end()) return std::nullopt;
	return it->second;
}

bool EmulatorState::firstUseOfJwtId(const std::string& jti)
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _jwtIds.insert(jti).second;
}

void EmulatorState::countIssued()
{
	std::lock_guard<std::mutex> lock(_mutex);
	++_issued;
}

int EmulatorState::tokensIssued() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _issued;
}

const PrivateKey& EmulatorState::workloadKey() const
{
	std::call_once(_workloadOnce, [this] { _workloadKey = KeyFactory::generateRsa(2048); });
	return *_workloadKey;
}

std::string EmulatorState::workloadKeyId() const
{
	return jwkThumbprint(workloadKey().publicKey());
}

std::string EmulatorState::mintWorkloadToken(const std::string& subject, const std::string& audience, int lifetimeSeconds) const
{
	Poco::JSON::Object header(Poco::JSON_PRESERVE_KEY_ORDER);
	header.set("alg", "RS256");
	header.set("typ", "JWT");
	header.set("kid", workloadKeyId());
	Poco::JSON::Object claims(Poco::JSON_PRESERVE_KEY_ORDER);
	const Poco::Int64 now = this->now();
	claims.set("iss", workloadIssuer());
	claims.set("sub", subject);
	claims.set("aud", audience);
	claims.set("iat", now);
	claims.set("nbf", lifetimeSeconds < 0 ? now + lifetimeSeconds - 60 : now);
	claims.set("exp", now + lifetimeSeconds);
	claims.set("jti", randomText(12));
	return signJwt(header, claims, workloadKey(), Algorithm::fromName("RS256"));
}

} // namespace emulator
} // namespace jwtflow
