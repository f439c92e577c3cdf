//
// CallCommandTest.cpp: `jwtflow <provider> call` and `logout` revocation
// (issue 15): relative paths against the API base, one login reused by a
// thousand calls, a 401 refreshed once and retried once, request bodies from
// a file, standard input and text, JSON output, HTTP errors without a token
// in them, the emulator's login rate limit, and logout revoking the token
// (checked with Python's own HTTPS client).
//
#include "EmulatorSupport.h"
#include "TestSupport.h"
#include "jwtflow/Json.h"
#include <Poco/JSON/Array.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

using namespace testing_support;

namespace {

const char* const CLIENT_ID = "3MVG9call.consumer.key";
const char* const USER = "call.user@example.com";

/// GETs url with a Bearer token through Python's http.client (an HTTPS client that is not ours); prints the status.
const char* const PYTHON_GET = R"(
import http.client, ssl, sys, urllib.parse
url, token, ca = sys.argv[1], sys.argv[2], sys.argv[3]
u = urllib.parse.urlsplit(url)
c = http.client.HTTPSConnection(u.hostname, u.port, context=ssl.create_default_context(cafile=ca), timeout=10)
c.request("GET", u.path, headers={"Authorization": "Bearer " + token})
r = c.getresponse()
print(r.status)
print(r.read().decode())
)";

class Call: public ::testing::Test
{
protected:
	void start(const std::function<void(jwtflow::emulator::EmulatorOptions&)>& adjust = {})
	{
		emu = startEmulator(dir, CLIENT_ID, {USER}, "", adjust);
		dir.write("private_key.pem", readFile(sharedKeys().rsaPkcs8));
		dir.write(".env", std::string("CLIENT_ID=") + CLIENT_ID + "\nSUBJECT=" + USER + "\nPATH_PRIVATE_KEY=private_key.pem\nLOGIN_URL="
			+ emu->baseUrl() + "\nCA_FILE=" + emu->caFile() + "\n");
		::mkdir(dir.file("cache").c_str(), 0700);
	}

	void SetUp() override { start(); }

	RunResult cli(std::vector<std::string> args, const std::string& input = "")
	{
		return runJwtflow(args, dir.path(), {{"XDG_CACHE_HOME", dir.file("cache")}}, input);
	}

	std::string pythonGet(const std::string& path, const std::string& token)
	{
		return python(PYTHON_GET, {emu->baseUrl() + path, token, emu->caFile()});
	}

	TempDir dir;
	std::unique_ptr<jwtflow::emulator::Emulator> emu;
};

} // namespace

TEST_F(Call, APathResolvesAgainstTheInstanceUrl)
{
	RunResult versions = cli({"salesforce", "call", "/services/data/"});
	ASSERT_EQ(versions.exitCode, 0) << versions.err;
	Poco::JSON::Object::Ptr wrapped = jwtflow::parseJsonObject("{\"v\":" + versions.out + "}");
	Poco::JSON::Array::Ptr list = wrapped->getArray("v");
	ASSERT_TRUE(list && list->size() > 0) << versions.out;
	EXPECT_EQ(list->getObject(0)->getValue<std::string>("url").rfind("/services/data/v", 0), 0u);
	RunResult limits = cli({"salesforce", "call", "/services/data/v60.0/limits", "-v"});
	ASSERT_EQ(limits.exitCode, 0) << limits.err;
	EXPECT_TRUE(jwtflow::parseJsonObject(limits.out)->isObject("DailyApiRequests")) << limits.out;
	EXPECT_NE(limits.err.find("GET " + emu->baseUrl() + "/services/data/v60.0/limits"), std::string::npos) << limits.err;
	EXPECT_NE(limits.err.find("HTTP 200 OK"), std::string::npos) << "the status line under -v";
	RunResult absolute = cli({"salesforce", "call", emu->baseUrl() + "/services/data/v60.0/"});
	EXPECT_EQ(absolute.exitCode, 0) << absolute.err;
	EXPECT_EQ(emu->loginsFor(USER), 1) << "three calls, one login";
}

