//
// LoginIdentity.cpp
//
// Library: jwtflow core
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/LoginIdentity.h"
#include "jwtflow/Encoding.h"
#include "jwtflow/Json.h"
#include "jwtflow/SafeText.h"
#include <Poco/Timestamp.h>
#include <set>

namespace jwtflow {

std::vector<SettingSpec> declaredSettings(const Provider& provider)
{
	std::vector<SettingSpec> specs = provider.settings();
	std::set<std::string> names;
	for (const auto& s: specs) names.insert(s.name);
	for (const auto& core: coreSettings())
		if (names.insert(core.name).second) specs.push_back(core);
	return specs;
}

std::map<std::string, std::string> loginIdentity(const Provider& provider, const Settings& settings, const PrivateKey& key,
	const ExtraClaims& extraClaims)
{
	std::map<std::string, std::string> identity = {{"provider", provider.name()}};
	for (const auto& spec: declaredSettings(provider))
	{
		if (spec.secret || !spec.identity) continue;
		// Unset is the same login as its built-in default: a Session without the default layer matches the CLI.
		const std::string value = settings.getOr(spec.name, spec.defaultValue);
		if (!value.empty()) identity[spec.name] = value;
	}
	for (const auto& claim: extraClaims) identity["claim:" + claim.first] = toJson(claim.second);
	identity["public_key_sha256"] = sha256Hex(key.publicKey().toDer());
	return identity;
}

std::string loginLabel(const Provider& provider, const Settings& settings, const PrivateKey* signingKey)
{
	std::string label = provider.name();
	for (const auto& spec: declaredSettings(provider))
		if (spec.label && !spec.secret)
			if (auto v = settings.get(spec.name)) label += " " + spec.name + "=" + safeText(*v, 120);
	label = label.substr(0, 560);
	if (signingKey) label += " key=SHA256:" + sha256Hex(signingKey->publicKey().toDer()).substr(0, 16);
	return label;
}

std::string cacheKey(const std::map<std::string, std::string>& identity)
{
	std::string text;
	for (const auto& item: identity) text += item.first + "=" + item.second + "\n";
	return sha256Hex(text);
}

std::optional<StoredLogin> readStoredLogin(const Provider& provider, TokenStore& store, const std::string& key)
{
	const std::optional<StoredToken> stored = store.get(key);
	if (!stored || stored->expiresAt <= Poco::Timestamp().epochTime()) return std::nullopt;
	try
	{
		StoredLogin login;
		Poco::JSON::Object::Ptr response = parseJsonObject(stored->responseJson);
		login.token = provider.readTokenResponse(*response);
		login.token.raw = response;
		login.usableUntil = stored->expiresAt;
		return login;
	}
	catch (const Poco::Exception&)
	{
		return std::nullopt;   // unreadable: a new login replaces it
	}
}

} // namespace jwtflow
