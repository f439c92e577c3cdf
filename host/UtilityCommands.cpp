//
// UtilityCommands.cpp
//
// Program: jwtflow
// providers, verify, decode, version.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "JwtflowApp.h"
#include "jwtflow/Certificate.h"
#include "jwtflow/Encoding.h"
#include "jwtflow/Thumbprint.h"
#include "jwtflow/TokenStore.h"
#include "jwtflow/Exception.h"
#include "jwtflow/Json.h"
#include "jwtflow/Jwt.h"
#include "jwtflow/PluginAbi.h"
#include "jwtflow/SafeText.h"
#include "jwtflow/Version.h"
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Array.h>
#include <Poco/String.h>
#include <iostream>
#include <map>
#include <iterator>
#include <openssl/opensslv.h>

namespace jwtflow {
namespace host {

int JwtflowApp::commandProviders()
{
	// A listing reads the descriptors only; each library is checked in a
	// child process (owner, permissions, ABI, static initializers) and never
	// loaded into this one.
	const std::vector<PluginProblem> refused = _registry->probeAll();
	std::vector<PluginProblem> problems = _registry->problems();
	problems.insert(problems.end(), refused.begin(), refused.end());
	auto isRefused = [&](const PluginDescriptor& d) {
		for (const auto& r: refused)
			if (r.path == d.library) return true;
		return false;
	};
	std::vector<const PluginDescriptor*> usable;
	for (const auto& d: _registry->descriptors())
		if (!isRefused(d)) usable.push_back(&d);
	OutputFormat format = outputFormat();
	if (format == OutputFormat::Json)
	{
		Poco::JSON::Object out(Poco::JSON_PRESERVE_KEY_ORDER);
		Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
		for (const PluginDescriptor* d: usable)
		{
			Poco::JSON::Object::Ptr item = newJsonObject();
			item->set("name", d->provider);
			item->set("description", d->description);
			item->set("descriptor", d->path);
			item->set("library", d->library);
			list->add(item);
		}
		Poco::JSON::Array::Ptr problemList = new Poco::JSON::Array;
		for (const auto& pr: problems)
		{
			Poco::JSON::Object::Ptr item = newJsonObject();
			item->set("path", pr.path);
			item->set("problem", pr.message);
			problemList->add(item);
		}
		out.set("providers", list);
		out.set("refused", problemList);
		_console.json(out);
	}
	else
	{
		for (const PluginDescriptor* d: usable)
		{
			const std::string& name = d->provider;
			_console.result(name + std::string(name.size() < 22 ? 22 - name.size() : 1, ' ') + safeText(d->description, 200));
		}
	}
	for (const auto& pr: problems) _console.note("jwtflow: warning: skipped plugin " + pr.path + ": " + pr.message);
	for (const auto& lib: _registry->librariesWithoutDescriptor())
		_console.note("jwtflow: note: " + lib + " has no descriptor (NAME.properties naming it in plugin.library): not loaded");
	if (usable.empty())
	{
		std::string dirs;
		for (const auto& d: _registry->searchPath()) dirs += (dirs.empty() ? "" : ", ") + d;
		_console.note("no providers found; searched: " + dirs);
	}
	return 0;
}

namespace {

/// A token as people paste it: surrounding blanks, a line break where a terminal wrapped it, an
/// `Authorization` header's "Bearer " in front. None of those can be part of a JWT (base64url and dots).
std::string pastedToken(const std::string& text)
{
	std::string token = Poco::trim(text);
	if (token.size() > 7 && Poco::icompare(token.substr(0, 7), "bearer ") == 0) token = Poco::trim(token.substr(7));
	std::string compact;
	compact.reserve(token.size());
	for (char c: token)
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r') compact += c;
	return compact;
}

} // namespace

std::string JwtflowApp::readTokenArgument() const
{
	std::string token = flagValue("token");
	if (token == "-")
	{
		// At most 1 MiB: a JWT is refused past 64 KiB anyway (decodeJwt says so).
		std::string in;
		char buf[8192];
		while (in.size() <= (1u << 20) && std::cin.read(buf, sizeof buf).gcount() > 0)
			in.append(buf, static_cast<std::size_t>(std::cin.gcount()));
		token = in;
	}
	token = pastedToken(token);
	if (token.empty()) throw UsageException("no token given: jwtflow " + _command + " JWT, --token JWT, or - to read standard input");
	return token;
}

namespace {

std::string dateText(const Poco::JSON::Object& claims, const std::string& name)
{
	auto v = numericClaim(claims, name);
	if (!v) return {};
	return Poco::DateTimeFormatter::format(Poco::Timestamp::fromEpochTime(static_cast<std::time_t>(*v)),
		Poco::DateTimeFormat::ISO8601_FORMAT);
}

void showDecoded(const Console& console, OutputFormat format, const DecodedJwt& jwt, const std::string& status)
{
	if (format == OutputFormat::Json)
	{
		Poco::JSON::Object out(Poco::JSON_PRESERVE_KEY_ORDER);
		out.set("header", jwt.header);
		out.set("claims", jwt.claims);
		out.set("signature", status);
		console.json(out);
		return;
	}
	console.result("header: " + objectToJson(*jwt.header, 2));
	console.result("claims: " + objectToJson(*jwt.claims, 2));
	for (const char* c: {"iat", "nbf", "exp"})
	{
		std::string when;
		try
		{
			when = dateText(*jwt.claims, c);
		}
		catch (const Poco::Exception&)
		{
		}
		if (!when.empty()) console.result(std::string(c) + ": " + when);
	}
}

} // namespace

int JwtflowApp::commandDecode()
{
	DecodedJwt jwt = decodeJwt(readTokenArgument());
	showDecoded(_console, outputFormat(), jwt, "not verified");
	_console.note("note: the signature was NOT verified (use jwtflow verify for that)");
	return 0;
}

int JwtflowApp::commandVerify()
{
	const std::string token = readTokenArgument();
	OutputFormat format = outputFormat();
	Settings& s = settings();
	std::optional<PublicKey> key;
	VerifyOptions options;
	// An explicit option wins over .env: --certificate, then --public-key, then the settings.
	if (_settingOptions.count("PATH_CERTIFICATE"))
	{
		Certificate cert = Certificate::fromFile(_settingOptions["PATH_CERTIFICATE"]);
		key = cert.publicKey();
		options.x5t = cert.x5t();
		options.x5tS256 = cert.x5tS256();
	}
	else if (_settingOptions.count("PATH_PUBLIC_KEY")) key = PublicKey::fromFile(_settingOptions["PATH_PUBLIC_KEY"]);
	else if (auto pub = s.get("PATH_PUBLIC_KEY"))
	{
		// Said under -v (and in the help): without --public-key, the key comes from .env or the environment.
		_console.detail("jwtflow: verify uses PATH_PUBLIC_KEY=" + safeText(*pub) + " from " + s.lookup("PATH_PUBLIC_KEY").source);
		key = PublicKey::fromFile(*pub);
	}
	else if (auto cert = s.get("PATH_CERTIFICATE"))
	{
		_console.detail("jwtflow: verify uses PATH_CERTIFICATE=" + safeText(*cert) + " from " + s.lookup("PATH_CERTIFICATE").source);
		key = Certificate::fromFile(*cert).publicKey();
	}
	else throw UsageException("verify needs a key: give --public-key FILE or --certificate FILE (or PATH_PUBLIC_KEY in .env)");

	if (_settingOptions.count("JWT_ALGORITHM"))
	{
		const Algorithm& alg = Algorithm::fromName(_settingOptions["JWT_ALGORITHM"]);
		options.algorithms = {alg.name};
	}
	else
	{
		options.algorithms = Algorithm::namesForKey(key->type());
	}
	if (_settingOptions.count("ISSUER")) options.issuer = _settingOptions["ISSUER"];
	if (_settingOptions.count("SUBJECT")) options.subject = _settingOptions["SUBJECT"];
	if (_settingOptions.count("AUDIENCE")) options.audience = _settingOptions["AUDIENCE"];
	DecodedJwt jwt = verifyJwt(token, *key, options);
	showDecoded(_console, format, jwt, "verified");
	_console.note("valid: signature (" + jwt.algorithm() + ") and time claims check out"
		+ std::string(options.issuer ? ", iss" : "") + (options.subject ? ", sub" : "") + (options.audience ? ", aud" : "")
		+ (options.issuer || options.subject || options.audience ? " match" : ""));
	return 0;
}

int JwtflowApp::commandThumbprint()
{
	std::optional<Certificate> cert;
	std::string sha1;
	if (_settingOptions.count("PATH_CERTIFICATE"))
	{
		cert = Certificate::fromFile(_settingOptions["PATH_CERTIFICATE"]);
		sha1 = cert->sha1Thumbprint();
	}
	else if (_settingOptions.count("CERTIFICATE_THUMBPRINT"))
	{
		sha1 = parseSha1Thumbprint(_settingOptions["CERTIFICATE_THUMBPRINT"]);
	}
	else
	{
		throw UsageException("thumbprint needs --certificate FILE or --thumbprint THUMBPRINT");
	}
	std::vector<std::pair<std::string, std::string>> rows = {
		{"x5t", base64UrlEncode(sha1)},
	};
	if (cert) rows.push_back({"x5t#S256", cert->x5tS256()});
	rows.push_back({"sha1_hex", hexEncode(sha1, true)});
	rows.push_back({"sha1_base64", base64Encode(sha1)});
	if (cert) rows.push_back({"sha256_hex", hexEncode(cert->sha256Thumbprint(), true)});
	OutputFormat format = outputFormat();
	if (format == OutputFormat::Json)
	{
		Poco::JSON::Object out(Poco::JSON_PRESERVE_KEY_ORDER);
		for (const auto& r: rows) out.set(r.first, r.second);
		_console.json(out);
	}
	else if (format == OutputFormat::Env)
	{
		std::vector<std::pair<std::string, std::string>> vars;
		for (const auto& r: rows)
		{
			std::string name = Poco::toUpper(r.first);
			Poco::replaceInPlace(name, std::string("#"), std::string("_"));
			vars.push_back({name, r.second});
		}
		_console.envLines(vars);
	}
	else
	{
		const std::map<std::string, std::string> labels = {{"x5t", "x5t (SHA-1, base64url)"},
			{"x5t#S256", "x5t#S256 (SHA-256, base64url)"}, {"sha1_hex", "SHA-1 hex (Azure portal)"},
			{"sha1_base64", "SHA-1 padded base64"}, {"sha256_hex", "SHA-256 hex"}};
		std::size_t width = 0;
		for (const auto& l: labels) width = std::max(width, l.second.size());
		// One column for the values, whatever the labels' lengths.
		for (const auto& r: rows)
		{
			const std::string& label = labels.at(r.first);
			_console.result(label + std::string(width - label.size() + 2, ' ') + r.second);
		}
	}
	return 0;
}

int JwtflowApp::commandVersion()
{
	_console.result(std::string("jwtflow ") + JWTFLOW_VERSION);
	_console.detail(std::string("plugin ABI ") + std::to_string(JWTFLOW_PLUGIN_ABI_VERSION) + ", POCO "
		+ std::to_string((POCO_VERSION >> 24) & 0xFF) + "." + std::to_string((POCO_VERSION >> 16) & 0xFF) + ", "
		+ OPENSSL_VERSION_TEXT + (PluginRegistry::isSingleExecutable()
			? "; single file: POCO, OpenSSL, the network commands and the five providers built in"
			: "; shared libraries, providers from plugins.d"));
	return 0;
}

int JwtflowApp::commandCache()
{
	if (_words.empty() || (_words[0] != "list" && _words[0] != "clear") || (_words[0] == "list" && _words.size() > 1) || _words.size() > 2)
		throw UsageException("cache needs what to do: jwtflow cache list, or jwtflow cache clear [PROVIDER] [--profile NAME]");
	// Listing and clearing read only the files' headers: no key is needed, none is opened.
	FileTokenStore store(FileTokenStore::defaultFolder(), nullptr, [this](const std::string& note) { _console.detail(note); });
	if (_words[0] == "clear")
	{
		const std::string provider = _words.size() == 2 ? _words[1] : "";
		if (!provider.empty() && !_registry->find(provider)) _registry->get(provider);   // the "unknown provider" message, with a guess
		// Only a profile named here: an exported JWTFLOW_PROFILE does not narrow what `cache clear` removes.
		const std::string profile = flagValue("profile");
		int removed = 0;
		if (provider.empty() && profile.empty())
		{
			removed = store.clear();
		}
		else
		{
			// The label names the provider first and the profile as JWTFLOW_PROFILE=NAME.
			removed = store.clear([&](const CachedEntry& e) {
				const bool providerMatches = provider.empty() || e.label.rfind(provider + " ", 0) == 0 || e.label == provider;
				const bool profileMatches = profile.empty() || (" " + e.label + " ").find(" JWTFLOW_PROFILE=" + profile + " ") != std::string::npos;
				return providerMatches && profileMatches;
			});
		}
		if (!store.problem().empty()) throw InputException(store.problem());
		_console.result("removed " + std::to_string(removed) + " cached login(s)" + (provider.empty() ? "" : " of " + provider)
			+ (profile.empty() ? "" : " of profile " + profile) + " from " + store.folder());
		return 0;
	}
	if (outputFormat() == OutputFormat::Env)
		throw UsageException("cache list prints text or json (--output json): a list of logins is no set of variables");
	const std::vector<CachedEntry> entries = store.list();
	if (!store.problem().empty()) throw InputException(store.problem());
	const Poco::Int64 now = Poco::Timestamp().epochTime();
	if (outputFormat() == OutputFormat::Json)
	{
		Poco::JSON::Object out(Poco::JSON_PRESERVE_KEY_ORDER);
		Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
		for (const auto& e: entries)
		{
			Poco::JSON::Object::Ptr item = newJsonObject();
			item->set("login", e.label);
			item->set("provider", e.label.substr(0, e.label.find(' ')));
			item->set("used_until", e.expiresAt);
			item->set("valid", e.expiresAt > now);
			item->set("file", e.file);
			list->add(item);
		}
		out.set("folder", store.folder());
		out.set("logins", list);
		_console.json(out);
		return 0;
	}
	for (const auto& e: entries)
	{
		const std::string when = Poco::DateTimeFormatter::format(Poco::Timestamp::fromEpochTime(static_cast<std::time_t>(e.expiresAt)),
			Poco::DateTimeFormat::ISO8601_FORMAT);
		_console.result(safeText(e.label, 600) + "  " + (e.expiresAt > now ? "used until " + when : "expired " + when));
		_console.detail("  " + e.file);
	}
	if (entries.empty()) _console.note("no cached logins in " + store.folder());
	return 0;
}

} // namespace host
} // namespace jwtflow
