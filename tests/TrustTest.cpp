//
// TrustTest.cpp: a folder is not the user (issue 25). A .env in the current
// folder that the user did not trust (jwtflow trust) is not read at all: a
// planted destination, CA or PKCS#11 module has no effect, and jwtflow says
// which names it left out, never their values. A named --env-file is trusted
// as named; every .env read, and the trust list itself, is checked for its
// owner and mode; code named by PKCS11_MODULE passes the plugin rules from
// any layer. Each planted case ran the attacker's choice before this change.
//
#include "EmulatorSupport.h"
#include "TestSupport.h"
#include "jwtflow/DotEnvTrust.h"
#include "jwtflow/Exception.h"
#include "jwtflow/Json.h"
#include <Poco/File.h>
#include <Poco/JSON/Array.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace testing_support;

namespace {

const char* const CLIENT_ID = "3MVG9trust.consumer.key";
const char* const USER = "trust.user@example.com";

/// A cloned repository: the user's own settings in the environment, the repository's .env in the folder.
class PlantedDotEnv: public ::testing::Test
{
protected:
	void SetUp() override
	{
		emu = startEmulator(dir, CLIENT_ID, {USER});
		key = dir.write("user-key.pem", readFile(sharedKeys().rsaPkcs8));
		::mkdir(dir.file("repo").c_str(), 0755);
		::mkdir(dir.file("config").c_str(), 0700);
		::mkdir(dir.file("cache").c_str(), 0700);
	}

	/// The user's environment; XDG_CONFIG_HOME is theirs too (their trust list, empty until they trust).
	std::map<std::string, std::string> userEnv(std::map<std::string, std::string> more = {}) const
	{
		std::map<std::string, std::string> env = {{"CLIENT_ID", CLIENT_ID}, {"SUBJECT", USER}, {"PATH_PRIVATE_KEY", key},
			{"LOGIN_URL", emu->baseUrl()}, {"XDG_CONFIG_HOME", dir.file("config")}, {"XDG_CACHE_HOME", dir.file("cache")}};
		for (const auto& m: more) env[m.first] = m.second;
		return env;
	}

	RunResult inRepo(const std::vector<std::string>& args, const std::map<std::string, std::string>& env)
	{
		return runJwtflow(args, dir.file("repo"), env);
	}

	TempDir dir;
	std::unique_ptr<jwtflow::emulator::Emulator> emu;
	std::string key;
};

} // namespace

TEST_F(PlantedDotEnv, ADestinationInAnUntrustedDotEnvIsNotRead)
{
	// One line sends the user's signed assertion elsewhere (here: a closed port).
	dir.write("repo/.env", "LOGIN_URL=https://127.0.0.1:1\n");
	// The user's own LOGIN_URL (the org's My Domain, here the emulator) is in their --config file,
	// a layer a .env outranks once trusted.
	const std::string userConfig = dir.write("user.properties", "LOGIN_URL = " + emu->baseUrl() + "\n");
	std::map<std::string, std::string> env = userEnv({{"CA_FILE", emu->caFile()}});
	env.erase("LOGIN_URL");
	const std::vector<std::string> token = {"salesforce", "token", "--no-cache", "--config", userConfig};
	RunResult untrusted = inRepo(token, env);
	EXPECT_EQ(untrusted.exitCode, 0) << "the assertion went where the user's settings say: " << untrusted.err;
	EXPECT_EQ(emu->loginsFor(USER), 1);
	EXPECT_NE(untrusted.err.find("is not trusted, so it was not read (it sets LOGIN_URL)"), std::string::npos) << untrusted.err;
	EXPECT_NE(untrusted.err.find("jwtflow trust " + dir.file("repo/.env")), std::string::npos) << untrusted.err;
	EXPECT_EQ(untrusted.err.find("127.0.0.1:1"), std::string::npos) << "names, never values";
	// Once the user trusts it, it is read (and the token request goes where it says).
	RunResult trust = inRepo({"trust"}, userEnv());
	ASSERT_EQ(trust.exitCode, 0) << trust.err;
	EXPECT_NE(trust.out.find("trusted " + dir.file("repo/.env")), std::string::npos) << trust.out;
	RunResult trusted = inRepo(token, env);
	EXPECT_EQ(trusted.exitCode, 5) << trusted.err;
	EXPECT_NE(trusted.err.find("127.0.0.1:1"), std::string::npos) << trusted.err;
	EXPECT_EQ(emu->loginsFor(USER), 1);
}

