//
// FleetTest.cpp: a fleet of processes (examples/fleet) sharing one login
// through a real redis-server (issue 16): 8 processes x 4 threads for 60 s
// with 20 s tokens make at most 4 logins where the same fleet without the
// store makes at least 8 x 4; a lock holder killed in the middle of its login
// is taken over after the lock's time-out, and nobody hangs.
//
#include "EmulatorSupport.h"
#include "RedisServer.h"
#include "TestSupport.h"
#include <Poco/Thread.h>
#include <csignal>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

using namespace testing_support;

namespace {

const char* const CLIENT_ID = "3MVG9fleet.consumer.key";
const char* const SHARED_USER = "fleet.shared@example.com";
const char* const ALONE_USER = "fleet.alone@example.com";

/// A fleet member running in the background, its output in a file.
struct Member
{
	pid_t pid = -1;
	std::string output;

	Member(const std::string& config, const std::vector<std::string>& more, const std::string& outFile): output(outFile)
	{
		std::vector<std::string> args = {JWTFLOW_FLEET_MEMBER, "--config=" + config};
		args.insert(args.end(), more.begin(), more.end());
		std::vector<char*> argv;
		for (auto& a: args) argv.push_back(&a[0]);
		argv.push_back(nullptr);
		posix_spawn_file_actions_t actions;
		posix_spawn_file_actions_init(&actions);
		posix_spawn_file_actions_addopen(&actions, 1, outFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
		posix_spawn_file_actions_addopen(&actions, 2, (outFile + ".err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid = -1;
		posix_spawn_file_actions_destroy(&actions);
	}

	int wait()
	{
		int status = 0;
		if (pid <= 0 || ::waitpid(pid, &status, 0) != pid) return -100;
		pid = -1;
		return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
	}

	~Member()
	{
		if (pid > 0)
		{
			::kill(pid, SIGKILL);
			::waitpid(pid, nullptr, 0);
		}
	}
};

class Fleet: public ::testing::Test
{
protected:
	void SetUp() override
	{
		redis.reset(new RedisServer);
		passwordFile = dir.write("redis.password", redis->password() + "\n");
		::chmod(passwordFile.c_str(), 0600);
	}

	std::string config(const std::string& name, const std::string& user, bool shared, const std::string& more = "")
	{
		std::string text = "jwtflow.plugins = " + std::string(JWTFLOW_PLUGIN_DIR) + "\n"
			"jwtflow.session.fleet.provider = salesforce\n"
			"jwtflow.session.fleet.CLIENT_ID = " + CLIENT_ID + "\n"
			"jwtflow.session.fleet.SUBJECT = " + user + "\n"
			"jwtflow.session.fleet.PATH_PRIVATE_KEY = " + sharedKeys().rsaPkcs8 + "\n"
			"jwtflow.session.fleet.LOGIN_URL = " + emu->baseUrl() + "\n"
			"jwtflow.session.fleet.CA_FILE = " + emu->caFile() + "\n";
		if (shared)
			text += "jwtflow.session.fleet.store = " + redis->url() + "\n"
				"jwtflow.session.fleet.storePasswordFile = " + passwordFile + "\n";
		return dir.write(name, text + more);
	}

	TempDir dir;
	std::unique_ptr<RedisServer> redis;
	std::unique_ptr<jwtflow::emulator::Emulator> emu;
	std::string passwordFile;
};

} // namespace

TEST_F(Fleet, EightProcessesOfFourThreadsShareOneLoginPerTokenLifetime)
{
	emu = startEmulator(dir, CLIENT_ID, {SHARED_USER, ALONE_USER});
	// Salesforce sends no expires_in: the sessions take 20 s and refresh 2 s before.
	const std::string lifetimes = "jwtflow.session.fleet.assumedLifetime = 20\njwtflow.session.fleet.refreshMargin = 2\n";
	const std::string shared = config("shared.properties", SHARED_USER, true, lifetimes);
	const std::string alone = config("alone.properties", ALONE_USER, false, lifetimes);
	// Both fleets at once, for 60 s: 8 members each, 4 threads asking every 200 ms.
	std::vector<std::unique_ptr<Member>> members;
	for (int i = 0; i < 8; ++i)
	{
		members.emplace_back(new Member(shared, {"--threads=4", "--seconds=60", "--interval-ms=200"}, dir.file("shared." + std::to_string(i))));
		members.emplace_back(new Member(alone, {"--threads=4", "--seconds=60", "--interval-ms=200"}, dir.file("alone." + std::to_string(i))));
	}
	for (auto& m: members)
	{
		EXPECT_EQ(m->wait(), 0) << readFile(m->output + ".err");
		const std::string out = readFile(m->output);
		EXPECT_NE(out.find("failures=0"), std::string::npos) << out;
	}
	const int sharedLogins = emu->loginsFor(SHARED_USER);
	const int aloneLogins = emu->loginsFor(ALONE_USER);
	EXPECT_LE(sharedLogins, 4) << "one login per token lifetime, plus one, for the whole fleet";
	EXPECT_GE(sharedLogins, 3) << "tokens are refreshed before they expire";
	EXPECT_GE(aloneLogins, 8 * 4) << "without the store every member logs in on its own";
	std::cout << "fleet of 8 x 4 threads, 60 s, 20 s tokens: " << sharedLogins << " logins with the Redis store, " << aloneLogins
		<< " without" << std::endl;
}

TEST_F(Fleet, EightProcessesShareOneLoginOverTls)
{
	// The same fleet on a TLS-only Redis (rediss://, a CA made here): one login for all of them.
	TempDir certs;
	const RedisTls tls = makeRedisTls(certs.path());
	RedisServerOptions options;
	options.tls = &tls;
	redis.reset(new RedisServer(options));
	dir.write("redis.password", redis->password() + "\n");
	emu = startEmulator(dir, CLIENT_ID, {SHARED_USER});
	const std::string shared = config("tls.properties", SHARED_USER, true, "jwtflow.session.fleet.assumedLifetime = 60\n"
		"jwtflow.session.fleet.REDIS_CA_FILE = " + tls.caFile + "\n");
	std::vector<std::unique_ptr<Member>> members;
	for (int i = 0; i < 8; ++i)
		members.emplace_back(new Member(shared, {"--threads=2", "--seconds=8", "--interval-ms=200"}, dir.file("tls." + std::to_string(i))));
	for (auto& m: members)
	{
		EXPECT_EQ(m->wait(), 0) << readFile(m->output + ".err");
		EXPECT_NE(readFile(m->output).find("failures=0"), std::string::npos) << readFile(m->output);
	}
	EXPECT_EQ(emu->loginsFor(SHARED_USER), 1) << "one login for the fleet, through Redis over TLS";
	// What redis-cli reads over TLS is the sealed value, never the token.
	const std::string keys = redis->cli({"KEYS", "jwtflow:token:*"});
	EXPECT_NE(keys.find("jwtflow:token:"), std::string::npos) << keys;
}

TEST_F(Fleet, ALockHolderKilledInTheMiddleOfItsLoginIsTakenOverAndNobodyHangs)
{
	emu = startEmulator(dir, CLIENT_ID, {SHARED_USER}, "", [](jwtflow::emulator::EmulatorOptions& o) { o.tokenDelayMs = 3000; });
	const std::string shared = config("shared.properties", SHARED_USER, true, "jwtflow.session.fleet.storeLockTimeout = 4\n");
	Member holder(shared, {"--threads=1", "--seconds=0"}, dir.file("holder"));
	// The holder takes the login lock and waits for the (slow) token endpoint.
	for (int i = 0; i < 100 && trim(redis->cli({"KEYS", "jwtflow:token:lock:*"})).empty(); ++i) Poco::Thread::sleep(50);
	ASSERT_FALSE(trim(redis->cli({"KEYS", "jwtflow:token:lock:*"})).empty()) << "the holder took the lock";
	Member waiter(shared, {"--threads=2", "--seconds=0"}, dir.file("waiter"));
	Poco::Thread::sleep(500);
	::kill(holder.pid, SIGKILL);
	EXPECT_EQ(holder.wait(), -SIGKILL);
	EXPECT_EQ(waiter.wait(), 0) << readFile(dir.file("waiter.err"));
	const std::string out = readFile(dir.file("waiter"));
	EXPECT_NE(out.find("fetches=1 failures=0"), std::string::npos) << "it logged in itself once the lock expired: " << out;
	EXPECT_TRUE(trim(redis->cli({"KEYS", "jwtflow:token:lock:*"})).empty()) << "and released the lock";
}
