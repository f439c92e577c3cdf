//
// Settings.h
//
// Library: jwtflow core
// Layered settings (DESIGN.md): command-line options > process environment >
// .env > --config properties > plugins.d/<provider>.properties > built-in defaults.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_SETTINGS_INCLUDED
#define JWTFLOW_SETTINGS_INCLUDED

#include "jwtflow/Export.h"
#include <Poco/Util/AbstractConfiguration.h>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace jwtflow {

struct JWTFLOW_API SettingSpec
	/// One setting a provider (or the host) reads.
{
	std::string name;           /// the environment / .env / properties name, e.g. CLIENT_ID
	std::string option;         /// the long option without dashes, e.g. client-id; empty: no option
	std::string help;           /// one line for --help and describe
	bool required = false;      /// the action cannot run without it
	std::string defaultValue;   /// built-in default, empty for none
	bool secret = false;        /// masked by describe, never logged
	std::string valueName = "VALUE"; /// placeholder in --help
	bool identity = true;       /// changes the token a login returns, so it is part of the login identity
	                            /// (the cache key); never a secret's value. False for what only says how
	                            /// (a lifetime, a CA file, a path whose key is identified by its public key).
	bool label = false;         /// named in the login's one-line label (`jwtflow cache list`)
	bool rare = false;          /// few need it (keys in a token, the shared store): help names it on one line
};

struct JWTFLOW_API SettingValue
	/// A looked-up value and where it came from.
{
	std::string value;
	std::string source;  /// "option --client-id", "environment", ".env (/path/.env)", ...
	bool found = false;
};

class JWTFLOW_API Settings
	/// An ordered stack of setting layers, highest priority first.
	/// Each lookup walks the layers and reports where the value came from.
{
public:
	using Getter = std::function<std::optional<std::string>(const std::string&)>;

	void addLayer(const std::string& source, Getter getter);
		/// Adds a layer below the existing ones.

	void addMapLayer(const std::string& source, const std::map<std::string, std::string>& values);
		/// Adds a layer holding a fixed map (options, .env, defaults).

	void addEnvironmentLayer(const std::string& source = "environment");
		/// Adds the process environment; an empty variable counts as unset.

	void addConfigurationLayer(const std::string& source, Poco::AutoPtr<Poco::Util::AbstractConfiguration> config);
		/// Adds a POCO configuration (a properties file); values are taken raw, without ${} expansion.

	void addDefaults(const std::vector<SettingSpec>& specs);
		/// Adds a "default" layer from the specs' default values.

	SettingValue lookup(const std::string& name) const;
		/// The value from the highest layer that has name.

	std::optional<std::string> get(const std::string& name) const;
		/// The value, or nullopt when no layer has it (or it is empty).

	std::string getOr(const std::string& name, const std::string& fallback) const;

	std::string require(const std::string& name) const;
		/// The value; throws UsageException "missing setting NAME: set it in .env
		/// or the environment" when absent (the jwtflow program adds the option).

	std::optional<SettingValue> overriddenDotEnv(const std::string& name) const;
		/// The value a `.env` layer (source ".env (PATH)") gives name when a higher
		/// layer that is not a `.env` (the environment, an option) overrides it with
		/// another value; nullopt otherwise. For describe and -v: an exported
		/// CLIENT_ID silently beating the one in .env is a classic hunt.

	void setMissingNote(const std::string& note);
		/// A line require() adds to its "missing setting" message (the untrusted .env that was not read).

	const std::string& missingNote() const;

	static std::string mask(const std::string& value);
		/// How describe shows a secret: "******** (N characters)"; "(empty)" for "".

private:
	struct Layer
	{
		std::string source;
		Getter get;
	};
	std::vector<Layer> _layers;
	std::string _missingNote;
};

} // namespace jwtflow

#endif // JWTFLOW_SETTINGS_INCLUDED
