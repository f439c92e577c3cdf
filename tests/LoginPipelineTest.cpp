//
// LoginPipelineTest.cpp: one login pipeline (issue 24). The login identity is
// computed in one place from what the provider declares, extra claims
// included: `oidc token --claim role=admin` and `--claim role=reader` are two
// logins (the second was handed the cached admin token), and the CLI and an
// embedded Session with the same settings and claims share one cache entry.
// The signing key is loaded once per run: one read of a PKCS#12 file and of
// its passphrase file for a `token` that misses the cache (it was three).
//
#include "EmulatorSupport.h"
#include "TestSupport.h"
#include "jwtflow/LoginBroker.h"
#include "jwtflow/LoginIdentity.h"
#include "jwtflow/PluginRegistry.h"
#include "jwtflow/Session.h"
#include <cstdlib>
#include <gtest/gtest.h>
#include <sys/stat.h>

using namespace testing_support;

namespace {

const char* const CLIENT = "0oaPipelineClient";
const char* const KID = "pipeline-key";

} // namespace

TEST(LoginPipeline, ClaimsArePartOfTheIdentityAndTheCliAndASessionShareOneLogin)
{
	TempDir dir;
	auto emu = startEmulator(dir, CLIENT, {}, KID);
	const std::string key = dir.write("private_key.pem", readFile(sharedKeys().rsaPkcs8));
	const std::map<std::string, std::string> values = {{"CLIENT_ID", CLIENT}, {"KEY_ID", KID}, {"SCOPE", "api.read"},
		{"PATH_PRIVATE_KEY", key}, {"ISSUER", emu->baseUrl() + "/oidc"}, {"CA_FILE", emu->caFile()}};
	std::string env;
	for (const auto& v: values) env += v.first + "=" + v.second + "\n";
	dir.write(".env", env);
	::mkdir(dir.file("cache").c_str(), 0700);
	const std::map<std::string, std::string> cache = {{"XDG_CACHE_HOME", dir.file("cache")}};

	RunResult admin = runJwtflow({"oidc", "token", "--claim", "role=admin"}, dir.path(), cache);
	ASSERT_EQ(admin.exitCode, 0) << admin.err;
	RunResult reader = runJwtflow({"oidc", "token", "--claim", "role=reader"}, dir.path(), cache);
	ASSERT_EQ(reader.exitCode, 0) << reader.err;
	EXPECT_NE(reader.out, admin.out) << "another claim is another login, not the cached admin token";
	RunResult again = runJwtflow({"oidc", "token", "--claim", "role=admin"}, dir.path(), cache);
	EXPECT_EQ(again.out, admin.out) << "the same claim: the cached login";
	RunResult none = runJwtflow({"oidc", "token"}, dir.path(), cache);
	EXPECT_NE(none.out, admin.out);
	EXPECT_EQ(emu->tokensIssued(), 3);

	// An embedded Session with the same settings and claims uses the CLI's login: no request.
	::setenv("XDG_CACHE_HOME", dir.file("cache").c_str(), 1);
	jwtflow::PluginRegistry registry{{JWTFLOW_PLUGIN_DIR}};
	const jwtflow::Provider& oidc = registry.get("oidc");
	auto session = [&](const std::string& role) {
		jwtflow::Settings settings;
		settings.addMapLayer("test", values);
		jwtflow::SessionOptions options;
		options.shareCliCache = true;
		options.extraClaims = {{"role", Poco::Dynamic::Var(role)}};
		return std::make_unique<jwtflow::Session>(oidc, std::move(settings), std::move(options));
	};
	auto adminSession = session("admin");
	EXPECT_EQ(adminSession->accessToken(), trim(admin.out));
	EXPECT_EQ(adminSession->fetches(), 0);
	// A claim the CLI never asked for: the session logs in and the CLI then uses its login.
	auto auditorSession = session("auditor");
	const std::string auditor = auditorSession->accessToken();
	EXPECT_EQ(auditorSession->fetches(), 1);
	EXPECT_EQ(trim(runJwtflow({"oidc", "token", "--claim", "role=auditor"}, dir.path(), cache).out), auditor);
	EXPECT_EQ(emu->tokensIssued(), 4);
	::unsetenv("XDG_CACHE_HOME");
}

