//
// GoogleFederationTest.cpp: Google workload identity federation with no key
// anywhere — an external_account file (AIP-4117) whose credential_source is a
// projected token file, a GitHub-like URL or a program; the emulator's STS
// (RFC 8693) and IAM generateAccessToken; and each refusal, before sending
// (an expired token, a program not allowed, timing out, printing garbage) or
// by the emulator (another audience, another pool, no grant on the service account).
//
#include "TestSupport.h"
#include "EmulatorSupport.h"
#include "jwtflow/Exception.h"
#include "jwtflow/PluginRegistry.h"
#include "jwtflow/Session.h"
#include <Poco/File.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>
#include <fstream>
#include <sys/stat.h>

using namespace testing_support;
using namespace jwtflow;

namespace {

const char* const SERVICE_ACCOUNT = "deployer@jwtflow-demo.iam.gserviceaccount.com";
const char* const WORKLOAD = "system:serviceaccount:ci:deployer";
const char* const JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt";

class GoogleFederation: public ::testing::Test
{
protected:
	void SetUp() override
	{
		emu = startEmulator(dir, "unused-app", {}, "", [](emulator::EmulatorOptions& o) {
			o.googlePools.emplace_back();
			o.googlePools.back().serviceAccountUsers = {{SERVICE_ACCOUNT, WORKLOAD}, {SERVICE_ACCOUNT, o.githubSubject}};
		});
		pool = emulator::WorkloadPoolProvider();
		tokenFile = dir.file("token");
	}

	/// The token's aud that a pool provider takes by default: its name as an https URL.
	std::string poolAudience() const { return "https://iam.googleapis.com/" + pool.name; }

	void project(const std::string& token) const
	{
		dir.write("token", token);
		::chmod(tokenFile.c_str(), 0644);
	}

	/// An external_account file as `gcloud iam workload-identity-pools create-cred-config` writes it.
	std::string credentials(const Poco::JSON::Object::Ptr& source, bool impersonate = true, const std::string& audience = "") const
	{
		static int files = 0;
		Poco::JSON::Object json(Poco::JSON_PRESERVE_KEY_ORDER);
		json.set("universe_domain", "googleapis.com");
		json.set("type", "external_account");
		json.set("audience", audience.empty() ? pool.audience() : audience);
		json.set("subject_token_type", JWT_TYPE);
		json.set("token_url", emu->baseUrl() + "/sts/v1/token");
		json.set("credential_source", source);
		if (impersonate)
			json.set("service_account_impersonation_url", emu->baseUrl() + "/iamcredentials/v1/projects/-/serviceAccounts/"
				+ SERVICE_ACCOUNT + ":generateAccessToken");
		std::ostringstream out;
		json.stringify(out);
		const std::string path = dir.write("wif-" + std::to_string(++files) + ".json", out.str());
		::chmod(path.c_str(), 0644);   // a ConfigMap mount: not a secret
		return path;
	}

	Poco::JSON::Object::Ptr fileSource() const
	{
		Poco::JSON::Object::Ptr source = new Poco::JSON::Object;
		source->set("file", tokenFile);
		return source;
	}

	RunResult token(const std::string& keyFile, std::map<std::string, std::string> env = {}) const
	{
		env["CA_FILE"] = emu->caFile();
		return runJwtflow({"google", "token", "--key-file", keyFile, "--output", "json"}, dir.path(), env);
	}

	static std::string accessToken(const RunResult& r)
	{
		try
		{
			return Poco::JSON::Parser().parse(r.out).extract<Poco::JSON::Object::Ptr>()->getValue<std::string>("access_token");
		}
		catch (const Poco::Exception&)
		{
			return "";
		}
	}

	/// A program as a credentials file names one: prints its answer, records what it was given.
	std::string program(const std::string& body) const
	{
		const std::string path = dir.write("issue-token.sh", "#!/bin/sh\n" + body);
		::chmod(path.c_str(), 0700);
		return path;
	}

	Poco::JSON::Object::Ptr executableSource(const std::string& command, int timeoutMillis = 0, const std::string& outputFile = "") const
	{
		Poco::JSON::Object::Ptr exec = new Poco::JSON::Object;
		exec->set("command", command);
		if (timeoutMillis) exec->set("timeout_millis", timeoutMillis);
		if (!outputFile.empty()) exec->set("output_file", outputFile);
		Poco::JSON::Object::Ptr source = new Poco::JSON::Object;
		source->set("executable", exec);
		return source;
	}

