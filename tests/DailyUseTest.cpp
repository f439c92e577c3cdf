//
// DailyUseTest.cpp: small things of everyday use — a token pasted as people
// paste it, --json and -o json as the neighbours spell them, and an emulator
// that gets its port back at once after a restart.
//
#include "TestSupport.h"
#include "EmulatorSupport.h"
#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include "jwtflow/Exception.h"
#include "jwtflow/HttpClient.h"
#include "jwtflow/Json.h"
#include "jwtflow/emulator/Emulator.h"
#include "jwtflow/KeyFactory.h"
#include <gtest/gtest.h>
#include <sys/stat.h>

using namespace testing_support;

namespace {

std::string mintedJwt(const TempDir& dir)
{
	dir.write("private_key.pem", readFile(sharedKeys().rsaPkcs8));
	RunResult jwt = runJwtflow({"salesforce", "jwt", "--client-id", "3MVG9daily", "--subject", "d@example.com",
		"--private-key", "private_key.pem"}, dir.path());
	EXPECT_EQ(jwt.exitCode, 0) << jwt.err;
	return trim(jwt.out);
}

TEST(DailyUse, APastedTokenWithBearerBlanksOrAWrappedLineIsTheSameToken)
{
	TempDir dir;
	const std::string jwt = mintedJwt(dir);
	RunResult plain = runJwtflow({"decode", jwt, "--output", "json"}, dir.path());
	ASSERT_EQ(plain.exitCode, 0) << plain.err;
	const std::string wrapped = jwt.substr(0, 40) + "\n" + jwt.substr(40, 40) + "\r\n  " + jwt.substr(80);
	for (const std::string& pasted: {"Bearer " + jwt, "  " + jwt + "\n", "bearer  " + wrapped})
	{
		RunResult word = runJwtflow({"decode", pasted, "--output", "json"}, dir.path());
		EXPECT_EQ(word.exitCode, 0) << word.err;
		EXPECT_EQ(word.out, plain.out);
		RunResult piped = run({jwtflowBinary(), "decode", "-", "--output", "json"}, dir.path(), {}, pasted);
		EXPECT_EQ(piped.out, plain.out) << piped.err;
	}
	// Blanks never make a bad token good: a broken one stays refused.
	EXPECT_EQ(runJwtflow({"decode", "Bearer not.a.jwt"}, dir.path()).exitCode, 2);
}

TEST(DailyUse, JsonAndDashOAreOutputJson)
{
	TempDir dir;
	const std::string jwt = mintedJwt(dir);
	RunResult output = runJwtflow({"decode", jwt, "--output", "json"}, dir.path());
	RunResult json = runJwtflow({"decode", jwt, "--json"}, dir.path());
	RunResult dashO = runJwtflow({"decode", jwt, "-o", "json"}, dir.path());
	ASSERT_EQ(output.exitCode, 0) << output.err;
	EXPECT_EQ(json.out, output.out) << json.err;
	EXPECT_EQ(dashO.out, output.out) << dashO.err;
	EXPECT_NO_THROW(jwtflow::parseJsonObject(json.out));
	RunResult both = runJwtflow({"decode", jwt, "--json", "--output", "text"}, dir.path());
	EXPECT_EQ(both.exitCode, 2) << both.err;
	EXPECT_NE(both.err.find("ask for two formats"), std::string::npos) << both.err;
}

TEST(DailyUse, ARestartedEmulatorGetsItsPortBackAtOnce)
{
	jwtflow::emulator::EmulatorOptions options;
	options.apps.push_back({"3MVG9daily", jwtflow::Certificate::fromFile(sharedKeys().rsaCert), ""});
	auto first = std::make_unique<jwtflow::emulator::Emulator>(options);
	first->start();
	options.port = first->port();
	// A kept-alive connection the emulator closes when it stops: its side of it waits in TIME_WAIT.
	jwtflow::HttpOptions http;
	http.caFile = first->caFile();
	jwtflow::HttpClient client(http);
	EXPECT_EQ(client.get(first->baseUrl() + "/oidc/.well-known/openid-configuration").status, 200);
	first->stop();
	first.reset();
	jwtflow::emulator::Emulator second(options);
	EXPECT_NO_THROW(second.start()) << "the same port again, at once";
	EXPECT_EQ(second.port(), options.port);
	// And never two at a time on one port.
	jwtflow::emulator::Emulator third(options);
	EXPECT_THROW(third.start(), jwtflow::NetworkException);
}

TEST(DailyUse, AnEmulatorWithAStateFolderKeepsItsCaAcrossRestarts)
{
	TempDir dir;
	auto started = [&dir] {
		return startEmulator(dir, "3MVG9state", {"state@example.com"}, "", [](jwtflow::emulator::EmulatorOptions& o) {
			o.keepCertificateAuthority = true;
		});
	};
	std::string caFile, ca;
	{
		auto first = started();
		caFile = first->caFile();
		ca = readFile(caFile);
	}
	auto second = started();
	EXPECT_EQ(second->caFile(), caFile) << "a stable CA_FILE";
	EXPECT_EQ(readFile(caFile), ca) << "the same CA";
	struct stat st{};
	ASSERT_EQ(::stat((dir.file("emulator") + "/emulator-ca-key.pem").c_str(), &st), 0);
	EXPECT_EQ(st.st_mode & 0777, 0600u) << "the CA's key is the user's alone";
	// A client that trusted the first start trusts the second.
	jwtflow::HttpOptions http;
	http.caFile = caFile;
	jwtflow::HttpClient client(http);
	EXPECT_EQ(client.get(second->baseUrl() + "/oidc/.well-known/openid-configuration").status, 200);
}

TEST(DailyUse, NoLockFileIsLeftBehindByLogins)
{
	TempDir dir;
	auto emu = startEmulator(dir, "3MVG9daily.lock", {"lock@example.com"});
	dir.write("private_key.pem", readFile(sharedKeys().rsaPkcs8));
	const std::map<std::string, std::string> env = {{"CLIENT_ID", "3MVG9daily.lock"}, {"SUBJECT", "lock@example.com"},
		{"PATH_PRIVATE_KEY", "private_key.pem"}, {"LOGIN_URL", emu->baseUrl()}, {"CA_FILE", emu->caFile()},
		{"XDG_CACHE_HOME", dir.file("cache")}};
	for (const char* flag: {"--refresh", "--refresh", "--no-cache"})
		ASSERT_EQ(runJwtflow({"salesforce", "token", flag}, dir.path(), env).exitCode, 0);
	ASSERT_EQ(runJwtflow({"salesforce", "token"}, dir.path(), env).exitCode, 0);
	EXPECT_EQ(emu->loginsFor("lock@example.com"), 3) << "the last one read the cache";
	int tokens = 0, locks = 0;
	const std::string folder = dir.file("cache") + "/jwtflow/tokens";
	for (Poco::DirectoryIterator it(folder), end; it != end; ++it)
	{
		const std::string name = it.name();
		if (name.size() > 5 && name.compare(name.size() - 5, 5, ".lock") == 0) ++locks;
		else ++tokens;
	}
	EXPECT_EQ(tokens, 1);
	EXPECT_EQ(locks, 0) << "0-byte lock files no longer pile up";
}

} // namespace


