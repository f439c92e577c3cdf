//
// Settings.cpp
//
// Library: jwtflow core
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/Settings.h"
#include "jwtflow/Exception.h"
#include <Poco/Environment.h>

namespace jwtflow {

void Settings::addLayer(const std::string& source, Getter getter)
{
	_layers.push_back({source, std::move(getter)});
}

void Settings::addMapLayer(const std::string& source, const std::map<std::string, std::string>& values)
{
	addLayer(source, [values](const std::string& name) -> std::optional<std::string> {
		auto it = values.find(name);
		if (it == values.end()) return std::nullopt;
		return it->second;
	});
}

void Settings::addEnvironmentLayer(const std::string& source)
{
	addLayer(source, [](const std::string& name) -> std::optional<std::string> {
		if (!Poco::Environment::has(name)) return std::nullopt;
		std::string v = Poco::Environment::get(name);
		if (v.empty()) return std::nullopt;
		return v;
	});
}

void Settings::addConfigurationLayer(const std::string& source, Poco::AutoPtr<Poco::Util::AbstractConfiguration> config)
{
	addLayer(source, [config](const std::string& name) -> std::optional<std::string> {
		if (!config->has(name)) return std::nullopt;
		return config->getRawString(name);
	});
}

void Settings::addDefaults(const std::vector<SettingSpec>& specs)
{
	std::map<std::string, std::string> values;
	for (const auto& spec: specs)
		if (!spec.defaultValue.empty()) values.emplace(spec.name, spec.defaultValue);
	addMapLayer("default", values);
}

SettingValue Settings::lookup(const std::string& name) const
{
	for (const auto& layer: _layers)
	{
		auto v = layer.get(name);
		if (v && !v->empty()) return {*v, layer.source, true};
	}
	return {};
}

std::optional<std::string> Settings::get(const std::string& name) const
{
	SettingValue v = lookup(name);
	if (!v.found) return std::nullopt;
	return v.value;
}

std::string Settings::getOr(const std::string& name, const std::string& fallback) const
{
	auto v = get(name);
	return v ? *v : fallback;
}

std::string Settings::require(const std::string& name) const
{
	auto v = get(name);
	if (v) return *v;
	throw UsageException("missing setting " + name + ": set it in .env or the environment" + (_missingNote.empty() ? "" : "\n(" + _missingNote + ")"));
}

std::optional<SettingValue> Settings::overriddenDotEnv(const std::string& name) const
{
	std::optional<SettingValue> effective;
	for (const auto& layer: _layers)
	{
		std::optional<std::string> v = layer.get(name);
		if (!v || v->empty()) continue;
		const bool dotEnv = layer.source.rfind(".env", 0) == 0;
		if (!effective)
		{
			if (dotEnv) return std::nullopt;   // .env itself is in effect
			effective = SettingValue{*v, layer.source, true};
		}
		else if (dotEnv && *v != effective->value)
		{
			return SettingValue{*v, layer.source, true};
		}
	}
	return std::nullopt;
}

void Settings::setMissingNote(const std::string& note)
{
	_missingNote = note;
}

const std::string& Settings::missingNote() const
{
	return _missingNote;
}

std::string Settings::mask(const std::string& value)
{
	if (value.empty()) return "(empty)";
	return "******** (" + std::to_string(value.size()) + " characters)";
}

} // namespace jwtflow