TEST_F(Call, AThousandCallsMakeOneLogin)
{
	// With a login rate limit of 3 an hour, any call that logged in anew would soon be refused.
	emu.reset();
	start([](jwtflow::emulator::EmulatorOptions& o) { o.loginRateLimit = 3; });
	const int callsBefore = emu->apiCallsMade();
#ifdef JWTFLOW_TEST_SANITIZED
	const int calls = 150;    // the sanitizer build checks the same path for memory errors, not the count
#else
	const int calls = 1000;
#endif
	for (int i = 0; i < calls; ++i)
	{
		RunResult r = cli({"salesforce", "call", "/services/data/"});
		ASSERT_EQ(r.exitCode, 0) << "call " << i << ": " << r.err;
	}
	EXPECT_EQ(emu->loginsFor(USER), 1);
	EXPECT_EQ(emu->apiCallsMade() - callsBefore, calls);
}

TEST_F(Call, A401LogsInAgainOnceAndRetriesOnce)
{
	ASSERT_EQ(cli({"salesforce", "token"}).exitCode, 0);
	ASSERT_EQ(emu->loginsFor(USER), 1);
	emu->expireTokens();   // the org's session timeout passed: the cached token is refused
	RunResult r = cli({"salesforce", "call", "/services/data/v60.0/limits", "-v"});
	ASSERT_EQ(r.exitCode, 0) << r.err;
	EXPECT_NE(r.err.find("HTTP 401 with the cached token: logging in again"), std::string::npos) << r.err;
	EXPECT_EQ(emu->loginsFor(USER), 2);
	RunResult again = cli({"salesforce", "call", "/services/data/v60.0/limits"});
	EXPECT_EQ(again.exitCode, 0);
	EXPECT_EQ(emu->loginsFor(USER), 2) << "the new token was cached";
}

TEST_F(Call, A401TwiceEndsWithExit4AndNoToken)
{
	emu.reset();
	start([](jwtflow::emulator::EmulatorOptions& o) { o.salesforceSessionSeconds = 0; });   // every token ends at once
	RunResult r = cli({"salesforce", "call", "/services/data/"});
	EXPECT_EQ(r.exitCode, 4) << r.err;
	EXPECT_NE(r.err.find("answered HTTP 401"), std::string::npos) << r.err;
	EXPECT_NE(r.err.find("INVALID_SESSION_ID: Session expired or invalid"), std::string::npos) << r.err;
	EXPECT_NE(r.err.find("a new login's token was refused too"), std::string::npos) << r.err;
	EXPECT_EQ(r.err.find("00D000000000001!"), std::string::npos) << "never a token in the message";
	EXPECT_EQ(r.out, "");
	EXPECT_EQ(emu->loginsFor(USER), 2) << "one refresh, one retry, never more";
}

TEST_F(Call, BodiesFromAFileStandardInputAndText)
{
	dir.write("account.json", "{\"Name\":\"From a file\",\"Industry\":\"Energy\"}");
	RunResult created = cli({"salesforce", "call", "/services/data/v60.0/sobjects/Account", "--data", "@account.json"});
	ASSERT_EQ(created.exitCode, 0) << created.err;
	const std::string id = jwtflow::jsonString(*jwtflow::parseJsonObject(created.out), "id");
	ASSERT_EQ(id.size(), 18u) << created.out;
	const std::string record = "/services/data/v60.0/sobjects/Account/" + id;
	RunResult patched = cli({"salesforce", "call", "-X", "PATCH", record, "--data", "-"}, "{\"Name\":\"From stdin\"}");
	EXPECT_EQ(patched.exitCode, 0) << patched.err;
	EXPECT_EQ(patched.out, "") << "204: no body";
	RunResult read = cli({"salesforce", "call", record});
	ASSERT_EQ(read.exitCode, 0) << read.err;
	Poco::JSON::Object::Ptr fields = jwtflow::parseJsonObject(read.out);
	EXPECT_EQ(jwtflow::jsonString(*fields, "Name"), "From stdin");
	EXPECT_EQ(jwtflow::jsonString(*fields, "Industry"), "Energy");
	RunResult text = cli({"salesforce", "call", "-X", "PATCH", record, "--data", "{\"Industry\":\"Text\"}", "-H", "Content-Type: application/json"});
	EXPECT_EQ(text.exitCode, 0) << text.err;
	EXPECT_EQ(jwtflow::jsonString(*jwtflow::parseJsonObject(cli({"salesforce", "call", record}).out), "Industry"), "Text");
	RunResult deleted = cli({"salesforce", "call", "-X", "DELETE", record});
	EXPECT_EQ(deleted.exitCode, 0) << deleted.err;
	RunResult gone = cli({"salesforce", "call", record});
	EXPECT_EQ(gone.exitCode, 4);
	EXPECT_NE(gone.err.find("answered HTTP 404 Not Found: NOT_FOUND: The requested resource does not exist"), std::string::npos) << gone.err;
	RunResult missingName = cli({"salesforce", "call", "/services/data/v60.0/sobjects/Account", "--data", "{}"});
	EXPECT_EQ(missingName.exitCode, 4);
	EXPECT_NE(missingName.err.find("REQUIRED_FIELD_MISSING"), std::string::npos) << missingName.err;
	RunResult wrongType = cli({"salesforce", "call", record, "-X", "PATCH", "--data", "x", "-H", "Content-Type: text/plain"});
	EXPECT_EQ(wrongType.exitCode, 4);
	EXPECT_NE(wrongType.err.find("HTTP 415"), std::string::npos) << "the header reached the server: " << wrongType.err;
	EXPECT_EQ(emu->loginsFor(USER), 1);
}