namespace {

TEST(DailyUse, InJsonModeEveryFailureIsOneJsonObjectOnStdout)
{
	TempDir dir;
	auto emu = startEmulator(dir, "3MVG9json.errors", {"known@example.com"});
	dir.write("private_key.pem", readFile(sharedKeys().rsaPkcs8));
	const std::map<std::string, std::string> env = {{"CLIENT_ID", "3MVG9json.errors"}, {"SUBJECT", "stranger@example.com"},
		{"PATH_PRIVATE_KEY", dir.file("private_key.pem")}, {"LOGIN_URL", emu->baseUrl()}, {"CA_FILE", emu->caFile()}};
	RunResult refused = runJwtflow({"salesforce", "token", "--json"}, dir.path(), env);
	EXPECT_EQ(refused.exitCode, 4) << refused.err;
	Poco::JSON::Object::Ptr error = jwtflow::parseJsonObject(refused.out);
	EXPECT_EQ(error->getValue<std::string>("status"), "error");
	EXPECT_EQ(error->getValue<int>("exitCode"), 4);
	EXPECT_EQ(error->getValue<std::string>("idpError"), "invalid_grant") << refused.out;
	EXPECT_EQ(error->getValue<int>("httpStatus"), 400);
	EXPECT_FALSE(error->getValue<std::string>("hint").empty()) << refused.out;
	EXPECT_NE(refused.err.find("invalid_grant"), std::string::npos) << "the text stays on stderr";

	RunResult usage = runJwtflow({"salesforce", "token", "-o", "json", "--no-such-option"}, dir.path(), env);
	EXPECT_EQ(usage.exitCode, 2);
	EXPECT_EQ(jwtflow::parseJsonObject(usage.out)->getValue<int>("exitCode"), 2) << usage.out;
	RunResult text = runJwtflow({"salesforce", "token"}, dir.path(), env);
	EXPECT_EQ(text.out, "") << "no JSON without JSON mode";
}

TEST(DailyUse, AnExpiredCertificateIsSaidNotSilentlyPassed)
{
	TempDir dir;
	auto emu = startEmulator(dir, "3MVG9expired.cert", {"expired@example.com"});
	dir.write("private_key.pem", readFile(sharedKeys().rsaPkcs8));
	jwtflow::PrivateKey key = jwtflow::PrivateKey::fromFile(sharedKeys().rsaPkcs8);
	jwtflow::CertificateRequest request;
	request.days = -2;
	request.startOffsetSeconds = -10 * 86400;
	dir.write("certificate.pem", jwtflow::KeyFactory::issue(key, request).toPem());
	RunResult token = runJwtflow({"salesforce", "token"}, dir.path(), {{"CLIENT_ID", "3MVG9expired.cert"}, {"SUBJECT", "expired@example.com"},
		{"PATH_PRIVATE_KEY", dir.file("private_key.pem")}, {"PATH_CERTIFICATE", dir.file("certificate.pem")}, {"LOGIN_URL", emu->baseUrl()},
		{"CA_FILE", emu->caFile()}});
	EXPECT_EQ(token.exitCode, 0) << "Salesforce checks its own copy: " << token.err;
	EXPECT_NE(token.err.find("warning: the certificate " + dir.file("certificate.pem") + " (PATH_CERTIFICATE) expired on"), std::string::npos)
		<< token.err;
}

} // namespace

