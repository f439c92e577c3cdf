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

namespace {

class BuiltInTestProvider: public Provider
	/// Stands for a provider linked into the program (the single-file jwtflow's five).
{
public:
	std::string name() const override { return "salesforce"; }
	std::string description() const override { return "the built-in one"; }
	std::vector<SettingSpec> settings() const override { return {}; }
	AssertionPolicy assertionPolicy() const override { return {}; }
	void declareAssertion(const AssertionContext&, Poco::JSON::Object&, Poco::JSON::Object&) const override {}
	TokenRequest tokenRequest(const Settings&, const std::string&) const override { return {}; }
};

} // namespace

TEST(PluginRegistry, ABuiltInProviderShadowsAPluginOfTheSameNameWhichIsNeverLoaded)
{
	int made = 0;
	std::vector<BuiltInProvider> builtIns = {{"salesforce",
		"plugin.description = built in for the test\nAUDIENCE = https://built-in.example\n",
		[&made] { ++made; return new BuiltInTestProvider; }}};
	PluginRegistry registry({JWTFLOW_PLUGIN_DIR}, builtIns);
	const PluginDescriptor* desc = registry.descriptorFor("salesforce");
	ASSERT_NE(desc, nullptr);
	EXPECT_EQ(desc->path, "(built in)");
	EXPECT_TRUE(desc->library.empty());
	EXPECT_EQ(desc->description, "built in for the test");
	EXPECT_EQ(desc->properties->getString("AUDIENCE"), "https://built-in.example");
	EXPECT_EQ(made, 0) << "made only when asked for";
	Provider& p = registry.get("salesforce");
	EXPECT_EQ(p.description(), "the built-in one");
	EXPECT_EQ(&registry.get("salesforce"), &p);
	EXPECT_EQ(made, 1);
	// The plugin folder's salesforce library is shadowed: not loaded, not probed, not "undescribed".
	for (const auto& lib: registry.librariesWithoutDescriptor())
		EXPECT_EQ(lib.find("jwtflow-provider-salesforce.so"), std::string::npos) << lib;
	for (const auto& problem: registry.probeAll())
		EXPECT_EQ(problem.path.find("(built in)"), std::string::npos) << problem.message;
	registry.loadAll();
	int salesforces = 0;
	for (Provider* loaded: registry.providers()) salesforces += loaded->name() == "salesforce";
	EXPECT_EQ(salesforces, 1);
	EXPECT_EQ(made, 1);
	EXPECT_FALSE(hasProblem(registry, "jwtflow-provider-salesforce.so", "already provided"));
	// The folder's other providers are there as usual.
	EXPECT_NE(registry.descriptorFor("azure-ad"), nullptr);
	EXPECT_NE(registry.descriptorFor("azure-ad")->path.find("azure-ad.properties"), std::string::npos);
}
