//
// ProviderActions.cpp
//
// Program: jwtflow
// The actions of `jwtflow <provider> <action>`.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "JwtflowApp.h"
#include "jwtflow/ClientAssertion.h"
#include "CommandTable.h"
#include "jwtflow/SafeText.h"
#include "jwtflow/Suggest.h"
#include "jwtflow/Exception.h"
#include "jwtflow/Json.h"
#include <Poco/JSON/Object.h>
#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/String.h>
#include <algorithm>
#include <iostream>

namespace jwtflow {
namespace host {

ExtraClaims JwtflowApp::extraClaims() const
{
	ExtraClaims claims;
	auto it = _values.find("claim");
	if (it == _values.end()) return claims;
	for (const auto& text: it->second) claims.push_back(parseClaimOption(text));
	return claims;
}

void JwtflowApp::requireSettings(const Provider& provider)
{
	// Every missing setting in one message, with its option and its .env line,
	// and where jwtflow looked.
	Settings& s = settings();
	std::vector<SettingSpec> missing;
	for (const auto& spec: provider.settings())
		if (spec.required && !s.get(spec.name)) missing.push_back(spec);
	if (!s.get("PATH_PRIVATE_KEY") && !usesFederatedCredential(provider, s))
	{
		bool ownKey = false;
		try
		{
			ownKey = provider.privateKey(s).has_value();
		}
		catch (const Poco::Exception&)
		{
			ownKey = true;   // the provider reads a key of its own and says what is wrong with it
		}
		if (!ownKey)
			for (const auto& spec: coreSettings())
				if (spec.name == "PATH_PRIVATE_KEY") missing.push_back(spec);
	}
	if (missing.empty()) return;
	std::string names, options, lines;
	for (const auto& m: missing)
	{
		names += (names.empty() ? "" : ", ") + m.name;
		if (!m.option.empty()) options += (options.empty() ? "" : ", ") + std::string("--") + m.option;
		lines += (lines.empty() ? "" : ", ") + m.name + "=...";
	}
	std::string dotenv;
	if (_values.count("env-file")) dotenv = flagValue("env-file");
	else
	{
		const std::string here = Poco::Path::current();
		dotenv = !Poco::File(here + ".env").exists() ? ".env: none in " + here
			: s.missingNote().empty() ? here + ".env" : here + ".env (not read: not trusted)";
	}
	throw UsageException(std::string(missing.size() == 1 ? "missing setting " : "missing settings ") + names + ": give "
		+ (options.empty() ? "" : options + ", or ") + "put " + lines + " in .env or the environment (looked at the options, "
		"the environment, " + dotenv + (_values.count("config") ? ", " + flagValue("config") : "") + ")"
		+ (s.missingNote().empty() ? "" : "\n(" + s.missingNote() + ")"));
}

int JwtflowApp::runProviderAction(Provider& provider, const std::string& action)
{
	const auto actions = offeredActions(provider);
	if (std::find(actions.begin(), actions.end(), action) == actions.end())
	{
		std::string list;
		for (const auto& a: actions) list += (list.empty() ? "" : ", ") + a;
		const std::string guess = closestName(action, actions);
		throw UsageException("unknown action " + quotedText(action, 40) + " for " + provider.name()
			+ (guess.empty() ? "" : " (did you mean '" + guess + "'?)") + "; available: " + list);
	}
	const CommandSpec* spec = findCommand(action, true);
	if (!spec) throw UsageException("action '" + action + "' of " + provider.name() + " is not available in this jwtflow");
	checkOptionsApply(*spec, &provider);
	_action = action;
	if (!_afterDashes.empty() && action != "exec")
		throw UsageException("words after -- are the program `exec` runs: jwtflow " + provider.name() + " exec -- CMD [ARGS...]");
	if (action != "describe" && action != "doctor") requireSettings(provider);
	return spec->run(*this, &provider);
}

int JwtflowApp::actionJwt(Provider& provider)
{
	OutputFormat format = outputFormat();
	AssertionMinter minter(provider, settings(), extraClaims());
	MintedAssertion jwt = minter.mint();
	switch (format)
	{
	case OutputFormat::Json:
	{
		Poco::JSON::Object out(Poco::JSON_PRESERVE_KEY_ORDER);
		out.set("jwt", jwt.compact);
		out.set("header", jwt.header);
		out.set("claims", jwt.claims);
		_console.json(out);
		break;
	}
	case OutputFormat::Env:
		_console.envLines({{"JWT", jwt.compact}});
		break;
	default:
		_console.result(jwt.compact);
	}
	_console.detail("signed with " + minter.algorithm().name + ", valid for " + std::to_string(minter.lifetimeSeconds()) + " s");
	return 0;
}

int JwtflowApp::actionDescribe(Provider& provider)
{
	OutputFormat format = outputFormat();
	Settings& s = settings();
	Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
	std::string text = provider.name() + ": " + provider.description() + "\n";
	std::vector<SettingSpec> specs = provider.settings();
	for (const auto& s2: coreSettings())
	{
		if (s2.name == "PATH_PUBLIC_KEY") continue;
		bool seen = false;
		for (const auto& e: specs) seen = seen || e.name == s2.name;
		if (!seen) specs.push_back(s2);
	}
	for (const auto& spec: specs)
	{
		SettingValue v = s.lookup(spec.name);
		std::string shown = !v.found ? "(not set)" : spec.secret ? Settings::mask(v.value) : v.value;
		std::string source = v.found ? v.source : (spec.required ? "MISSING (required)" : "");
		if (v.found && v.source == "option" && !spec.option.empty()) source = "option --" + spec.option;
		if (const std::optional<SettingValue> hidden = s.overriddenDotEnv(spec.name)) source += " (overrides " + hidden->source + ")";
		Poco::JSON::Object::Ptr item = newJsonObject();
		item->set("name", spec.name);
		item->set("option", spec.option.empty() ? std::string() : "--" + spec.option);
		item->set("value", v.found ? shown : std::string());
		item->set("set", v.found);
		item->set("source", v.found ? source : std::string());
		item->set("required", spec.required);
		item->set("secret", spec.secret);
		list->add(item);
		std::string left = "  " + spec.name;
		std::string middle = left + std::string(left.size() < 32 ? 32 - left.size() : 1, ' ') + shown;
		text += middle + (source.empty() ? "" : std::string(middle.size() < 72 ? 72 - middle.size() : 2, ' ') + source) + "\n";
	}
	if (format == OutputFormat::Json)
	{
		Poco::JSON::Object out(Poco::JSON_PRESERVE_KEY_ORDER);
		out.set("provider", provider.name());
		out.set("settings", list);
		_console.json(out);
	}
	else
	{
		std::cout << terminalSafe(text);   // values from .env and the environment: shown, not obeyed
	}
	return 0;
}

} // namespace host
} // namespace jwtflow
