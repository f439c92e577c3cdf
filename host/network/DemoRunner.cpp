//
// DemoRunner.cpp
//
// Program: jwtflow
//
// SPDX-License-Identifier: BSL-1.0
//
#include "DemoRunner.h"
#include "jwtflow/Assertion.h"
#include "jwtflow/Encoding.h"
#include "jwtflow/Exception.h"
#include "jwtflow/FederatedSources.h"
#include "jwtflow/HttpClient.h"
#include "jwtflow/Json.h"
#include "jwtflow/SecureFiles.h"
#include "jwtflow/Jwt.h"
#include "jwtflow/KeyFactory.h"
#include "jwtflow/TokenClient.h"
#include "jwtflow/emulator/Emulator.h"
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/Path.h>
#include <algorithm>
#include <iostream>
#include <sys/stat.h>

namespace jwtflow {
namespace host {

namespace {

const char* const DEMO_CLIENT_ID = "3MVG9demo.jwtflow.consumer.key";
const char* const DEMO_USER = "demo.user@jwtflow.example";
const char* const DEMO_COMMUNITY_USER = "community.user@jwtflow.example";
const char* const DEMO_COMMUNITY = "/customers";
const char* const DEMO_APP_ID = "6f1d2c3b-4a59-4e8d-9c7b-1a2b3c4d5e6f";
const char* const DEMO_OIDC_CLIENT = "0oademojwtflowclient";
const char* const DEMO_OIDC_KID = "demo-key-1";
const char* const DEMO_SERVICE_ACCOUNT = "demo@jwtflow-demo.iam.gserviceaccount.com";
const char* const DEMO_WORKLOAD_SUBJECT = "system:serviceaccount:demo:jwtflow";
const char* const DEMO_SERVICE_ACCOUNT_KEY_ID = "0123456789abcdef0123456789abcdef01234567";

std::string indent(const std::string& text)
{
	std::string out = "    ";
	for (char c: text)
	{
		out += c;
		if (c == '\n') out += "    ";
	}
	return out;
}

/// The token response with every secret shortened, for showing.
Poco::JSON::Object::Ptr shownResponse(const Poco::JSON::Object& raw)
{
	Poco::JSON::Object::Ptr shown = newJsonObject();
	for (const auto& name: raw.getNames())
	{
		if (name == "access_token" || name == "signature") shown->set(name, shorten(jsonString(raw, name)));
		else shown->set(name, raw.get(name));
	}
	return shown;
}

std::string shortenLink(const std::string& link, const std::string& token)
{
	auto pos = link.find(token);
	if (token.empty() || pos == std::string::npos) return link;
	return link.substr(0, pos) + token.substr(0, 8) + "..." + link.substr(pos + token.size());
}

} // namespace

DemoRunner::DemoRunner(PluginRegistry& registry, const Console& console, int timeoutSeconds):
	_registry(registry), _console(console), _timeout(timeoutSeconds)
{
}

void DemoRunner::step(const std::string& title)
{
	std::cout << "\n[" << ++_stepNumber << "] " << title << "\n";
}

DemoRunner::DemoKeys DemoRunner::makeKeys(const std::string& dir)
{
	step("make an RSA-2048 key and a self-signed certificate in " + dir);
	PrivateKey key = KeyFactory::generateRsa(2048);
	CertificateRequest req;
	req.commonName = "jwtflow demo";
	req.days = 1;
	Certificate cert = KeyFactory::issue(key, req);
	DemoKeys keys{key, cert, Poco::Path(dir, "private_key.pem").toString(), Poco::Path(dir, "certificate.pem").toString(), dir};
	writeNewFile(keys.keyPath, keys.key.toPem(), 0600);
	writeNewFile(keys.certPath, keys.cert.toPem(), 0644);
	std::cout << "    private key: " << keys.keyPath << " (mode 0600)\n    certificate: " << keys.certPath
		<< "\n    x5t: " << keys.cert.x5t() << "   x5t#S256: " << keys.cert.x5tS256() << "\n";
	return keys;
}

emulator::EmulatorOptions DemoRunner::emulatorOptions(const DemoKeys& keys)
{
	step("start the emulator and register the certificate for each provider's app (Salesforce connected app, Entra app, OIDC client, Google service account)");
	emulator::EmulatorOptions options;
	options.apps.push_back({DEMO_CLIENT_ID, keys.cert, ""});
	options.apps.push_back({DEMO_APP_ID, keys.cert, ""});
	options.apps.back().federated.push_back({"", DEMO_WORKLOAD_SUBJECT, DEFAULT_FEDERATED_AUDIENCE});
	options.apps.push_back({DEMO_OIDC_CLIENT, keys.cert, DEMO_OIDC_KID});
	options.apps.push_back({DEMO_SERVICE_ACCOUNT, keys.cert, DEMO_SERVICE_ACCOUNT_KEY_ID});
	options.users = {DEMO_USER, DEMO_COMMUNITY_USER};
	options.communities = {DEMO_COMMUNITY};
	options.googlePools.emplace_back();
	options.googlePools.back().serviceAccountUsers.emplace_back(DEMO_SERVICE_ACCOUNT, DEMO_WORKLOAD_SUBJECT);
	options.workDir = Poco::Path(keys.dir, "emulator").toString();
	return options;
}

std::vector<Provider*> DemoRunner::providersInDemoOrder()
{
	std::vector<Provider*> providers = _registry.providers();
	const std::vector<std::string> order = {"salesforce", "salesforce-community", "azure-ad", "oidc", "google"};
	auto rank = [&](Provider* p) {
		auto it = std::find(order.begin(), order.end(), p->name());
		return it == order.end() ? order.size() : static_cast<std::size_t>(it - order.begin());
	};
	std::stable_sort(providers.begin(), providers.end(), [&](Provider* a, Provider* b) { return rank(a) < rank(b); });
	return providers;
}

bool DemoRunner::runProvider(Provider& provider, const DemoKeys& keys, const emulator::Emulator& emu, const std::string& tenant)
{
	std::map<std::string, std::string> values = {
		{"CLIENT_ID", DEMO_CLIENT_ID},
		{"PATH_PRIVATE_KEY", keys.keyPath},
		{"PATH_CERTIFICATE", keys.certPath},
		{"CA_FILE", emu.caFile()},
	};
	const std::string name = provider.name();
	if (name == "salesforce")
	{
		values["SUBJECT"] = DEMO_USER;
		// The emulator's URL stands for the org's My Domain: the request goes there (LOGIN_URL) while
		// aud stays the production login host, as with a real org.
		values["LOGIN_URL"] = emu.baseUrl();
		values["AUDIENCE"] = "https://login.salesforce.com";
		values["RET_URL"] = "/lightning/page/home";
		runSalesforce(provider, values, false);
	}
	else if (name == "salesforce-community")
	{
		values["SUBJECT"] = DEMO_COMMUNITY_USER;
		values["AUDIENCE"] = emu.baseUrl() + DEMO_COMMUNITY;
		runSalesforce(provider, values, true);
	}
	else if (name == "azure-ad")
	{
		values["CLIENT_ID"] = DEMO_APP_ID;
		values["TENANT_ID"] = tenant;
		values["AUTHORITY"] = emu.baseUrl();
		values["SCOPE"] = "https://graph.microsoft.com/.default";
		runAzure(provider, values, keys, emu);
	}
	else if (name == "oidc")
	{
		values["CLIENT_ID"] = DEMO_OIDC_CLIENT;
		values["KEY_ID"] = DEMO_OIDC_KID;
		values["ISSUER"] = emu.baseUrl() + "/oidc";
		values["SCOPE"] = "api.read";
		values["DISCOVERY_CACHE_SECONDS"] = "0";   // the demo leaves nothing in ~/.cache
		runExchange(provider, values, "discovery at " + values["ISSUER"] + "/.well-known/openid-configuration, then ");
	}
	else if (name == "google")
	{
		values.erase("PATH_PRIVATE_KEY");
		values["KEY_FILE"] = writeServiceAccountKey(keys, emu.baseUrl() + "/google/token");
		values["SCOPE"] = "https://www.googleapis.com/auth/cloud-platform";
		runExchange(provider, values, "");
		values.erase("KEY_FILE");
		values.erase("CLIENT_ID");
		values.erase("PATH_CERTIFICATE");
		runGoogleFederation(provider, values, keys, emu);
	}
	else
	{
		std::cout << "\n(" << name << ": no demo profile; skipped)\n";
		return false;
	}
	return true;
}

std::string DemoRunner::writeServiceAccountKey(const DemoKeys& keys, const std::string& tokenUri)
{
	const std::string keyFile = Poco::Path(keys.dir, "service-account.json").toString();
	Poco::JSON::Object sa(Poco::JSON_PRESERVE_KEY_ORDER);
	sa.set("type", "service_account");
	sa.set("project_id", "jwtflow-demo");
	sa.set("private_key_id", DEMO_SERVICE_ACCOUNT_KEY_ID);
	sa.set("private_key", keys.key.toPem());
	sa.set("client_email", DEMO_SERVICE_ACCOUNT);
	sa.set("token_uri", tokenUri);
	writeNewFile(keyFile, objectToJson(sa), 0600);
	std::cout << "\n    service-account key file: " << keyFile << " (mode 0600)";
	return keyFile;
}

int DemoRunner::run()
{
	std::cout << "jwtflow demo: the whole JWT flow against the built-in emulator (loopback HTTPS, no account needed)\n";
	// A fresh folder from mkdtemp (0700); every file in it is created new with its final mode.
	PrivateTempDir folder("jwtflow-demo");
	const DemoKeys keys = makeKeys(folder.path());
	const emulator::EmulatorOptions options = emulatorOptions(keys);
	emulator::Emulator emu(options);
	emu.start();
	std::cout << "    listening on " << emu.baseUrl() << ", trusting its test CA " << emu.caFile() << "\n";

	int failures = 0;
	int ran = 0;
	for (Provider* provider: providersInDemoOrder())
	{
		try
		{
			if (runProvider(*provider, keys, emu, options.tenant)) ++ran;
		}
		catch (const Poco::Exception& e)
		{
			++failures;
			std::cout << "    FAILED: " << messageFor(e) << "\n";
		}
	}
	for (const auto& problem: _registry.problems())
		_console.note("jwtflow: warning: skipped plugin " + problem.path + ": " + problem.message);
	const int tokens = emu.tokensIssued();
	const int connections = emu.connectionsAccepted();
	emu.stop();
	if (ran == 0)
		throw UsageException("no provider plugin to demonstrate: build the plugins (they land in <build>/plugins.d) or give --plugins DIR");
	std::cout << "\n" << (failures ? "demo finished with " + std::to_string(failures) + " failure(s)" : "demo finished: every flow worked")
		<< " (" << tokens << " token(s) issued, " << connections << " TLS connection(s) accepted)\n";
	if (!failures)
		std::cout << "\nnext: jwtflow --help lists the commands; jwtflow <provider> --help a provider's settings; man jwtflow.\n"
			"      Getting set up with a real Salesforce External Client App, Entra app or Google service account:\n"
			"      getting-set-up.md and user-guide.md in /usr/share/doc/jwtflow (docs/ in the source; README.md's\n"
			"      \"Install\" puts a source build's jwtflow on PATH).\n";
	return failures ? static_cast<int>(ExitCode::Network) : 0;
}

void DemoRunner::runSalesforce(Provider& provider, const std::map<std::string, std::string>& values, bool community)
{
	Settings settings;
	settings.addMapLayer("demo", values);
	settings.addDefaults(provider.settings());
	const std::string label = provider.name();

	step(label + ": mint the JWT assertion (jwtflow " + label + " jwt)");
	AssertionMinter minter(provider, settings);
	MintedAssertion jwt = minter.mint();
	std::cout << "    header: " << objectToJson(*jwt.header) << "\n    claims: " << objectToJson(*jwt.claims) << "\n"
		<< "    JWT:    " << jwt.compact.substr(0, 60) << "... (" << jwt.compact.size() << " characters)\n";

	step(label + ": exchange it for an access token (jwtflow " + label + " token)");
	HttpClient http(httpOptionsFrom(settings, _timeout));
	TokenClient client(provider, settings, http);
	TokenRequest request = provider.tokenRequest(settings, jwt.compact);
	std::cout << "    POST " << request.url << "\n";
	TokenResult token = client.exchange(jwt.compact);
	std::cout << indent(objectToJson(*shownResponse(*token.raw), 2)) << "\n";

	std::string idUrl = provider.identityUrl(token, settings);
	if (!idUrl.empty())
	{
		step(label + ": ask who the token is (jwtflow " + label + " whoami)");
		Poco::JSON::Object::Ptr identity = client.bearerGet(idUrl, token.accessToken);
		std::cout << "    GET " << idUrl << "\n    username: " << jsonString(*identity, "username")
			<< "\n    user id:  " << jsonString(*identity, "user_id") << "\n    org id:   " << jsonString(*identity, "organization_id") << "\n";
	}

	step(label + ": frontdoor links that open the " + std::string(community ? "community" : "org") + " as the user (jwtflow " + label + " frontdoor)");
	FrontdoorPlan plan = provider.frontdoor(token, settings, false);
	std::cout << "    sid link:        " << shortenLink(plan.url, urlEncode(token.accessToken)) << "\n";
	FrontdoorPlan single = provider.frontdoor(token, settings, true);
	if (!single.singleAccessEndpoint.empty())
	{
		Poco::JSON::Object::Ptr answer = client.bearerPost(single.singleAccessEndpoint, single.singleAccessForm, token.accessToken);
		std::cout << "    single-use link: " << jsonString(*answer, "frontdoor_uri").substr(0, 90) << "...\n";
	}
	std::cout << "    (" << http.connectionsOpened() << " TLS connection(s) for " << label << ", kept alive between requests)\n";
}

void DemoRunner::runExchange(Provider& provider, const std::map<std::string, std::string>& values, const std::string& how)
{
	Settings settings;
	settings.addMapLayer("demo", values);
	settings.addDefaults(provider.settings());
	const std::string label = provider.name();
	const std::string alg = settings.get("JWT_ALGORITHM") ? " --alg " + *settings.get("JWT_ALGORITHM") : "";
	step(label + ": mint the JWT (jwtflow " + label + " jwt" + alg + ")");
	AssertionMinter minter(provider, settings);
	MintedAssertion jwt = minter.mint();
	std::cout << "    header: " << objectToJson(*jwt.header) << "\n    claims: " << objectToJson(*jwt.claims) << "\n";
	step(label + ": " + how + "exchange it for an access token (jwtflow " + label + " token" + alg + ")");
	HttpClient http(httpOptionsFrom(settings, _timeout));
	TokenClient client(provider, settings, http);
	std::cout << "    POST " << provider.tokenRequest(settings, jwt.compact).url << "\n";
	TokenResult token = client.exchange(jwt.compact);
	std::cout << indent(objectToJson(*shownResponse(*token.raw), 2)) << "\n";
}

void DemoRunner::runAzure(Provider& provider, std::map<std::string, std::string> values, const DemoKeys& keys,
	const emulator::Emulator& emu)
{
	for (const char* alg: {"RS256", "PS256"})
	{
		values["JWT_ALGORITHM"] = alg;
		runExchange(provider, values, std::string("client credentials with the ") + alg + " assertion: ");
	}
	// Workload identity: the same app, no key at all — a token its issuer projected into the "pod".
	step("azure-ad: workload identity, no private key: a federated token file (CLIENT_ASSERTION_FILE, or AKS's "
		"AZURE_FEDERATED_TOKEN_FILE) as the client assertion");
	const std::string file = Poco::Path(keys.dir, "azure-identity-token").toString();
	writeNewFile(file, emu.mintWorkloadToken(DEMO_WORKLOAD_SUBJECT, DEFAULT_FEDERATED_AUDIENCE, 600), 0600);
	std::cout << "    " << file << ": a token of " << emu.workloadIssuer() << " for " << DEMO_WORKLOAD_SUBJECT << "\n";
	values.erase("PATH_PRIVATE_KEY");
	values.erase("PATH_CERTIFICATE");
	values.erase("JWT_ALGORITHM");
	values["CLIENT_ASSERTION_FILE"] = file;
	runFederated(provider, values, "client_assertion: the token file's JWT");
}

void DemoRunner::runGoogleFederation(Provider& provider, std::map<std::string, std::string> values, const DemoKeys& keys,
	const emulator::Emulator& emu)
{
	step("google: workload identity federation, no key: an external_account file whose token file STS exchanges, then IAM "
		"generateAccessToken for the service account");
	const std::string tokenFile = Poco::Path(keys.dir, "gcp-token").toString();
	const emulator::WorkloadPoolProvider pool;
	writeNewFile(tokenFile, emu.mintWorkloadToken(DEMO_WORKLOAD_SUBJECT, "https://iam.googleapis.com/" + pool.name, 600), 0600);
	Poco::JSON::Object source;
	source.set("file", tokenFile);
	Poco::JSON::Object config(Poco::JSON_PRESERVE_KEY_ORDER);
	config.set("type", "external_account");
	config.set("audience", pool.audience());
	config.set("subject_token_type", "urn:ietf:params:oauth:token-type:jwt");
	config.set("token_url", emu.baseUrl() + "/sts/v1/token");
	config.set("service_account_impersonation_url", emu.baseUrl() + "/iamcredentials/v1/projects/-/serviceAccounts/"
		+ std::string(DEMO_SERVICE_ACCOUNT) + ":generateAccessToken");
	config.set("credential_source", source);
	const std::string file = Poco::Path(keys.dir, "wif.json").toString();
	writeNewFile(file, toJson(config, 2) + "\n", 0644);
	std::cout << "    " << file << ": audience " << pool.audience() << "\n    " << tokenFile << ": a token of "
		<< emu.workloadIssuer() << " for " << DEMO_WORKLOAD_SUBJECT << "\n";
	values["KEY_FILE"] = file;
	runFederated(provider, values, "subject_token: the token file's JWT; then POST its service_account_impersonation_url");
}

void DemoRunner::runFederated(Provider& provider, const std::map<std::string, std::string>& values, const std::string& sent)
{
	Settings settings;
	settings.addMapLayer("demo", values);
	settings.addDefaults(provider.settings());
	HttpClient http(httpOptionsFrom(settings, _timeout));
	TokenClient client(provider, settings, http);
	const std::unique_ptr<ClientAssertionSource> assertions = federatedAssertionSource(provider, settings, http);
	std::cout << "    POST " << provider.tokenRequest(settings, assertions->next()).url << " (" << sent << ")\n";
	TokenResult token = client.exchange([&] { return assertions->next(); });
	std::cout << indent(objectToJson(*shownResponse(*token.raw), 2)) << "\n";
}

} // namespace host
} // namespace jwtflow