TEST_F(PlantedDotEnv, ACaInAnUntrustedDotEnvIsNotTrusted)
{
	// The repository's CA would let its "proxy" end TLS for the IdP: not read, the certificate stays untrusted.
	dir.write("repo/.env", "CA_FILE=" + emu->caFile() + "\nHTTPS_PROXY=http://127.0.0.1:9\n");
	RunResult untrusted = inRepo({"salesforce", "token", "--no-cache"}, userEnv());
	EXPECT_EQ(untrusted.exitCode, 5) << untrusted.err;
	EXPECT_NE(untrusted.err.find("not trusted"), std::string::npos) << untrusted.err;
	EXPECT_NE(untrusted.err.find("(it sets CA_FILE, HTTPS_PROXY)"), std::string::npos) << untrusted.err;
	EXPECT_EQ(emu->loginsFor(USER), 0);
	ASSERT_EQ(inRepo({"trust", ".env"}, userEnv()).exitCode, 0);
	RunResult trusted = inRepo({"salesforce", "token", "--no-cache"}, userEnv());
	EXPECT_EQ(trusted.exitCode, 0) << trusted.err;
	EXPECT_EQ(emu->loginsFor(USER), 1);
}

TEST_F(PlantedDotEnv, APkcs11ModuleInAnUntrustedDotEnvIsNeverLoaded)
{
	::mkdir(dir.file("repo/vendor").c_str(), 0755);
	dir.write("repo/vendor/libtoken.so", readFile(JWTFLOW_PLANTED_MODULE));
	dir.write("repo/.env", "PKCS11_MODULE=./vendor/libtoken.so\n");
	const std::string marker = dir.file("loaded");
	const auto env = userEnv({{"PATH_PRIVATE_KEY", "pkcs11:token=user;object=signer"}, {"PKCS11_PIN", "1234"},
		{"JWTFLOW_PLANTED_MARKER", marker}});
	for (const char* action: {"jwt", "token", "doctor"})
	{
		RunResult r = inRepo({"salesforce", action}, env);
		EXPECT_NE(r.exitCode, 0) << action;
		EXPECT_FALSE(Poco::File(marker).exists()) << "the repository's library ran inside jwtflow " << action << ": " << r.err;
	}
	RunResult jwk = inRepo({"jwk", "--private-key", "pkcs11:token=user;object=signer"}, env);
	EXPECT_NE(jwk.exitCode, 0);
	EXPECT_FALSE(Poco::File(marker).exists()) << jwk.err;
	RunResult jwt = inRepo({"salesforce", "jwt"}, env);
	EXPECT_EQ(jwt.exitCode, 2) << jwt.err;
	EXPECT_NE(jwt.err.find("needs PKCS11_MODULE"), std::string::npos) << jwt.err;
}