	TempDir dir;
	std::unique_ptr<emulator::Emulator> emu;
	emulator::WorkloadPoolProvider pool;
	std::string tokenFile;
};

TEST_F(GoogleFederation, AProjectedTokenFileBecomesTheServiceAccountsTokenWithNoKeyAnywhere)
{
	project(emu->mintWorkloadToken(WORKLOAD, poolAudience()));
	const std::string wif = credentials(fileSource());
	RunResult r = token(wif);
	ASSERT_EQ(r.exitCode, 0) << r.err;
	EXPECT_EQ(accessToken(r).rfind("ya29.c.", 0), 0u) << "IAM's token, not STS's: " << r.out;
	EXPECT_NE(r.out.find("\"expires_in\""), std::string::npos) << "expireTime read as a lifetime: " << r.out;
	EXPECT_EQ(emu->loginsFor(SERVICE_ACCOUNT), 1);
	EXPECT_EQ(emu->loginsFor(WORKLOAD), 1) << "one STS exchange";
	EXPECT_EQ(r.err.find("eyJ"), std::string::npos) << "the subject token is never shown";

	// Without impersonation, STS's federated token is the token.
	RunResult direct = token(credentials(fileSource(), false));
	ASSERT_EQ(direct.exitCode, 0) << direct.err;
	EXPECT_EQ(accessToken(direct).rfind("ya29.d.", 0), 0u) << direct.out;
	EXPECT_EQ(emu->loginsFor(SERVICE_ACCOUNT), 1);

	// GOOGLE_APPLICATION_CREDENTIALS names it as well; describe and doctor say what it is.
	RunResult adc = runJwtflow({"google", "token"}, dir.path(), {{"GOOGLE_APPLICATION_CREDENTIALS", wif}, {"CA_FILE", emu->caFile()}});
	EXPECT_EQ(adc.exitCode, 0) << adc.err;
	RunResult doctor = runJwtflow({"google", "doctor", "--key-file", wif}, dir.path(), {{"CA_FILE", emu->caFile()}});
	EXPECT_EQ(doctor.exitCode, 0) << doctor.out << doctor.err;
	EXPECT_NE(doctor.out.find("subject " + std::string(WORKLOAD)), std::string::npos) << "what the token says: " << doctor.out;
	EXPECT_EQ(doctor.out.find("private key"), std::string::npos) << "no key to check: " << doctor.out;
	EXPECT_NE(doctor.out.find("external_account for " + pool.audience()), std::string::npos) << doctor.out << doctor.err;
	EXPECT_NE(doctor.out.find("acting as " + std::string(SERVICE_ACCOUNT)), std::string::npos) << doctor.out;

	// It holds no key: a signed JWT is refused with the reason.
	RunResult jwt = runJwtflow({"google", "jwt", "--key-file", wif}, dir.path());
	EXPECT_EQ(jwt.exitCode, 2) << jwt.err;
	EXPECT_NE(jwt.err.find("holds no private key"), std::string::npos) << jwt.err;
}

TEST_F(GoogleFederation, TheTokenFileIsReadAgainForEveryLoginInOneSession)
{
	project(emu->mintWorkloadToken(WORKLOAD, poolAudience(), 600));
	PluginRegistry registry({JWTFLOW_PLUGIN_DIR});
	Settings settings;
	settings.addMapLayer("pod", {{"KEY_FILE", credentials(fileSource())}, {"CA_FILE", emu->caFile()}});
	settings.addDefaults(registry.get("google").settings());
	Session session(registry.get("google"), settings);
	EXPECT_EQ(session.accessToken().rfind("ya29.c.", 0), 0u);
	project(emu->mintWorkloadToken(WORKLOAD, poolAudience(), -60));   // the kubelet stopped rotating it
	session.invalidate();
	EXPECT_THROW(session.accessToken(), InputException);
	project(emu->mintWorkloadToken(WORKLOAD, poolAudience(), 600));
	EXPECT_FALSE(session.accessToken().empty());
	EXPECT_EQ(emu->loginsFor(SERVICE_ACCOUNT), 2);
}

TEST_F(GoogleFederation, AJsonFileAndAGitHubLikeUrlAreSourcesToo)
{
	// format json: the token in a field (as some platforms write it).
	dir.write("token.json", "{\"id_token\": \"" + emu->mintWorkloadToken(WORKLOAD, poolAudience()) + "\"}");
	Poco::JSON::Object::Ptr json = new Poco::JSON::Object;
	json->set("file", dir.file("token.json"));
	Poco::JSON::Object::Ptr format = new Poco::JSON::Object;
	format->set("type", "json");
	format->set("subject_token_field_name", "id_token");
	json->set("format", format);
	RunResult fromJson = token(credentials(json));
	ASSERT_EQ(fromJson.exitCode, 0) << fromJson.err;

	// GitHub Actions → Google, as google-github-actions/auth sets it up: a url source with the request token.
	Poco::JSON::Object::Ptr url = new Poco::JSON::Object;
	url->set("url", emu->baseUrl() + "/github/idtoken?audience=" + poolAudience());
	Poco::JSON::Object::Ptr headers = new Poco::JSON::Object;
	headers->set("Authorization", "bearer " + emu->githubRequestToken());
	url->set("headers", headers);
	Poco::JSON::Object::Ptr valueField = new Poco::JSON::Object;
	valueField->set("type", "json");
	valueField->set("subject_token_field_name", "value");
	url->set("format", valueField);
	RunResult fromUrl = token(credentials(url));
	ASSERT_EQ(fromUrl.exitCode, 0) << fromUrl.err;
	EXPECT_EQ(accessToken(fromUrl).rfind("ya29.c.", 0), 0u) << fromUrl.out;

	// The endpoint refusing the request token: its status, and no exchange.
	headers->set("Authorization", "bearer not-the-request-token");
	const int before = emu->tokensIssued();
	RunResult refused = token(credentials(url));
	EXPECT_EQ(refused.exitCode, 5) << refused.err;
	EXPECT_NE(refused.err.find("answered HTTP 401 for the subject token"), std::string::npos) << refused.err;
	EXPECT_EQ(emu->tokensIssued(), before);
}

TEST_F(GoogleFederation, AProgramRunsOnlyWhenAllowedWithABoundedEnvironment)
{
	project(emu->mintWorkloadToken(WORKLOAD, poolAudience()));
	const std::string seen = dir.file("seen-env");
	const std::string calls = dir.file("calls");
	const std::string command = program("env > " + seen + "\necho run >> " + calls + "\n"
		"printf '{\"version\":1,\"success\":true,\"token_type\":\"" + std::string(JWT_TYPE) + "\",\"id_token\":\"%s\",\"expiration_time\":%s}' "
		"\"$(cat " + tokenFile + ")\" \"$(($(date +%s) + 600))\"\n");
	const std::string wif = credentials(executableSource(command + " --audience pool"));

	RunResult notAllowed = token(wif);
	EXPECT_EQ(notAllowed.exitCode, 2) << notAllowed.err;
	EXPECT_NE(notAllowed.err.find("GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1"), std::string::npos) << notAllowed.err;
	EXPECT_FALSE(Poco::File(calls).exists()) << "not run";

	RunResult allowed = token(wif, {{"GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES", "1"}, {"SOMETHING_OF_THE_PARENT", "secret"}});
	ASSERT_EQ(allowed.exitCode, 0) << allowed.err;
	EXPECT_EQ(accessToken(allowed).rfind("ya29.c.", 0), 0u) << allowed.out;
	const std::string env = readFile(seen);
	EXPECT_NE(env.find("GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE=" + pool.audience()), std::string::npos) << env;
	EXPECT_NE(env.find("GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE=" + std::string(JWT_TYPE)), std::string::npos) << env;
	EXPECT_NE(env.find("GOOGLE_EXTERNAL_ACCOUNT_IMPERSONATED_EMAIL=" + std::string(SERVICE_ACCOUNT)), std::string::npos) << env;
	EXPECT_NE(env.find("GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE=0"), std::string::npos) << env;
	EXPECT_EQ(env.find("SOMETHING_OF_THE_PARENT"), std::string::npos) << "a bounded environment: " << env;
	EXPECT_EQ(env.find("CA_FILE"), std::string::npos) << env;

	// A cached answer in output_file is used while it lasts: the program is not run again.
	const std::string cache = dir.file("cached.json");
	dir.write("cached.json", "{\"version\":1,\"success\":true,\"token_type\":\"" + std::string(JWT_TYPE) + "\",\"id_token\":\""
		+ emu->mintWorkloadToken(WORKLOAD, poolAudience()) + "\",\"expiration_time\":" + std::to_string(std::time(nullptr) + 900) + "}");
	RunResult cached = token(credentials(executableSource(command, 0, cache)), {{"GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES", "1"}});
	ASSERT_EQ(cached.exitCode, 0) << cached.err;
	EXPECT_EQ(readFile(calls), "run\n") << "the cached answer was used";
}

TEST_F(GoogleFederation, AProgramThatFailsHangsOrPrintsGarbageEndsWithOneClearMessage)
{
	const std::map<std::string, std::string> allow = {{"GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES", "1"}};
	RunResult failure = token(credentials(executableSource(program(
		"echo '{\"version\":1,\"success\":false,\"code\":\"401\",\"message\":\"Caller not authorized.\"}'\nexit 1\n"))), allow);
	EXPECT_EQ(failure.exitCode, 3) << failure.err;
	EXPECT_NE(failure.err.find("reported a failure: code '401', 'Caller not authorized.'"), std::string::npos) << failure.err;

	RunResult garbage = token(credentials(executableSource(program("echo 'token: \033[31mred'\n"))), allow);
	EXPECT_EQ(garbage.exitCode, 3) << garbage.err;
	EXPECT_NE(garbage.err.find("printed something other than the JSON answer"), std::string::npos) << garbage.err;
	EXPECT_EQ(garbage.err.find('\033'), std::string::npos) << "nothing of it reaches the terminal raw";

	RunResult hangs = token(credentials(executableSource(program("sleep 60\n"), 5000)), allow);
	EXPECT_EQ(hangs.exitCode, 5) << hangs.err;
	EXPECT_NE(hangs.err.find("did not answer within 5000 ms"), std::string::npos) << hangs.err;

	RunResult relative = token(credentials(executableSource("issue-token.sh --x")), allow);
	EXPECT_EQ(relative.exitCode, 2) << relative.err;
	EXPECT_NE(relative.err.find("absolute path"), std::string::npos) << relative.err;

	const std::string loose = program("echo '{}'\n");
	::chmod(loose.c_str(), 0777);
	RunResult writable = token(credentials(executableSource(loose)), allow);
	EXPECT_EQ(writable.exitCode, 3) << writable.err;
	EXPECT_NE(writable.err.find("chmod"), std::string::npos) << writable.err;
	EXPECT_EQ(emu->tokensIssued(), 0) << "nothing was sent";
}

TEST_F(GoogleFederation, EachMismatchIsRefusedWithGooglesWordsAndTheFix)
{
	// Expired before sending: refused here, naming the file and the time.
	project(emu->mintWorkloadToken(WORKLOAD, poolAudience(), -60));
	RunResult expired = token(credentials(fileSource()));
	EXPECT_EQ(expired.exitCode, 3) << expired.err;
	EXPECT_NE(expired.err.find("'" + tokenFile + "'"), std::string::npos) << expired.err;
	EXPECT_NE(expired.err.find("expired at "), std::string::npos) << expired.err;
	EXPECT_EQ(emu->tokensIssued(), 0);

	project(emu->mintWorkloadToken(WORKLOAD, "api://AzureADTokenExchange"));
	RunResult audience = token(credentials(fileSource()));
	EXPECT_EQ(audience.exitCode, 4) << audience.err;
	EXPECT_NE(audience.err.find("does not match the expected audience " + poolAudience()), std::string::npos) << audience.err;
	EXPECT_NE(audience.err.find("allowed audiences"), std::string::npos) << "the hint: " << audience.err;

	project(emu->mintWorkloadToken(WORKLOAD, poolAudience()));
	RunResult noPool = token(credentials(fileSource(), true,
		"//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/other/providers/gone"));
	EXPECT_EQ(noPool.exitCode, 4) << noPool.err;
	EXPECT_NE(noPool.err.find("invalid_target"), std::string::npos) << noPool.err;

	project(emu->mintWorkloadToken("system:serviceaccount:ci:intruder", poolAudience()));
	RunResult noGrant = token(credentials(fileSource()));
	EXPECT_EQ(noGrant.exitCode, 4) << noGrant.err;
	EXPECT_NE(noGrant.err.find("iam.serviceAccounts.getAccessToken"), std::string::npos) << noGrant.err;
	EXPECT_NE(noGrant.err.find("roles/iam.workloadIdentityUser"), std::string::npos) << "the hint: " << noGrant.err;

	// A file that says too little, or names AWS: refused with the field.
	Poco::JSON::Object::Ptr aws = new Poco::JSON::Object;
	aws->set("environment_id", "aws1");
	aws->set("region_url", "http://169.254.169.254/latest/meta-data/placement/availability-zone");
	RunResult forAws = token(credentials(aws));
	EXPECT_EQ(forAws.exitCode, 2) << forAws.err;
	EXPECT_NE(forAws.err.find("is for AWS"), std::string::npos) << forAws.err;
	dir.write("empty-source.json", "{\"type\":\"external_account\",\"audience\":\"" + pool.audience() + "\",\"subject_token_type\":\""
		+ JWT_TYPE + "\"}");
	RunResult noSource = token(dir.file("empty-source.json"));
	EXPECT_EQ(noSource.exitCode, 3) << noSource.err;
	EXPECT_NE(noSource.err.find("\"credential_source\" is missing"), std::string::npos) << noSource.err;
}

} // namespace
