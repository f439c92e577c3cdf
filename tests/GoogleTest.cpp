//
// GoogleTest.cpp: the google plugin: the assertion as python3-jwt reads it,
// the exchange with the emulator's Google token endpoint, self-signed JWTs,
// domain-wide delegation, and service-account key files with bad fields.
//
#include "EmulatorSupport.h"
#include "TestSupport.h"
#include "jwtflow/Json.h"
#include <Poco/File.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

using namespace jwtflow;
using namespace testing_support;

namespace {

const char* const SA_EMAIL = "ci-runner@jwtflow-test.iam.gserviceaccount.com";
const char* const KEY_ID = "4f1e2d3c4b5a69788796a5b4c3d2e1f001122334";
const char* const SCOPE = "https://www.googleapis.com/auth/cloud-platform";

// Prints: alg typ kid | iss | sub | aud | scope | exp-iat
const char* PY_GOOGLE = R"(
import sys, jwt
token, pub, aud = sys.argv[1:4]
h = jwt.get_unverified_header(token)
c = jwt.decode(token, open(pub).read(), algorithms=["RS256"], audience=aud,
               options={"require": ["iss", "iat", "exp"]})
print(h["alg"], h["typ"], h["kid"], "|", c["iss"], "|", c.get("sub", "-"), "|", c.get("aud", "-"), "|",
      c.get("scope", "-"), "|", c["exp"] - c["iat"])
)";

class Google: public ::testing::Test
{
protected:
	void SetUp() override
	{
		emu = startEmulator(dir, SA_EMAIL, {"alice@example.com"}, KEY_ID);
		writeKeyFile("sa.json", keyFile());
		dir.write(".env", std::string("KEY_FILE=sa.json\nSCOPE=") + SCOPE + "\nCA_FILE=" + emu->caFile() + "\n");
	}

	Poco::JSON::Object::Ptr keyFile(const std::string& pemFile = sharedKeys().rsaPkcs8) const
	{
		Poco::JSON::Object::Ptr json = newJsonObject();
		json->set("type", "service_account");
		json->set("project_id", "jwtflow-test");
		json->set("private_key_id", KEY_ID);
		json->set("private_key", readFile(pemFile));
		json->set("client_email", SA_EMAIL);
		json->set("client_id", "112233445566778899001");
		json->set("auth_uri", "https://accounts.google.com/o/oauth2/auth");
		json->set("token_uri", tokenUri());
		json->set("universe_domain", "googleapis.com");
		return json;
	}

	void writeKeyFile(const std::string& name, const Poco::JSON::Object::Ptr& json)
	{
		dir.write(name, objectToJson(*json));
	}

	std::string tokenUri() const { return emu->baseUrl() + "/google/token"; }

	RunResult cli(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {})
	{
		return runJwtflow(args, dir.path(), env);
	}

	std::string pythonRead(const RunResult& r, const std::string& aud)
	{
		EXPECT_EQ(r.exitCode, 0) << r.err;
		return trim(python(PY_GOOGLE, {trim(r.out), sharedKeys().rsaPublic, aud}));
	}

	static void expectClean(const RunResult& r, int code, const std::string& text)
	{
		EXPECT_EQ(r.exitCode, code) << r.err;
		EXPECT_TRUE(r.out.empty()) << r.out;
		EXPECT_NE(r.err.find(text), std::string::npos) << r.err;
		EXPECT_EQ(r.err.find("Exception"), std::string::npos) << r.err;
		EXPECT_EQ(r.err.find("PRIVATE KEY"), std::string::npos) << "no key material in errors";
		EXPECT_EQ(r.err.find("MII"), std::string::npos) << "no key material in errors";
	}

	TempDir dir;
	std::unique_ptr<emulator::Emulator> emu;
};

} // namespace

