//
// ExchangeTest.cpp: the token exchange over real loopback TLS, against the
// emulator and against scripted servers that misbehave.
//
#include "ScriptedServer.h"
#include "EmulatorSupport.h"
#include "TestSupport.h"
#include "jwtflow/Assertion.h"
#include "jwtflow/Exception.h"
#include "jwtflow/HttpClient.h"
#include "jwtflow/Json.h"
#include "jwtflow/Jwt.h"
#include "jwtflow/KeyFactory.h"
#include "jwtflow/PluginRegistry.h"
#include "jwtflow/TokenClient.h"
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Thread.h>
#include <gtest/gtest.h>
#include <chrono>

using namespace jwtflow;
using namespace testing_support;

namespace {

const char* const CLIENT_ID = "3MVG9test.consumer.key";
const char* const USER = "integration.user@example.com";

class Exchange: public ::testing::Test
{
protected:
	void SetUp() override
	{
		const TestKeys& k = sharedKeys();
		emu = startEmulator(dir, CLIENT_ID, {USER});
		dir.write("private_key.pem", readFile(k.rsaPkcs8));
		writeEnv("LOGIN_URL=" + emu->baseUrl() + "\nCA_FILE=" + emu->caFile() + "\n");
	}

	void writeEnv(const std::string& extra)
	{
		dir.write(".env", std::string("CLIENT_ID=") + CLIENT_ID + "\nSUBJECT=" + USER + "\nPATH_PRIVATE_KEY=private_key.pem\n" + extra);
	}

	RunResult cli(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {})
	{
		return runJwtflow(args, dir.path(), env);
	}

	static void expectRefusal(const RunResult& r, int code, const std::string& text)
	{
		EXPECT_EQ(r.exitCode, code) << r.err;
		EXPECT_TRUE(r.out.empty()) << "no token printed: " << r.out;
		EXPECT_NE(r.err.find(text), std::string::npos) << r.err;
		EXPECT_EQ(r.err.find("Exception"), std::string::npos) << r.err;
		EXPECT_EQ(r.err.find("00D000000000001!"), std::string::npos) << "no token in errors";
	}

	/// Posts a hand-made assertion to the emulator and returns (status, error_description).
	std::pair<int, std::string> post(const FormFields& form)
	{
		HttpOptions o;
		o.caFile = emu->caFile();
		HttpClient http(o);
		HttpResponse r = http.postForm(emu->baseUrl() + "/services/oauth2/token", form);
		auto body = parseJsonObject(r.body);
		return {r.status, jsonString(*body, "error") + ": " + jsonString(*body, "error_description")};
	}

	std::string assertion(Poco::Int64 expOffset, const std::string& key = sharedKeys().rsaPkcs8)
	{
		Poco::Int64 now = Poco::Timestamp().epochTime();
		Poco::JSON::Object header;
		Poco::JSON::Object claims(Poco::JSON_PRESERVE_KEY_ORDER);
		claims.set("iss", CLIENT_ID);
		claims.set("sub", USER);
		claims.set("aud", "https://login.salesforce.com");   // the production login host; the request goes to the emulator (My Domain)
		claims.set("exp", now + expOffset);
		return signJwt(header, claims, PrivateKey::fromFile(key), Algorithm::fromName("RS256"));
	}

	TempDir dir;
	std::unique_ptr<emulator::Emulator> emu;
};

} // namespace

