//
// ExecTest.cpp: tokens for programs that are not jwtflow (issue 28):
// `exec -- CMD` (the token in CMD's environment, CMD's exit status, never a
// command line), `token --output exec-credential`, and kubectl itself running
// jwtflow as its exec credential plugin against a loopback HTTPS server (the
// emulator's REST API) that checks the Bearer it receives.
//
#include "EmulatorSupport.h"
#include "TestSupport.h"
#include "jwtflow/Json.h"
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace testing_support;

namespace {

const char* const CLIENT_ID = "3MVG9exec.consumer.key";
const char* const USER = "exec.user@example.com";

class Exec: public ::testing::Test
{
protected:
	void SetUp() override
	{
		emu = startEmulator(dir, CLIENT_ID, {USER});
		key = dir.write("private_key.pem", readFile(sharedKeys().rsaPkcs8));
		::chmod(key.c_str(), 0600);
		::mkdir(dir.file("cache").c_str(), 0700);
	}

	std::map<std::string, std::string> settings() const
	{
		return {{"CLIENT_ID", CLIENT_ID}, {"SUBJECT", USER}, {"PATH_PRIVATE_KEY", key}, {"LOGIN_URL", emu->baseUrl()},
			{"CA_FILE", emu->caFile()}, {"XDG_CACHE_HOME", dir.file("cache")}};
	}

	RunResult cli(const std::vector<std::string>& args, std::map<std::string, std::string> extra = {}) const
	{
		std::map<std::string, std::string> env = settings();
		for (const auto& e: extra) env[e.first] = e.second;
		return runJwtflow(args, dir.path(), env);
	}