TEST_F(Google, AssertionIsWhatGoogleDocumentsAsPythonJwtReadsIt)
{
	EXPECT_EQ(pythonRead(cli({"google", "jwt"}), tokenUri()),
		std::string("RS256 JWT ") + KEY_ID + " | " + SA_EMAIL + " | - | " + tokenUri() + " | " + SCOPE + " | 3600");
	EXPECT_EQ(pythonRead(cli({"google", "jwt", "--subject", "alice@example.com", "--lifetime", "600"}), tokenUri()),
		std::string("RS256 JWT ") + KEY_ID + " | " + SA_EMAIL + " | alice@example.com | " + tokenUri() + " | " + SCOPE + " | 600");
	// Self-signed: iss = sub = client_email, aud = the API, no scope, no exchange.
	EXPECT_EQ(pythonRead(cli({"google", "jwt", "--mode", "self-signed", "--self-signed-audience", "https://pubsub.googleapis.com/"}),
		"https://pubsub.googleapis.com/"),
		std::string("RS256 JWT ") + KEY_ID + " | " + SA_EMAIL + " | " + SA_EMAIL + " | https://pubsub.googleapis.com/ | - | 3600");
	// The key file can come from GOOGLE_APPLICATION_CREDENTIALS, as Google's libraries take it.
	dir.write(".env", std::string("SCOPE=") + SCOPE + "\n");
	RunResult adc = cli({"google", "jwt"}, {{"GOOGLE_APPLICATION_CREDENTIALS", dir.file("sa.json")}});
	EXPECT_EQ(adc.exitCode, 0) << adc.err;
}

TEST_F(Google, TokenFromTheStrictEndpointAndDelegation)
{
	RunResult token = cli({"google", "token"});
	ASSERT_EQ(token.exitCode, 0) << token.err;
	EXPECT_EQ(token.out.rfind("ya29.", 0), 0u) << token.out;
	RunResult json = cli({"google", "token", "--output", "json"});
	ASSERT_EQ(json.exitCode, 0) << json.err;
	Poco::JSON::Parser parser;
	auto answer = parser.parse(json.out).extract<Poco::JSON::Object::Ptr>();
	EXPECT_EQ(answer->getValue<int>("expires_in"), 3599);
	EXPECT_EQ(answer->getValue<std::string>("token_type"), "Bearer");
	EXPECT_EQ(cli({"google", "token", "--subject", "alice@example.com"}).exitCode, 0);
	EXPECT_EQ(emu->tokensIssued(), 3);

	expectClean(cli({"google", "token", "--subject", "mallory@example.com"}), 4, "Domain-wide delegation");
}

TEST_F(Google, RefusalsNameTheFix)
{
	// Google would refuse these; jwtflow does before sending.
	expectClean(cli({"google", "jwt", "--lifetime", "3601"}), 2, "3600");
	dir.write(".env", std::string("KEY_FILE=sa.json\nCA_FILE=") + emu->caFile() + "\n");
	expectClean(cli({"google", "token"}), 2, "missing setting SCOPE");
	expectClean(cli({"google", "token", "--scope", SCOPE, "--mode", "self-signed", "--self-signed-audience", "https://x.googleapis.com/"}),
		2, "no exchange");
	expectClean(cli({"google", "jwt", "--mode", "self-signed"}), 2, "SELF_SIGNED_AUDIENCE");
	expectClean(cli({"google", "jwt", "--scope", SCOPE, "--mode", "sideways"}), 2, "MODE");
	dir.write(".env", std::string("SCOPE=") + SCOPE + "\n");
	expectClean(cli({"google", "jwt"}), 2, "missing setting KEY_FILE");

	// Google refuses these: a key it does not know (another key id; another key).
	dir.write(".env", std::string("KEY_FILE=other.json\nSCOPE=") + SCOPE + "\nCA_FILE=" + emu->caFile() + "\n");
	Poco::JSON::Object::Ptr otherId = keyFile();
	otherId->set("private_key_id", "0000000000000000000000000000000000000000");
	writeKeyFile("other.json", otherId);
	expectClean(cli({"google", "token"}), 4, "deleted or disabled");
	writeKeyFile("other.json", keyFile(sharedKeys().otherRsa));
	expectClean(cli({"google", "token"}), 4, "Invalid JWT Signature");
	// An unknown service account.
	Poco::JSON::Object::Ptr stranger = keyFile();
	stranger->set("client_email", "stranger@elsewhere.iam.gserviceaccount.com");
	writeKeyFile("other.json", stranger);
	expectClean(cli({"google", "token"}), 4, "account not found");
	// A token_uri where no endpoint is.
	Poco::JSON::Object::Ptr lost = keyFile();
	lost->set("token_uri", emu->baseUrl() + "/google/nothing-here");
	writeKeyFile("other.json", lost);
	expectClean(cli({"google", "token"}), 5, "404");
}

