//
// RatioReporter.h: the console reporter, plus a table at the end that sets
// each jwtflow benchmark against its limit measured in the same run.
//
#ifndef JWTFLOW_RATIOREPORTER_INCLUDED
#define JWTFLOW_RATIOREPORTER_INCLUDED

#include <benchmark/benchmark.h>
#include <map>
#include <string>
#include <vector>

namespace bench {

struct RatioPair
{
	std::string project;   /// e.g. BM_Mint/RS256
	std::string limit;     /// e.g. BM_RawSign/RS256
	double target;         /// the rate ratio project/limit to reach; 0: informational
	std::string what;      /// one line for the table
};

const std::vector<RatioPair>& ratioPairs();
	/// The pairs of docs/performance.md.

class RatioReporter: public benchmark::ConsoleReporter
{
public:
	void ReportRuns(const std::vector<Run>& runs) override;
	void Finalize() override;

private:
	double timeOf(const std::string& name) const;
		/// The median real time per iteration, 0 when not run.

	std::map<std::string, std::vector<double>> _secondsPerItem;  /// by benchmark name: real time of each repetition
	std::map<std::string, double> _medians;                      /// median aggregates, when only aggregates are reported
};

} // namespace bench

#endif
