//
// CliTest.cpp: the built jwtflow binary, run as a user would, from a folder
// holding the seed's .env.
//
#include "TestSupport.h"
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

using namespace testing_support;

namespace {

const char* PY_CHECK = R"(
import sys, jwt
token, pub, aud = sys.argv[1:4]
c = jwt.decode(token, open(pub).read(), algorithms=["RS256"], audience=aud)
h = jwt.get_unverified_header(token)
print(h["alg"], c["iss"], c["sub"], c["aud"], c["exp"] - c["iat"], c.get("env", "-"))
)";

class Cli: public ::testing::Test
{
protected:
	void SetUp() override
	{
		const TestKeys& k = sharedKeys();
		dir.write("private_key.pem", readFile(k.rsaPkcs8));
		dir.write("public_key.pem", readFile(k.rsaPublic));
		writeEnv("");
	}

	void writeEnv(const std::string& extra)
	{
		dir.write(".env",
			"# the seed's .env\n"
			"SUBJECT=integration.user@example.com\n"
			"CLIENT_ID=3MVG9seed.consumer.key\n"
			"PATH_PRIVATE_KEY=private_key.pem\n"
			"PATH_PUBLIC_KEY=public_key.pem\n" + extra);
	}

	RunResult cli(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {})
	{
		return runJwtflow(args, dir.path(), env);
	}

	static void expectOneCleanError(const RunResult& r, int code, const std::string& text)
	{
		EXPECT_EQ(r.exitCode, code) << r.err;
		EXPECT_TRUE(r.out.empty()) << r.out;
		EXPECT_NE(r.err.find(text), std::string::npos) << r.err;
		EXPECT_EQ(r.err.find("terminate called"), std::string::npos);
		EXPECT_EQ(r.err.find("Exception"), std::string::npos) << "no raw exception class names: " << r.err;
		EXPECT_EQ(r.err.find("-----BEGIN"), std::string::npos) << "no key material";
	}

	TempDir dir;
};

} // namespace

TEST_F(Cli, SalesforceJwtFromTheSeedEnvIsAcceptedByPythonJwt)
{
	RunResult r = cli({"salesforce", "jwt"});
	ASSERT_EQ(r.exitCode, 0) << r.err;
	std::string token = trim(r.out);
	EXPECT_EQ(r.out, token + "\n") << "stdout is the JWT alone on one line";
	EXPECT_EQ(std::count(token.begin(), token.end(), '.'), 2);
	EXPECT_EQ(trim(python(PY_CHECK, {token, dir.file("public_key.pem"), "https://login.salesforce.com"})),
		"RS256 3MVG9seed.consumer.key integration.user@example.com https://login.salesforce.com 180 -");
}

TEST_F(Cli, AudienceLifetimeAndClaimsFollowTheSettings)
{
	writeEnv("AUDIENCE=https://test.salesforce.com/\n");
	RunResult r = cli({"salesforce", "jwt", "--lifetime", "300", "--claim", "env=sandbox"});
	ASSERT_EQ(r.exitCode, 0) << r.err;
	EXPECT_EQ(trim(python(PY_CHECK, {trim(r.out), dir.file("public_key.pem"), "https://test.salesforce.com"})),
		"RS256 3MVG9seed.consumer.key integration.user@example.com https://test.salesforce.com 300 sandbox");
	// The environment beats .env; the command line beats both.
	r = cli({"salesforce", "jwt", "--subject", "cli@example.com"}, {{"SUBJECT", "env@example.com"}, {"AUDIENCE", "https://login.salesforce.com"}});
	ASSERT_EQ(r.exitCode, 0) << r.err;
	EXPECT_NE(python(PY_CHECK, {trim(r.out), dir.file("public_key.pem"), "https://login.salesforce.com"}).find("cli@example.com"), std::string::npos);
	r = cli({"salesforce", "jwt"}, {{"SUBJECT", "env@example.com"}});
	EXPECT_NE(python(PY_CHECK, {trim(r.out), dir.file("public_key.pem"), "https://test.salesforce.com"}).find("env@example.com"), std::string::npos);
}

