//
// HostModuleTest.cpp: the host loads its network module only for the commands
// that use the network, and says clearly when the module is missing.
//
#include "TestSupport.h"
#include "jwtflow/emulator/Emulator.h"
#include <Poco/File.h>
#include <gtest/gtest.h>
#include <algorithm>
#include <sstream>

using namespace testing_support;

namespace {

bool loaded(const std::string& loaderLog, const std::string& library)
	/// True when the loader's log has a "calling init: <path of library>" line.
{
	std::istringstream in(loaderLog);
	std::string line;
	while (std::getline(in, line))
		if (line.find("calling init: ") != std::string::npos && line.find(library) != std::string::npos) return true;
	return false;
}

TEST(HostModule, OfflineCommandsDoNotLoadTheNetworkLibraries)
{
	if (testingSingleExecutable()) GTEST_SKIP() << "the single-file jwtflow has everything inside (SingleExecutable.LoadsNoLibraryButGlibc)";
	TempDir dir;
	const TestKeys& k = sharedKeys();
	// LD_DEBUG=libs: the dynamic loader names every library it initialises.
	RunResult jwt = runJwtflow({"salesforce", "jwt", "--client-id", "c", "--subject", "s", "--private-key", k.rsaPkcs8},
		dir.path(), {{"LD_DEBUG", "libs"}});
	ASSERT_EQ(jwt.exitCode, 0) << jwt.err;
	EXPECT_TRUE(loaded(jwt.err, "libjwtflow_core.so")) << "the log is the loader's";
	EXPECT_FALSE(loaded(jwt.err, "libPocoNetSSL.so")) << "jwt must not load NetSSL";
	EXPECT_FALSE(loaded(jwt.err, "libssl.so")) << "jwt must not load libssl";
	EXPECT_FALSE(loaded(jwt.err, "jwtflow-network.so"));

	RunResult token = runJwtflow({"salesforce", "token", "--client-id", "c", "--subject", "s", "--private-key", k.rsaPkcs8,
		"--audience", "https://127.0.0.1:9", "--timeout", "2"}, dir.path(), {{"LD_DEBUG", "libs"}});
	EXPECT_EQ(token.exitCode, 5) << "nothing listens on port 9: " << token.err;
	EXPECT_TRUE(loaded(token.err, "jwtflow-network.so"));
	EXPECT_TRUE(loaded(token.err, "libPocoNetSSL.so"));
}

TEST(HostModule, AMissingModuleIsReportedAndOfflineCommandsStillWork)
{
	if (testingSingleExecutable()) GTEST_SKIP() << "the single-file jwtflow has no module to miss (SingleExecutable.ACopyAloneRunsEveryCommand)";
	TempDir dir;
	// A copy of the program without the lib/ folder beside it: no module.
	const std::string copy = dir.file("jwtflow");
	Poco::File(jwtflowBinary()).copyTo(copy);
	const std::string plugins = JWTFLOW_PLUGIN_DIR;
	const TestKeys& k = sharedKeys();
	RunResult jwt = run({copy, "--plugins", plugins, "salesforce", "jwt", "--client-id", "c", "--subject", "s",
		"--private-key", k.rsaPkcs8}, dir.path());
	EXPECT_EQ(jwt.exitCode, 0) << jwt.err;
	EXPECT_EQ(std::count(jwt.out.begin(), jwt.out.end(), '.'), 2) << jwt.out;

	RunResult token = run({copy, "--plugins", plugins, "salesforce", "token", "--client-id", "c", "--subject", "s",
		"--private-key", k.rsaPkcs8}, dir.path());
	EXPECT_EQ(token.exitCode, 1) << token.err;
	EXPECT_NE(token.err.find("network module is missing"), std::string::npos) << token.err;
	EXPECT_NE(token.err.find("reinstall jwtflow"), std::string::npos) << token.err;
	EXPECT_EQ(token.err.find("Exception"), std::string::npos) << token.err;

	RunResult demo = run({copy, "--plugins", plugins, "demo"}, dir.path());
	EXPECT_EQ(demo.exitCode, 1);
	EXPECT_NE(demo.err.find("network module is missing"), std::string::npos) << demo.err;
}

TEST(SingleExecutable, LoadsNoLibraryButGlibc)
{
	if (!testingSingleExecutable()) GTEST_SKIP() << "runs against the single-file jwtflow (JWTFLOW_TEST_HOST)";
	TempDir dir;
	const TestKeys& k = sharedKeys();
	for (const std::vector<std::string>& args: std::vector<std::vector<std::string>>{
		{"salesforce", "jwt", "--client-id", "c", "--subject", "s", "--private-key", k.rsaPkcs8},
		{"salesforce", "token", "--client-id", "c", "--subject", "s", "--private-key", k.rsaPkcs8,
			"--audience", "https://127.0.0.1:9", "--timeout", "2"}})
	{
		RunResult r = runJwtflow(args, dir.path(), {{"LD_DEBUG", "libs"}});
		EXPECT_TRUE(r.exitCode == 0 || r.exitCode == 5) << r.err;
		EXPECT_TRUE(loaded(r.err, "libc.so")) << "the log is the loader's: " << r.err;
		for (const char* library: {"libjwtflow", "libPoco", "libssl", "libcrypto", "libstdc++", "jwtflow-network", "jwtflow-provider"})
			EXPECT_FALSE(loaded(r.err, library)) << args[1] << " loaded " << library;
	}
}

TEST(SingleExecutable, ACopyAloneRunsEveryCommand)
{
	if (!testingSingleExecutable()) GTEST_SKIP() << "runs against the single-file jwtflow (JWTFLOW_TEST_HOST)";
	TempDir dir;
	// The file alone, in a folder of its own, no plugin folder anywhere: the five
	// providers, the emulator and the whole demo are inside.
	const std::string copy = dir.file("bin/jwtflow");
	Poco::File(dir.file("bin")).createDirectories();
	Poco::File(jwtflowBinary()).copyTo(copy);
	RunResult providers = run({copy, "providers"}, dir.path(), {{"JWTFLOW_PLUGIN_PATH", ""}});
	EXPECT_EQ(providers.exitCode, 0) << providers.err;
	for (const char* name: {"salesforce", "salesforce-community", "azure-ad", "google", "oidc"})
		EXPECT_NE(providers.out.find(name), std::string::npos) << providers.out;
	EXPECT_EQ(providers.err.find("warning"), std::string::npos) << providers.err;
	RunResult demo = run({copy, "demo"}, dir.path(), {{"JWTFLOW_PLUGIN_PATH", ""}, {"HOME", dir.path()}});
	EXPECT_EQ(demo.exitCode, 0) << demo.out << demo.err;
	EXPECT_NE(demo.out.find("every flow worked"), std::string::npos) << demo.out;
}

TEST(SingleExecutable, APluginLinkedToTheSharedCoreIsRefusedAndTheOthersWork)
{
	TempDir dir;
	const TestKeys& k = sharedKeys();
	const std::string folder = std::string(JWTFLOW_TEST_PLUGIN_DIR) + "/shared-layout";
	RunResult providers = runJwtflow({"--plugins", folder, "providers"}, dir.path());
	EXPECT_EQ(providers.exitCode, 0) << providers.err;
	RunResult use = runJwtflow({"--plugins", folder, "shared-layout", "jwt", "--client-id", "c", "--subject", "s",
		"--private-key", k.rsaPkcs8, "--audience", "https://example.com"}, dir.path());
	RunResult other = runJwtflow({"--plugins", folder, "salesforce", "jwt", "--client-id", "c", "--subject", "s",
		"--private-key", k.rsaPkcs8}, dir.path());
	EXPECT_EQ(other.exitCode, 0) << other.err;
	if (testingSingleExecutable())
	{
		EXPECT_NE(providers.err.find("built for the shared jwtflow (it needs libjwtflow_core.so"), std::string::npos) << providers.err;
		EXPECT_NE(providers.err.find("jwtflow_add_plugin"), std::string::npos) << providers.err;
		EXPECT_EQ(providers.out.find("shared-layout"), std::string::npos) << providers.out;
		EXPECT_EQ(use.exitCode, 2) << use.err;
		EXPECT_NE(use.err.find("built for the shared jwtflow"), std::string::npos) << use.err;
	}
	else
	{
		// The shared jwtflow has that core already: the plugin loads.
		EXPECT_NE(providers.out.find("shared-layout"), std::string::npos) << providers.out << providers.err;
		EXPECT_EQ(providers.err.find("warning"), std::string::npos) << providers.err;
	}
}

} // namespace
