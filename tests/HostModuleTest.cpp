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
	TempDir dir;
	// A copy of the program without the lib/ folder beside it: no module.
	const std::string copy = dir.file("jwtflow");
	Poco::File(JWTFLOW_BINARY).copyTo(copy);
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

} // namespace
