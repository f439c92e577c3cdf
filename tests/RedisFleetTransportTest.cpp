//
// RedisFleetTransportTest.cpp: the Redis token store on the Redis that fleets run —
// real redis-server processes the test starts: TLS (a CA made at test time, a wrong
// CA, a wrong host name, mutual TLS), Sentinel with a master, a replica and three
// sentinels (the master SIGKILLed mid-run), and hostile servers that answer with
// what no Redis should (deep arrays, huge and negative lengths, drips, half replies,
// garbage, escape sequences).
//
#include "TestSupport.h"
#include "EmulatorSupport.h"
#include "HostileServer.h"
#include "RedisServer.h"
#include "jwtflow/Exception.h"
#include "jwtflow/RedisTokenStore.h"
#include "jwtflow/SafeText.h"
#include "jwtflow/TokenStore.h"
#include <Poco/Thread.h>
#include <Poco/Timestamp.h>
#include <gtest/gtest.h>
#include <memory>

using namespace testing_support;
using namespace jwtflow;

namespace {

const char* const CLIENT_ID = "3MVG9redis.transport";
const char* const USER = "transport@example.com";

std::shared_ptr<const TokenSealer> sealer()
{
	static std::shared_ptr<const TokenSealer> s = std::make_shared<TokenSealer>(PrivateKey::fromFile(sharedKeys().rsaPkcs8));
	return s;
}

StoredToken aToken(const std::string& access)
{
	StoredToken t;
	t.accessToken = access;
	t.expiresAt = Poco::Timestamp().epochTime() + 600;
	t.label = "transport";
	t.responseJson = "{}";
	return t;
}

/// What a store operation threw, "" when nothing.
template <typename F>
std::string failureOf(F f)
{
	try
	{
		f();
	}
	catch (const Poco::Exception& e)
	{
		return std::string(e.className()) + ": " + e.message();
	}
	return "";
}

RedisStoreOptions optionsFor(const std::string& url, const RedisServer* server, const RedisTls* tls = nullptr, bool clientCert = false)
{
	RedisStoreOptions o = RedisStoreOptions::fromUrl(url);
	if (server) o.password = server->password();
	if (tls) o.caFile = tls->caFile;
	if (tls && clientCert)
	{
		o.certFile = tls->clientCert;
		o.keyFile = tls->clientKey;
	}
	o.operationTimeoutMs = 2000;
	o.retryAfterFailureMs = 0;
	return o;
}

struct RedisTlsFixture: ::testing::Test
{
	void SetUp() override
	{
		if (!RedisServer::available()) GTEST_SKIP() << "redis-server is not installed";
		tls = makeRedisTls(dir.path());
	}
	TempDir dir;
	RedisTls tls;
};

TEST_F(RedisTlsFixture, AVerifiedTlsConnectionCarriesSealedTokens)
{
	RedisServerOptions o;
	o.tls = &tls;
	RedisServer server(o);
	RedisTokenStore store(optionsFor(server.url(), &server, &tls), sealer());
	std::string why;
	ASSERT_EQ(store.check(why), RedisTokenStore::Check::Ok) << why;
	store.put("k1", aToken("tls-token-1"));
	ASSERT_TRUE(store.get("k1"));
	EXPECT_EQ(store.get("k1")->accessToken, "tls-token-1");
	// What redis-cli (over TLS, an implementation not ours) reads is sealed, never the token.
	const std::string raw = server.cli({"GET", store.redisKey("k1")});
	EXPECT_FALSE(trim(raw).empty());
	EXPECT_EQ(raw.find("tls-token-1"), std::string::npos);
}

TEST_F(RedisTlsFixture, AnUnknownCaAndAnotherHostNameAreRefusedAsConfiguration)
{
	RedisServerOptions o;
	o.tls = &tls;
	RedisServer server(o);
	// The system's CAs only: the test CA is not among them.
	RedisTokenStore untrusted(optionsFor(server.url(), &server), sealer());
	std::string why;
	EXPECT_EQ(untrusted.check(why), RedisTokenStore::Check::Refused);
	EXPECT_NE(why.find("certificate is not trusted"), std::string::npos) << why;
	EXPECT_NE(why.find("REDIS_CA_FILE"), std::string::npos) << why;
	// The right CA, but a name the certificate does not hold (it names 127.0.0.1 only).
	RedisTokenStore otherName(optionsFor("rediss://localhost:" + std::to_string(server.port()) + "/0", &server, &tls), sealer());
	EXPECT_EQ(otherName.check(why), RedisTokenStore::Check::Refused);
	EXPECT_NE(why.find("does not name the host localhost"), std::string::npos) << why;
}

TEST_F(RedisTlsFixture, APlainClientAtATlsPortAndTlsAtAPlainPortEachSayWhich)
{
	RedisServerOptions o;
	o.tls = &tls;
	RedisServer tlsServer(o);
	RedisTokenStore plainToTls(optionsFor("redis://127.0.0.1:" + std::to_string(tlsServer.port()) + "/0", &tlsServer), sealer());
	std::string why;
	EXPECT_NE(plainToTls.check(why), RedisTokenStore::Check::Ok);
	EXPECT_NE(why.find("use rediss:// for it"), std::string::npos) << why;

	RedisServer plainServer;
	RedisTokenStore tlsToPlain(optionsFor("rediss://127.0.0.1:" + std::to_string(plainServer.port()) + "/0", &plainServer, &tls), sealer());
	EXPECT_NE(tlsToPlain.check(why), RedisTokenStore::Check::Ok);
	EXPECT_NE(why.find("a plain Redis port does not speak TLS: use redis:// for it"), std::string::npos) << why;
}

TEST_F(RedisTlsFixture, MutualTlsIsRequiredAndThenGiven)
{
	RedisServerOptions o;
	o.tls = &tls;
	o.tlsAuthClients = true;
	RedisServer server(o);
	RedisTokenStore without(optionsFor(server.url(), &server, &tls), sealer());
	std::string why;
	EXPECT_NE(without.check(why), RedisTokenStore::Check::Ok);
	EXPECT_NE(why.find("REDIS_CERT_FILE"), std::string::npos) << why;
	RedisTokenStore with(optionsFor(server.url(), &server, &tls, true), sealer());
	ASSERT_EQ(with.check(why), RedisTokenStore::Check::Ok) << why;
	with.put("k", aToken("mtls-token"));
	EXPECT_EQ(with.get("k")->accessToken, "mtls-token");
}

TEST_F(RedisTlsFixture, TheCliTakesRedissWithItsFiles)
{
	RedisServerOptions o;
	o.tls = &tls;
	RedisServer server(o);
	auto emu = startEmulator(dir, CLIENT_ID, {USER});
	dir.write("private_key.pem", readFile(sharedKeys().rsaPkcs8));
	dir.write("redis.password", server.password() + "\n");
	const std::map<std::string, std::string> env = {{"CLIENT_ID", CLIENT_ID}, {"SUBJECT", USER}, {"PATH_PRIVATE_KEY", "private_key.pem"},
		{"LOGIN_URL", emu->baseUrl()}, {"CA_FILE", emu->caFile()}, {"TOKEN_STORE", server.url()},
		{"REDIS_PASSWORD_FILE", dir.file("redis.password")}, {"REDIS_CA_FILE", tls.caFile}};
	RunResult first = runJwtflow({"salesforce", "token"}, dir.path(), env);
	ASSERT_EQ(first.exitCode, 0) << first.err;
	RunResult second = runJwtflow({"salesforce", "token"}, dir.path(), env);
	ASSERT_EQ(second.exitCode, 0) << second.err;
	EXPECT_EQ(first.out, second.out);
	EXPECT_EQ(emu->loginsFor(USER), 1) << "the second process read the login from Redis over TLS";
	// TLS files for a plain URL are a usage error, not silently ignored.
	std::map<std::string, std::string> plain = env;
	plain["TOKEN_STORE"] = "redis://127.0.0.1:" + std::to_string(server.port()) + "/0";
	RunResult mixed = runJwtflow({"salesforce", "token"}, dir.path(), plain);
	EXPECT_EQ(mixed.exitCode, 2) << mixed.err;
	EXPECT_NE(mixed.err.find("use rediss://"), std::string::npos) << mixed.err;
}

TEST(RedisSentinel, TheStoreFollowsAFailoverWithoutAFailedCall)
{
	if (!RedisServer::available()) GTEST_SKIP() << "redis-server is not installed";
	auto master = std::make_unique<RedisServer>();
	RedisServerOptions replicaOptions;
	replicaOptions.replicaOf = master->port();
	replicaOptions.password = master->password();
	RedisServer replica(replicaOptions);
	std::vector<std::unique_ptr<RedisServer>> sentinels;
	std::string hosts;
	for (int i = 0; i < 3; ++i)
	{
		RedisServerOptions s;
		s.sentinelOf = master->port();
		s.password = master->password();
		sentinels.push_back(std::make_unique<RedisServer>(s));
		hosts += (hosts.empty() ? "" : ",") + std::string("127.0.0.1:") + std::to_string(sentinels.back()->port());
	}
	TempDir dir;
	auto emu = startEmulator(dir, CLIENT_ID, {USER});
	dir.write("private_key.pem", readFile(sharedKeys().rsaPkcs8));
	dir.write("redis.password", master->password() + "\n");
	const std::map<std::string, std::string> env = {{"CLIENT_ID", CLIENT_ID}, {"SUBJECT", USER}, {"PATH_PRIVATE_KEY", "private_key.pem"},
		{"LOGIN_URL", emu->baseUrl()}, {"CA_FILE", emu->caFile()}, {"TOKEN_STORE", "redis-sentinel://" + hosts + "/0#mymaster"},
		{"REDIS_PASSWORD_FILE", dir.file("redis.password")}, {"REDIS_SENTINEL_PASSWORD_FILE", dir.file("redis.password")},
		{"REDIS_TIMEOUT_MS", "500"}};
	// The replica has caught up with the master before anything is stored.
	for (int i = 0; i < 100 && replica.cli({"INFO", "replication"}).find("master_link_status:up") == std::string::npos; ++i)
		Poco::Thread::sleep(100);
	RunResult first = runJwtflow({"salesforce", "token"}, dir.path(), env);
	ASSERT_EQ(first.exitCode, 0) << first.err;
	RunResult again = runJwtflow({"salesforce", "token"}, dir.path(), env);
	ASSERT_EQ(again.exitCode, 0) << again.err;
	EXPECT_EQ(again.out, first.out);
	EXPECT_EQ(emu->loginsFor(USER), 1) << "the master the sentinels named holds the login";
	EXPECT_EQ(trim(master->cli({"WAIT", "1", "2000"})), "1") << "the replica has it too";

	const int oldMaster = master->port();
	master->kill();
	// Every call during the failover succeeds: the store does not answer, so each process logs in itself.
	std::string newMaster;
	const Poco::Timestamp started;
	while (!started.isElapsed(40 * 1000000))
	{
		RunResult during = runJwtflow({"salesforce", "token"}, dir.path(), env);
		EXPECT_EQ(during.exitCode, 0) << during.err;
		const std::string named = sentinels[0]->cli({"SENTINEL", "get-master-addr-by-name", "mymaster"});
		if (named.find(std::to_string(oldMaster)) == std::string::npos && named.find(std::to_string(replica.port())) != std::string::npos)
		{
			newMaster = named;
			break;
		}
		Poco::Thread::sleep(300);
	}
	ASSERT_FALSE(newMaster.empty()) << "the sentinels did not promote the replica";
	// Once the sentinels name the new master, the fleet finds it there: the login stored before the failover, no new one.
	for (int i = 0; i < 50 && trim(replica.cli({"ROLE"})).rfind("master", 0) != 0; ++i) Poco::Thread::sleep(100);
	const int loginsBefore = emu->loginsFor(USER);
	for (int i = 0; i < 3; ++i)
	{
		RunResult after = runJwtflow({"salesforce", "token"}, dir.path(), env);
		ASSERT_EQ(after.exitCode, 0) << after.err;
		EXPECT_EQ(after.out, first.out) << "the replica, now master, had the login";
	}
	EXPECT_EQ(emu->loginsFor(USER), loginsBefore) << "no login after the failover";
}

/// A server that reads one command and answers with `reply`, as no Redis should.
struct HostileRedis
{
	explicit HostileRedis(std::function<void(HostileServer::Connection&)> answer):
		server([answer](HostileServer::Connection& c) {
			char buf[4096];
			if (c.socket.receiveBytes(buf, sizeof buf) <= 0) return;
			answer(c);
			HostileServer::waitUntilStopping(c);
		})
	{
	}