TEST_F(Exchange, TokenJsonEnvWhoamiFrontdoor)
{
	RunResult token = cli({"salesforce", "token"});
	ASSERT_EQ(token.exitCode, 0) << token.err;
	EXPECT_EQ(token.out.rfind("00D000000000001!", 0), 0u) << token.out;
	EXPECT_EQ(std::count(token.out.begin(), token.out.end(), '\n'), 1) << "the token alone on stdout";
	EXPECT_EQ(emu->tokensIssued(), 1);

	RunResult json = cli({"salesforce", "token", "--output", "json"});
	ASSERT_EQ(json.exitCode, 0) << json.err;
	Poco::JSON::Parser parser;
	auto obj = parser.parse(json.out).extract<Poco::JSON::Object::Ptr>();
	EXPECT_EQ(obj->getValue<std::string>("instance_url"), emu->baseUrl());
	EXPECT_EQ(obj->getValue<std::string>("token_type"), "Bearer");

	RunResult env = cli({"salesforce", "token", "--output", "env"});
	EXPECT_NE(env.out.find("export ACCESS_TOKEN='00D"), std::string::npos);
	EXPECT_NE(env.out.find("export INSTANCE_URL='" + emu->baseUrl() + "'"), std::string::npos);

	RunResult who = cli({"salesforce", "whoami"});
	ASSERT_EQ(who.exitCode, 0) << who.err;
	EXPECT_NE(who.out.find(std::string("username: ") + USER), std::string::npos) << who.out;
	EXPECT_NE(who.out.find("organization_id: 00D"), std::string::npos);
	RunResult whoJson = cli({"salesforce", "whoami", "--output", "json"});
	ASSERT_EQ(whoJson.exitCode, 0) << whoJson.err;
	EXPECT_NE(whoJson.out.find(std::string("\"username\": \"") + USER + "\""), std::string::npos) << whoJson.out;
	RunResult whoEnv = cli({"salesforce", "whoami", "--output", "env"});
	EXPECT_NE(whoEnv.out.find(std::string("export USERNAME='") + USER + "'"), std::string::npos) << whoEnv.out;

	RunResult door = cli({"salesforce", "frontdoor"});
	ASSERT_EQ(door.exitCode, 0) << door.err;
	EXPECT_EQ(door.out.rfind(emu->baseUrl() + "/secur/frontdoor.jsp?sid=00D", 0), 0u) << door.out;
	EXPECT_EQ(door.out.find("retURL"), std::string::npos);
	RunResult ret = cli({"salesforce", "frontdoor", "--ret-url", "/lightning/o/Account/list?a=b"});
	ASSERT_EQ(ret.exitCode, 0) << ret.err;
	EXPECT_NE(ret.out.find("&retURL=%2Flightning%2Fo%2FAccount%2Flist%3Fa%3Db"), std::string::npos) << ret.out;
	RunResult single = cli({"salesforce", "frontdoor", "--single-use", "--ret-url", "/home"});
	ASSERT_EQ(single.exitCode, 0) << single.err;
	EXPECT_NE(single.out.find("/secur/frontdoor.jsp?otp="), std::string::npos) << single.out;
	EXPECT_NE(single.out.find("startURL=%2Fhome"), std::string::npos) << single.out;
	expectRefusal(cli({"salesforce", "frontdoor", "--ret-url", "https://evil.example/"}), 2, "is not a relative URL");
	EXPECT_EQ(emu->tokensIssued(), 9) << "the bad RET_URL was refused before any request";
}

TEST_F(Exchange, FrontdoorLinkOpensTheEmulatorSession)
{
	RunResult door = cli({"salesforce", "frontdoor", "--ret-url", "/home/home.jsp"});
	ASSERT_EQ(door.exitCode, 0) << door.err;
	HttpOptions o;
	o.caFile = emu->caFile();
	HttpClient http(o);
	EXPECT_EQ(http.get(trim(door.out)).status, 302);
}

TEST_F(Exchange, EmulatorRefusesLikeSalesforceAndTheCliExplains)
{
	const TestKeys& k = sharedKeys();
	RunResult unknownUser = cli({"salesforce", "token", "--subject", "stranger@example.com"});
	expectRefusal(unknownUser, 4, "user hasn't approved this consumer");
	EXPECT_NE(unknownUser.err.find("pre-authorized"), std::string::npos);

	RunResult wrongAud = cli({"salesforce", "token", "--login-url", emu->baseUrl(), "--audience", "https://wrong.example.com"});
	expectRefusal(wrongAud, 4, "audience is invalid");
	EXPECT_NE(wrongAud.err.find("hint: AUDIENCE (--audience) must be"), std::string::npos);

	dir.write("other.pem", readFile(k.otherRsa));
	RunResult wrongKey = cli({"salesforce", "token", "--private-key", "other.pem"});
	expectRefusal(wrongKey, 4, "invalid assertion");
	EXPECT_NE(wrongKey.err.find("upload the certificate"), std::string::npos);

	expectRefusal(cli({"salesforce", "token", "--client-id", "unknown"}), 4, "client identifier invalid");

	// Refusals the CLI never provokes, checked at the endpoint itself.
	EXPECT_EQ(post({{"grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"}, {"assertion", assertion(-120)}}),
		std::make_pair(400, std::string("invalid_grant: expired authorization code")));
	EXPECT_EQ(post({{"grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"}, {"assertion", assertion(3600)}}),
		std::make_pair(400, std::string("invalid_grant: invalid assertion")));
	EXPECT_EQ(post({{"grant_type", "password"}, {"assertion", assertion(120)}}),
		std::make_pair(400, std::string("unsupported_grant_type: grant type not supported")));
	EXPECT_EQ(post({{"grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"}, {"assertion", assertion(120, k.otherRsa)}}),
		std::make_pair(400, std::string("invalid_grant: invalid assertion")));
	EXPECT_EQ(post({{"grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"}, {"assertion", assertion(120)}}).first, 200);
}

