//
// SessionSubsystem.cpp
//
// Library: jwtflow core
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/SessionSubsystem.h"
#include "jwtflow/Assertion.h"
#include "jwtflow/Exception.h"
#include "jwtflow/SettingsLoader.h"
#include "jwtflow/RedisTokenStore.h"
#include "jwtflow/SecureFiles.h"
#include "jwtflow/TokenStore.h"
#include <Poco/Logger.h>
#include <Poco/String.h>
#include <Poco/NumberParser.h>
#include <Poco/StringTokenizer.h>
#include <Poco/Util/Application.h>
#include <cctype>

namespace jwtflow {

namespace {

const std::string kPrefix = "jwtflow.session";

bool isSettingName(const std::string& key)
{
	if (key.empty() || !std::isupper(static_cast<unsigned char>(key[0]))) return false;
	for (char c: key)
		if (!(std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_')) return false;
	return true;
}

int secondsFrom(const Poco::Util::AbstractConfiguration& config, const std::string& key, int fallback)
{
	if (!config.hasProperty(key)) return fallback;
	std::string text = config.getRawString(key);
	int value = 0;
	if (!Poco::NumberParser::tryParse(text, value) || value < 0)
		throw UsageException("configuration key " + key + " must be a whole number of seconds, not '" + text + "'");
	return value;
}

bool flagFrom(const Poco::Util::AbstractConfiguration& config, const std::string& key)
{
	if (!config.hasProperty(key)) return false;
	std::string text = config.getRawString(key);
	bool value = false;
	if (!Poco::NumberParser::tryParseBool(text, value))
		throw UsageException("configuration key " + key + " must be true or false, not '" + text + "'");
	return value;
}

/// The Redis store of a session: its URL, credentials and time-outs from the configuration,
/// checked now (a wrong password is a configuration error; an unreachable Redis is not).
std::shared_ptr<TokenStore> redisStore(const Poco::Util::AbstractConfiguration& config, const std::string& base,
	const std::string& url, const Provider& provider, const Settings& settings)
{
	RedisStoreOptions o = RedisStoreOptions::fromUrl(url);
	if (config.hasProperty(base + ".storePassword")) o.password = config.getRawString(base + ".storePassword");
	if (config.hasProperty(base + ".storePasswordFile"))
	{
		const std::string path = config.getRawString(base + ".storePasswordFile");
		o.password = readSecretLine(path, "the Redis password file (" + base + ".storePasswordFile)");
	}
	if (config.hasProperty(base + ".storeUsername")) o.username = config.getRawString(base + ".storeUsername");
	if (config.hasProperty(base + ".storeKeyPrefix")) o.keyPrefix = config.getRawString(base + ".storeKeyPrefix");
	o.lockTimeoutSeconds = secondsFrom(config, base + ".storeLockTimeout", o.lockTimeoutSeconds);
	o.operationTimeoutMs = secondsFrom(config, base + ".storeTimeoutMs", o.operationTimeoutMs);
	o.retryAfterFailureMs = secondsFrom(config, base + ".storeRetryAfterMs", o.retryAfterFailureMs);
	SigningKey signing = loadSigningKey(provider, settings);
	auto redis = std::make_shared<RedisTokenStore>(o, std::make_shared<TokenSealer>(signing.key));
	std::string why;
	if (redis->check(why) == RedisTokenStore::Check::Refused)
		throw UsageException("Redis at " + o.host + ":" + std::to_string(o.port) + " refused the session's credentials or database ("
			+ why + "): check " + base + ".storePassword or " + base + ".storePasswordFile (and the database number in " + base + ".store)");
	return redis;
}

} // namespace

SessionSubsystem::SessionSubsystem() = default;

SessionSubsystem::~SessionSubsystem()
{
	uninitialize();
}

void SessionSubsystem::addProvider(const Provider& provider)
{
	_linked[provider.name()] = &provider;
}

const char* SessionSubsystem::name() const
{
	return "jwtflow";
}

Session& SessionSubsystem::session(const std::string& name)
{
	auto it = _sessions.find(name);
	if (it != _sessions.end()) return *it->second;
	std::string known;
	for (const auto& s: _sessions) known += (known.empty() ? "" : ", ") + s.first;
	throw UsageException("no jwtflow session named '" + name + "' is configured" +
		(known.empty() ? std::string(" (add " + kPrefix + "." + name + ".provider to the configuration)")
		               : "; configured: " + known));
}

std::vector<std::string> SessionSubsystem::sessionNames() const
{
	std::vector<std::string> names;
	for (const auto& s: _sessions) names.push_back(s.first);
	return names;
}

PluginRegistry* SessionSubsystem::registry()
{
	return _registry.get();
}

void SessionSubsystem::initialize(Poco::Util::Application& app)
{
	// The real executable, not application.path (derived from argv[0]).
	configure(app.config(), PluginRegistry::executablePath());
}

void SessionSubsystem::configure(const Poco::Util::AbstractConfiguration& config, const std::string& applicationPath)
{
	uninitialize();
	std::vector<std::string> dirs;
	if (config.hasProperty("jwtflow.plugins"))
	{
		Poco::StringTokenizer tok(config.getRawString("jwtflow.plugins"), ":",
			Poco::StringTokenizer::TOK_IGNORE_EMPTY | Poco::StringTokenizer::TOK_TRIM);
		dirs.assign(tok.begin(), tok.end());
	}
	_registry.reset(new PluginRegistry(PluginRegistry::defaultSearchPath(dirs, applicationPath)));

	Poco::Util::AbstractConfiguration::Keys names;
	config.keys(kPrefix, names);
	for (const auto& name: names)
	{
		const std::string base = kPrefix + "." + name;
		if (!config.hasProperty(base + ".provider"))
			throw UsageException("session '" + name + "' names no provider: set " + base + ".provider (e.g. salesforce)");
		const std::string providerName = config.getRawString(base + ".provider");
		const Provider* provider = nullptr;
		auto linked = _linked.find(providerName);
		if (linked != _linked.end()) provider = linked->second;
		else provider = _registry->find(providerName);
		if (!provider)
		{
			std::string why;
			for (const auto& p: _registry->problems()) why += "; " + p.path + ": " + p.message;
			throw UsageException("session '" + name + "': no provider '" + providerName + "' in the plugin folders (" +
				std::to_string(_registry->searchPath().size()) + " searched; set jwtflow.plugins)" + why);
		}

		std::map<std::string, std::string> values;
		Poco::Util::AbstractConfiguration::Keys keys;
		config.keys(base, keys);
		for (const auto& key: keys)
			if (isSettingName(key)) values[key] = config.getRawString(base + "." + key);

		Settings settings;
		settings.addMapLayer("configuration (" + base + ")", values);
		SettingsSources sources;
		sources.useEnvironment = flagFrom(config, base + ".useEnvironment");
		sources.useCurrentDotEnv = false;
		if (config.hasProperty(base + ".envFile")) sources.envFile = config.getRawString(base + ".envFile");
		sources.descriptor = linked != _linked.end() ? nullptr : _registry->descriptorFor(providerName);
		sources.specs = provider->settings();
		for (const auto& spec: coreSettings()) sources.specs.push_back(spec);

		SessionOptions options;
		options.assumedLifetimeSeconds = secondsFrom(config, base + ".assumedLifetime", options.assumedLifetimeSeconds);
		options.refreshMarginSeconds = secondsFrom(config, base + ".refreshMargin", options.refreshMarginSeconds);
		options.timeoutSeconds = secondsFrom(config, base + ".timeout", options.timeoutSeconds);
		const std::string store = config.hasProperty(base + ".store") ? config.getRawString(base + ".store") : "memory";
		if (store == "file") options.shareCliCache = true;
		else if (store != "memory" && Poco::toLower(store).compare(0, 5, "redis") != 0)
			throw UsageException("configuration key " + base + ".store must be memory (the default), file (the CLI's encrypted "
				"token cache) or redis://host:port/database, not '" + store + "'");
		// Told of fetches, waits and store trouble (never of tokens), in the application's log.
		Poco::Logger& logger = Poco::Logger::get(base);
		options.onEvent = [&logger](const std::string& what) { logger.information(what); };
		try
		{
			loadLayeredSettings(settings, sources);
			for (const auto& spec: provider->settings())
				if (spec.required && !settings.get(spec.name))
					throw UsageException("missing setting " + spec.name + " (" + spec.help + "): set " + base + "." + spec.name +
						" in the configuration");
			if (Poco::toLower(store).compare(0, 5, "redis") == 0) options.store = redisStore(config, base, store, *provider, settings);
			_sessions[name].reset(new Session(*provider, std::move(settings), std::move(options)));
		}
		catch (const InputException& e)
		{
			throw InputException("session '" + name + "': " + e.message());
		}
		catch (const UsageException& e)
		{
			throw UsageException("session '" + name + "': " + e.message());
		}
	}
}

void SessionSubsystem::uninitialize()
{
	_sessions.clear();   // sessions before the providers they use
	_registry.reset();
}

} // namespace jwtflow