	std::string failure(int timeoutMs = 1000)
	{
		const std::string url = server.baseUrl();
		RedisStoreOptions o = RedisStoreOptions::fromUrl("redis://127.0.0.1:" + url.substr(url.rfind(':') + 1) + "/0");
		o.operationTimeoutMs = timeoutMs;
		RedisTokenStore store(o, sealer());
		return failureOf([&] { store.get("k"); });
	}

	HostileServer server;
};

HostileRedis replying(const std::string& bytes)
{
	return HostileRedis([bytes](HostileServer::Connection& c) { HostileServer::sendAll(c, bytes); });
}

TEST(HostileRedisReplies, DeepHugeNegativeAndGarbageRepliesEndInOneClearError)
{
	std::string deep;
	for (int i = 0; i < 400000; ++i) deep += "*1\r\n";   // 1.6 MB of nesting: POCO's reader recursed until SIGSEGV
	const struct
	{
		std::string reply;
		std::string expected;
	} cases[] = {
		{deep, "arrays nested deeper than 4"},
		{"$536870912\r\n", "a value announced as 536870912 bytes, over the limit of 1048576 (REDIS_MAX_VALUE_BYTES)"},
		{"$2147483647\r\nabc", "over the limit"},
		{"$-7\r\n", "a bulk string of length '-7'"},
		{"*99999999\r\n", "a reply of over 4096 elements"},
		{":12x\r\n", "an integer reply that is not a number"},
		{"HTTP/1.1 400 Bad Request\r\n\r\n", "bytes that are not RESP (the first is 0x48): is it Redis?"},
		{std::string("\x15\x03\x03\x00\x02\x02\x46", 7), "this port speaks TLS (use rediss:// for it)"},
		{"$5\r\nabcdefgh\r\n", "a bulk string longer than announced"},
		{"+OK\r\n+OK\r\n", "more than one reply to one command"},
	};
	for (const auto& c: cases)
	{
		HostileRedis redis = replying(c.reply);
		const std::string failure = redis.failure();
		EXPECT_NE(failure.find("NetworkException"), std::string::npos) << failure;
		EXPECT_NE(failure.find(c.expected), std::string::npos) << "for " << safeText(c.reply, 40) << ": " << failure;
	}
}

TEST(HostileRedisReplies, AnErrorReplyIsShownEscaped)
{
	HostileRedis redis = replying("-ERR \x1b]0;owned\x07\x1b[31mred\r\n");
	const std::string failure = redis.failure();
	EXPECT_NE(failure.find("Redis answered GET with an error: ERR "), std::string::npos) << failure;
	EXPECT_EQ(failure.find('\x1b'), std::string::npos) << "no escape sequence reaches a terminal";
}

TEST(HostileRedisReplies, ADripOrAHalfReplyIsBoundedByOneDeadline)
{
	// One byte every 100 ms: each read would beat a per-read time-out of 300 ms, the whole reply cannot.
	HostileRedis drip([](HostileServer::Connection& c) { HostileServer::trickle(c, "$30\r\n" + std::string(30, 'x') + "\r\n", 100); });
	EXPECT_NE(drip.failure(300).find("sent no complete reply within 300 ms (REDIS_TIMEOUT_MS)"), std::string::npos);
	HostileRedis half([](HostileServer::Connection& c) {
		HostileServer::sendAll(c, "$10\r\nabc");
		c.socket.close();
	});
	EXPECT_NE(half.failure().find("closed the connection in the middle of a reply"), std::string::npos);
	HostileRedis silent([](HostileServer::Connection&) {});
	EXPECT_NE(silent.failure(300).find("within 300 ms"), std::string::npos);
}

TEST(HostileRedisReplies, AValueOverTheLimitInARealRedisIsRefusedNotLoaded)
{
	if (!RedisServer::available()) GTEST_SKIP() << "redis-server is not installed";
	RedisServer server;
	RedisStoreOptions o = optionsFor(server.url(), &server);
	RedisTokenStore store(o, sealer());
	// Anyone who can write to Redis can store 2 MB under the fleet's key.
	TempDir dir;
	const std::string big = dir.write("big.txt", std::string(2 * 1024 * 1024, 'A'));
	run({"/bin/sh", "-c", "/usr/bin/redis-cli -h 127.0.0.1 -p " + std::to_string(server.port()) + " -x SET " + store.redisKey("k")
		+ " < " + big}, "", {{"REDISCLI_AUTH", server.password()}});
	EXPECT_EQ(trim(server.cli({"STRLEN", store.redisKey("k")})), std::to_string(2 * 1024 * 1024));
	const std::string failure = failureOf([&] { store.get("k"); });
	EXPECT_NE(failure.find("over the limit of 1048576 (REDIS_MAX_VALUE_BYTES)"), std::string::npos) << failure;
}

} // namespace
