//
// EmulatorCommands.cpp
//
// Program: jwtflow
// `jwtflow emulator` (serve until interrupted) and `jwtflow demo` (the whole
// flow of every provider against the in-process emulator).
//
// SPDX-License-Identifier: BSL-1.0
//
#include "DemoRunner.h"
#include "JwtflowApp.h"
#include "StopSignals.h"
#include "jwtflow/Algorithm.h"
#include "jwtflow/Exception.h"
#include "jwtflow/SafeText.h"
#include "jwtflow/emulator/Emulator.h"
#include <Poco/File.h>
#include <Poco/JSON/Object.h>
#include <Poco/Path.h>
#include <Poco/StringTokenizer.h>
#include <iostream>
#include <pthread.h>

namespace jwtflow {
namespace host {

namespace {

/// --app CLIENT_ID=CERT.pem, or CLIENT_ID=CERT.pem#KEY_ID to require that kid (Google, OIDC).
emulator::RegisteredApp registeredApp(const std::string& text)
{
	auto eq = text.find('=');
	if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
		throw UsageException("--app takes CLIENT_ID=CERT.pem[#KEY_ID], the app's client id and its certificate file");
	std::string cert = text.substr(eq + 1);
	std::string keyId;
	auto hash = cert.rfind('#');
	if (hash != std::string::npos)
	{
		keyId = cert.substr(hash + 1);
		cert = cert.substr(0, hash);
	}
	return {text.substr(0, eq), Certificate::fromFile(cert), keyId};
}

/// The registered app that `--option CLIENT_ID=VALUE` names, and VALUE.
emulator::RegisteredApp& appOf(emulator::EmulatorOptions& options, const std::string& option, const std::string& text,
	const std::string& valueName, std::string& value)
{
	const auto eq = text.find('=');
	if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
		throw UsageException("--" + option + " takes CLIENT_ID=" + valueName);
	const std::string clientId = text.substr(0, eq);
	value = text.substr(eq + 1);
	for (auto& app: options.apps)
		if (app.clientId == clientId) return app;
	throw UsageException("--" + option + " " + clientId + "=...: no app " + clientId + " is registered (--app)");
}

/// --scopes CLIENT_ID=web,api,...: the OAuth scopes of a registered Salesforce app.
void appScopes(emulator::EmulatorOptions& options, const std::string& text)
{
	std::string value;
	emulator::RegisteredApp& app = appOf(options, "scopes", text, "SCOPE,SCOPE... (web, api, id, full, refresh_token ...)", value);
	Poco::StringTokenizer list(value, ", ", Poco::StringTokenizer::TOK_IGNORE_EMPTY | Poco::StringTokenizer::TOK_TRIM);
	app.scopes.assign(list.begin(), list.end());
}

/// --app-alg CLIENT_ID=ALG: the alg an OIDC client's JWK names.
void appAlgorithm(emulator::EmulatorOptions& options, const std::string& text)
{
	std::string value;
	emulator::RegisteredApp& app = appOf(options, "app-alg", text, "ALG (RS256, PS256, ES256 ...)", value);
	app.algorithm = Algorithm::fromName(value).name;
}

/// A community path as the emulator keys it: one leading slash, no trailing one.
std::string communityPath(std::string path)
{
	if (path.empty() || path[0] != '/') path = "/" + path;
	while (path.size() > 1 && path.back() == '/') path.pop_back();
	return path;
}

int numberOption(const std::string& name, const std::string& text, int max)
{
	int value = -1;
	try
	{
		std::size_t used = 0;
		value = std::stoi(text, &used);
		if (used != text.size()) value = -1;
	}
	catch (const std::exception&)
	{
		value = -1;
	}
	if (value < 0 || value > max)
		throw UsageException("--" + name + " '" + text + "' is not a number from 0 to " + std::to_string(max));
	return value;
}

std::string joined(const std::vector<std::string>& items)
{
	std::string text;
	for (const auto& item: items) text += (text.empty() ? "" : ", ") + item;
	return text;
}

/// Runs the emulator until SIGINT or SIGTERM, saying where it listens and what it knows.
void serveUntilStopped(const emulator::EmulatorOptions& options, const Console& console, OutputFormat format)
{
	StopSignals stopSignals;   // before the emulator's threads

	emulator::Emulator emu(options);
	emu.start();
	// What a client needs, as settings: `eval` them (env), or read them (json).
	std::vector<std::pair<std::string, std::string>> vars = {{"EMULATOR_URL", emu.baseUrl()}, {"CA_FILE", emu.caFile()},
		{"ACTIONS_ID_TOKEN_REQUEST_URL", emu.baseUrl() + "/github/idtoken"}, {"ACTIONS_ID_TOKEN_REQUEST_TOKEN", emu.githubRequestToken()}};
	if (!options.googlePools.empty())
		vars.insert(vars.end(), {{"GOOGLE_WORKLOAD_AUDIENCE", options.googlePools.front().audience()},
			{"GOOGLE_STS_URL", emu.baseUrl() + "/sts/v1/token"},
			{"GOOGLE_IAM_URL", emu.baseUrl() + "/iamcredentials/v1/projects/-/serviceAccounts"}});
	if (format == OutputFormat::Env)
	{
		console.envLines(vars);
	}
	else if (format == OutputFormat::Json)
	{
		Poco::JSON::Object out(Poco::JSON_PRESERVE_KEY_ORDER);
		for (const auto& v: vars) out.set(v.first, v.second);
		console.json(out);
	}
	else
	{
		console.result("base URL: " + emu.baseUrl());
		console.result("CA file:  " + emu.caFile());
	}
	std::cout.flush();
	std::vector<std::string> apps;
	for (const auto& a: options.apps) apps.push_back(a.clientId);
	console.note("apps: " + joined(apps) + "; users: " + (options.users.empty() ? "(none: every token request is refused)" : joined(options.users)));
	// The emulator's URL stands for the org's My Domain: the request goes there, aud stays the login host.
	console.note("try: LOGIN_URL=" + emu.baseUrl() + " CA_FILE=" + emu.caFile() + std::string(options.salesforceSandbox
		? " AUDIENCE=https://test.salesforce.com" : "") + " jwtflow salesforce token");
	console.note("workload issuer (federated credentials): " + emu.workloadIssuer() + "; GitHub-like ID tokens: "
		+ emu.baseUrl() + "/github/idtoken");
	if (!options.googlePools.empty())
		console.note("Google workload identity: audience " + options.googlePools.front().audience() + ", token_url " + emu.baseUrl()
			+ "/sts/v1/token, service_account_impersonation_url " + emu.baseUrl()
			+ "/iamcredentials/v1/projects/-/serviceAccounts/EMAIL:generateAccessToken");
	console.note("stop with Ctrl-C");
	console.note("stopping (" + stopSignals.wait() + ")");
	emu.stop();
}

} // namespace

int JwtflowApp::commandEmulator()
{
	emulator::EmulatorOptions options;
	const std::string portText = flagValue("port", "0");
	options.port = numberOption("port", portText, 65535);
	for (const auto& app: _values["app"]) options.apps.push_back(registeredApp(app));
	Settings& s = settings();
	if (options.apps.empty())
	{
		auto id = s.get("CLIENT_ID");
		auto cert = s.get("PATH_CERTIFICATE");
		if (!id || !cert)
			throw UsageException("the emulator needs a registered app: give --app CLIENT_ID=CERT.pem "
				"(or CLIENT_ID and PATH_CERTIFICATE in .env)");
		options.apps.push_back({*id, Certificate::fromFile(*cert), ""});
	}
	options.users = _values["user"];
	if (options.users.empty())
	{
		if (auto sub = s.get("SUBJECT")) options.users.push_back(*sub);
	}
	for (const auto& c: _values["community"]) options.communities.push_back(communityPath(c));
	options.salesforceSandbox = hasFlag("sandbox");
	for (const auto& scopes: _values["scopes"]) appScopes(options, scopes);
	for (const auto& alg: _values["app-alg"]) appAlgorithm(options, alg);
	for (const auto& federated: _values["federated"])
	{
		std::string subject;
		appOf(options, "federated", federated, "SUBJECT (system:serviceaccount:NAMESPACE:NAME, repo:ORG/REPO:ref:refs/heads/main)", subject)
			.federated.push_back({"", subject, "api://AzureADTokenExchange"});
	}
	// One Google workload identity pool provider that trusts the workload issuer; grants as asked.
	options.googlePools.emplace_back();
	for (const auto& grant: _values["google-federation"])
	{
		const std::size_t eq = grant.find('=');
		if (eq == std::string::npos || eq == 0 || eq + 1 == grant.size() || grant.find('@') > eq)
			throw UsageException("--google-federation takes SERVICE_ACCOUNT=SUBJECT (e.g. "
				"deployer@project.iam.gserviceaccount.com=repo:org/repo:ref:refs/heads/main), not '" + safeText(grant, 80) + "'");
		options.googlePools.back().serviceAccountUsers.emplace_back(grant.substr(0, eq), grant.substr(eq + 1));
	}
	options.entraResources = _values["resource"];
	options.salesforceSessionSeconds = numberOption("session-seconds", flagValue("session-seconds",
		std::to_string(options.salesforceSessionSeconds)), 7 * 24 * 3600);
	options.loginRateLimit = numberOption("login-rate-limit", flagValue("login-rate-limit", std::to_string(options.loginRateLimit)), 1000000);
	// --state-dir: its CA kept there across restarts; else a fresh mkdtemp folder of its own.
	if (_values.count("state-dir"))
	{
		options.workDir = Poco::Path(flagValue("state-dir")).absolute().toString();
		options.keepCertificateAuthority = true;
	}
	serveUntilStopped(options, _console, outputFormat());
	return 0;
}

int JwtflowApp::commandDemo()
{
	// Every described provider (and only those: a library without a descriptor is never loaded).
	for (const auto& descriptor: _registry->descriptors()) _registry->find(descriptor.provider);
	DemoRunner demo(*_registry, _console, timeoutSeconds());
	return demo.run();
}

} // namespace host
} // namespace jwtflow
