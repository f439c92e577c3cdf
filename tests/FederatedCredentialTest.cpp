//
// FederatedCredentialTest.cpp: Entra ID workload identity with no private key
// anywhere — a projected token file (as AKS's webhook mounts it), re-read for
// every login; GitHub Actions' ID-token endpoint; and each refusal: an expired
// or loose file, another subject, audience or issuer, a refused bearer.
//
#include "TestSupport.h"
#include "EmulatorSupport.h"
#include "jwtflow/Exception.h"
#include "jwtflow/KeyFactory.h"
#include "jwtflow/Jwt.h"
#include "jwtflow/PluginRegistry.h"
#include "jwtflow/Session.h"
#include <gtest/gtest.h>
#include <sys/stat.h>

using namespace testing_support;
using namespace jwtflow;

namespace {

const char* const APP_ID = "7a1b2c3d-0000-4e5f-8a9b-federated001";
const char* const SERVICE_ACCOUNT = "system:serviceaccount:jobs:exporter";
const char* const AUDIENCE = "api://AzureADTokenExchange";

class Federated: public ::testing::Test
{
protected:
	void SetUp() override
	{
		emu = startEmulator(dir, APP_ID, {}, "", [](emulator::EmulatorOptions& o) {
			o.apps.front().federated = {{"", SERVICE_ACCOUNT, AUDIENCE}, {"", o.githubSubject, AUDIENCE}};
		});
		tokenFile = dir.file("azure-identity-token");
	}

	/// The settings of a pod that azure-identity's webhook set up, in jwtflow's names; no key.
	std::map<std::string, std::string> podEnv() const
	{
		return {{"CLIENT_ID", APP_ID}, {"TENANT_ID", emulator::EmulatorOptions().tenant}, {"AUTHORITY", emu->baseUrl()},
			{"CA_FILE", emu->caFile()}, {"CLIENT_ASSERTION_FILE", tokenFile}, {"SCOPE", "https://graph.microsoft.com/.default"}};
	}

	/// Writes the projected token as the kubelet does: readable by all, writable by its owner only.
	void project(const std::string& token) const
	{
		dir.write("azure-identity-token", token);
		::chmod(tokenFile.c_str(), 0644);
	}

	RunResult token(const std::map<std::string, std::string>& env) const
	{
		return runJwtflow({"azure-ad", "token", "--output", "json"}, dir.path(), env);
	}

