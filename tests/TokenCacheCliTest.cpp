//
// TokenCacheCliTest.cpp: the CLI's encrypted token cache and `login`
// (issue 15, first part): repeated commands reuse one login, --no-cache and
// --refresh, SESSION_LIFETIME, racing processes, a loose cache folder.
//
#include "EmulatorSupport.h"
#include "TestSupport.h"
#include "jwtflow/Json.h"
#include "jwtflow/PluginRegistry.h"
#include "jwtflow/Session.h"
#include "jwtflow/SessionSubsystem.h"
#include "jwtflow/Exception.h"
#include <Poco/Util/MapConfiguration.h>
#include <Poco/File.h>
#include <gtest/gtest.h>
#include <Poco/JSON/Array.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace testing_support;

namespace {

const char* const CLIENT_ID = "3MVG9cache.consumer.key";
const char* const USER = "cache.user@example.com";

class TokenCache: public ::testing::Test
{
protected:
	void SetUp() override
	{
		emu = startEmulator(dir, CLIENT_ID, {USER});
		dir.write("private_key.pem", readFile(sharedKeys().rsaPkcs8));
		dir.write(".env", std::string("CLIENT_ID=") + CLIENT_ID + "\nSUBJECT=" + USER + "\nPATH_PRIVATE_KEY=private_key.pem\nLOGIN_URL="
			+ emu->baseUrl() + "\nCA_FILE=" + emu->caFile() + "\n");
		::mkdir(dir.file("cache").c_str(), 0700);
	}

	RunResult cli(std::vector<std::string> args, std::map<std::string, std::string> env = {})
	{
		if (!env.count("XDG_CACHE_HOME")) env["XDG_CACHE_HOME"] = dir.file("cache");
		return runJwtflow(args, dir.path(), env);
	}

	TempDir dir;
	std::unique_ptr<jwtflow::emulator::Emulator> emu;
};

} // namespace