TEST_F(PlantedDotEnv, AModuleOthersCouldChangeIsRefusedFromAnyLayer)
{
	// The user's own environment names it, but its folder is writable by every user: refused as a plugin would be.
	::mkdir(dir.file("shared").c_str(), 0777);
	::chmod(dir.file("shared").c_str(), 0777);
	const std::string module = dir.write("shared/libtoken.so", readFile(JWTFLOW_PLANTED_MODULE));
	::chmod(module.c_str(), 0755);
	const std::string marker = dir.file("loaded");
	const auto env = userEnv({{"PATH_PRIVATE_KEY", "pkcs11:token=user;object=signer"}, {"PKCS11_PIN", "1234"},
		{"PKCS11_MODULE", module}, {"JWTFLOW_PLANTED_MARKER", marker}});
	RunResult jwt = inRepo({"salesforce", "jwt"}, env);
	EXPECT_EQ(jwt.exitCode, 3) << jwt.err;
	EXPECT_NE(jwt.err.find("refusing the PKCS#11 module (PKCS11_MODULE / --pkcs11-module)"), std::string::npos) << jwt.err;
	EXPECT_NE(jwt.err.find("chmod go-w " + dir.file("shared")), std::string::npos) << jwt.err;
	RunResult keygen = inRepo({"keygen", "--out", dir.file("made"), "--pkcs11", "pkcs11:token=user;object=new"}, env);
	EXPECT_EQ(keygen.exitCode, 3) << keygen.err;
	EXPECT_NE(keygen.err.find("refusing the PKCS#11 module"), std::string::npos) << keygen.err;
	// A module file that others may write, in a sound folder: refused too.
	::chmod(dir.file("shared").c_str(), 0755);
	::chmod(module.c_str(), 0666);
	RunResult loose = inRepo({"salesforce", "jwt"}, env);
	EXPECT_EQ(loose.exitCode, 3) << loose.err;
	EXPECT_NE(loose.err.find("chmod go-w " + module), std::string::npos) << loose.err;
	EXPECT_FALSE(Poco::File(marker).exists()) << "never loaded";
}