TEST_F(Google, KeyFilesWithBadFieldsGetOneClearMessage)
{
	struct Case
	{
		std::string name;
		std::function<void(Poco::JSON::Object&)> change;
		std::string expected;
	};
	const std::vector<Case> cases = {
		{"user credentials", [](Poco::JSON::Object& j) { j.set("type", "authorized_user"); }, "user's credentials"},
		{"federation", [](Poco::JSON::Object& j) { j.set("type", "external_account"); }, "sa.json' (KEY_FILE / --key-file): \"audience\" is missing"},
		{"no type", [](Poco::JSON::Object& j) { j.remove("type"); }, "has no \"type\""},
		{"no client_email", [](Poco::JSON::Object& j) { j.remove("client_email"); }, "has no \"client_email\""},
		{"client_email not an address", [](Poco::JSON::Object& j) { j.set("client_email", "robot"); }, "not an e-mail address"},
		{"no private_key_id", [](Poco::JSON::Object& j) { j.remove("private_key_id"); }, "has no \"private_key_id\""},
		{"no private_key", [](Poco::JSON::Object& j) { j.remove("private_key"); }, "has no \"private_key\""},
		{"private_key a number", [](Poco::JSON::Object& j) { j.set("private_key", 42); }, "\"private_key\" is not a string"},
		{"private_key not PEM", [](Poco::JSON::Object& j) { j.set("private_key", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"); }, "not a PEM key"},
		{"private_key broken PEM", [](Poco::JSON::Object& j) {
			j.set("private_key", "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"); },
			"private_key of service-account key file"},
		{"token_uri plain http", [](Poco::JSON::Object& j) { j.set("token_uri", "http://oauth2.example.com/token"); }, "must be an https URL"},
		{"token_uri not a URL", [](Poco::JSON::Object& j) { j.set("token_uri", "::"); }, "token_uri"},
	};
	for (const auto& c: cases)
	{
		Poco::JSON::Object::Ptr json = keyFile();
		c.change(*json);
		writeKeyFile("sa.json", json);
		SCOPED_TRACE(c.name);
		expectClean(cli({"google", "jwt"}), 3, c.expected);
	}
	dir.write("sa.json", "{\"type\": \"service_account\", \"private_key\": \"-----BEGIN PRIVATE KEY-----\\nMIIE");
	expectClean(cli({"google", "jwt"}), 3, "not a JSON object");
	dir.write("sa.json", "");
	expectClean(cli({"google", "jwt"}), 3, "is empty");
	Poco::File(dir.file("sa.json")).remove();
	expectClean(cli({"google", "jwt"}), 3, "no such file");
	Poco::File(dir.file("sa.json")).createDirectories();
	expectClean(cli({"google", "jwt"}), 3, "a folder");
}

TEST_F(Google, DoctorChecksTheKeyFileAndTheExchange)
{
	RunResult r = cli({"google", "doctor"});
	EXPECT_EQ(r.exitCode, 0) << r.out << r.err;
	EXPECT_NE(r.out.find(SA_EMAIL), std::string::npos) << r.out;
	EXPECT_NE(r.out.find("ok    key file permissions"), std::string::npos) << r.out;
	// A key file as a browser downloads it (0644) is refused, with the fix.
	::chmod(dir.file("sa.json").c_str(), 0644);
	RunResult loose = cli({"google", "doctor"});
	EXPECT_NE(loose.exitCode, 0) << loose.out;
	EXPECT_NE(loose.out.find("chmod 600"), std::string::npos) << "the JSON key file is world-readable: " << loose.out;
	expectClean(cli({"google", "jwt"}), 3, "chmod 600");
}