TEST_F(Cli, JsonAndEnvOutputs)
{
	RunResult r = cli({"salesforce", "jwt", "--output", "json"});
	ASSERT_EQ(r.exitCode, 0) << r.err;
	Poco::JSON::Parser parser;
	auto obj = parser.parse(r.out).extract<Poco::JSON::Object::Ptr>();
	EXPECT_EQ(obj->getObject("claims")->getValue<std::string>("sub"), "integration.user@example.com");
	EXPECT_EQ(obj->getObject("header")->getValue<std::string>("alg"), "RS256");
	r = cli({"salesforce", "jwt", "--output=env"});
	EXPECT_EQ(r.out.rfind("export JWT='ey", 0), 0u) << r.out;
	r = cli({"salesforce", "describe", "--output", "json"}, {{"PRIVATE_KEY_PASSPHRASE", "hunter2-secret"}});
	ASSERT_EQ(r.exitCode, 0) << r.err;
	EXPECT_EQ(r.out.find("hunter2-secret"), std::string::npos) << "secrets are masked";
	EXPECT_NE(r.out.find("\"source\": \"environment\""), std::string::npos);
	EXPECT_NE(r.out.find(".env ("), std::string::npos);
}

TEST_F(Cli, UsageErrorsExitTwoWithOneReadableLine)
{
	expectOneCleanError(cli({"nope", "jwt"}), 2, "unknown provider 'nope'; available: azure-ad, google, oidc, salesforce, salesforce-community");
	expectOneCleanError(cli({"salesforce", "frob"}), 2, "unknown action 'frob'");
	expectOneCleanError(cli({"salesforce", "jwt", "--bogus"}), 2, "unknown option --bogus (see");
	expectOneCleanError(cli({"salesforce", "jwt", "--lifetime", "301"}), 2, "maximum of 300 s");
	expectOneCleanError(cli({"salesforce", "jwt", "--lifetime", "soon"}), 2, "not a positive number");
	expectOneCleanError(cli({"salesforce", "jwt", "--alg", "PS256"}), 2, "not accepted by salesforce");
	expectOneCleanError(cli({"salesforce", "jwt", "--alg", "none"}), 2, "never accepted");
	expectOneCleanError(cli({"salesforce", "jwt", "--claim", "iss=evil"}), 2, "cannot set 'iss'");
	expectOneCleanError(cli({"salesforce", "jwt", "--claim", "novalue"}), 2, "NAME=VALUE");
	expectOneCleanError(cli({"salesforce", "jwt", "--audience", "login.salesforce.com"}), 2, "not an absolute https URL");
	expectOneCleanError(cli({"salesforce", "jwt", "--output", "yaml"}), 2, "not a format");
	expectOneCleanError(cli({"salesforce"}), 2, "no action given");
	RunResult bare = cli({});   // jwtflow alone: the usage summary, exit 2 (issue 14)
	EXPECT_EQ(bare.exitCode, 2);
	EXPECT_TRUE(bare.out.empty());
	EXPECT_NE(bare.err.find("usage: jwtflow <provider> <action> [options]"), std::string::npos) << bare.err;
	EXPECT_NE(bare.err.find("salesforce"), std::string::npos) << bare.err;
	writeEnv("");
	dir.write(".env", "CLIENT_ID=x\nPATH_PRIVATE_KEY=private_key.pem\n");
	expectOneCleanError(cli({"salesforce", "jwt"}), 2, "missing setting SUBJECT");
	dir.write(".env", "CLIENT_ID=x\nSUBJECT=y\nPATH_PRIVATE_KEY=private_key.pem\nTHIS LINE IS BROKEN\n");
	expectOneCleanError(cli({"salesforce", "jwt"}), 2, ".env:4:");
}