TEST(LoginPipeline, TheIdentityHoldsWhatChangesTheTokenAndNothingElse)
{
	jwtflow::PluginRegistry registry{{JWTFLOW_PLUGIN_DIR}};
	const jwtflow::Provider& salesforce = registry.get("salesforce");
	const jwtflow::PrivateKey key = jwtflow::PrivateKey::fromFile(sharedKeys().rsaPkcs8);
	auto identity = [&](std::map<std::string, std::string> values, jwtflow::ExtraClaims claims = {}) {
		jwtflow::Settings settings;
		settings.addMapLayer("test", values);
		return jwtflow::cacheKey(jwtflow::loginIdentity(salesforce, settings, key, claims));
	};
	const std::map<std::string, std::string> base = {{"CLIENT_ID", "3MVG9a"}, {"SUBJECT", "u@example.com"}};
	auto with = [&](const std::string& name, const std::string& value) {
		auto v = base;
		v[name] = value;
		return identity(v);
	};
	const std::string same = identity(base);
	// How, not who: the same login.
	EXPECT_EQ(with("RET_URL", "/lightning"), same);
	EXPECT_EQ(with("JWT_LIFETIME", "120"), same);
	EXPECT_EQ(with("CA_FILE", "/etc/ca.pem"), same);
	EXPECT_EQ(with("PATH_PRIVATE_KEY", "/elsewhere/same-key.pem"), same) << "the key counts by its public key, not its path";
	EXPECT_EQ(with("PRIVATE_KEY_PASSPHRASE", "secret"), same) << "never a secret";
	// Who, where and what: another login.
	EXPECT_NE(with("SUBJECT", "v@example.com"), same);
	EXPECT_NE(with("AUDIENCE", "https://test.salesforce.com"), same);
	EXPECT_NE(with("LOGIN_URL", "https://acme.my.salesforce.com"), same);
	EXPECT_NE(identity(base, {{"role", Poco::Dynamic::Var("admin")}}), same);
	EXPECT_NE(identity(base, {{"role", Poco::Dynamic::Var("admin")}}), identity(base, {{"role", Poco::Dynamic::Var("reader")}}));
	EXPECT_NE(jwtflow::cacheKey(jwtflow::loginIdentity(salesforce, [&] {
		jwtflow::Settings s;
		s.addMapLayer("test", base);
		return s;
	}(), jwtflow::PrivateKey::fromFile(sharedKeys().otherRsa))), same) << "another key";
	// The label names what the provider declares with label, never a secret.
	jwtflow::Settings labelled;
	labelled.addMapLayer("test", {{"CLIENT_ID", "3MVG9a"}, {"SUBJECT", "u@example.com"}, {"PRIVATE_KEY_PASSPHRASE", "secret"}});
	EXPECT_EQ(jwtflow::loginLabel(salesforce, labelled), "salesforce CLIENT_ID=3MVG9a SUBJECT=u@example.com");
}