TEST_F(Exchange, TlsIsVerified)
{
	writeEnv("LOGIN_URL=" + emu->baseUrl() + "\n");
	expectRefusal(cli({"salesforce", "token"}), 5, "TLS");

	// A server whose certificate, from a trusted CA, names another host.
	TestTls tls = makeTestTls(dir.path(), "wrong.example");
	const std::string caFile = tls.caFile;
	Poco::Net::Context::Ptr ctx = tls.context;
	ScriptedServer server([](int, Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& resp) {
		sendBody(resp, 200, "application/json", "{\"access_token\":\"leaked\"}");
	}, ctx);
	writeEnv("AUDIENCE=" + server.baseUrl() + "\nCA_FILE=" + caFile + "\n");
	RunResult mismatch = cli({"salesforce", "token"});
	expectRefusal(mismatch, 5, "TLS");
	EXPECT_EQ(mismatch.out.find("leaked"), std::string::npos);

	expectRefusal(cli({"salesforce", "token", "--audience", "http://login.example.com"}), 2, "plain http");
}

TEST_F(Exchange, RetriesHonourRetryAfterThenSucceed)
{
	ScriptedServer server([](int n, Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& resp) {
		if (n <= 2)
		{
			resp.set("Retry-After", "1");
			return sendBody(resp, 503, "text/html", "<html><body>Service Unavailable</body></html>");
		}
		sendBody(resp, 200, "application/json", "{\"access_token\":\"tok-after-retries\",\"instance_url\":\"https://x.example\",\"token_type\":\"Bearer\"}");
	});
	RunResult r = cli({"salesforce", "token", "-v", "--login-url", server.baseUrl()});
	EXPECT_EQ(r.exitCode, 0) << r.err;
	EXPECT_EQ(trim(r.out), "tok-after-retries");
	EXPECT_EQ(server.requests(), 3);
	EXPECT_NE(r.err.find("retrying"), std::string::npos) << r.err;
}

TEST_F(Exchange, BadAnswersEndInExitFiveWithStatusAndFirstLine)
{
	ScriptedServer server([](int, Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) {
		const std::string path = req.getURI();
		if (path.find("/html500/") == 0)
			return sendBody(resp, 500, "text/html", "<html>\n<head><title>Internal Server Error</title></head><body>oops</body></html>");
		if (path.find("/html200/") == 0) return sendBody(resp, 200, "text/html", "<html><body>Please log in</body></html>");
		if (path.find("/noaccess/") == 0) return sendBody(resp, 200, "application/json", "{\"token_type\":\"Bearer\"}");
		if (path.find("/truncated/") == 0) return sendBody(resp, 200, "application/json", "{\"access_token\":\"abc");
		if (path.find("/huge/") == 0) return sendBody(resp, 200, "application/json", std::string(3 << 20, 'x'));
		if (path.find("/429/") == 0) return sendBody(resp, 429, "text/plain", "Too Many Requests");
		if (path.find("/404/") == 0) return sendBody(resp, 404, "text/html", "<h1>Not Found</h1>");
		sendBody(resp, 401, "application/json", "[{\"message\":\"Session expired or invalid\"}]");
	});
	auto run = [&](const std::string& prefix) { return cli({"salesforce", "token", "--login-url", server.baseUrl() + prefix}); };
	expectRefusal(run("/html500"), 5, "HTTP 500");
	EXPECT_NE(run("/html500").err.find("Internal Server Error"), std::string::npos);
	expectRefusal(run("/html200"), 5, "not JSON");
	expectRefusal(run("/noaccess"), 5, "without an access_token");
	expectRefusal(run("/truncated"), 5, "not JSON");
	expectRefusal(run("/huge"), 5, "bytes");
	expectRefusal(run("/429"), 5, "after 3 tries");
	expectRefusal(run("/404"), 5, "HTTP 404");
	expectRefusal(run("/401"), 5, "HTTP 401");
}

TEST_F(Exchange, SilentServerTimesOut)
{
	Poco::Net::ServerSocket silent(Poco::Net::SocketAddress("127.0.0.1", 0)); // accepts in the backlog, never answers
	auto started = std::chrono::steady_clock::now();
	RunResult r = cli({"salesforce", "token", "--timeout", "2", "--login-url", "http://127.0.0.1:" + std::to_string(silent.address().port())});
	auto seconds = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started).count();
	expectRefusal(r, 5, "within 2 s");
	EXPECT_LT(seconds, 15) << "a hang guard, not a speed check";
	expectRefusal(cli({"salesforce", "token", "--timeout", "2", "--login-url", "https://127.0.0.1:1"}), 5, "connection refused");
}

