//
// RedisStoreMaker.cpp
//
// Library: jwtflow net
// redis://host:port/database as a TOKEN_STORE, with its sub-settings.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/RedisTokenStore.h"
#include "jwtflow/Exception.h"
#include "jwtflow/SafeText.h"
#include "jwtflow/SecureFiles.h"
#include <Poco/NumberParser.h>

namespace jwtflow {

namespace {

int whole(const Settings& settings, const std::string& name, int fallback, int low, int high,
	const std::function<std::string(const std::string&)>& nameOf)
{
	const std::optional<std::string> text = settings.get(name);
	if (!text) return fallback;
	int value = 0;
	if (!Poco::NumberParser::tryParse(*text, value) || value < low || value > high)
		throw UsageException((nameOf ? nameOf(name) : name) + " " + quotedText(*text, 40) + " must be a whole number from "
			+ std::to_string(low) + " to " + std::to_string(high));
	return value;
}

} // namespace

RedisStoreOptions RedisStoreOptions::fromSettings(const std::string& url, const Settings& settings,
	const std::function<std::string(const std::string&)>& nameOf)
{
	auto named = [&nameOf](const std::string& name) { return nameOf ? nameOf(name) : name; };
	RedisStoreOptions o = fromUrl(url);
	if (auto password = settings.get("REDIS_PASSWORD")) o.password = *password;
	if (auto file = settings.get("REDIS_PASSWORD_FILE"))
		o.password = readSecretLine(*file, "the Redis password file (" + named("REDIS_PASSWORD_FILE") + ")");
	if (auto user = settings.get("REDIS_USERNAME")) o.username = *user;
	if (auto prefix = settings.get("REDIS_KEY_PREFIX")) o.keyPrefix = *prefix;
	o.lockTimeoutSeconds = whole(settings, "REDIS_LOCK_TIMEOUT", o.lockTimeoutSeconds, 1, 3600, nameOf);
	o.operationTimeoutMs = whole(settings, "REDIS_TIMEOUT_MS", o.operationTimeoutMs, 1, 60000, nameOf);
	o.retryAfterFailureMs = whole(settings, "REDIS_RETRY_AFTER_MS", o.retryAfterFailureMs, 0, 600000, nameOf);
	return o;
}

void registerRedisTokenStore(TokenStoreFactory& factory)
{
	if (factory.has("redis")) return;
	factory.registerScheme("redis", [](const std::string& spec, const TokenStoreContext& context) -> std::shared_ptr<TokenStore> {
		static const Settings none;
		const RedisStoreOptions options = RedisStoreOptions::fromSettings(spec, context.settings ? *context.settings : none, context.nameOf);
		auto redis = std::make_shared<RedisTokenStore>(options, context.sealer, context.onNote);
		std::string why;
		const RedisTokenStore::Check check = redis->check(why);
		if (check == RedisTokenStore::Check::Refused)
			throw UsageException("Redis at " + options.host + ":" + std::to_string(options.port) + " refused the credentials or database ("
				+ why + "): check " + context.named("REDIS_PASSWORD") + " or " + context.named("REDIS_PASSWORD_FILE") + " (and "
				+ context.named("REDIS_USERNAME") + "), and the database number in " + context.where);
		if (check == RedisTokenStore::Check::Unreachable && context.onWarning)
			context.onWarning("the token store " + safeText(spec, 120) + " does not answer (" + why + "): logging in without it");
		return redis;
	}, "redis://host:port/database");
}

} // namespace jwtflow