	TempDir dir;
	std::unique_ptr<emulator::Emulator> emu;
	std::string tokenFile;
};

TEST_F(Federated, AProjectedTokenFileStandsForTheAppWithNoKeyAnywhere)
{
	project(emu->mintWorkloadToken(SERVICE_ACCOUNT, AUDIENCE));
	RunResult r = token(podEnv());
	ASSERT_EQ(r.exitCode, 0) << r.err;
	EXPECT_NE(r.out.find("\"access_token\""), std::string::npos) << r.out;
	EXPECT_EQ(emu->loginsFor(APP_ID), 1);
	EXPECT_EQ(r.err.find("eyJ"), std::string::npos) << "the workload token is never shown";
	// Nothing on disk holds the login: no key seals a cache.
	RunResult again = token(podEnv());
	ASSERT_EQ(again.exitCode, 0) << again.err;
	EXPECT_EQ(emu->loginsFor(APP_ID), 2);
}

TEST_F(Federated, TheFileIsReadAgainForEveryLoginInOneSession)
{
	project(emu->mintWorkloadToken(SERVICE_ACCOUNT, AUDIENCE, 600));
	PluginRegistry registry({JWTFLOW_PLUGIN_DIR});
	Settings settings;
	settings.addMapLayer("pod", podEnv());
	settings.addDefaults(registry.get("azure-ad").settings());
	Session session(registry.get("azure-ad"), settings);
	EXPECT_FALSE(session.accessToken().empty());
	// The platform rotates the file: an expired one now, which the next login must not send.
	project(emu->mintWorkloadToken(SERVICE_ACCOUNT, AUDIENCE, -60));
	session.invalidate();
	try
	{
		session.accessToken();
		ADD_FAILURE() << "an expired federated token must not be sent";
	}
	catch (const InputException& e)
	{
		EXPECT_NE(e.message().find("'" + tokenFile + "' (CLIENT_ASSERTION_FILE) expired at "), std::string::npos) << e.message();
	}
	// Rotated again: the next login reads the fresh one.
	project(emu->mintWorkloadToken(SERVICE_ACCOUNT, AUDIENCE, 600));
	EXPECT_FALSE(session.accessToken().empty());
	EXPECT_EQ(emu->loginsFor(APP_ID), 2);
}

TEST_F(Federated, EachMismatchIsRefusedWithEntrasCodeAndTheFix)
{
	project(emu->mintWorkloadToken("system:serviceaccount:jobs:other", AUDIENCE));
	RunResult subject = token(podEnv());
	EXPECT_EQ(subject.exitCode, 4) << subject.err;
	EXPECT_NE(subject.err.find("AADSTS70021"), std::string::npos) << subject.err;
	EXPECT_NE(subject.err.find("Assertion Subject: 'system:serviceaccount:jobs:other'"), std::string::npos) << subject.err;
	EXPECT_NE(subject.err.find("federated credentials"), std::string::npos) << "the hint names the fix: " << subject.err;

	project(emu->mintWorkloadToken(SERVICE_ACCOUNT, "api://another-audience"));
	RunResult audience = token(podEnv());
	EXPECT_EQ(audience.exitCode, 4) << audience.err;
	EXPECT_NE(audience.err.find("Assertion Audience: 'api://another-audience'"), std::string::npos) << audience.err;

	// A token of another issuer (signed by a key of its own): not one the app trusts.
	Poco::JSON::Object header, claims;
	header.set("alg", "RS256");
	claims.set("iss", "https://oidc.example.net/cluster");
	claims.set("sub", SERVICE_ACCOUNT);
	claims.set("aud", AUDIENCE);
	claims.set("exp", Poco::Timestamp().epochTime() + 600);
	project(signJwt(header, claims, PrivateKey::fromFile(sharedKeys().rsaPkcs8), Algorithm::fromName("RS256")));
	RunResult issuer = token(podEnv());
	EXPECT_EQ(issuer.exitCode, 4) << issuer.err;
	EXPECT_NE(issuer.err.find("AADSTS700211"), std::string::npos) << issuer.err;

	EXPECT_EQ(emu->loginsFor(APP_ID), 0);
}

TEST_F(Federated, AnExpiredLooseOrMissingFileIsALocalErrorBeforeAnythingIsSent)
{
	project(emu->mintWorkloadToken(SERVICE_ACCOUNT, AUDIENCE, -120));
	RunResult expired = token(podEnv());
	EXPECT_EQ(expired.exitCode, 3) << expired.err;
	EXPECT_NE(expired.err.find("expired at"), std::string::npos) << expired.err;
	EXPECT_NE(expired.err.find(tokenFile), std::string::npos) << expired.err;

	project(emu->mintWorkloadToken(SERVICE_ACCOUNT, AUDIENCE));
	::chmod(tokenFile.c_str(), 0666);
	RunResult loose = token(podEnv());
	EXPECT_EQ(loose.exitCode, 3) << "a token file others can replace is not trusted: " << loose.err;

	project("not a token at all\n");
	RunResult garbage = token(podEnv());
	EXPECT_EQ(garbage.exitCode, 3) << garbage.err;
	EXPECT_NE(garbage.err.find("does not hold a JWT"), std::string::npos) << garbage.err;
	EXPECT_EQ(garbage.err.find("not a token at all"), std::string::npos) << "the file's content is never shown";
	EXPECT_EQ(emu->tokensIssued(), 0);
}

TEST_F(Federated, GitHubActionsIdTokenIsTakenWhenTheJobOffersOne)
{
	// A job with `permissions: id-token: write`: the two variables, no key, no token file.
	std::map<std::string, std::string> env = podEnv();
	env.erase("CLIENT_ASSERTION_FILE");
	env["ACTIONS_ID_TOKEN_REQUEST_URL"] = emu->baseUrl() + "/github/idtoken?api-version=2.0";
	env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = emu->githubRequestToken();
	RunResult r = token(env);
	ASSERT_EQ(r.exitCode, 0) << r.err;
	EXPECT_EQ(emu->loginsFor(APP_ID), 1);
	// The endpoint refuses another bearer: the fix is the workflow's permission.
	env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = "not-the-request-token";
	RunResult refused = token(env);
	EXPECT_EQ(refused.exitCode, 2) << refused.err;
	EXPECT_NE(refused.err.find("permissions: id-token: write"), std::string::npos) << refused.err;
	// Another audience than the federated credential's.
	env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = emu->githubRequestToken();
	env["FEDERATED_TOKEN_AUDIENCE"] = "api://elsewhere";
	RunResult audience = token(env);
	EXPECT_EQ(audience.exitCode, 4) << audience.err;
	EXPECT_NE(audience.err.find("AADSTS70021"), std::string::npos) << audience.err;
}

} // namespace

