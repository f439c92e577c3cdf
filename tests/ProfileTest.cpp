//
// ProfileTest.cpp: daily use from any folder (issue 29): one `login --profile`
// in the project folder, then token, whoami, call, exec and logout with -p NAME
// alone from an empty folder; the profile file (0600 in 0700, absolute paths,
// no secret); the names the neighbours use (USERNAME, SF_* in a .env, sf's
// flags); --env-file's relative paths from its own folder; a near-miss .env
// name; cache labels and cache clear by provider and by profile.
//
#include "EmulatorSupport.h"
#include "TestSupport.h"
#include "jwtflow/Json.h"
#include <Poco/File.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

using namespace testing_support;

namespace {

const char* const CLIENT_ID = "3MVG9profile.consumer.key";
const char* const USER = "profile.user@example.com";

class Profiles: public ::testing::Test
{
protected:
	void SetUp() override
	{
		emu = startEmulator(dir, CLIENT_ID, {USER});
		::mkdir(dir.file("project").c_str(), 0700);
		::mkdir(dir.file("project/keys").c_str(), 0700);
		::mkdir(dir.file("elsewhere").c_str(), 0700);
		::mkdir(dir.file("cache").c_str(), 0700);
		::mkdir(dir.file("config").c_str(), 0700);
		const std::string key = dir.write("project/keys/private_key.pem", readFile(sharedKeys().rsaPkcs8));
		::chmod(key.c_str(), 0600);
		// The project's .env as a reader of the node JWT examples has it: their names, a relative key path.
		dir.write("project/.env", std::string("USERNAME=") + USER + "\nSF_CLIENT_ID=" + CLIENT_ID + "\nPRIVATE_KEY_PATH=keys/private_key.pem\n"
			"SF_LOGIN_URL=" + emu->baseUrl() + "\nCA_FILE=" + emu->caFile() + "\n");
	}

	RunResult cli(const std::vector<std::string>& args, const std::string& folder, std::map<std::string, std::string> env = {}) const
	{
		env["XDG_CACHE_HOME"] = dir.file("cache");
		env["XDG_CONFIG_HOME"] = dir.file("config");
		return runJwtflow(args, dir.file(folder), env);
	}

	void trustProject() const
	{
		RunResult trust = cli({"trust", "-q"}, "project");
		ASSERT_EQ(trust.exitCode, 0) << trust.err;
	}