namespace {

TEST(DailyUse, AnEntraLoginSaysItsTenantAndAppAndNamesOnlyTheActionsThatReuseIt)
{
	TempDir dir;
	const std::string app = "5e7c1d2a-0000-4b6c-9d8e-daily0000001";
	auto emu = startEmulator(dir, app);
	dir.write("private_key.pem", readFile(sharedKeys().rsaPkcs8));
	const std::string tenant = jwtflow::emulator::EmulatorOptions().tenant;
	RunResult login = runJwtflow({"azure-ad", "login"}, dir.path(), {{"CLIENT_ID", app}, {"TENANT_ID", tenant},
		{"PATH_PRIVATE_KEY", dir.file("private_key.pem")}, {"PATH_CERTIFICATE", sharedKeys().rsaCert}, {"AUTHORITY", emu->baseUrl()},
		{"CA_FILE", emu->caFile()}});
	ASSERT_EQ(login.exitCode, 0) << login.err;
	EXPECT_NE(login.out.find("  tenant           " + tenant), std::string::npos) << login.out;
	EXPECT_NE(login.out.find("  app              " + app), std::string::npos) << login.out;
	EXPECT_EQ(login.out.find("whoami"), std::string::npos) << "azure-ad has no whoami: " << login.out;
	EXPECT_NE(login.out.find("token, call, exec reuse it"), std::string::npos) << login.out;
	RunResult envList = runJwtflow({"cache", "list", "--output", "env"}, dir.path());
	EXPECT_EQ(envList.exitCode, 2) << "an --output a command cannot honour is refused, not ignored";
}

} // namespace