TEST_F(Cli, LocalInputErrorsExitThreeWithoutLeakingSecrets)
{
	const TestKeys& k = sharedKeys();
	expectOneCleanError(cli({"salesforce", "jwt", "--private-key", "missing.pem"}), 3, "cannot read private key 'missing.pem'");
	// The core's messages name settings; the program adds the option that sets each, once.
	expectOneCleanError(cli({"salesforce", "jwt", "--private-key", k.rsaCert}), 3,
		"holds a certificate, not a private key: give the private key file (PATH_PRIVATE_KEY / --private-key) "
		"and the certificate as PATH_CERTIFICATE (--certificate)");
	expectOneCleanError(cli({"salesforce", "jwt", "--private-key", k.ecPkcs8}), 3, "choose another algorithm (JWT_ALGORITHM / --alg)");
	expectOneCleanError(cli({"salesforce", "jwt", "--private-key", k.encryptedPkcs8}), 3,
		"encrypted and no passphrase was given: set PRIVATE_KEY_PASSPHRASE_FILE (--passphrase-file) or PRIVATE_KEY_PASSPHRASE (at");
	RunResult wrong = cli({"salesforce", "jwt", "--private-key", k.encryptedPkcs8}, {{"PRIVATE_KEY_PASSPHRASE", "not-the-passphrase-42"}});
	expectOneCleanError(wrong, 3, "wrong passphrase");
	EXPECT_EQ(wrong.err.find("not-the-passphrase-42"), std::string::npos);
	dir.write("pass.txt", k.passphrase + "\n");
	RunResult ok = cli({"salesforce", "jwt", "--private-key", k.encryptedPkcs8, "--passphrase-file", "pass.txt"});
	EXPECT_EQ(ok.exitCode, 0) << ok.err;
	EXPECT_EQ(ok.err.find(k.passphrase), std::string::npos);
	expectOneCleanError(cli({"salesforce", "jwt", "--env-file", "nope.env"}), 3, "cannot read .env file");
}

TEST_F(Cli, VerifyAndDecode)
{
	std::string token = trim(cli({"salesforce", "jwt"}).out);
	RunResult ok = cli({"verify", "--token", token, "--audience", "https://login.salesforce.com", "--issuer", "3MVG9seed.consumer.key"});
	EXPECT_EQ(ok.exitCode, 0) << ok.err;
	EXPECT_NE(ok.err.find("valid"), std::string::npos);
	RunResult viaCert = cli({"verify", "--token", token, "--certificate", sharedKeys().rsaCert});
	EXPECT_EQ(viaCert.exitCode, 0) << viaCert.err;
	EXPECT_EQ(cli({"verify", "--token", token, "--audience", "https://test.salesforce.com"}).exitCode, 6);
	EXPECT_EQ(cli({"verify", "--token", token, "--public-key", sharedKeys().otherRsaPublic}).exitCode, 6);
	std::string tampered = token;
	tampered[token.find('.') + 5] = tampered[token.find('.') + 5] == 'A' ? 'B' : 'A';
	EXPECT_EQ(cli({"verify", "--token", tampered}).exitCode, 6);
	RunResult stdinToken = runJwtflow({"verify", "--token", "-"}, dir.path(), {}, token + "\n");
	EXPECT_EQ(stdinToken.exitCode, 0) << stdinToken.err;
	RunResult decoded = cli({"decode", "--token", token});
	EXPECT_EQ(decoded.exitCode, 0);
	EXPECT_NE(decoded.out.find("integration.user@example.com"), std::string::npos);
	EXPECT_NE(decoded.err.find("NOT verified"), std::string::npos);
	expectOneCleanError(cli({"decode", "--token", "garbage"}), 2, "malformed JWT");
}

TEST_F(Cli, ProvidersHelpAndVersion)
{
	RunResult p = cli({"providers", "--plugins", JWTFLOW_TEST_PLUGIN_DIR});
	EXPECT_EQ(p.exitCode, 0) << p.err;
	EXPECT_NE(p.out.find("salesforce"), std::string::npos);
	EXPECT_NE(p.err.find("ABI version 999"), std::string::npos) << "refused plugins are reported";
	EXPECT_NE(p.err.find("not a jwtflow plugin"), std::string::npos);
	RunResult withBad = cli({"salesforce", "jwt", "--plugins", JWTFLOW_TEST_PLUGIN_DIR});
	EXPECT_EQ(withBad.exitCode, 0) << "bad plugins elsewhere do not stop a provider that works: " << withBad.err;
	RunResult help = cli({"--help"});
	EXPECT_EQ(help.exitCode, 0);
	EXPECT_NE(help.out.find("usage: jwtflow <provider> <action>"), std::string::npos);
	RunResult sfHelp = cli({"salesforce", "--help"});
	EXPECT_EQ(sfHelp.exitCode, 0);
	EXPECT_NE(sfHelp.out.find("--client-id"), std::string::npos);
	EXPECT_NE(cli({"--version"}).out.find("jwtflow 0."), std::string::npos);
}
