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
#include "jwtflow/LoginIdentity.h"
#include "jwtflow/Suggest.h"
#include "jwtflow/TokenStore.h"
#include <Poco/Logger.h>
#include <Poco/String.h>
#include <Poco/NumberParser.h>
#include <Poco/StringTokenizer.h>
#include <Poco/Util/Application.h>
#include <cctype>
#include <map>
#include <set>

namespace jwtflow {

namespace {

const std::string kPrefix = "jwtflow.session";

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

/// The configuration keys of a session that are not settings.
const std::set<std::string>& sessionKeys()
{
	static const std::set<std::string> keys = {"provider", "envFile", "useEnvironment", "assumedLifetime", "refreshMargin", "timeout", "store"};
	return keys;
}

/// The store's sub-settings under the names earlier versions took (still taken): key -> setting.
const std::map<std::string, std::string>& storeAliases()
{
	static const std::map<std::string, std::string> aliases = {{"storePassword", "REDIS_PASSWORD"},
		{"storePasswordFile", "REDIS_PASSWORD_FILE"}, {"storeUsername", "REDIS_USERNAME"}, {"storeKeyPrefix", "REDIS_KEY_PREFIX"},
		{"storeLockTimeout", "REDIS_LOCK_TIMEOUT"}, {"storeTimeoutMs", "REDIS_TIMEOUT_MS"}, {"storeRetryAfterMs", "REDIS_RETRY_AFTER_MS"}};
	return aliases;
}

/// The session's keys as settings (aliases mapped), refusing a key that is neither a session key nor a declared setting.
std::map<std::string, std::string> sessionValues(const Poco::Util::AbstractConfiguration& config, const std::string& base,
	const Provider& provider, std::map<std::string, std::string>& aliasUsed)
{
	std::vector<std::string> known(sessionKeys().begin(), sessionKeys().end());
	std::set<std::string> settingNames;
	for (const auto& spec: declaredSettings(provider))
	{
		settingNames.insert(spec.name);
		known.push_back(spec.name);
	}
	for (const auto& a: storeAliases()) known.push_back(a.first);
	std::map<std::string, std::string> values;
	Poco::Util::AbstractConfiguration::Keys keys;
	config.keys(base, keys);
	for (const auto& key: keys)
	{
		if (sessionKeys().count(key)) continue;
		auto alias = storeAliases().find(key);
		if (alias != storeAliases().end())
		{
			values[alias->second] = config.getRawString(base + "." + key);
			aliasUsed[alias->second] = key;
		}
		else if (settingNames.count(key))
		{
			values[key] = config.getRawString(base + "." + key);
		}
		else
		{
			// A typo would otherwise be a setting silently not set.
			const std::string guess = closestName(key, known);
			throw UsageException("configuration key " + base + "." + key + " is neither a setting of " + provider.name()
				+ " nor a session key" + (guess.empty() ? std::string() : " (did you mean " + base + "." + guess + "?)"));
		}
	}
	return values;
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

		std::map<std::string, std::string> aliasUsed;
		const std::map<std::string, std::string> values = sessionValues(config, base, *provider, aliasUsed);

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
		// The store in TOKEN_STORE's words, by .store or the TOKEN_STORE setting (the same parser as the CLI's).
		const std::string storeKey = config.hasProperty(base + ".store") ? base + ".store" : base + ".TOKEN_STORE";
		if (config.hasProperty(base + ".store") && values.count("TOKEN_STORE") && values.at("TOKEN_STORE") != config.getRawString(base + ".store"))
			throw UsageException("session '" + name + "' names two stores: " + base + ".store and " + base + ".TOKEN_STORE differ; give one");
		options.storeSpec = config.hasProperty(storeKey) ? config.getRawString(storeKey) : "memory";
		options.storeWhere = storeKey;
		options.storeNameOf = [base, aliasUsed](const std::string& setting) {
			auto used = aliasUsed.find(setting);
			return base + "." + (used != aliasUsed.end() ? used->second : setting);
		};
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
