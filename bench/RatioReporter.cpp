//
// RatioReporter.cpp
//
#include "RatioReporter.h"
#include <cstdio>

namespace bench {

const std::vector<RatioPair>& ratioPairs()
{
	static const std::vector<RatioPair> pairs = {
		{"BM_Mint/RS256", "BM_RawSign/RS256", 0.9, "mint rate / raw sign rate, RS256"},
		{"BM_Mint/PS256", "BM_RawSign/PS256", 0.9, "mint rate / raw sign rate, PS256"},
		{"BM_Mint/ES256", "BM_RawSign/ES256", 0.8, "mint rate / raw sign rate, ES256"},
		{"BM_Verify/RS256", "BM_RawVerify/RS256", 0, "verify rate / raw verify rate, RS256"},
		{"BM_Verify/PS256", "BM_RawVerify/PS256", 0, "verify rate / raw verify rate, PS256"},
		{"BM_Verify/ES256", "BM_RawVerify/ES256", 0, "verify rate / raw verify rate, ES256"},
		{"BM_Exchange/keep_alive/real_time", "BM_Exchange/new_connection/real_time", 3.0,
			"kept-alive exchange rate / new-connection exchange rate"},
	};
	return pairs;
}

void RatioReporter::ReportRuns(const std::vector<Run>& runs)
{
	ConsoleReporter::ReportRuns(runs);
	for (const Run& run: runs)
	{
		if (run.run_type != Run::RT_Iteration || run.iterations == 0 || run.error_occurred) continue;
		// Per thread for multi-threaded runs; the pairs are single-threaded.
		_secondsPerItem[run.benchmark_name()] = run.real_accumulated_time / static_cast<double>(run.iterations);
	}
}

void RatioReporter::Finalize()
{
	ConsoleReporter::Finalize();
	std::printf("\nratios, measured in this run (rate of jwtflow / rate of its limit):\n");
	for (const RatioPair& pair: ratioPairs())
	{
		auto p = _secondsPerItem.find(pair.project);
		auto l = _secondsPerItem.find(pair.limit);
		if (p == _secondsPerItem.end() || l == _secondsPerItem.end()) continue;
		const double ratio = l->second / p->second;
		if (pair.target > 0)
			std::printf("  %-58s %6.2fx  target >= %.1fx  %s\n", pair.what.c_str(), ratio, pair.target,
				ratio >= pair.target ? "met" : "NOT MET");
		else
			std::printf("  %-58s %6.2fx\n", pair.what.c_str(), ratio);
	}
	std::fflush(stdout);
}

} // namespace bench
