//
// RedisStoreTest.cpp: the Redis token store (issue 16) against a real
// redis-server of the test's own: sealed values that do not open when
// tampered with, moved to another key or read by another fleet; locks
// released by their holder only; compare-and-delete of a refused token; no
// token in clear in Redis or its dump; a wrong password at start-up; and a
// Session that keeps handing out tokens while Redis is stopped, killed or
// answers garbage, and goes back to it when it answers again.
//
#include "EmulatorSupport.h"
#include "HostileServer.h"
#include "RedisServer.h"
#include "TestSupport.h"
#include "jwtflow/Exception.h"
#include "jwtflow/PluginRegistry.h"
#include "jwtflow/RedisTokenStore.h"
#include "jwtflow/Session.h"
#include "jwtflow/SessionSubsystem.h"
#include <Poco/Util/MapConfiguration.h>
#include <Poco/URI.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <algorithm>
#include <map>
#include <mutex>
#include <thread>

using namespace jwtflow;
using namespace testing_support;

namespace {

const char* const CLIENT_ID = "3MVG9redis.consumer.key";
const char* const USER = "redis.user@example.com";

class RedisStore: public ::testing::Test
{
protected:
	void SetUp() override
	{
		redis.reset(new RedisServer);
		emu = startEmulator(dir, CLIENT_ID, {USER});
	}

	RedisStoreOptions storeOptions() const
	{
		RedisStoreOptions o = RedisStoreOptions::fromUrl(redis->url());
		o.password = redis->password();
		o.lockTimeoutSeconds = 2;
		o.operationTimeoutMs = 2000;   // generous: a loaded CI machine must not look like a Redis outage
		o.retryAfterFailureMs = 300;
		return o;
	}

	std::shared_ptr<RedisTokenStore> store(const std::string& keyFile = sharedKeys().rsaPkcs8)
	{
		const PrivateKey key = PrivateKey::fromFile(keyFile);
		return std::make_shared<RedisTokenStore>(storeOptions(), std::make_shared<TokenSealer>(key));
	}

	Settings settings()
	{
		Settings s;
		s.addMapLayer("test", {{"CLIENT_ID", CLIENT_ID}, {"SUBJECT", USER}, {"PATH_PRIVATE_KEY", sharedKeys().rsaPkcs8},
			{"LOGIN_URL", emu->baseUrl()}, {"CA_FILE", emu->caFile()}});
		s.addDefaults(salesforce().settings());
		return s;
	}

	/// A session whose events are kept (they must never hold a token).
	std::unique_ptr<Session> session(std::shared_ptr<TokenStore> shared)
	{
		SessionOptions options;
		options.store = std::move(shared);
		options.timeoutSeconds = 10;
		options.onEvent = [this](const std::string& e) {
			std::lock_guard<std::mutex> lock(eventsMutex);
			events.push_back(e);
		};
		return std::unique_ptr<Session>(new Session(salesforce(), settings(), options));
	}

	bool sawEvent(const std::string& part)
	{
		std::lock_guard<std::mutex> lock(eventsMutex);
		for (const auto& e: events)
			if (e.find(part) != std::string::npos) return true;
		return false;
	}

	Provider& salesforce() { return registry.get("salesforce"); }

	StoredToken stored(const std::string& token)
	{
		StoredToken t;
		t.accessToken = token;
		t.responseJson = "{\"access_token\":\"" + token + "\",\"instance_url\":\"https://x.example\"}";
		t.expiresAt = Poco::Timestamp().epochTime() + 600;
		return t;
	}

	TempDir dir;
	std::unique_ptr<RedisServer> redis;
	std::unique_ptr<emulator::Emulator> emu;
	PluginRegistry registry{{JWTFLOW_PLUGIN_DIR}};
	std::mutex eventsMutex;
	std::vector<std::string> events;
};

} // namespace