	TempDir dir;
	std::unique_ptr<jwtflow::emulator::Emulator> emu;
	std::string key;
};

TEST_F(Exec, TheProgramGetsTheTokenInItsEnvironmentAndItsExitStatusIsJwtflows)
{
	const std::string show = "printf '%s|%s|%s|%s' \"$ACCESS_TOKEN\" \"$SF_ACCESS_TOKEN\" \"$INSTANCE_URL\" \"$*\"; exit 7";
	RunResult r = cli({"salesforce", "exec", "--", "/bin/sh", "-c", show, "sh", "one", "two"});
	EXPECT_EQ(r.exitCode, 7) << r.err;
	const std::string token = cli({"salesforce", "token"}).out;
	ASSERT_FALSE(token.empty());
	EXPECT_EQ(r.out, token.substr(0, token.size() - 1) + "|" + token.substr(0, token.size() - 1) + "|" + emu->baseUrl() + "|one two")
		<< "the token, the names sf reads, and the program's own arguments untouched";
	EXPECT_EQ(emu->loginsFor(USER), 1) << "exec and token share the cached login";

	// --env names the variable instead; options after -- belong to the program.
	RunResult named = cli({"salesforce", "exec", "--env", "SFDX_ACCESS_TOKEN", "--", "/bin/sh", "-c",
		"test -z \"$ACCESS_TOKEN\" && test -n \"$SFDX_ACCESS_TOKEN\" && echo \"$1\"", "sh", "--output"});
	EXPECT_EQ(named.exitCode, 0) << named.err;
	EXPECT_EQ(named.out, "--output\n");
	EXPECT_EQ(emu->loginsFor(USER), 1);
}

TEST_F(Exec, AProgramThatCannotRunOrNoProgramIsOneClearError)
{
	RunResult missing = cli({"salesforce", "exec", "--", "no-such-program-jwtflow"});
	EXPECT_EQ(missing.exitCode, 127) << missing.err;
	EXPECT_NE(missing.err.find("cannot run 'no-such-program-jwtflow'"), std::string::npos) << missing.err;
	RunResult none = cli({"salesforce", "exec"});
	EXPECT_EQ(none.exitCode, 2) << none.err;
	EXPECT_NE(none.err.find("exec -- CMD"), std::string::npos) << none.err;
	RunResult badName = cli({"salesforce", "exec", "--env", "1X", "--", "/bin/true"});
	EXPECT_EQ(badName.exitCode, 2) << badName.err;
	RunResult elsewhere = cli({"salesforce", "token", "--", "/bin/true"});
	EXPECT_EQ(elsewhere.exitCode, 2) << elsewhere.err;
	EXPECT_NE(elsewhere.err.find("words after --"), std::string::npos) << elsewhere.err;
}

TEST_F(Exec, ExecCredentialFollowsTheVersionKubectlAsksFor)
{
	RunResult v1 = cli({"salesforce", "token", "--output", "exec-credential"});
	ASSERT_EQ(v1.exitCode, 0) << v1.err;
	Poco::JSON::Object::Ptr credential = jwtflow::parseJsonObject(v1.out);
	EXPECT_EQ(credential->getValue<std::string>("apiVersion"), "client.authentication.k8s.io/v1");
	EXPECT_EQ(credential->getValue<std::string>("kind"), "ExecCredential");
	const std::string stamp = credential->getObject("status")->getValue<std::string>("expirationTimestamp");
	EXPECT_EQ(stamp.size(), 20u) << stamp;
	EXPECT_EQ(stamp.back(), 'Z') << stamp;

	RunResult beta = cli({"salesforce", "token", "-o", "exec-credential"}, {{"KUBERNETES_EXEC_INFO",
		R"({"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{"interactive":false}})"}});
	ASSERT_EQ(beta.exitCode, 0) << beta.err;
	EXPECT_EQ(jwtflow::parseJsonObject(beta.out)->getValue<std::string>("apiVersion"), "client.authentication.k8s.io/v1beta1");
	EXPECT_EQ(emu->loginsFor(USER), 1) << "served from the cache";

	RunResult alpha = cli({"salesforce", "token", "-o", "exec-credential"}, {{"KUBERNETES_EXEC_INFO",
		R"({"apiVersion":"client.authentication.k8s.io/v1alpha1"})"}});
	EXPECT_EQ(alpha.exitCode, 2) << alpha.err;
	RunResult elsewhere = cli({"salesforce", "whoami", "--output", "exec-credential"});
	EXPECT_EQ(elsewhere.exitCode, 2) << elsewhere.err;
	EXPECT_NE(elsewhere.err.find("use it with `jwtflow PROVIDER token`"), std::string::npos) << elsewhere.err;
}

/// kubectl on PATH (Debian's kubernetes-client, or another package's): scripts/deps.sh makes sure of one.
std::string kubectl()
{
	for (const char* dir: {"/usr/local/bin", "/usr/bin", "/bin"})
		if (::access((std::string(dir) + "/kubectl").c_str(), X_OK) == 0) return std::string(dir) + "/kubectl";
	return "kubectl";
}

TEST_F(Exec, KubectlUsesJwtflowAsItsExecCredentialPluginAndTheServerSeesTheToken)
{
	// A kubeconfig as the docs give it; the "cluster" is the emulator's REST API, which checks the Bearer.
	std::string env;
	for (const auto& s: settings()) env += "      - name: " + s.first + "\n        value: \"" + s.second + "\"\n";
	const std::string kubeconfig = dir.write("kubeconfig", "apiVersion: v1\nkind: Config\nclusters:\n- name: emu\n  cluster:\n"
		"    server: " + emu->baseUrl() + "\n    certificate-authority: " + emu->caFile() + "\ncontexts:\n- name: emu\n  context:\n"
		"    cluster: emu\n    user: jwtflow\ncurrent-context: emu\nusers:\n- name: jwtflow\n  user:\n    exec:\n"
		"      apiVersion: client.authentication.k8s.io/v1\n      command: " + jwtflowBinary() + "\n      args: [salesforce, token, --output, "
		"exec-credential]\n      interactiveMode: Never\n      env:\n" + env);
	::chmod(kubeconfig.c_str(), 0600);
	for (int i = 0; i < 3; ++i)
	{
		RunResult r = run({kubectl(), "--kubeconfig", kubeconfig, "get", "--raw", "/services/data/v60.0/limits"}, dir.path());
		ASSERT_EQ(r.exitCode, 0) << r.err;
		EXPECT_TRUE(jwtflow::parseJsonObject(r.out)->isObject("DailyApiRequests")) << r.out;
	}
	EXPECT_EQ(emu->loginsFor(USER), 1) << "three kubectl runs, one login: the plugin answers from the cache";
	// A token the server no longer takes: kubectl sees the 401 (it would run the plugin again on the next call).
	emu->expireTokens();
	RunResult refused = run({kubectl(), "--kubeconfig", kubeconfig, "get", "--raw", "/services/data/v60.0/limits"}, dir.path());
	EXPECT_NE(refused.exitCode, 0);
}

} // namespace
