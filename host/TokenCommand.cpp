//
// TokenCommand.cpp
//
// Program: jwtflow
// `jwtflow <provider> token`: a usable token from the login cache is printed
// in-process (no network module, no POCO Net/NetSSL, no libssl loaded); a
// miss, --no-cache or --refresh goes to the network module's exchange.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "JwtflowApp.h"
#include "jwtflow/ClientAssertion.h"
#include "LoginCache.h"
#include "jwtflow/Json.h"
#include "ExecCredential.h"
#include <Poco/Environment.h>
#include <Poco/String.h>
#include <iostream>

namespace jwtflow {
namespace host {

int JwtflowApp::tokenFromCacheOrNetwork(Provider& provider)
{
	const CacheChoice choice = cacheChoiceFor(settings(), CacheChoice{!hasFlag("no-cache"), hasFlag("refresh")});
	// Another store is read by the network module; a federated login has no key to seal a cache with.
	if (choice.use && !choice.refresh && choice.store == "file" && !usesFederatedCredential(provider, settings()))
	{
		// Usage errors are the same with or without a cached login.
		outputFormat();
		timeoutSeconds();
		extraClaims();
		LoginCache cache = openLoginCache(provider, settings(), _console, signingKey(provider), extraClaims());
		if (auto cached = readCachedLogin(provider, cache, _console)) return deliverToken(cached->token, cached->usableUntil);
	}
	return runNetwork(&provider, "token");
}

int JwtflowApp::deliverToken(const TokenResult& token, Poco::Int64 usableUntil)
{
	if (_action == "exec") return execWithToken(token);
	printToken(token, usableUntil);
	return 0;
}

void JwtflowApp::printToken(const TokenResult& t, Poco::Int64 usableUntil)
{
	if (execCredentialOutput())
	{
		std::cout << execCredential(t.accessToken, usableUntil, Poco::Environment::get("KUBERNETES_EXEC_INFO", "")) << std::flush;
		return;
	}
	const OutputFormat format = outputFormat();
	if (format == OutputFormat::Json)
	{
		if (t.raw)
		{
			_console.json(*t.raw);
		}
		else
		{
			Poco::JSON::Object::Ptr obj = newJsonObject();
			obj->set("access_token", t.accessToken);
			_console.json(*obj);
		}
	}
	else if (format == OutputFormat::Env)
	{
		std::vector<std::pair<std::string, std::string>> vars = {{"ACCESS_TOKEN", t.accessToken}};
		if (!t.instanceUrl.empty()) vars.push_back({"INSTANCE_URL", t.instanceUrl});
		if (!t.identityUrl.empty()) vars.push_back({"IDENTITY_URL", t.identityUrl});
		if (!t.tokenType.empty()) vars.push_back({"TOKEN_TYPE", t.tokenType});
		if (t.expiresIn) vars.push_back({"EXPIRES_IN", std::to_string(*t.expiresIn)});
		for (const auto& e: t.extra)
			if (e.first != "signature") vars.push_back({Poco::toUpper(e.first), e.second});
		_console.envLines(vars);
	}
	else
	{
		_console.result(t.accessToken);
	}
}

} // namespace host
} // namespace jwtflow