namespace {

TEST_F(Federated, AzureIdentitysNamesAreReadWhereJwtflowsAreNotSet)
{
	// A pod set up for azure-identity: its webhook's variables, and nothing of jwtflow's.
	project(emu->mintWorkloadToken(SERVICE_ACCOUNT, AUDIENCE));
	const std::map<std::string, std::string> pod = {{"AZURE_CLIENT_ID", APP_ID}, {"AZURE_TENANT_ID", emulator::EmulatorOptions().tenant},
		{"AZURE_AUTHORITY_HOST", emu->baseUrl() + "/"}, {"AZURE_FEDERATED_TOKEN_FILE", tokenFile}, {"CA_FILE", emu->caFile()}};
	RunResult r = runJwtflow({"azure-ad", "token"}, dir.path(), pod);
	ASSERT_EQ(r.exitCode, 0) << r.err;
	RunResult describe = runJwtflow({"azure-ad", "describe"}, dir.path(), pod);
	ASSERT_EQ(describe.exitCode, 0) << describe.err;
	EXPECT_NE(describe.out.find("environment (AZURE_CLIENT_ID)"), std::string::npos) << describe.out;
	EXPECT_NE(describe.out.find("environment (AZURE_FEDERATED_TOKEN_FILE)"), std::string::npos) << describe.out;
	// jwtflow's own name wins where both are set, and -v says so.
	std::map<std::string, std::string> both = pod;
	both["CLIENT_ID"] = "00000000-0000-0000-0000-00000000beef";
	RunResult own = runJwtflow({"azure-ad", "token", "-v"}, dir.path(), both);
	EXPECT_EQ(own.exitCode, 4) << own.err;
	EXPECT_NE(own.err.find("AADSTS700016"), std::string::npos) << "the request named jwtflow's CLIENT_ID: " << own.err;
	EXPECT_NE(own.err.find("AZURE_CLIENT_ID (another tool's name for it) is set too and not used"), std::string::npos) << own.err;

	// A certificate credential under azure-identity's names: one PEM with the key and the certificate.
	const std::string pem = dir.write("client.pem", readFile(sharedKeys().rsaPkcs8) + readFile(sharedKeys().rsaCert));
	std::map<std::string, std::string> certificate = pod;
	certificate.erase("AZURE_FEDERATED_TOKEN_FILE");
	certificate["AZURE_CLIENT_CERTIFICATE_PATH"] = pem;
	RunResult withCertificate = runJwtflow({"azure-ad", "token"}, dir.path(), certificate);
	EXPECT_EQ(withCertificate.exitCode, 0) << withCertificate.err;
}

} // namespace

namespace {

// MSAL Python (Debian's python3-msal), an implementation that is not ours, posts a client assertion to
// the emulator's Entra ID: the tenant's discovery, then client credentials. Prints the token type.
const char* const PY_MSAL = R"(
import sys, msal
authority, client_id, scope, ca, assertion = sys.argv[1:6]
app = msal.ConfidentialClientApplication(client_id, authority=authority, validate_authority=False, verify=ca,
                                         client_credential={"client_assertion": assertion})
result = app.acquire_token_for_client(scopes=[scope])
print(result.get("token_type") or ("error " + str(result.get("error")) + " " + str(result.get("error_codes"))))
)";

TEST_F(Federated, MsalPostsJwtflowsAssertionAndAWorkloadTokenAlike)
{
	const std::string authority = emu->baseUrl() + "/" + emulator::EmulatorOptions().tenant;
	// The assertion jwtflow signs with the app's key and certificate (x5t), as MSAL would send its own.
	dir.write("private_key.pem", readFile(sharedKeys().rsaPkcs8));
	dir.write("certificate.pem", readFile(sharedKeys().rsaCert));
	std::map<std::string, std::string> keyed = podEnv();
	keyed.erase("CLIENT_ASSERTION_FILE");
	keyed["PATH_PRIVATE_KEY"] = "private_key.pem";
	keyed["PATH_CERTIFICATE"] = "certificate.pem";
	RunResult jwt = runJwtflow({"azure-ad", "jwt"}, dir.path(), keyed);
	ASSERT_EQ(jwt.exitCode, 0) << jwt.err;
	EXPECT_EQ(trim(python(PY_MSAL, {authority, APP_ID, "https://graph.microsoft.com/.default", emu->caFile(), trim(jwt.out)})), "Bearer");
	// A workload token as the client assertion, the way azure-identity's WorkloadIdentityCredential does it.
	EXPECT_EQ(trim(python(PY_MSAL, {authority, APP_ID, "https://graph.microsoft.com/.default", emu->caFile(),
		emu->mintWorkloadToken(SERVICE_ACCOUNT, AUDIENCE)})), "Bearer");
	// And MSAL sees Entra's refusal for another subject, with its code.
	const std::string refused = trim(python(PY_MSAL, {authority, APP_ID, "https://graph.microsoft.com/.default", emu->caFile(),
		emu->mintWorkloadToken("system:serviceaccount:jobs:other", AUDIENCE)}));
	EXPECT_NE(refused.find("invalid_client"), std::string::npos) << refused;
	EXPECT_NE(refused.find("70021"), std::string::npos) << refused;
	EXPECT_EQ(emu->loginsFor(APP_ID), 2);
}

} // namespace