TEST_F(Call, JsonOutputWrapsStatusHeadersAndBody)
{
	RunResult r = cli({"salesforce", "call", "/services/data/v60.0/sobjects/Account/001000000000001AAA", "--output", "json"});
	ASSERT_EQ(r.exitCode, 0) << r.err;
	Poco::JSON::Object::Ptr out = jwtflow::parseJsonObject(r.out);
	EXPECT_EQ(out->getValue<int>("status"), 200);
	ASSERT_TRUE(out->isObject("headers"));
	EXPECT_EQ(jwtflow::jsonString(*out->getObject("headers"), "Content-Type"), "application/json;charset=UTF-8");
	ASSERT_TRUE(out->isObject("body")) << r.out;
	EXPECT_EQ(jwtflow::jsonString(*out->getObject("body"), "Name"), "Emulated Account One");
	// An HTTP error in JSON: the wrapper on stdout, still exit 4.
	RunResult missing = cli({"salesforce", "call", "/services/data/v60.0/sobjects/Account/001000000000000AAA", "--output", "json"});
	EXPECT_EQ(missing.exitCode, 4);
	EXPECT_EQ(jwtflow::parseJsonObject(missing.out)->getValue<int>("status"), 404);
}

TEST_F(Call, UsageErrorsComeBeforeAnyLogin)
{
	dir.write(".hidden", "");
	const std::vector<std::pair<std::vector<std::string>, int>> cases = {
		{{"salesforce", "call"}, 2},
		{{"salesforce", "call", "services/data"}, 2},
		{{"salesforce", "call", "//evil.example/x"}, 2},
		{{"salesforce", "call", "/a", "/b"}, 2},
		{{"salesforce", "call", "-X", "FETCH", "/services/data/"}, 2},
		{{"salesforce", "call", "/services/data/", "-H", "Authorization: Bearer x"}, 2},
		{{"salesforce", "call", "/services/data/", "-H", "no colon"}, 2},
		{{"salesforce", "call", "/services/data/", "--data", "@missing.json"}, 3},
		{{"salesforce", "call", "/services/data/", "--data", "@."}, 3},
		{{"salesforce", "token", "/services/data/"}, 2},
	};
	for (const auto& c: cases)
	{
		RunResult r = cli(c.first);
		EXPECT_EQ(r.exitCode, c.second) << c.first.back() << ": " << r.err;
		EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
	}
	EXPECT_EQ(emu->loginsFor(USER), 0);
}