TEST_F(RedisStore, ValuesTamperedWithMovedOrSealedByAnotherFleetDoNotOpen)
{
	auto ours = store();
	const std::string key(64, 'a'), other(64, 'b');
	ours->put(key, stored("00Dsecret!token-one"));
	ASSERT_TRUE(ours->get(key));
	EXPECT_EQ(ours->get(key)->accessToken, "00Dsecret!token-one");
	const std::string raw = trim(redis->cli({"GET", ours->redisKey(key)}));
	EXPECT_FALSE(raw.empty());
	EXPECT_EQ(raw.find("secret"), std::string::npos) << "sealed, never in clear";
	const int ttl = std::stoi(trim(redis->cli({"PTTL", ours->redisKey(key)})));
	EXPECT_GT(ttl, 590 * 1000) << "Redis forgets it when it expires";
	EXPECT_LE(ttl, 600 * 1000);

	// Moved to another key: the cache key is the associated data.
	redis->cli({"SET", ours->redisKey(other), raw});
	EXPECT_FALSE(ours->get(other)) << "a value copied to another key does not open";
	// Another fleet (another signing key) reads nothing.
	EXPECT_FALSE(store(sharedKeys().otherRsa)->get(key));
	// Tampered with: one character changed.
	std::string tampered = raw;
	tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
	redis->cli({"SET", ours->redisKey(key), tampered});
	EXPECT_FALSE(ours->get(key));
	redis->cli({"SET", ours->redisKey(key), "not base64 at all %%%"});
	EXPECT_FALSE(ours->get(key));
	// ... and replaced by the next put.
	ours->put(key, stored("00Dsecret!token-two"));
	EXPECT_EQ(ours->get(key)->accessToken, "00Dsecret!token-two");
}

TEST_F(RedisStore, ALockIsReleasedByItsHolderOnlyAndExpiresWhenItsHolderIsGone)
{
	auto a = store(), b = store(), c = store();
	const std::string key(64, 'c');
	ASSERT_TRUE(a->tryLock(key));
	EXPECT_FALSE(b->tryLock(key));
	b->unlock(key);   // b holds nothing: the lock stays a's
	EXPECT_FALSE(c->tryLock(key));
	// a "dies" holding it: the lock expires after its time-out (2 s here).
	std::this_thread::sleep_for(std::chrono::milliseconds(2300));
	ASSERT_TRUE(b->tryLock(key));
	a->unlock(key);   // a's lock expired and b took it: a must not release b's
	EXPECT_FALSE(c->tryLock(key));
	b->unlock(key);
	EXPECT_TRUE(c->tryLock(key));
	c->unlock(key);
}

TEST_F(RedisStore, ARefusedTokenIsRemovedOnlyWhileItIsTheStoredOne)
{
	auto a = store();
	const std::string key(64, 'd');
	a->put(key, stored("00Dnew!token"));
	EXPECT_FALSE(a->removeIf(key, "00Dold!token")) << "a newer token stored by another process stays";
	EXPECT_TRUE(a->get(key));
	EXPECT_TRUE(a->removeIf(key, "00Dnew!token"));
	EXPECT_FALSE(a->get(key));
}

TEST_F(RedisStore, SessionsShareOneLoginAndNoTokenIsInRedisInClear)
{
	const int before = emu->tokensIssued();
	auto first = session(store());
	auto second = session(store());
	const std::string token = first->accessToken();
	EXPECT_EQ(second->accessToken(), token);
	EXPECT_EQ(first->fetches() + second->fetches(), 1);
	EXPECT_EQ(emu->tokensIssued() - before, 1);
	// A 401 seen by both: one new login, not two.
	first->invalidate(token);
	second->invalidate(token);
	const std::string renewed = first->accessToken();
	EXPECT_NE(renewed, token);
	EXPECT_EQ(second->accessToken(), renewed);
	EXPECT_EQ(emu->tokensIssued() - before, 2);
	// Nothing in Redis or its dump holds the token, the user or the client id in clear.
	const std::string keys = redis->cli({"KEYS", "*"});
	EXPECT_NE(keys.find("jwtflow:token:"), std::string::npos) << keys;
	redis->cli({"SAVE"});
	const std::string dump = readFile(redis->folder() + "/dump.rdb");
	ASSERT_FALSE(dump.empty());
	for (const std::string& secret: {token, renewed, std::string(USER), std::string(CLIENT_ID)})
	{
		EXPECT_EQ(dump.find(secret), std::string::npos);
		EXPECT_EQ(keys.find(secret), std::string::npos);
	}
	std::lock_guard<std::mutex> lock(eventsMutex);
	for (const auto& e: events) EXPECT_EQ(e.find("00D"), std::string::npos) << "never a token in events: " << e;
}

