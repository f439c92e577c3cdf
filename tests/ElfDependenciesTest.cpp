//
// ElfDependenciesTest.cpp: the DT_NEEDED reader the single-file jwtflow uses to
// refuse shared-layout plugins, checked against binutils' readelf and against
// damaged files.
//
#include "TestSupport.h"
#include "ElfDependencies.h"
#include <gtest/gtest.h>
#include <fstream>
#include <random>
#include <sstream>

using namespace testing_support;

namespace {

std::vector<std::string> readelfNeeded(const std::string& path)
{
	RunResult r = run({"/usr/bin/readelf", "-d", path});
	EXPECT_EQ(r.exitCode, 0) << r.err;
	std::vector<std::string> names;
	std::istringstream in(r.out);
	for (std::string line; std::getline(in, line);)
	{
		if (line.find("(NEEDED)") == std::string::npos) continue;
		const auto open = line.find('['), close = line.rfind(']');
		names.push_back(line.substr(open + 1, close - open - 1));
	}
	return names;
}

const std::string sdkPlugin = std::string(JWTFLOW_PLUGIN_DIR) + "/jwtflow-provider-salesforce.so";
const std::string sharedLayoutPlugin = std::string(JWTFLOW_TEST_PLUGIN_DIR) + "/shared-layout/jwtflow-provider-shared-layout.so";

} // namespace

TEST(ElfDependencies, ReadsWhatReadelfReads)
{
	for (const std::string& path: {sdkPlugin, sharedLayoutPlugin, std::string(JWTFLOW_BINARY)})
	{
		std::vector<std::string> ours;
		ASSERT_TRUE(jwtflow::detail::readElfNeeded(path, ours)) << path;
		EXPECT_EQ(ours, readelfNeeded(path)) << path;
		EXPECT_FALSE(ours.empty()) << path;
	}
}

TEST(ElfDependencies, TellsASharedLayoutPluginFromAnSdkOne)
{
	std::vector<std::string> needed;
	ASSERT_TRUE(jwtflow::detail::readElfNeeded(sdkPlugin, needed));
	EXPECT_EQ(jwtflow::detail::sharedLayoutDependency(needed), "") << "jwtflow_add_plugin links the SDK only";
	ASSERT_TRUE(jwtflow::detail::readElfNeeded(sharedLayoutPlugin, needed));
	EXPECT_EQ(jwtflow::detail::sharedLayoutDependency(needed).rfind("libjwtflow_core.so", 0), 0u);
	EXPECT_EQ(jwtflow::detail::sharedLayoutDependency({"libc.so.6", "libPocoFoundation.so.80"}), "libPocoFoundation.so.80");
	EXPECT_EQ(jwtflow::detail::sharedLayoutDependency({"libjwtflow_corex.so"}), "");
}

TEST(ElfDependencies, DamagedAndForeignFilesAreNotRead)
{
	TempDir dir;
	std::vector<std::string> needed;
	EXPECT_FALSE(jwtflow::detail::readElfNeeded(dir.write("text.so", "not an ELF file\n"), needed));
	EXPECT_FALSE(jwtflow::detail::readElfNeeded(dir.file("missing.so"), needed));
	EXPECT_FALSE(jwtflow::detail::readElfNeeded(dir.path(), needed)) << "a folder";
	const std::string whole = readFile(sharedLayoutPlugin);
	const std::vector<std::string> truth = readelfNeeded(sharedLayoutPlugin);
	// Every prefix of the header and program headers, then random bytes changed:
	// never a crash, and whatever is read is what readelf reads or nothing.
	std::mt19937 random(18);
	for (int i = 0; i < 400; ++i)
	{
		std::string damaged = whole;
		if (i < 200)
		{
			damaged.resize(static_cast<std::size_t>(i) * 37);
		}
		else
		{
			for (int flips = 0; flips < 8; ++flips)
				damaged[random() % std::min<std::size_t>(damaged.size(), 4096)] = static_cast<char>(random());
		}
		const std::string path = dir.write("damaged.so", damaged);
		needed.clear();
		if (!jwtflow::detail::readElfNeeded(path, needed)) continue;
		for (const auto& name: needed)
		{
			EXPECT_LE(name.size(), whole.size()) << i;
		}
	}
	needed.clear();
	EXPECT_TRUE(jwtflow::detail::readElfNeeded(dir.write("whole.so", whole), needed));
	EXPECT_EQ(needed, truth);
}
