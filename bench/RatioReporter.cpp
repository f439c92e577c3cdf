//
// RatioReporter.cpp
//
#include "RatioReporter.h"
#include <algorithm>
#include <cstdio>

namespace bench {

namespace {

double median(std::vector<double> values)
{
	std::sort(values.begin(), values.end());
	const std::size_t n = values.size();
	return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

} // namespace

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
		{"BM_SessionSharedHit/real_time", "BM_RedisGet/real_time", 0.8,
			"shared token read through Redis (GET + open + parse) / raw Redis GET of the same size"},
	};
	return pairs;
}

void RatioReporter::ReportRuns(const std::vector<Run>& runs)
{
	ConsoleReporter::ReportRuns(runs);
	for (const Run& run: runs)
	{
		if (run.error_occurred || run.iterations == 0) continue;
		// Time per iteration in the run's unit (nanoseconds for every pair).
		if (run.run_type == Run::RT_Iteration)
			_secondsPerItem[run.run_name.str()].push_back(run.GetAdjustedRealTime());
		else if (run.aggregate_name == "median")  // --benchmark_report_aggregates_only
			_medians[run.run_name.str()] = run.GetAdjustedRealTime();
	}
}

double RatioReporter::timeOf(const std::string& name) const
{
	auto m = _medians.find(name);
	if (m != _medians.end()) return m->second;
	auto it = _secondsPerItem.find(name);
	return it == _secondsPerItem.end() ? 0 : median(it->second);
}

void RatioReporter::Finalize()
{
	ConsoleReporter::Finalize();
	std::printf("\nratios, measured in this run (rate of jwtflow / rate of its limit; medians of the repetitions):\n");
	for (const RatioPair& pair: ratioPairs())
	{
		const double project = timeOf(pair.project);
		const double limit = timeOf(pair.limit);
		if (project <= 0 || limit <= 0) continue;
		const double ratio = limit / project;
		if (pair.target > 0)
			std::printf("  %-58s %6.2fx  target >= %.1fx  %s\n", pair.what.c_str(), ratio, pair.target,
				ratio >= pair.target ? "met" : "NOT MET");
		else
			std::printf("  %-58s %6.2fx\n", pair.what.c_str(), ratio);
	}
	std::fflush(stdout);
}

} // namespace bench