TEST_F(PlantedDotEnv, AChangedFileMustBeTrustedAgainAndRevokeForgetsIt)
{
	dir.write("repo/.env", "JWT_LIFETIME=120\n");
	ASSERT_EQ(inRepo({"trust"}, userEnv()).exitCode, 0);
	RunResult read = inRepo({"salesforce", "jwt", "--output", "json"}, userEnv());
	ASSERT_EQ(read.exitCode, 0) << read.err;
	Poco::JSON::Object::Ptr claims = jwtflow::parseJsonObject(read.out)->getObject("claims");
	EXPECT_EQ(claims->getValue<Poco::Int64>("exp") - claims->getValue<Poco::Int64>("iat"), 120);
	EXPECT_EQ(read.err.find("not read"), std::string::npos) << read.err;

	dir.write("repo/.env", "JWT_LIFETIME=120\nAUDIENCE=https://elsewhere.example\n");
	RunResult changed = inRepo({"salesforce", "jwt", "--output", "json"}, userEnv());
	ASSERT_EQ(changed.exitCode, 0) << changed.err;
	EXPECT_NE(changed.err.find("changed since you trusted it, so it was not read (it sets JWT_LIFETIME, AUDIENCE)"), std::string::npos)
		<< changed.err;
	EXPECT_EQ(jwtflow::parseJsonObject(changed.out)->getObject("claims")->getValue<std::string>("aud"), "https://login.salesforce.com") << "the user's own audience, not the changed file's";

	RunResult list = inRepo({"trust", "--list", "--output", "json"}, userEnv());
	ASSERT_EQ(list.exitCode, 0) << list.err;
	Poco::JSON::Array::Ptr entries = jwtflow::parseJsonObject(list.out)->getArray("trusted");
	ASSERT_EQ(entries->size(), 1u) << list.out;
	EXPECT_EQ(entries->getObject(0)->getValue<std::string>("path"), dir.file("repo/.env"));
	// The recorded digest is the file's SHA-256 as OpenSSL computes it, of the content trusted then.
	dir.write("old.env", "JWT_LIFETIME=120\n");
	EXPECT_NE(openssl({"dgst", "-sha256", dir.file("old.env")}).find(entries->getObject(0)->getValue<std::string>("sha256")),
		std::string::npos);

	RunResult revoke = inRepo({"trust", "--revoke"}, userEnv());
	EXPECT_EQ(revoke.exitCode, 0) << revoke.err;
	EXPECT_NE(revoke.out.find("no longer trusted"), std::string::npos) << revoke.out;
	EXPECT_EQ(jwtflow::parseJsonObject(inRepo({"trust", "--list", "--output", "json"}, userEnv()).out)->getArray("trusted")->size(), 0u);
	struct stat st{};
	ASSERT_EQ(::stat(dir.file("config/jwtflow/trusted-env").c_str(), &st), 0);
	EXPECT_EQ(st.st_mode & 0777, 0600u);
	ASSERT_EQ(::stat(dir.file("config/jwtflow").c_str(), &st), 0);
	EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(PlantedDotEnv, AMissingSettingErrorSaysTheDotEnvWasNotRead)
{
	dir.write("repo/.env", std::string("CLIENT_ID=") + CLIENT_ID + "\nSUBJECT=" + USER + "\n");
	RunResult r = inRepo({"salesforce", "jwt"}, {{"XDG_CONFIG_HOME", dir.file("config")}, {"PATH_PRIVATE_KEY", key}});
	EXPECT_EQ(r.exitCode, 2);
	EXPECT_NE(r.err.find("missing settings CLIENT_ID, SUBJECT"), std::string::npos) << r.err;
	EXPECT_NE(r.err.find(dir.file("repo/.env") + " was not read: it is not trusted (jwtflow trust " + dir.file("repo/.env") + ")"),
		std::string::npos) << r.err;
}

TEST_F(PlantedDotEnv, ANamedEnvFileIsTrustedAsNamedButNotWhenOthersCanWriteIt)
{
	const std::string named = dir.write("repo/settings.env", "JWT_LIFETIME=90\n");
	RunResult r = inRepo({"salesforce", "jwt", "--output", "json", "--env-file", "settings.env"}, userEnv());
	ASSERT_EQ(r.exitCode, 0) << r.err;
	Poco::JSON::Object::Ptr claims = jwtflow::parseJsonObject(r.out)->getObject("claims");
	EXPECT_EQ(claims->getValue<Poco::Int64>("exp") - claims->getValue<Poco::Int64>("iat"), 90);
	::chmod(named.c_str(), 0666);
	RunResult loose = inRepo({"salesforce", "jwt", "--env-file", "settings.env"}, userEnv());
	EXPECT_EQ(loose.exitCode, 3);
	EXPECT_NE(loose.err.find("refusing .env file"), std::string::npos) << loose.err;
	EXPECT_NE(loose.err.find("chmod go-w"), std::string::npos) << loose.err;
	// A folder's .env others can write is refused as well (trusted or not), with the reason.
	dir.write("repo/.env", "JWT_LIFETIME=90\n");
	ASSERT_EQ(inRepo({"trust"}, userEnv()).exitCode, 0);
	::chmod(dir.file("repo/.env").c_str(), 0620);
	RunResult group = inRepo({"salesforce", "jwt"}, userEnv());
	EXPECT_EQ(group.exitCode, 3);
	EXPECT_NE(group.err.find("lets the group change it"), std::string::npos) << group.err;
	if (::geteuid() == 0)
	{
		// Another user's .env (chown needs root).
		::chmod(dir.file("repo/.env").c_str(), 0644);
		ASSERT_EQ(::chown(dir.file("repo/.env").c_str(), 65534, 65534), 0);
		RunResult other = inRepo({"salesforce", "jwt"}, userEnv());
		EXPECT_EQ(other.exitCode, 3);
		EXPECT_NE(other.err.find("belongs to user id 65534"), std::string::npos) << other.err;
	}
}

TEST_F(PlantedDotEnv, ATrustListOthersCanWriteIsRefused)
{
	dir.write("repo/.env", "JWT_LIFETIME=90\n");
	ASSERT_EQ(inRepo({"trust"}, userEnv()).exitCode, 0);
	::chmod(dir.file("config/jwtflow/trusted-env").c_str(), 0666);
	RunResult r = inRepo({"salesforce", "jwt"}, userEnv());
	EXPECT_EQ(r.exitCode, 3);
	EXPECT_NE(r.err.find("refusing the list of trusted .env files"), std::string::npos) << r.err;
}

TEST_F(PlantedDotEnv, WhereAValueCameFromIsShown)
{
	dir.write("repo/.env", "CLIENT_ID=from-dotenv\nSUBJECT=" + std::string(USER) + "\n");
	ASSERT_EQ(inRepo({"trust"}, userEnv()).exitCode, 0);
	RunResult describe = inRepo({"salesforce", "describe", "--output", "json"}, userEnv());
	ASSERT_EQ(describe.exitCode, 0) << describe.err;
	Poco::JSON::Array::Ptr settings = jwtflow::parseJsonObject(describe.out)->getArray("settings");
	std::map<std::string, std::string> sources;
	for (std::size_t i = 0; i < settings->size(); ++i)
		sources[settings->getObject(i)->getValue<std::string>("name")] = settings->getObject(i)->getValue<std::string>("source");
	EXPECT_EQ(sources["CLIENT_ID"], "environment (overrides .env (" + dir.file("repo/.env") + "))");
	EXPECT_EQ(sources["SUBJECT"], "environment") << "the same value in both: nothing overridden";
	RunResult verbose = inRepo({"salesforce", "jwt", "-v"}, userEnv());
	ASSERT_EQ(verbose.exitCode, 0) << verbose.err;
	EXPECT_NE(verbose.err.find("CLIENT_ID: the environment's value overrides the one in " + dir.file("repo/.env")), std::string::npos)
		<< verbose.err;
	EXPECT_EQ(verbose.err.find("from-dotenv"), std::string::npos) << "never the values";
	RunResult quiet = inRepo({"salesforce", "jwt"}, userEnv());
	EXPECT_EQ(quiet.err.find("overrides"), std::string::npos) << "said with -v only";
}

TEST(DotEnvTrustList, ChecksPathAndContentAndKeepsOneEntryPerFile)
{
	TempDir dir;
	jwtflow::DotEnvTrust trust(dir.file("config/jwtflow/trusted-env"));
	EXPECT_TRUE(trust.list().empty());
	const std::string env = dir.write(".env", "A=1\n");
	const jwtflow::TrustedDotEnv entry = trust.trust(env);
	EXPECT_EQ(entry.path, jwtflow::absoluteDotEnvPath(env));
	EXPECT_EQ(trust.check(entry.path, "A=1\n"), jwtflow::DotEnvTrustState::Trusted);
	EXPECT_EQ(trust.check(entry.path, "A=2\n"), jwtflow::DotEnvTrustState::Changed);
	EXPECT_EQ(trust.check(dir.file("other/.env"), "A=1\n"), jwtflow::DotEnvTrustState::Unknown);
	dir.write(".env2", "B=1\n");
	trust.trust(env);   // again: still one entry
	trust.trust(dir.file(".env2"));
	EXPECT_EQ(trust.list().size(), 2u);
	EXPECT_TRUE(trust.revoke(env));
	EXPECT_FALSE(trust.revoke(env));
	ASSERT_EQ(trust.list().size(), 1u);
	EXPECT_EQ(trust.list()[0].path, jwtflow::absoluteDotEnvPath(dir.file(".env2")));
	// A file jwtflow cannot parse is not trusted; a path with a line break cannot be recorded.
	dir.write("broken.env", "NOT A LINE\n");
	EXPECT_THROW(trust.trust(dir.file("broken.env")), jwtflow::UsageException);
	EXPECT_THROW(trust.trustContent("/tmp/a\nb/.env", "A=1\n"), jwtflow::InputException);
	EXPECT_EQ(jwtflow::sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
