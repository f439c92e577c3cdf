//
// TrustCommand.cpp
//
// Program: jwtflow
// `jwtflow trust [FILE] | --list | --revoke [FILE]`: the current folder's .env is
// read only once the user trusted it (DotEnvTrust), as direnv asks for `direnv allow`.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "JwtflowApp.h"
#include "jwtflow/DotEnv.h"
#include "jwtflow/DotEnvTrust.h"
#include "jwtflow/Exception.h"
#include "jwtflow/Json.h"
#include "jwtflow/SafeText.h"
#include <Poco/JSON/Array.h>

namespace jwtflow {
namespace host {

int JwtflowApp::commandTrust()
{
	if (hasFlag("list") && hasFlag("revoke")) throw UsageException("trust takes --list or --revoke, not both");
	if (_words.size() > 1) throw UsageException("trust takes one file: jwtflow trust [FILE] (default ./.env)");
	DotEnvTrust trust;
	if (hasFlag("list"))
	{
		if (!_words.empty()) throw UsageException("trust --list takes no file");
		const std::vector<TrustedDotEnv> entries = trust.list();
		if (outputFormat() == OutputFormat::Json)
		{
			Poco::JSON::Object out(Poco::JSON_PRESERVE_KEY_ORDER);
			Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
			for (const auto& e: entries)
			{
				Poco::JSON::Object::Ptr item = newJsonObject();
				item->set("path", e.path);
				item->set("sha256", e.sha256);
				list->add(item);
			}
			out.set("list", trust.listPath());
			out.set("trusted", list);
			_console.json(out);
			return 0;
		}
		for (const auto& e: entries) _console.result(e.path + "  sha256:" + e.sha256.substr(0, 16) + "...");
		if (entries.empty()) _console.note("no trusted .env files (" + trust.listPath() + ")");
		return 0;
	}
	const std::string file = _words.empty() ? ".env" : _words[0];
	if (hasFlag("revoke"))
	{
		const bool removed = trust.revoke(file);
		_console.result(removed ? "no longer trusted: " + safeText(file, 300) : "was not trusted: " + safeText(file, 300));
		return 0;
	}
	const TrustedDotEnv entry = trust.trust(file);
	std::string names;
	for (const auto& e: parseDotEnv(readEnvFile(entry.path), entry.path)) names += (names.empty() ? "" : ", ") + e.first;
	_console.result("trusted " + entry.path + " (sha256 " + entry.sha256.substr(0, 16) + "...)");
	_console.note("it sets: " + (names.empty() ? std::string("nothing") : names) + "; a change to it must be trusted again");
	return 0;
}

} // namespace host
} // namespace jwtflow
