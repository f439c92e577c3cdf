//
// RedisBench.cpp: reading a shared token through Redis on loopback, against
// a raw GET of a value of the same size with Poco::Redis (a redis-server of
// the benchmark's own is started on a free port; skipped without one).
//
//   BM_SessionSharedHit  RedisTokenStore::get: GET, base64, AES-256-GCM open, JSON
//                        (what a Session does when another process holds the login)
//   BM_SessionSharedHitTls the same over TLS (rediss://, a CA made for the run): with the
//                        connection kept, TLS costs the record layer only
//   BM_RedisGet          Poco::Redis GET of a value of the same size
//
#include "BenchSupport.h"
#include "jwtflow/KeyFactory.h"
#include "jwtflow/RedisTokenStore.h"
#include <Poco/Net/ServerSocket.h>
#include <Poco/Redis/Client.h>
#include <Poco/Redis/Command.h>
#include <Poco/Thread.h>
#include <benchmark/benchmark.h>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace bench {

namespace {

const char* const PASSWORD = "jwtflow-bench-redis-password";
const std::string KEY(64, 'b');

/// A redis-server for the run, on a free loopback port (TLS only with tls); port 0 when it cannot start.
struct BenchRedis
{
	pid_t pid = -1;
	int port = 0;
	std::string caFile;

	explicit BenchRedis(bool tls)
	{
		if (::access("/usr/bin/redis-server", X_OK) != 0) return;
		Poco::Net::ServerSocket probe(Poco::Net::SocketAddress("127.0.0.1", 0));
		const int candidate = probe.address().port();
		probe.close();
		const std::string folder = benchKeys().folder;
		const std::string conf = folder + (tls ? "/redis-tls.conf" : "/redis.conf");
		std::ofstream config(conf);
		config << "bind 127.0.0.1\nrequirepass " << PASSWORD << "\ndir " << folder << "\nsave \"\"\nappendonly no\nlogfile \"\"\n";
		if (tls)
		{
			writeTlsFiles(folder);
			config << "port 0\ntls-port " << candidate << "\ntls-cert-file " << folder << "/redis-server.pem\ntls-key-file " << folder
				<< "/redis-server-key.pem\ntls-ca-cert-file " << caFile << "\ntls-auth-clients no\n";
		}
		else
		{
			config << "port " << candidate << "\n";
		}
		config.close();
		std::string exe = "/usr/bin/redis-server", configPath = conf;
		char* argv[] = {&exe[0], &configPath[0], nullptr};
		posix_spawn_file_actions_t actions;
		posix_spawn_file_actions_init(&actions);
		posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
		if (posix_spawn(&pid, argv[0], &actions, nullptr, argv, environ) != 0) pid = -1;
		posix_spawn_file_actions_destroy(&actions);
		for (int i = 0; i < 100 && pid > 0; ++i)
		{
			jwtflow::RedisTokenStore probeStore(options(candidate), std::make_shared<jwtflow::TokenSealer>(benchKeys().rsa));
			std::string why;
			if (probeStore.check(why) == jwtflow::RedisTokenStore::Check::Ok)
			{
				port = candidate;
				return;
			}
			Poco::Thread::sleep(50);
		}
	}

	void writeTlsFiles(const std::string& folder)
	{
		jwtflow::PrivateKey caKey = jwtflow::KeyFactory::generateEc();
		jwtflow::CertificateRequest caRequest;
		caRequest.isCertificateAuthority = true;
		jwtflow::Certificate ca = jwtflow::KeyFactory::issue(caKey, caRequest);
		jwtflow::PrivateKey serverKey = jwtflow::KeyFactory::generateEc();
		jwtflow::CertificateRequest request;
		request.ipAddresses = {"127.0.0.1"};
		caFile = folder + "/redis-ca.pem";
		std::ofstream(caFile) << ca.toPem();
		std::ofstream(folder + "/redis-server.pem") << jwtflow::KeyFactory::issue(serverKey, request, &caKey, &ca).toPem();
		std::ofstream(folder + "/redis-server-key.pem") << serverKey.toPem();
	}

	jwtflow::RedisStoreOptions options(int p) const
	{
		jwtflow::RedisStoreOptions o;
		o.port = p;
		o.password = PASSWORD;
		o.tls = !caFile.empty();
		o.caFile = caFile;
		o.retryAfterFailureMs = 0;
		return o;
	}

	~BenchRedis()
	{
		if (pid > 0)
		{
			::kill(pid, SIGKILL);
			::waitpid(pid, nullptr, 0);
		}
	}
};

BenchRedis& benchRedis(bool tls = false)
{
	static BenchRedis plain(false);
	if (!tls) return plain;
	static BenchRedis secure(true);
	return secure;
}

std::shared_ptr<jwtflow::RedisTokenStore> benchStore(bool tls = false)
{
	const BenchRedis& redis = benchRedis(tls);
	return std::make_shared<jwtflow::RedisTokenStore>(redis.options(redis.port), std::make_shared<jwtflow::TokenSealer>(benchKeys().rsa));
}

/// A Salesforce-sized answer, as the Session stores it.
jwtflow::StoredToken storedToken()
{
	jwtflow::StoredToken t;
	t.accessToken = "00D000000000001!" + std::string(96, 'x');
	t.responseJson = "{\"access_token\":\"" + t.accessToken + "\",\"signature\":\"WlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlo=\","
		"\"scope\":\"web api id\",\"instance_url\":\"https://example.my.salesforce.com\",\"id\":\"https://login.salesforce.com/id/"
		"00D000000000001AAA/005000000000001AAA\",\"token_type\":\"Bearer\",\"issued_at\":\"1764400000000\"}";
	t.expiresAt = Poco::Timestamp().epochTime() + 3600;
	t.label = "salesforce CLIENT_ID=3MVG9bench SUBJECT=bench.user@example.com";
	return t;
}

void BM_SessionSharedHit(benchmark::State& state)
{
	if (!benchRedis().port) return state.SkipWithError("redis-server is not installed");
	auto store = benchStore();
	store->put(KEY, storedToken());
	for (auto _: state) benchmark::DoNotOptimize(store->get(KEY));
	state.SetItemsProcessed(state.iterations());
}

void BM_SessionSharedHitTls(benchmark::State& state)
{
	if (!benchRedis(true).port) return state.SkipWithError("redis-server is not installed, or has no TLS");
	auto store = benchStore(true);
	store->put(KEY, storedToken());
	for (auto _: state) benchmark::DoNotOptimize(store->get(KEY));
	state.SetItemsProcessed(state.iterations());
}

void BM_RedisGet(benchmark::State& state)
{
	if (!benchRedis().port) return state.SkipWithError("redis-server is not installed");
	auto store = benchStore();
	store->put(KEY, storedToken());
	Poco::Redis::Client client("127.0.0.1", benchRedis().port);
	Poco::Redis::Array auth;
	auth << "AUTH" << PASSWORD;
	client.execute<std::string>(auth);
	// The same key: the sealed value, byte for byte the size the store reads.
	const std::string key = store->redisKey(KEY);
	for (auto _: state) benchmark::DoNotOptimize(client.execute<Poco::Redis::BulkString>(Poco::Redis::Command::get(key)));
	state.SetItemsProcessed(state.iterations());
}

} // namespace

BENCHMARK(BM_SessionSharedHit)->UseRealTime();
BENCHMARK(BM_SessionSharedHitTls)->UseRealTime();
BENCHMARK(BM_RedisGet)->UseRealTime();

} // namespace bench
