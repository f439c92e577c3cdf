//
// PluginBench.cpp: the registry's scan of plugins.d and loading the plugins.
//
//   BM_LoadPlugins/scan       read the descriptors (what every host start does)
//   BM_LoadPlugins/one        scan + load the one library asked for (jwtflow salesforce ...)
//   BM_LoadPlugins/all        scan + load every library (jwtflow providers)
//
#include "BenchSupport.h"
#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include "jwtflow/SecureFiles.h"
#include <benchmark/benchmark.h>

namespace bench {

namespace {

enum class Load { Scan, One, All };

const std::string& pluginCopy()
	/// A copy of plugins.d: new files, so the dynamic loader really loads and
	/// unloads them, even when another benchmark has the originals loaded.
{
	static jwtflow::PrivateTempDir folder("jwtflow-bench-plugins");
	static const std::string path = [] {
		for (Poco::DirectoryIterator it(std::string(JWTFLOW_PLUGIN_DIR)), end; it != end; ++it) it->copyTo(folder.path());
		return folder.path();
	}();
	return path;
}

void BM_LoadPlugins(benchmark::State& state, Load load)
{
	const std::string folder = pluginCopy();
	for (auto _: state)
	{
		jwtflow::PluginRegistry registry({folder});
		if (load == Load::One) benchmark::DoNotOptimize(&registry.get("salesforce"));
		if (load == Load::All) registry.loadAll();
		benchmark::DoNotOptimize(registry.descriptors().size());
	}
	state.SetItemsProcessed(state.iterations());
}

} // namespace

BENCHMARK_CAPTURE(BM_LoadPlugins, scan, Load::Scan);
BENCHMARK_CAPTURE(BM_LoadPlugins, one, Load::One);
BENCHMARK_CAPTURE(BM_LoadPlugins, all, Load::All);

} // namespace bench
