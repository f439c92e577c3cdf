//
// BenchMain.cpp: Google Benchmark's main, with the ratio table at the end
// (--ratios=off: the plain console reporter).
//
#include "RatioReporter.h"
#include "jwtflow/HttpClient.h"
#include <benchmark/benchmark.h>
#include <cstring>
#include <vector>

int main(int argc, char** argv)
{
	bool ratios = true;
	std::vector<char*> args;
	for (int i = 0; i < argc; ++i)
	{
		if (std::strcmp(argv[i], "--ratios=off") == 0) ratios = false;
		else args.push_back(argv[i]);
	}
	int count = static_cast<int>(args.size());
	benchmark::Initialize(&count, args.data());
	if (benchmark::ReportUnrecognizedArguments(count, args.data())) return 1;
	jwtflow::HttpClient::initializeSsl();
	if (ratios)
	{
		bench::RatioReporter reporter;
		benchmark::RunSpecifiedBenchmarks(&reporter);
	}
	else
	{
		benchmark::RunSpecifiedBenchmarks();
	}
	benchmark::Shutdown();
	return 0;
}
