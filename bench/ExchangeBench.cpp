//
// ExchangeBench.cpp: token requests against the emulator over real loopback
// TLS, and the Session's warm cache.
//
//   BM_Exchange/keep_alive      mint + POST + read, one kept-alive TLS connection
//   BM_Exchange/new_connection  the same with a new TCP + TLS connection each time
//   BM_SessionCached            Session::accessToken() with a valid cached token
//
#include "BenchSupport.h"
#include "jwtflow/Assertion.h"
#include "jwtflow/HttpClient.h"
#include "jwtflow/Session.h"
#include "jwtflow/TokenClient.h"
#include <benchmark/benchmark.h>

namespace bench {

namespace {

void BM_Exchange(benchmark::State& state, bool keepAlive)
{
	jwtflow::emulator::Emulator& emu = benchEmulator();
	const jwtflow::Provider& salesforce = benchRegistry().get("salesforce");
	jwtflow::Settings settings = salesforceSettings("RS256", emu.baseUrl(), emu.caFile());
	jwtflow::AssertionMinter minter(salesforce, settings);
	jwtflow::HttpClient http(jwtflow::httpOptionsFrom(settings, 30));
	jwtflow::TokenClient client(salesforce, settings, http);
	benchmark::DoNotOptimize(client.exchange(minter.mint().compact));  // connect (and load the CA file) once
	const int before = http.connectionsOpened();
	for (auto _: state)
	{
		if (!keepAlive) http.closeConnections();
		benchmark::DoNotOptimize(client.exchange(minter.mint().compact));
	}
	state.SetItemsProcessed(state.iterations());
	state.counters["connections"] = http.connectionsOpened() - before;
}

jwtflow::Session& sharedSession()
	/// One session for every thread of every run: the cache is warm after the first call.
{
	static jwtflow::Session session(benchRegistry().get("salesforce"),
		salesforceSettings("RS256", benchEmulator().baseUrl(), benchEmulator().caFile()));
	return session;
}

void BM_SessionCached(benchmark::State& state)
{
	jwtflow::Session& session = sharedSession();
	benchmark::DoNotOptimize(session.accessToken());
	for (auto _: state) benchmark::DoNotOptimize(session.accessToken());
	state.SetItemsProcessed(state.iterations());
	state.counters["fetches"] = benchmark::Counter(session.fetches(), benchmark::Counter::kAvgThreads);
}

} // namespace

BENCHMARK_CAPTURE(BM_Exchange, keep_alive, true)->UseRealTime();
BENCHMARK_CAPTURE(BM_Exchange, new_connection, false)->UseRealTime();
BENCHMARK(BM_SessionCached)->ThreadRange(1, 2)->UseRealTime();

} // namespace bench