	TempDir dir;
	std::unique_ptr<jwtflow::emulator::Emulator> emu;
};

TEST_F(Profiles, OneLoginWithAProfileThenEveryCommandFromAnEmptyFolder)
{
	trustProject();
	RunResult login = cli({"salesforce", "login", "--profile", "prod"}, "project");
	ASSERT_EQ(login.exitCode, 0) << login.err;
	EXPECT_NE(login.err.find("saved profile prod"), std::string::npos) << login.err;

	// The file: 0600 in a 0700 folder, the key's path made absolute, the provider named, nothing secret.
	const std::string file = dir.file("config/jwtflow/profiles/prod.env");
	struct stat st{};
	ASSERT_EQ(::stat(file.c_str(), &st), 0);
	EXPECT_EQ(st.st_mode & 0777, 0600u);
	ASSERT_EQ(::stat(dir.file("config/jwtflow/profiles").c_str(), &st), 0);
	EXPECT_EQ(st.st_mode & 0777, 0700u);
	const std::string text = readFile(file);
	EXPECT_NE(text.find("JWTFLOW_PROVIDER='salesforce'"), std::string::npos) << text;
	EXPECT_NE(text.find("PATH_PRIVATE_KEY='" + dir.file("project/keys/private_key.pem") + "'"), std::string::npos) << text;
	EXPECT_NE(text.find(std::string("SUBJECT='") + USER + "'"), std::string::npos) << "USERNAME read as SUBJECT: " << text;
	EXPECT_EQ(text.find("ACCESS_TOKEN"), std::string::npos);

	// From a folder with nothing in it: -p NAME alone.
	RunResult token = cli({"salesforce", "token", "-p", "prod"}, "elsewhere");
	ASSERT_EQ(token.exitCode, 0) << token.err;
	EXPECT_EQ(emu->loginsFor(USER), 1) << "the profile's login is the cached one";
	RunResult whoami = cli({"salesforce", "whoami", "-p", "prod", "--output", "json"}, "elsewhere");
	ASSERT_EQ(whoami.exitCode, 0) << whoami.err;
	EXPECT_EQ(jwtflow::parseJsonObject(whoami.out)->getValue<std::string>("username"), USER);
	RunResult call = cli({"salesforce", "call", "/services/data/", "--target-org", "prod"}, "elsewhere");
	EXPECT_EQ(call.exitCode, 0) << call.err;
	RunResult frontdoor = cli({"salesforce", "frontdoor", "--alias", "prod"}, "elsewhere");
	EXPECT_EQ(frontdoor.exitCode, 0) << frontdoor.err;
	RunResult open = cli({"salesforce", "open", "--url-only", "-p", "prod"}, "elsewhere");
	EXPECT_EQ(open.exitCode, 0) << open.err;
	EXPECT_EQ(open.out.rfind(emu->baseUrl() + "/secur/frontdoor.jsp?otp=", 0), 0u) << open.out;
	RunResult env = cli({"salesforce", "token"}, "elsewhere", {{"JWTFLOW_PROFILE", "prod"}});
	EXPECT_EQ(env.exitCode, 0) << env.err;
	EXPECT_EQ(emu->loginsFor(USER), 1);

	// describe shows where each value came from; list and show name it; cache list labels the login with it.
	RunResult describe = cli({"salesforce", "describe", "-p", "prod"}, "elsewhere");
	EXPECT_NE(describe.out.find("profile prod ("), std::string::npos) << describe.out;
	RunResult list = cli({"profile", "list"}, "elsewhere");
	EXPECT_NE(list.out.find("prod  salesforce"), std::string::npos) << list.out;
	RunResult cache = cli({"cache", "list"}, "elsewhere");
	EXPECT_NE(cache.out.find("JWTFLOW_PROFILE=prod"), std::string::npos) << cache.out;
	EXPECT_NE(cache.out.find("LOGIN_URL=" + emu->baseUrl()), std::string::npos) << "labels tell logins apart: " << cache.out;
	EXPECT_NE(cache.out.find(" key=SHA256:"), std::string::npos) << "and by their key: " << cache.out;

	RunResult logout = cli({"salesforce", "logout", "-p", "prod"}, "elsewhere");
	EXPECT_EQ(logout.exitCode, 0) << logout.err;
	RunResult other = cli({"azure-ad", "token", "-p", "prod"}, "elsewhere");
	EXPECT_EQ(other.exitCode, 2) << other.err;
	EXPECT_NE(other.err.find("profile prod is for salesforce"), std::string::npos) << other.err;
	RunResult missing = cli({"salesforce", "token", "-p", "staging"}, "elsewhere");
	EXPECT_EQ(missing.exitCode, 2) << missing.err;
	EXPECT_NE(missing.err.find("login --profile staging"), std::string::npos) << missing.err;
	EXPECT_EQ(cli({"profile", "remove", "prod"}, "elsewhere").exitCode, 0);
	EXPECT_FALSE(Poco::File(file).exists());
}

TEST_F(Profiles, ADefaultProfileIsReadBelowTheFolderAndTheEnvironment)
{
	trustProject();
	ASSERT_EQ(cli({"salesforce", "login", "--profile", "main"}, "project").exitCode, 0);
	ASSERT_EQ(cli({"profile", "default", "main"}, "elsewhere").exitCode, 0);
	RunResult token = cli({"salesforce", "token"}, "elsewhere");
	EXPECT_EQ(token.exitCode, 0) << token.err;
	// The environment still wins over a default profile.
	RunResult overridden = cli({"salesforce", "describe"}, "elsewhere", {{"SUBJECT", "someone.else@example.com"}});
	EXPECT_NE(overridden.out.find("someone.else@example.com"), std::string::npos) << overridden.out;
}

TEST_F(Profiles, AnEnvFilesRelativePathsAreItsFolders)
{
	dir.write("project/sf.env", std::string("CLIENT_ID=") + CLIENT_ID + "\nSUBJECT=" + USER + "\nPATH_PRIVATE_KEY=keys/private_key.pem\nLOGIN_URL="
		+ emu->baseUrl() + "\nCA_FILE=" + emu->caFile() + "\n");
	RunResult token = cli({"salesforce", "token", "--env-file", dir.file("project/sf.env")}, "elsewhere");
	EXPECT_EQ(token.exitCode, 0) << token.err;
	dir.write("project/bad.env", std::string("CLIENT_ID=") + CLIENT_ID + "\nSUBJECT=" + USER + "\nPATH_PRIVATE_KEY=keys/missing.pem\n");
	RunResult missing = cli({"salesforce", "jwt", "--env-file", dir.file("project/bad.env")}, "elsewhere");
	EXPECT_EQ(missing.exitCode, 3) << missing.err;
	EXPECT_NE(missing.err.find(dir.file("project/keys/missing.pem")), std::string::npos) << "the absolute path it tried: " << missing.err;
}

TEST_F(Profiles, TheNeighboursNamesAndFlagsAreJwtflows)
{
	trustProject();
	RunResult fromDotEnv = cli({"salesforce", "describe"}, "project");
	EXPECT_NE(fromDotEnv.out.find(USER), std::string::npos) << "USERNAME= as SUBJECT: " << fromDotEnv.out;
	// sf org login jwt's flags.
	const std::string key = dir.file("project/keys/private_key.pem");
	RunResult flags = cli({"salesforce", "token", "--username", USER, "--client-id", CLIENT_ID, "--jwt-key-file", key, "--instance-url",
		emu->baseUrl(), "--ca-file", emu->caFile()}, "elsewhere");
	EXPECT_EQ(flags.exitCode, 0) << flags.err;
	// SF_* from the environment.
	RunResult env = cli({"salesforce", "token"}, "elsewhere", {{"SF_USERNAME", USER}, {"SF_CLIENT_ID", CLIENT_ID}, {"SF_JWT_KEY_FILE", key},
		{"SF_INSTANCE_URL", emu->baseUrl()}, {"CA_FILE", emu->caFile()}});
	EXPECT_EQ(env.exitCode, 0) << env.err;
	// A near miss in a .env is named, with the guess.
	dir.write("elsewhere/.env", std::string("SUBJCT=") + USER + "\nAPP_COLOR=blue\n");
	ASSERT_EQ(cli({"trust", "-q"}, "elsewhere").exitCode, 0);
	RunResult typo = cli({"salesforce", "describe"}, "elsewhere");
	EXPECT_NE(typo.err.find("SUBJCT in the .env is not a setting of salesforce (did you mean SUBJECT?)"), std::string::npos) << typo.err;
	EXPECT_EQ(typo.err.find("APP_COLOR"), std::string::npos) << "an app's own variable is no near miss";
}

TEST_F(Profiles, AProfileCanBeAddedWithoutALogin)
{
	RunResult add = cli({"profile", "add", "staging", "--provider", "salesforce", "--client-id", CLIENT_ID, "--username", USER,
		"--private-key", "project/keys/private_key.pem", "--login-url", emu->baseUrl(), "--ca-file", emu->caFile()}, "");
	ASSERT_EQ(add.exitCode, 0) << add.err;
	EXPECT_EQ(emu->loginsFor(USER), 0) << "no login to add a profile";
	EXPECT_NE(readFile(dir.file("config/jwtflow/profiles/staging.env")).find(dir.file("project/keys/private_key.pem")), std::string::npos)
		<< "the path made absolute";
	RunResult token = cli({"salesforce", "token", "-p", "staging"}, "elsewhere");
	EXPECT_EQ(token.exitCode, 0) << token.err;
	RunResult noProvider = cli({"profile", "add", "x"}, "elsewhere");
	EXPECT_EQ(noProvider.exitCode, 2) << noProvider.err;
	EXPECT_NE(noProvider.err.find("--provider P"), std::string::npos) << noProvider.err;
}

TEST_F(Profiles, CacheClearTakesAProviderOrAProfile)
{
	trustProject();
	ASSERT_EQ(cli({"salesforce", "login", "--profile", "a"}, "project").exitCode, 0);
	RunResult none = cli({"cache", "clear", "azure-ad"}, "elsewhere");
	EXPECT_EQ(none.exitCode, 0) << none.err;
	EXPECT_NE(none.out.find("removed 0 cached login(s) of azure-ad"), std::string::npos) << none.out;
	RunResult otherProfile = cli({"cache", "clear", "--profile", "b"}, "elsewhere");
	EXPECT_NE(otherProfile.out.find("removed 0 cached login(s) of profile b"), std::string::npos) << otherProfile.out;
	RunResult byProfile = cli({"cache", "clear", "--profile", "a"}, "elsewhere");
	EXPECT_NE(byProfile.out.find("removed 1 cached login(s) of profile a"), std::string::npos) << byProfile.out;
	ASSERT_EQ(cli({"salesforce", "login"}, "project").exitCode, 0);
	RunResult byProvider = cli({"cache", "clear", "salesforce"}, "elsewhere");
	EXPECT_NE(byProvider.out.find("removed 1 cached login(s) of salesforce"), std::string::npos) << byProvider.out;
	RunResult unknown = cli({"cache", "clear", "salesforc"}, "elsewhere");
	EXPECT_EQ(unknown.exitCode, 2) << unknown.err;
}

} // namespace