TEST_F(Exchange, OneSessionKeepsOneTlsConnection)
{
	PluginRegistry registry({JWTFLOW_PLUGIN_DIR});
	Provider& provider = registry.get("salesforce");
	Settings settings;
	settings.addMapLayer("test", {{"CLIENT_ID", CLIENT_ID}, {"SUBJECT", USER}, {"LOGIN_URL", emu->baseUrl()},
		{"PATH_PRIVATE_KEY", sharedKeys().rsaPkcs8}, {"CA_FILE", emu->caFile()}});
	AssertionMinter minter(provider, settings);
	HttpClient http(httpOptionsFrom(settings, 10));
	TokenClient client(provider, settings, http);
	for (int i = 0; i < 5; ++i)
	{
		TokenResult t = client.exchange(minter.mint().compact);
		EXPECT_FALSE(t.accessToken.empty());
		EXPECT_EQ(client.bearerGet(t.identityUrl, t.accessToken)->getValue<std::string>("username"), USER);
	}
	EXPECT_EQ(emu->tokensIssued(), 5);
	EXPECT_EQ(http.connectionsOpened(), 1);
	EXPECT_EQ(emu->connectionsAccepted(), 1);
}

namespace {

TEST_F(Exchange, SystemTrustStoreIsReadFromTheCertificateFolderAndTheStandardVariables)
{
	// No CA_FILE: the emulator's CA is trusted only through the system store,
	// which OpenSSL reads from SSL_CERT_DIR (hashed folder, looked up on demand)
	// or SSL_CERT_FILE.
	writeEnv("LOGIN_URL=" + emu->baseUrl() + "\n");
	const std::string folder = dir.file("certs");
	Poco::File(folder).createDirectories();
	Poco::File(emu->caFile()).copyTo(folder + "/emulator-ca.pem");
	openssl({"rehash", folder});

	RunResult viaFolder = cli({"salesforce", "token"}, {{"SSL_CERT_DIR", folder}});
	EXPECT_EQ(viaFolder.exitCode, 0) << viaFolder.err;
	EXPECT_NE(viaFolder.out.find("00D000000000001!"), std::string::npos);

	RunResult viaFile = cli({"salesforce", "token"}, {{"SSL_CERT_FILE", emu->caFile()}, {"SSL_CERT_DIR", dir.file("empty")}});
	EXPECT_EQ(viaFile.exitCode, 0) << viaFile.err;

	RunResult untrusted = cli({"salesforce", "token"}, {{"SSL_CERT_DIR", dir.file("empty")}});
	expectRefusal(untrusted, 5, "TLS");
}

TEST_F(Exchange, WithCaFileTheBundleOfSslCertFileIsNotReadButTheCertificateFolderIs)
{
	// CA_FILE names another CA: the emulator is trusted only if the system store is consulted.
	// A bundle named by SSL_CERT_FILE is not read then (parsing it cost 20 ms per context);
	// the hashed folder still is, one certificate at a time.
	const std::string otherCa = dir.file("other-ca.pem");
	openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir.file("other-ca-key.pem"), "-out", otherCa,
		"-subj", "/CN=another test CA", "-days", "1"});
	writeEnv("LOGIN_URL=" + emu->baseUrl() + "\nCA_FILE=" + otherCa + "\n");
	RunResult viaBundle = cli({"salesforce", "token", "--no-cache"}, {{"SSL_CERT_FILE", emu->caFile()}, {"SSL_CERT_DIR", dir.file("empty")}});
	expectRefusal(viaBundle, 5, "TLS");

	const std::string folder = dir.file("certs");
	Poco::File(folder).createDirectories();
	Poco::File(emu->caFile()).copyTo(folder + "/emulator-ca.pem");
	openssl({"rehash", folder});
	RunResult viaFolder = cli({"salesforce", "token", "--no-cache"}, {{"SSL_CERT_DIR", folder}});
	EXPECT_EQ(viaFolder.exitCode, 0) << viaFolder.err;

	writeEnv("LOGIN_URL=" + emu->baseUrl() + "\nCA_FILE=" + emu->caFile() + "\n");
	RunResult viaCaFile = cli({"salesforce", "token", "--no-cache"}, {{"SSL_CERT_FILE", otherCa}, {"SSL_CERT_DIR", dir.file("empty")}});
	EXPECT_EQ(viaCaFile.exitCode, 0) << viaCaFile.err;
}

} // namespace