TEST_F(TokenCache, RepeatedCommandsReuseOneLogin)
{
	const int before = emu->tokensIssued();
	RunResult first = cli({"salesforce", "token"});
	ASSERT_EQ(first.exitCode, 0) << first.err;
	for (int i = 0; i < 5; ++i)
	{
		RunResult again = cli({"salesforce", "token"});
		EXPECT_EQ(again.out, first.out);
	}
	EXPECT_EQ(cli({"salesforce", "whoami"}).exitCode, 0);
	EXPECT_EQ(cli({"salesforce", "frontdoor"}).exitCode, 0);
	EXPECT_EQ(emu->tokensIssued() - before, 1) << "one login for eight commands";
	RunResult verbose = cli({"salesforce", "token", "-v"});
	EXPECT_NE(verbose.err.find("using the cached salesforce token"), std::string::npos) << verbose.err;
	EXPECT_EQ(verbose.err.find(trim(first.out)), std::string::npos) << "never the token in notes";
	struct stat st{};
	ASSERT_EQ(::stat(dir.file("cache/jwtflow/tokens").c_str(), &st), 0);
	EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(TokenCache, NoCacheAndRefreshLogInAnew)
{
	const int before = emu->tokensIssued();
	RunResult cached = cli({"salesforce", "token"});
	RunResult uncached = cli({"salesforce", "token", "--no-cache"});
	EXPECT_EQ(emu->tokensIssued() - before, 2);
	EXPECT_NE(uncached.out, cached.out);
	EXPECT_EQ(cli({"salesforce", "token"}).out, cached.out) << "--no-cache neither read nor wrote the cache";
	RunResult refreshed = cli({"salesforce", "token", "--refresh"});
	EXPECT_EQ(emu->tokensIssued() - before, 3);
	EXPECT_NE(refreshed.out, cached.out);
	EXPECT_EQ(cli({"salesforce", "token"}).out, refreshed.out) << "--refresh stored the new token";
	EXPECT_EQ(cli({"salesforce", "token"}, {{"TOKEN_STORE", "none"}}).exitCode, 0);
	EXPECT_EQ(emu->tokensIssued() - before, 4);
	RunResult bad = cli({"salesforce", "token"}, {{"TOKEN_STORE", "memcached://x"}});
	EXPECT_EQ(bad.exitCode, 2);
	EXPECT_NE(bad.err.find("TOKEN_STORE"), std::string::npos);
}

TEST_F(TokenCache, LoginPrintsWhoWhereAndUntilWhenAndIsReused)
{
	RunResult login = cli({"salesforce", "login"});
	ASSERT_EQ(login.exitCode, 0) << login.err;
	EXPECT_EQ(login.out.rfind(std::string("logged in to salesforce as ") + USER, 0), 0u) << login.out;
	for (const char* wanted: {"organization_id", "instance url", "valid until", "frontdoor        https://127.0.0.1"})
		EXPECT_NE(login.out.find(wanted), std::string::npos) << wanted << "\n" << login.out;
	const int before = emu->tokensIssued();
	RunResult json = cli({"salesforce", "login", "--output", "json"});
	ASSERT_EQ(json.exitCode, 0) << json.err;
	auto out = jwtflow::parseJsonObject(json.out);
	EXPECT_EQ(jwtflow::jsonString(*out, "jwt").find("eyJ"), 0u);
	const std::string token = jwtflow::jsonString(*out, "access_token");
	EXPECT_FALSE(token.empty());
	EXPECT_FALSE(jwtflow::jsonString(*out, "frontdoor_url").empty());
	EXPECT_EQ(emu->tokensIssued() - before, 1) << "login always logs in";
	EXPECT_EQ(trim(cli({"salesforce", "token"}).out), token) << "and token reuses that login";
	EXPECT_EQ(emu->tokensIssued() - before, 1);
}

TEST_F(TokenCache, SessionLifetimeBoundsAToken)
{
	const int before = emu->tokensIssued();
	ASSERT_EQ(cli({"salesforce", "token"}, {{"SESSION_LIFETIME", "2"}}).exitCode, 0);
	::sleep(2);   // no timing is asserted: only that a token past its lifetime is not reused
	ASSERT_EQ(cli({"salesforce", "token"}, {{"SESSION_LIFETIME", "2"}}).exitCode, 0);
	EXPECT_EQ(emu->tokensIssued() - before, 2);
	EXPECT_EQ(cli({"salesforce", "token"}, {{"SESSION_LIFETIME", "soon"}}).exitCode, 2);
}

TEST_F(TokenCache, ProcessesRacingForOneIdentityShareOneLogin)
{
	const int before = emu->tokensIssued();
	const std::string cmd = jwtflowBinary() + " --plugins " + JWTFLOW_PLUGIN_DIR + " salesforce token";
	RunResult r = run({"/bin/bash", "-c", "for i in 1 2 3 4; do " + cmd + " > out$i & done; wait; cat out1 out2 out3 out4 | sort -u | wc -l"},
		dir.path(), {{"XDG_CACHE_HOME", dir.file("cache")}});
	EXPECT_EQ(trim(r.out), "1") << "four processes, one token: " << r.err;
	EXPECT_EQ(emu->tokensIssued() - before, 1);
}

TEST_F(TokenCache, AnotherKeyOrALooseFolderNeverReusesALogin)
{
	const int before = emu->tokensIssued();
	ASSERT_EQ(cli({"salesforce", "token"}).exitCode, 0);
	// The same identity with another key is another login (and could not open the file anyway).
	dir.write("other.pem", readFile(sharedKeys().otherRsa));
	cli({"salesforce", "token", "--private-key", "other.pem"});
	EXPECT_EQ(emu->tokensIssued() - before, 1) << "the emulator refuses the other key: no second login counted";
	// A cache folder others could write is not used (and said under -v).
	::chmod(dir.file("cache/jwtflow/tokens").c_str(), 0777);
	RunResult loose = cli({"salesforce", "token", "-v"});
	EXPECT_EQ(loose.exitCode, 0) << loose.err;
	EXPECT_NE(loose.err.find("refused"), std::string::npos) << loose.err;
	EXPECT_EQ(emu->tokensIssued() - before, 2);
	::chmod(dir.file("cache/jwtflow/tokens").c_str(), 0700);
}

TEST_F(TokenCache, ListShowsLoginsNeverTokensAndLogoutAndClearForgetThem)
{
	const int before = emu->tokensIssued();
	RunResult token = cli({"salesforce", "token"});
	ASSERT_EQ(token.exitCode, 0) << token.err;
	RunResult list = cli({"cache", "list"});
	EXPECT_EQ(list.exitCode, 0) << list.err;
	EXPECT_NE(list.out.find(std::string("salesforce CLIENT_ID=") + CLIENT_ID + " SUBJECT=" + USER), std::string::npos) << list.out;
	EXPECT_NE(list.out.find("used until"), std::string::npos);
	EXPECT_EQ(list.out.find(trim(token.out)), std::string::npos) << "never the token";
	RunResult json = cli({"cache", "list", "--output", "json"});
	EXPECT_NE(json.out.find("\"valid\": true"), std::string::npos) << json.out;
	// The label is bound to the seal: an edited header makes the entry unusable, not misleading.
	RunResult logout = cli({"salesforce", "logout", "--local"});
	EXPECT_EQ(logout.exitCode, 0) << logout.err;
	EXPECT_NE(logout.out.find("logged out of salesforce"), std::string::npos);
	EXPECT_NE(logout.err.find("stays valid at the identity provider"), std::string::npos) << "--local: not revoked";
	EXPECT_EQ(cli({"cache", "list"}).out, "");
	EXPECT_EQ(cli({"salesforce", "token"}).exitCode, 0);
	EXPECT_EQ(emu->tokensIssued() - before, 2) << "a new login after logout";
	RunResult clear = cli({"cache", "clear"});
	EXPECT_NE(clear.out.find("removed 1 cached login"), std::string::npos) << clear.out;
	EXPECT_EQ(cli({"cache", "list"}).out, "");
	EXPECT_EQ(cli({"cache", "frob"}).exitCode, 2);
}

TEST_F(TokenCache, AnEditedHeaderMakesTheEntryUnusable)
{
	ASSERT_EQ(cli({"salesforce", "token"}).exitCode, 0);
	const int before = emu->tokensIssued();
	RunResult json = cli({"cache", "list", "--output", "json"});
	auto out = jwtflow::parseJsonObject(json.out);
	auto logins = out->getArray("logins");
	ASSERT_EQ(logins->size(), 1u);
	const std::string file = logins->getObject(0)->getValue<std::string>("file");
	std::string text = readFile(file);
	const auto pos = text.find("expires: ");
	ASSERT_NE(pos, std::string::npos);
	text.replace(pos + 9, 1, text[pos + 9] == '9' ? "8" : "9");   // a later (or earlier) expiry, forged
	::unlink(file.c_str());
	const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
	::close(fd);
	EXPECT_EQ(cli({"salesforce", "token"}).exitCode, 0);
	EXPECT_EQ(emu->tokensIssued() - before, 1) << "the forged entry did not open: a new login";
}

TEST_F(TokenCache, ASessionAndTheCliShareOneLogin)
{
	jwtflow::PluginRegistry registry({JWTFLOW_PLUGIN_DIR});
	jwtflow::Provider& salesforce = registry.get("salesforce");
	// The CLI's settings, as the Session sees them (the descriptor's defaults included).
	jwtflow::Settings settings;
	settings.addMapLayer("test", {{"CLIENT_ID", CLIENT_ID}, {"SUBJECT", USER}, {"PATH_PRIVATE_KEY", dir.file("private_key.pem")},
		{"LOGIN_URL", emu->baseUrl()}, {"CA_FILE", emu->caFile()}});
	settings.addConfigurationLayer("descriptor", registry.descriptorFor("salesforce")->properties);
	settings.addDefaults(salesforce.settings());
	settings.addDefaults(jwtflow::coreSettings());
	::setenv("XDG_CACHE_HOME", dir.file("cache").c_str(), 1);
	const int before = emu->tokensIssued();
	std::string fromSession;
	{
		jwtflow::SessionOptions options;
		options.shareCliCache = true;
		jwtflow::Session session(salesforce, settings, options);
		fromSession = session.accessToken();
	}
	EXPECT_EQ(trim(cli({"salesforce", "token"}).out), fromSession) << "the CLI reused the program's login";
	EXPECT_EQ(emu->tokensIssued() - before, 1);
	// And the other way round: a login made by the CLI serves a new Session.
	ASSERT_EQ(cli({"salesforce", "token", "--refresh"}).exitCode, 0);
	const std::string fromCli = trim(cli({"salesforce", "token"}).out);
	{
		jwtflow::SessionOptions options;
		options.shareCliCache = true;
		jwtflow::Session session(salesforce, settings, options);
		EXPECT_EQ(session.accessToken(), fromCli);
		EXPECT_EQ(session.fetches(), 0);
		session.invalidate(fromCli);   // the API refused it: it is forgotten by both
	}
	const std::string third = trim(cli({"salesforce", "token"}).out);
	EXPECT_NE(third, fromCli);
	EXPECT_EQ(emu->tokensIssued() - before, 3);
	// The same through configuration: jwtflow.session.<name>.store = file.
	Poco::AutoPtr<Poco::Util::MapConfiguration> config = new Poco::Util::MapConfiguration;
	config->setString("jwtflow.plugins", JWTFLOW_PLUGIN_DIR);
	config->setString("jwtflow.session.crm.provider", "salesforce");
	config->setString("jwtflow.session.crm.CLIENT_ID", CLIENT_ID);
	config->setString("jwtflow.session.crm.SUBJECT", USER);
	config->setString("jwtflow.session.crm.PATH_PRIVATE_KEY", dir.file("private_key.pem"));
	config->setString("jwtflow.session.crm.LOGIN_URL", emu->baseUrl());
	config->setString("jwtflow.session.crm.CA_FILE", emu->caFile());
	config->setString("jwtflow.session.crm.store", "file");
	{
		jwtflow::SessionSubsystem sessions;
		sessions.configure(*config);
		EXPECT_EQ(sessions.session("crm").accessToken(), third);
		EXPECT_EQ(sessions.session("crm").fetches(), 0);
	}
	config->setString("jwtflow.session.crm.store", "disk");
	jwtflow::SessionSubsystem refused;
	EXPECT_THROW(refused.configure(*config), jwtflow::UsageException);
	EXPECT_EQ(emu->tokensIssued() - before, 3);
	::unsetenv("XDG_CACHE_HOME");
}
