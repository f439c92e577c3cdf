//
// RedisStoreMaker.cpp
//
// Library: jwtflow net
// The Redis TOKEN_STORE URLs — redis://, rediss:// (TLS), redis-sentinel://
// and rediss-sentinel:// — with their sub-settings, and their registration.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/RedisTokenStore.h"
#include "jwtflow/Exception.h"
#include "jwtflow/SafeText.h"
#include "jwtflow/SecureFiles.h"
#include <Poco/NumberParser.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>
#include <Poco/URI.h>

namespace jwtflow {

namespace {

const char* const URL_FORMS = "redis://host:port/database, rediss://host:port/database (TLS), "
	"redis-sentinel://host:port[,host:port...]/database#master or rediss-sentinel://... (TLS)";

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

[[noreturn]] void notARedisUrl(const std::string& url, const std::string& why = "")
{
	throw UsageException("'" + safeText(url, 100) + "' is not a Redis store URL" + (why.empty() ? "" : " (" + why + ")")
		+ ": use " + URL_FORMS);
}

int databaseOf(const std::string& path)
{
	if (path.empty() || path == "/") return 0;
	int db = -1;
	if (path[0] != '/' || !Poco::NumberParser::tryParse(path.substr(1), db) || db < 0 || db > 1000000)
		throw UsageException("the Redis URL's path must be a database number (redis://host:port/0), not '" + safeText(path, 40) + "'");
	return db;
}

/// host:port (port defaulting), refusing what is not one.
std::pair<std::string, int> hostAndPort(const std::string& url, const std::string& text, int defaultPort)
{
	const auto colon = text.rfind(':');
	std::string host = colon == std::string::npos ? text : text.substr(0, colon);
	int port = defaultPort;
	if (colon != std::string::npos && !Poco::NumberParser::tryParse(text.substr(colon + 1), port)) port = -1;
	if (host.empty() || port < 1 || port > 65535 || host.find_first_of("@[]/ ") != std::string::npos)
		notARedisUrl(url, "'" + safeText(text, 60) + "' is not host:port");
	return {host, port};
}

/// redis-sentinel://host:port[,host:port...]/database#master: several hosts, which Poco::URI does not take.
void parseSentinelUrl(const std::string& url, const std::string& rest, RedisStoreOptions& o)
{
	const auto hash = rest.find('#');
	if (hash == std::string::npos || hash + 1 == rest.size()) notARedisUrl(url, "a sentinel URL names its master after #");
	o.masterName = rest.substr(hash + 1);
	const std::string beforeHash = rest.substr(0, hash);
	const auto slash = beforeHash.find('/');
	const std::string hosts = beforeHash.substr(0, slash);
	if (hosts.find('@') != std::string::npos)
		throw UsageException("put no password in the Redis URL (it would show wherever the URL does): give it with the password "
			"setting or a password file");
	if (beforeHash.find('?') != std::string::npos) notARedisUrl(url, "no query");
	o.database = databaseOf(slash == std::string::npos ? "" : beforeHash.substr(slash));
	Poco::StringTokenizer list(hosts, ",", Poco::StringTokenizer::TOK_TRIM);
	for (const auto& h: list) o.sentinels.push_back(hostAndPort(url, h, 26379));
	if (o.sentinels.empty()) notARedisUrl(url, "no sentinel named");
}

} // namespace

std::string RedisStoreOptions::sentinelList() const
{
	std::string text;
	for (const auto& s: sentinels) text += (text.empty() ? "" : ",") + s.first + ":" + std::to_string(s.second);
	return text;
}

RedisStoreOptions RedisStoreOptions::fromUrl(const std::string& url)
{
	RedisStoreOptions o;
	const auto separator = url.find("://");
	if (separator == std::string::npos) notARedisUrl(url);
	const std::string scheme = Poco::toLower(url.substr(0, separator));
	if (scheme == "redis-sentinel" || scheme == "rediss-sentinel")
	{
		o.tls = scheme == "rediss-sentinel";
		parseSentinelUrl(url, url.substr(separator + 3), o);
		return o;
	}
	if (scheme != "redis" && scheme != "rediss") notARedisUrl(url);
	o.tls = scheme == "rediss";
	Poco::URI uri;
	try
	{
		uri = Poco::URI(url);
	}
	catch (const Poco::Exception&)
	{
		notARedisUrl(url);
	}
	if (uri.getHost().empty()) notARedisUrl(url, "no host");
	if (!uri.getUserInfo().empty())
		throw UsageException("put no password in the Redis URL (it would show wherever the URL does): give it with the password "
			"setting or a password file");
	if (!uri.getQuery().empty() || !uri.getFragment().empty()) notARedisUrl(url, "no query or fragment");
	o.host = uri.getHost();
	o.port = uri.getPort() ? uri.getPort() : 6379;
	o.database = databaseOf(uri.getPath());
	return o;
}

RedisStoreOptions RedisStoreOptions::fromSettings(const std::string& url, const Settings& settings,
	const std::function<std::string(const std::string&)>& nameOf)
{
	auto named = [&nameOf](const std::string& name) { return nameOf ? nameOf(name) : name; };
	RedisStoreOptions o = fromUrl(url);
	if (auto password = settings.get("REDIS_PASSWORD")) o.password = *password;
	if (auto file = settings.get("REDIS_PASSWORD_FILE"))
		o.password = readSecretLine(*file, "the Redis password file (" + named("REDIS_PASSWORD_FILE") + ")");
	if (auto user = settings.get("REDIS_USERNAME")) o.username = *user;
	if (auto password = settings.get("REDIS_SENTINEL_PASSWORD")) o.sentinelPassword = *password;
	if (auto file = settings.get("REDIS_SENTINEL_PASSWORD_FILE"))
		o.sentinelPassword = readSecretLine(*file, "the Redis sentinels' password file (" + named("REDIS_SENTINEL_PASSWORD_FILE") + ")");
	if (auto user = settings.get("REDIS_SENTINEL_USERNAME")) o.sentinelUsername = *user;
	if (auto prefix = settings.get("REDIS_KEY_PREFIX")) o.keyPrefix = *prefix;
	const bool tlsFiles = settings.get("REDIS_CA_FILE") || settings.get("REDIS_CERT_FILE") || settings.get("REDIS_KEY_FILE");
	if (tlsFiles && !o.tls)
		throw UsageException(named("REDIS_CA_FILE") + ", " + named("REDIS_CERT_FILE") + " and " + named("REDIS_KEY_FILE")
			+ " are for a TLS store: use rediss:// (or rediss-sentinel://)");
	o.caFile = settings.getOr("REDIS_CA_FILE", "");
	o.certFile = settings.getOr("REDIS_CERT_FILE", "");
	o.keyFile = settings.getOr("REDIS_KEY_FILE", "");
	if (o.certFile.empty() != o.keyFile.empty())
		throw UsageException("a client certificate for Redis takes both " + named("REDIS_CERT_FILE") + " and " + named("REDIS_KEY_FILE"));
	if (!o.caFile.empty()) checkTrustedFile(o.caFile, "the Redis CA file (" + named("REDIS_CA_FILE") + ")", TrustedFileKind::Content);
	if (!o.keyFile.empty()) checkTrustedFile(o.keyFile, "the Redis client key (" + named("REDIS_KEY_FILE") + ")", TrustedFileKind::Secret);
	o.lockTimeoutSeconds = whole(settings, "REDIS_LOCK_TIMEOUT", o.lockTimeoutSeconds, 1, 3600, nameOf);
	o.operationTimeoutMs = whole(settings, "REDIS_TIMEOUT_MS", o.operationTimeoutMs, 1, 60000, nameOf);
	o.retryAfterFailureMs = whole(settings, "REDIS_RETRY_AFTER_MS", o.retryAfterFailureMs, 0, 600000, nameOf);
	o.maxValueBytes = static_cast<std::size_t>(whole(settings, "REDIS_MAX_VALUE_BYTES", static_cast<int>(o.maxValueBytes),
		4096, 64 * 1024 * 1024, nameOf));
	return o;
}

void registerRedisTokenStore(TokenStoreFactory& factory)
{
	if (factory.has("redis")) return;
	auto make = [](const std::string& spec, const TokenStoreContext& context) -> std::shared_ptr<TokenStore> {
		static const Settings none;
		const RedisStoreOptions options = RedisStoreOptions::fromSettings(spec, context.settings ? *context.settings : none, context.nameOf);
		auto redis = std::make_shared<RedisTokenStore>(options, context.sealer, context.onNote);
		std::string why;
		const RedisTokenStore::Check check = redis->check(why);
		if (check == RedisTokenStore::Check::Refused)
			throw UsageException("the token store " + safeText(spec, 120) + " refused this configuration (" + why + "): check "
				+ context.named("REDIS_PASSWORD") + " or " + context.named("REDIS_PASSWORD_FILE") + " (and " + context.named("REDIS_USERNAME")
				+ "), the database number, and for TLS " + context.named("REDIS_CA_FILE") + ", in " + context.where);
		if (check == RedisTokenStore::Check::Unreachable && context.onWarning)
			context.onWarning("the token store " + safeText(spec, 120) + " does not answer (" + why + "): logging in without it");
		return redis;
	};
	for (const char* scheme: {"redis", "rediss", "redis-sentinel", "rediss-sentinel"})
		factory.registerScheme(scheme, make, std::string(scheme) + "://" + (std::string(scheme).find("sentinel") != std::string::npos
			? "host:port[,host:port...]/database#master" : "host:port/database"));
}

} // namespace jwtflow
