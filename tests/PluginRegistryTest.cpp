//
// PluginRegistryTest.cpp: real shared libraries loaded through the registry.
//
#include "TestSupport.h"
#include "jwtflow/Exception.h"
#include "jwtflow/PluginRegistry.h"
#include <Poco/File.h>
#include <Poco/Path.h>
#include <algorithm>
#include <gtest/gtest.h>

using namespace jwtflow;
using namespace testing_support;

namespace {

bool hasProblem(const PluginRegistry& r, const std::string& fileName, const std::string& text)
{
	for (const auto& p: r.problems())
		if (p.path.find(fileName) != std::string::npos && p.message.find(text) != std::string::npos) return true;
	return false;
}

} // namespace

TEST(PluginRegistry, LoadsTheSalesforcePluginLazily)
{
	PluginRegistry registry({JWTFLOW_PLUGIN_DIR});
	ASSERT_NE(registry.descriptorFor("salesforce"), nullptr);
	EXPECT_TRUE(registry.providers().empty()) << "nothing loads before it is asked for";
	Provider& sf = registry.get("salesforce");
	EXPECT_EQ(sf.name(), "salesforce");
	EXPECT_EQ(sf.assertionPolicy().maxLifetimeSeconds, 300);
	EXPECT_EQ(registry.providers().size(), 1u);
	EXPECT_TRUE(registry.problems().empty());
}

TEST(PluginRegistry, RefusesBadPluginsAndGoesOn)
{
	TempDir dir;
	// Junk next to real plugins: a text file named like a library, a descriptor
	// that names a missing library.
	dir.write("junk.so", "this is not an ELF file");
	dir.write("ghost.properties", "plugin.library = jwtflow-provider-ghost\n");
	PluginRegistry registry({JWTFLOW_TEST_PLUGIN_DIR, dir.path(), JWTFLOW_PLUGIN_DIR});
	registry.loadAll();
	EXPECT_TRUE(hasProblem(registry, "not-a-plugin.so", "not a jwtflow plugin")) ;
	EXPECT_TRUE(hasProblem(registry, "jwtflow-provider-other-abi.so", "ABI version 999"));
	EXPECT_TRUE(hasProblem(registry, "jwtflow-provider-throwing.so", "deliberate failure"));
	EXPECT_TRUE(hasProblem(registry, "junk.so", "cannot load the library"));
	EXPECT_TRUE(hasProblem(registry, "jwtflow-provider-ghost.so", "does not exist"));
	std::vector<std::string> names;
	for (Provider* p: registry.providers()) names.push_back(p->name());
	std::sort(names.begin(), names.end());
	EXPECT_EQ(names, (std::vector<std::string>{"azure-ad", "google", "oidc", "salesforce", "salesforce-community"}));
	EXPECT_EQ(registry.find("other-abi"), nullptr);
	try
	{
		registry.get("nope");
		FAIL();
	}
	catch (const UsageException& e)
	{
		EXPECT_NE(e.message().find("unknown provider 'nope'"), std::string::npos);
		EXPECT_NE(e.message().find("salesforce"), std::string::npos);
	}
}

TEST(PluginRegistry, SearchPathFollowsDesign)
{
	setenv("JWTFLOW_PLUGIN_PATH", "/a:/b", 1);
	auto path = PluginRegistry::defaultSearchPath({"/opt"}, "/usr/local/bin/jwtflow");
	unsetenv("JWTFLOW_PLUGIN_PATH");
	ASSERT_EQ(path.size(), 6u);
	EXPECT_EQ(path[0], "/opt/");
	EXPECT_EQ(path[1], "/a/");
	EXPECT_EQ(path[2], "/b/");
	EXPECT_EQ(path[3], "/usr/local/lib/jwtflow/plugins.d/");
	EXPECT_EQ(path[4], "/usr/local/bin/plugins.d/");
	// Last: beside the core library itself (<build>/lib here), so a moved install finds its plugins.
	EXPECT_EQ(path[5], Poco::Path(std::string(JWTFLOW_PLUGIN_DIR)).parent().toString() + "lib/jwtflow/plugins.d/");
}
