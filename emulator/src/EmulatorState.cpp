//
// EmulatorState.cpp
//
// Library: jwtflow emulator
//
// SPDX-License-Identifier: BSL-1.0
//
#include "EmulatorHandlers.h"
#include "jwtflow/Encoding.h"
#include <Poco/RandomStream.h>
#include <Poco/SHA1Engine.h>
#include <Poco/Timestamp.h>

namespace jwtflow {
namespace emulator {

namespace {

std::string randomText(std::size_t bytes)
{
	std::string raw(bytes, '\0');
	Poco::RandomInputStream rnd;
	rnd.read(&raw[0], static_cast<std::streamsize>(bytes));
	return base64UrlEncode(raw);
}

} // namespace

EmulatorState::EmulatorState(const EmulatorOptions& options, std::string baseUrl):
	_options(options), _baseUrl(std::move(baseUrl))
{
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
	std::lock_guard<std::mutex> lock(_mutex);
	_tokens[token] = info;
	++_issued;
	return token;
}

std::optional<IssuedToken> EmulatorState::lookupToken(const std::string& token) const
{
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _tokens.find(token);
	if (it == _tokens.end()) return std::nullopt;
	return it->second;
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

} // namespace emulator
} // namespace jwtflow