TEST_F(Call, EntraIdCallsTheResourceOfScope)
{
	const std::string appId = "11111111-2222-3333-4444-555555555555";
	emu.reset();
	// The tenant knows the app's own API (api://<app id>) as a resource, besides Graph and the emulator's.
	emu = startEmulator(dir, appId, {}, "", [&](jwtflow::emulator::EmulatorOptions& o) { o.entraResources = {"api://" + appId}; });
	dir.write("certificate.pem", readFile(sharedKeys().rsaCert));
	const std::string tenant = jwtflow::emulator::EmulatorOptions().tenant;
	const std::string common = "CLIENT_ID=" + appId + "\nTENANT_ID=" + tenant + "\nPATH_PRIVATE_KEY=private_key.pem\n"
		"PATH_CERTIFICATE=certificate.pem\nAUTHORITY=" + emu->baseUrl() + "\nCA_FILE=" + emu->caFile() + "\n";
	dir.write(".env", common + "SCOPE=" + emu->baseUrl() + "/.default\n");
	RunResult org = cli({"azure-ad", "call", "/v1.0/organization"});
	ASSERT_EQ(org.exitCode, 0) << org.err;
	Poco::JSON::Object::Ptr body = jwtflow::parseJsonObject(org.out);
	ASSERT_TRUE(body->isArray("value")) << org.out;
	EXPECT_EQ(jwtflow::jsonString(*body->getArray("value")->getObject(0), "id"), tenant);
	EXPECT_EQ(cli({"azure-ad", "call", "/v1.0/organization"}).exitCode, 0);
	EXPECT_EQ(emu->loginsFor(appId), 1) << "Entra ID tokens are cached too (expires_in)";
	// A token for another resource (Graph) is refused by this one: one new login, then exit 4.
	dir.write(".env", common + "SCOPE=https://graph.microsoft.com/.default\n");
	RunResult wrong = cli({"azure-ad", "call", emu->baseUrl() + "/v1.0/organization"});
	EXPECT_EQ(wrong.exitCode, 4);
	EXPECT_NE(wrong.err.find("InvalidAuthenticationToken: Access token validation failure. Invalid audience."), std::string::npos) << wrong.err;
	EXPECT_EQ(emu->loginsFor(appId), 3);
	// Without a resource URL in SCOPE there is no API base.
	dir.write(".env", common + "SCOPE=api://11111111-2222-3333-4444-555555555555/.default\n");
	RunResult noBase = cli({"azure-ad", "call", "/v1.0/organization"});
	EXPECT_EQ(noBase.exitCode, 2);
	EXPECT_NE(noBase.err.find("azure-ad names no API base for its tokens: give an absolute URL"), std::string::npos) << noBase.err;
}

TEST_F(Call, LogoutRevokesTheTokenAtTheIdp)
{
	RunResult token = cli({"salesforce", "token"});
	ASSERT_EQ(token.exitCode, 0) << token.err;
	const std::string accessToken = trim(token.out);
	EXPECT_EQ(pythonGet("/services/data/", accessToken).substr(0, 4), "200\n") << "an independent client can use it";
	RunResult logout = cli({"salesforce", "logout"});
	EXPECT_EQ(logout.exitCode, 0) << logout.err;
	EXPECT_NE(logout.out.find("the token is revoked and the cache entry removed"), std::string::npos) << logout.out;
	const std::string after = pythonGet("/services/data/", accessToken);
	EXPECT_EQ(after.substr(0, 4), "401\n") << after;
	EXPECT_NE(after.find("INVALID_SESSION_ID"), std::string::npos);
	EXPECT_EQ(cli({"cache", "list"}).out, "");
	EXPECT_EQ(cli({"salesforce", "logout"}).out, "no cached salesforce login for these settings\n");
}

TEST_F(Call, LogoutKeepsTheLoginWhenTheIdpCannotBeReached)
{
	RunResult token = cli({"salesforce", "token"});
	ASSERT_EQ(token.exitCode, 0);
	emu->stop();
	RunResult logout = cli({"salesforce", "logout", "--timeout", "5"});
	EXPECT_EQ(logout.exitCode, 5) << logout.err;
	EXPECT_NE(logout.err.find("connection refused"), std::string::npos) << logout.err;
	EXPECT_NE(cli({"cache", "list"}).out, "") << "still cached: logout can be run again";
	RunResult local = cli({"salesforce", "logout", "--local"});
	EXPECT_EQ(local.exitCode, 0) << local.err;
	EXPECT_NE(local.err.find("--local: not revoked"), std::string::npos) << local.err;
	EXPECT_EQ(cli({"cache", "list"}).out, "");
}

TEST_F(Call, TheEmulatorAnswersLikeSalesforcesLoginRateLimit)
{
	emu.reset();
	start([](jwtflow::emulator::EmulatorOptions& o) { o.loginRateLimit = 2; });
	EXPECT_EQ(cli({"salesforce", "token", "--no-cache"}).exitCode, 0);
	EXPECT_EQ(cli({"salesforce", "token", "--no-cache"}).exitCode, 0);
	RunResult third = cli({"salesforce", "token", "--no-cache"});
	EXPECT_EQ(third.exitCode, 4);
	EXPECT_NE(third.err.find("invalid_grant: login rate exceeded"), std::string::npos) << third.err;
	EXPECT_NE(third.err.find("reuse the cached token"), std::string::npos) << "the hint: " << third.err;
	EXPECT_EQ(emu->loginsFor(USER), 2) << "a refused login is not counted";
}