TEST(LoginPipeline, TheKeyAndItsPassphraseAreReadOncePerRun)
{
	TempDir dir;
	auto emu = startEmulator(dir, "5b7c1a2e-3d4f-4a6b-8c9d-0e1f2a3b4c5d");
	const std::string password = "pfx password 31";
	openssl({"pkcs12", "-export", "-inkey", sharedKeys().rsaPkcs8, "-in", sharedKeys().rsaCert, "-passout", "pass:" + password,
		"-out", dir.file("app.pfx")});
	::chmod(dir.file("app.pfx").c_str(), 0600);
	const std::string passFile = dir.write("pfx-password", password + "\n");
	::mkdir(dir.file("cache").c_str(), 0700);
	const std::map<std::string, std::string> env = {{"CLIENT_ID", "5b7c1a2e-3d4f-4a6b-8c9d-0e1f2a3b4c5d"},
		{"TENANT_ID", jwtflow::emulator::EmulatorOptions().tenant}, {"AUTHORITY", emu->baseUrl()}, {"CA_FILE", emu->caFile()},
		{"PATH_PRIVATE_KEY", dir.file("app.pfx")}, {"PRIVATE_KEY_PASSPHRASE_FILE", passFile}, {"XDG_CACHE_HOME", dir.file("cache")}};
	OpenCounter counter({dir.file("app.pfx"), passFile});
	// A token that misses the cache: the cache lookup, the minter (and its chain) and the sealer share one load.
	RunResult miss = runJwtflow({"azure-ad", "token"}, dir.path(), env);
	ASSERT_EQ(miss.exitCode, 0) << miss.err;
	EXPECT_EQ(counter.opens(dir.file("app.pfx")), 1);
	EXPECT_EQ(counter.opens(passFile), 1);
	// whoami and call after a 401 reuse it too; a cached token reads it once (the cache is sealed with it).
	RunResult hit = runJwtflow({"azure-ad", "token"}, dir.path(), env);
	EXPECT_EQ(hit.out, miss.out);
	EXPECT_EQ(counter.opens(dir.file("app.pfx")), 2);
	EXPECT_EQ(counter.opens(passFile), 2);
	EXPECT_EQ(emu->tokensIssued(), 1);
}

TEST(LoginPipeline, LifetimesAreClampedInOnePlace)
{
	jwtflow::TokenResult said;
	said.expiresIn = 3600;
	EXPECT_EQ(jwtflow::LoginBroker::lifetimeOf(said, 900), 3600);
	said.expiresIn = 0;
	EXPECT_EQ(jwtflow::LoginBroker::lifetimeOf(said, 900), 900) << "no usable expires_in: the assumed lifetime";
	said.expiresIn = std::numeric_limits<Poco::Int64>::max();
	EXPECT_EQ(jwtflow::LoginBroker::lifetimeOf(said, 900), jwtflow::MAX_LOGIN_LIFETIME_SECONDS);
	jwtflow::TokenResult unsaid;
	EXPECT_EQ(jwtflow::LoginBroker::lifetimeOf(unsaid, 120), 120);
}

TEST(LoginPipeline, TheCliTakesEveryStoreWord)
{
	TempDir dir;
	auto emu = startEmulator(dir, "3MVG9store.words", {"words@example.com"});
	dir.write("private_key.pem", readFile(sharedKeys().rsaPkcs8));
	dir.write(".env", "CLIENT_ID=3MVG9store.words\nSUBJECT=words@example.com\nPATH_PRIVATE_KEY=private_key.pem\nLOGIN_URL=" + emu->baseUrl()
		+ "\nCA_FILE=" + emu->caFile() + "\n");
	// memory (DESIGN.md lists it; the CLI refused it): this process only, so each run logs in.
	for (int run = 1; run <= 2; ++run)
	{
		RunResult r = runJwtflow({"salesforce", "token", "--token-store", "memory"}, dir.path());
		EXPECT_EQ(r.exitCode, 0) << r.err;
		EXPECT_EQ(emu->loginsFor("words@example.com"), run);
	}
	RunResult bad = runJwtflow({"salesforce", "token", "--token-store", "redis"}, dir.path());
	EXPECT_EQ(bad.exitCode, 2);
	EXPECT_NE(bad.err.find("TOKEN_STORE (--token-store) 'redis' is not a token store: use none (no store), memory (this process only), file"),
		std::string::npos) << bad.err;
	RunResult unknown = runJwtflow({"salesforce", "token", "--token-store", "s3://bucket/key"}, dir.path());
	EXPECT_EQ(unknown.exitCode, 2);
	EXPECT_NE(unknown.err.find("redis://host:port/database"), std::string::npos) << "the network module's stores are named: " << unknown.err;
	EXPECT_EQ(emu->loginsFor("words@example.com"), 2);
}