TEST_F(RedisStore, AStoppedOrKilledRedisNeverStopsTheSessionAndItIsUsedAgainWhenBack)
{
	auto a = session(store());
	const std::string first = a->accessToken();
	redis->pause();   // SIGSTOP: connections accepted, nothing answered
	a->invalidate();
	const std::string whileStopped = a->accessToken();
	EXPECT_FALSE(whileStopped.empty());
	EXPECT_TRUE(sawEvent("the token store is unavailable")) << "told through onEvent";
	redis->resume();
	redis->kill();
	a->invalidate();
	EXPECT_FALSE(a->accessToken().empty()) << "a killed Redis: still a token";
	redis->restart();
	std::this_thread::sleep_for(std::chrono::milliseconds(400));   // past retryAfterFailureMs
	a->invalidate();
	const std::string afterRestart = a->accessToken();
	EXPECT_TRUE(sawEvent("the token store answers again"));
	auto b = session(store());
	EXPECT_EQ(b->accessToken(), afterRestart) << "stored again once Redis was back";
	EXPECT_EQ(b->fetches(), 0);
}

TEST_F(RedisStore, GarbageFromTheServerIsAStoreFailureNotACrash)
{
	HostileServer notRedis([](HostileServer::Connection& c) {
		HostileServer::sendAll(c, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
		HostileServer::waitUntilStopping(c);
	});
	RedisStoreOptions o = storeOptions();
	o.port = Poco::URI(notRedis.baseUrl()).getPort();
	auto garbage = std::make_shared<RedisTokenStore>(o, std::make_shared<TokenSealer>(PrivateKey::fromFile(sharedKeys().rsaPkcs8)));
	EXPECT_THROW(garbage->get(std::string(64, 'e')), NetworkException);
	auto a = session(garbage);
	std::this_thread::sleep_for(std::chrono::milliseconds(400));
	EXPECT_FALSE(a->accessToken().empty());
	EXPECT_TRUE(sawEvent("the token store is unavailable"));
}

TEST_F(RedisStore, AWrongPasswordIsAClearErrorAtStartUpNamingTheSetting)
{
	Poco::AutoPtr<Poco::Util::MapConfiguration> config = new Poco::Util::MapConfiguration;
	config->setString("jwtflow.plugins", JWTFLOW_PLUGIN_DIR);
	config->setString("jwtflow.session.crm.provider", "salesforce");
	config->setString("jwtflow.session.crm.CLIENT_ID", CLIENT_ID);
	config->setString("jwtflow.session.crm.SUBJECT", USER);
	config->setString("jwtflow.session.crm.PATH_PRIVATE_KEY", sharedKeys().rsaPkcs8);
	config->setString("jwtflow.session.crm.LOGIN_URL", emu->baseUrl());
	config->setString("jwtflow.session.crm.CA_FILE", emu->caFile());
	config->setString("jwtflow.session.crm.store", redis->url());
	const std::string passwordFile = dir.write("redis.password", "not-the-password-9f8e\n");
	::chmod(passwordFile.c_str(), 0600);
	config->setString("jwtflow.session.crm.storePasswordFile", passwordFile);
	SessionSubsystem sessions;
	try
	{
		sessions.configure(*config);
		FAIL() << "a wrong password must fail at start-up";
	}
	catch (const UsageException& e)
	{
		const std::string m = e.message();
		EXPECT_NE(m.find("session 'crm'"), std::string::npos) << m;
		EXPECT_NE(m.find("jwtflow.session.crm.storePasswordFile"), std::string::npos) << m;
		EXPECT_EQ(m.find("not-the-password-9f8e"), std::string::npos) << "never the password: " << m;
	}
	// A password file others can read is refused before it is used.
	::chmod(passwordFile.c_str(), 0644);
	EXPECT_THROW(sessions.configure(*config), InputException);
	// No password at all: refused too (NOAUTH).
	config->remove("jwtflow.session.crm.storePasswordFile");
	EXPECT_THROW(sessions.configure(*config), UsageException);
	// The right one: a session that shares its login through Redis.
	dir.write("redis.password", redis->password() + "\n");
	::chmod(passwordFile.c_str(), 0600);
	config->setString("jwtflow.session.crm.storePasswordFile", passwordFile);
	sessions.configure(*config);
	const std::string token = sessions.session("crm").accessToken();
	auto b = session(store());
	EXPECT_EQ(b->accessToken(), token);
	EXPECT_EQ(b->fetches(), 0);
	// URLs that would leak or cannot work are refused with the reason.
	EXPECT_THROW(RedisStoreOptions::fromUrl("redis://:secret@127.0.0.1:6379/0"), UsageException);
	EXPECT_TRUE(RedisStoreOptions::fromUrl("rediss://cache.example.net:6380/0").tls);
	const RedisStoreOptions sentinel = RedisStoreOptions::fromUrl("redis-sentinel://10.0.0.1:26379,10.0.0.2/2#mymaster");
	EXPECT_EQ(sentinel.sentinelList(), "10.0.0.1:26379,10.0.0.2:26379");
	EXPECT_EQ(sentinel.masterName, "mymaster");
	EXPECT_EQ(sentinel.database, 2);
	EXPECT_FALSE(sentinel.tls);
	EXPECT_TRUE(RedisStoreOptions::fromUrl("rediss-sentinel://10.0.0.1:26379#m").tls);
	EXPECT_THROW(RedisStoreOptions::fromUrl("redis-sentinel://10.0.0.1:26379/0"), UsageException) << "a sentinel URL names its master";
	EXPECT_THROW(RedisStoreOptions::fromUrl("redis-sentinel://:pw@10.0.0.1:26379#m"), UsageException);
	EXPECT_THROW(RedisStoreOptions::fromUrl("redis-sentinel://10.0.0.1:99999#m"), UsageException);
	EXPECT_THROW(RedisStoreOptions::fromUrl("memcached://10.0.0.1:11211"), UsageException);
	EXPECT_THROW(RedisStoreOptions::fromUrl("redis://127.0.0.1:6379/x"), UsageException);
	EXPECT_EQ(RedisStoreOptions::fromUrl("redis://10.0.0.5/3").port, 6379);
	EXPECT_EQ(RedisStoreOptions::fromUrl("redis://10.0.0.5/3").database, 3);
}

TEST_F(RedisStore, TheCliSharesItsLoginAcrossMachinesThroughTokenStoreRedis)
{
	dir.write("private_key.pem", readFile(sharedKeys().rsaPkcs8));
	const std::string passwordFile = dir.write("redis.password", redis->password() + "\n");
	::chmod(passwordFile.c_str(), 0600);
	dir.write(".env", std::string("CLIENT_ID=") + CLIENT_ID + "\nSUBJECT=" + USER + "\nPATH_PRIVATE_KEY=private_key.pem\nLOGIN_URL="
		+ emu->baseUrl() + "\nCA_FILE=" + emu->caFile() + "\nTOKEN_STORE=" + redis->url() + "\nREDIS_PASSWORD_FILE=redis.password\n");
	// Two "machines": nothing in common but Redis (each its own file cache folder).
	auto on = [&](const std::string& machine, std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
		::mkdir(dir.file(machine).c_str(), 0700);
		env["XDG_CACHE_HOME"] = dir.file(machine);
		return runJwtflow(args, dir.path(), env);
	};
	const int before = emu->loginsFor(USER);
	RunResult first = on("machine-a", {"salesforce", "token"});
	ASSERT_EQ(first.exitCode, 0) << first.err;
	RunResult second = on("machine-b", {"salesforce", "token", "-v"});
	ASSERT_EQ(second.exitCode, 0) << second.err;
	EXPECT_EQ(second.out, first.out) << "one login for both machines";
	EXPECT_NE(second.err.find("using the cached salesforce token"), std::string::npos) << second.err;
	EXPECT_NE(second.err.find(redis->url()), std::string::npos) << "says where: " << second.err;
	EXPECT_EQ(emu->loginsFor(USER) - before, 1);
	EXPECT_EQ(on("machine-b", {"salesforce", "call", "/services/data/"}).exitCode, 0);
	EXPECT_EQ(emu->loginsFor(USER) - before, 1);
	// logout on one machine revokes and forgets it for both.
	RunResult logout = on("machine-a", {"salesforce", "logout"});
	EXPECT_EQ(logout.exitCode, 0) << logout.err;
	EXPECT_NE(logout.out.find("revoked"), std::string::npos) << logout.out;
	RunResult after = on("machine-b", {"salesforce", "token"});
	EXPECT_NE(after.out, first.out);
	EXPECT_EQ(emu->loginsFor(USER) - before, 2);
	// A wrong password: a usage error naming the setting, never the password.
	dir.write("bad.password", "wrong-password-1234\n");
	::chmod(dir.file("bad.password").c_str(), 0600);
	RunResult wrong = on("machine-a", {"salesforce", "token", "--redis-password-file", "bad.password"});
	EXPECT_EQ(wrong.exitCode, 2) << wrong.err;
	EXPECT_NE(wrong.err.find("REDIS_PASSWORD_FILE"), std::string::npos) << wrong.err;
	EXPECT_EQ(wrong.err.find("wrong-password-1234"), std::string::npos);
	// Redis gone: a warning, and a login of its own.
	redis->kill();
	RunResult down = on("machine-a", {"salesforce", "token"});
	EXPECT_EQ(down.exitCode, 0) << down.err;
	EXPECT_NE(down.err.find("does not answer"), std::string::npos) << down.err;
}

TEST_F(RedisStore, TheCliAndASessionTakeTheSameStoreWordsAndSubSettings)
{
	// The CLI sets the key prefix and time-outs it could not before; redis-cli sees the keys under that prefix.
	dir.write("private_key.pem", readFile(sharedKeys().rsaPkcs8));
	const std::string passwordFile = dir.write("redis.password", redis->password() + "\n");
	::chmod(passwordFile.c_str(), 0600);
	dir.write(".env", std::string("CLIENT_ID=") + CLIENT_ID + "\nSUBJECT=" + USER + "\nPATH_PRIVATE_KEY=private_key.pem\nLOGIN_URL="
		+ emu->baseUrl() + "\nCA_FILE=" + emu->caFile() + "\nTOKEN_STORE=" + redis->url(2) + "\nREDIS_PASSWORD_FILE=redis.password\n"
		"REDIS_KEY_PREFIX=crm:tokens:\nREDIS_LOCK_TIMEOUT=5\nREDIS_TIMEOUT_MS=800\n");
	::mkdir(dir.file("cache").c_str(), 0700);
	RunResult cli = runJwtflow({"salesforce", "token"}, dir.path(), {{"XDG_CACHE_HOME", dir.file("cache")}});
	ASSERT_EQ(cli.exitCode, 0) << cli.err;
	const std::string keys = redis->cli({"-n", "2", "--scan", "--pattern", "crm:tokens:*"});
	EXPECT_EQ(std::count(keys.begin(), keys.end(), '\n'), 1) << keys;
	RunResult badTimeout = runJwtflow({"salesforce", "token"}, dir.path(), {{"XDG_CACHE_HOME", dir.file("cache")},
		{"REDIS_LOCK_TIMEOUT", "forever"}});
	EXPECT_EQ(badTimeout.exitCode, 2) << badTimeout.err;
	EXPECT_NE(badTimeout.err.find("REDIS_LOCK_TIMEOUT 'forever' must be a whole number"), std::string::npos) << badTimeout.err;

	// A session configured with the same words (TOKEN_STORE, REDIS_*) uses the CLI's login.
	Poco::AutoPtr<Poco::Util::MapConfiguration> config = new Poco::Util::MapConfiguration;
	config->setString("jwtflow.plugins", JWTFLOW_PLUGIN_DIR);
	const std::string base = "jwtflow.session.crm.";
	config->setString(base + "provider", "salesforce");
	for (const auto& kv: std::map<std::string, std::string>{{"CLIENT_ID", CLIENT_ID}, {"SUBJECT", USER},
		{"PATH_PRIVATE_KEY", sharedKeys().rsaPkcs8}, {"LOGIN_URL", emu->baseUrl()}, {"CA_FILE", emu->caFile()},
		{"TOKEN_STORE", redis->url(2)}, {"REDIS_PASSWORD_FILE", passwordFile}, {"REDIS_KEY_PREFIX", "crm:tokens:"}})
		config->setString(base + kv.first, kv.second);
	SessionSubsystem sessions;
	sessions.configure(*config);
	EXPECT_EQ(sessions.session("crm").accessToken(), trim(cli.out));
	EXPECT_EQ(sessions.session("crm").fetches(), 0);
	// A key that is neither a setting nor a session key is an error at start-up, with a guess.
	config->setString(base + "CLIENTID", "x");
	try
	{
		sessions.configure(*config);
		FAIL() << "an unknown key must fail";
	}
	catch (const UsageException& e)
	{
		EXPECT_NE(e.message().find("jwtflow.session.crm.CLIENTID is neither a setting of salesforce nor a session key (did you mean "
			"jwtflow.session.crm.CLIENT_ID?)"), std::string::npos) << e.message();
	}
	config->remove(base + "CLIENTID");
	config->setString(base + "store", "memory");
	EXPECT_THROW(sessions.configure(*config), UsageException) << ".store and TOKEN_STORE differ";
	config->remove(base + "TOKEN_STORE");
	config->setString(base + "store", "redis");
	try
	{
		sessions.configure(*config);
		FAIL() << "a store word nobody answers to must fail";
	}
	catch (const UsageException& e)
	{
		EXPECT_NE(e.message().find("jwtflow.session.crm.store 'redis' is not a token store: use none"), std::string::npos) << e.message();
	}
}
