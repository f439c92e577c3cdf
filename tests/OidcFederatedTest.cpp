//
// OidcFederatedTest.cpp: the oidc provider with a federated client (a workload
// token as the client assertion, no key) and RFC 8693's token exchange (a
// subject token file exchanged by a private_key_jwt client), against the
// emulator's authorization server and workload issuer.
//
#include "TestSupport.h"
#include "EmulatorSupport.h"
#include "jwtflow/Json.h"
#include "jwtflow/Jwt.h"
#include <gtest/gtest.h>
#include <sys/stat.h>

using namespace testing_support;

namespace {

const char* const CLIENT = "0oafederatedclient";
const char* const KID = "jwtflow-federated-key-1";
const char* const WORKLOAD = "system:serviceaccount:jobs:reporter";

class OidcFederated: public ::testing::Test
{
protected:
	void SetUp() override
	{
		emu = startEmulator(dir, CLIENT, {}, KID, [this](jwtflow::emulator::EmulatorOptions& o) {
			o.apps.front().federated = {{"", WORKLOAD, "api://jwtflow-oidc"}};
		});
		dir.write("private_key.pem", readFile(sharedKeys().rsaPkcs8));
	}

	std::map<std::string, std::string> env(std::map<std::string, std::string> more) const
	{
		std::map<std::string, std::string> e = {{"ISSUER", emu->baseUrl() + "/oidc"}, {"CLIENT_ID", CLIENT}, {"SCOPE", "api.read"},
			{"CA_FILE", emu->caFile()}, {"TOKEN_STORE", "none"}, {"XDG_CACHE_HOME", dir.file("cache")}, {"DISCOVERY_CACHE_SECONDS", "0"}};
		for (const auto& m: more) e[m.first] = m.second;
		return e;
	}

	std::string tokenFile(const std::string& name, const std::string& token) const
	{
		const std::string path = dir.write(name, token);
		::chmod(path.c_str(), 0644);
		return path;
	}

	TempDir dir;
	std::unique_ptr<jwtflow::emulator::Emulator> emu;
};

TEST_F(OidcFederated, AFederatedClientNeedsNoKey)
{
	const std::string file = tokenFile("client-token", emu->mintWorkloadToken(WORKLOAD, "api://jwtflow-oidc"));
	RunResult r = runJwtflow({"oidc", "token"}, dir.path(), env({{"CLIENT_ASSERTION_FILE", file}}));
	ASSERT_EQ(r.exitCode, 0) << r.err;
	EXPECT_FALSE(trim(r.out).empty());
	// Another workload's token does not stand for this client.
	tokenFile("client-token", emu->mintWorkloadToken("system:serviceaccount:jobs:other", "api://jwtflow-oidc"));
	RunResult other = runJwtflow({"oidc", "token"}, dir.path(), env({{"CLIENT_ASSERTION_FILE", file}}));
	EXPECT_EQ(other.exitCode, 4) << other.err;
	EXPECT_NE(other.err.find("invalid_client"), std::string::npos) << other.err;
}

TEST_F(OidcFederated, TokenExchangeTradesASubjectTokenForAnAccessToken)
{
	const std::string subject = tokenFile("subject-token", emu->mintWorkloadToken(WORKLOAD, emu->baseUrl() + "/oidc"));
	const auto exchange = env({{"GRANT", "token-exchange"}, {"SUBJECT_TOKEN_FILE", subject}, {"KEY_ID", KID},
		{"PATH_PRIVATE_KEY", "private_key.pem"}});
	RunResult r = runJwtflow({"oidc", "token", "--output", "json"}, dir.path(), exchange);
	ASSERT_EQ(r.exitCode, 0) << r.err;
	auto answer = jwtflow::parseJsonObject(r.out);
	EXPECT_FALSE(jwtflow::jsonString(*answer, "access_token").empty()) << r.out;

	// An expired subject token is not sent; one of an issuer the server does not trust is refused by it.
	tokenFile("subject-token", emu->mintWorkloadToken(WORKLOAD, emu->baseUrl() + "/oidc", -120));
	RunResult expired = runJwtflow({"oidc", "token"}, dir.path(), exchange);
	EXPECT_EQ(expired.exitCode, 3) << expired.err;
	EXPECT_NE(expired.err.find("SUBJECT_TOKEN_FILE"), std::string::npos) << expired.err;
	Poco::JSON::Object header, claims;
	header.set("alg", "RS256");
	claims.set("iss", "https://issuer.elsewhere.example");
	claims.set("sub", WORKLOAD);
	claims.set("exp", Poco::Timestamp().epochTime() + 600);
	tokenFile("subject-token", jwtflow::signJwt(header, claims, jwtflow::PrivateKey::fromFile(sharedKeys().rsaPkcs8),
		jwtflow::Algorithm::fromName("RS256")));
	RunResult foreign = runJwtflow({"oidc", "token"}, dir.path(), exchange);
	EXPECT_EQ(foreign.exitCode, 4) << foreign.err;
	EXPECT_NE(foreign.err.find("subject_token"), std::string::npos) << foreign.err;
	EXPECT_NE(foreign.err.find("SUBJECT_TOKEN_FILE"), std::string::npos) << "the hint names the setting: " << foreign.err;
}

} // namespace
