//
// CommunityTest.cpp: the salesforce-community plugin, through the registry
// (retURL derivation on odd URLs) and through the CLI against the emulator.
//
#include "EmulatorSupport.h"
#include "TestSupport.h"
#include "jwtflow/Exception.h"
#include "jwtflow/PluginRegistry.h"
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

using namespace jwtflow;
using namespace testing_support;

namespace {

std::string frontdoorFor(const std::string& audience, const std::string& retUrl = "", const std::string& communityUrl = "")
{
	static PluginRegistry registry({JWTFLOW_PLUGIN_DIR});
	Provider& p = registry.get("salesforce-community");
	Settings s;
	std::map<std::string, std::string> values = {{"AUDIENCE", audience}};
	if (!retUrl.empty()) values["RET_URL"] = retUrl;
	s.addMapLayer("test", values);
	TokenResult token;
	token.accessToken = "00Dx!tok";
	token.instanceUrl = "https://org.example.com";
	if (!communityUrl.empty()) token.extra["sfdc_community_url"] = communityUrl;
	return p.frontdoor(token, s, false).url;
}

} // namespace

TEST(CommunityRetUrl, DerivedFromTheSitePath)
{
	EXPECT_EQ(frontdoorFor("https://x.force.com/customer"), "https://x.force.com/customer/secur/frontdoor.jsp?sid=00Dx%21tok&retURL=%2Fcustomer%2Fs");
	EXPECT_EQ(frontdoorFor("https://x.force.com/customer/"), "https://x.force.com/customer/secur/frontdoor.jsp?sid=00Dx%21tok&retURL=%2Fcustomer%2Fs");
	EXPECT_NE(frontdoorFor("https://x.force.com/a/b").find("&retURL=%2Fa%2Fb%2Fs"), std::string::npos);
	EXPECT_NE(frontdoorFor("https://x.force.com/Customer").find("&retURL=%2FCustomer%2Fs"), std::string::npos);
	EXPECT_NE(frontdoorFor("https://x.force.com/my%20site").find("&retURL=%2Fmy%2520site%2Fs"), std::string::npos);
	// A site at the root of its host lands on /s (the stated fallback).
	EXPECT_EQ(frontdoorFor("https://acme.my.site.com"), "https://acme.my.site.com/secur/frontdoor.jsp?sid=00Dx%21tok&retURL=%2Fs");
	// The answer's sfdc_community_url wins over AUDIENCE.
	EXPECT_EQ(frontdoorFor("https://x.force.com/customer", "", "https://y.force.com/partners").rfind("https://y.force.com/partners/secur/frontdoor.jsp?", 0), 0u);
	EXPECT_NE(frontdoorFor("https://x.force.com/customer", "/customer/s/case").find("&retURL=%2Fcustomer%2Fs%2Fcase"), std::string::npos);
}

TEST(CommunityRetUrl, RefusesWhatWouldMakeABrokenLink)
{
	EXPECT_THROW(frontdoorFor("https://x.force.com/customer?lang=en"), UsageException);
	EXPECT_THROW(frontdoorFor("x.force.com/customer"), UsageException);
	EXPECT_THROW(frontdoorFor("https://x.force.com/customer", "https://evil.example/"), UsageException);
	EXPECT_THROW(frontdoorFor("https://x.force.com/customer", "//evil.example/s"), UsageException);
	EXPECT_THROW(frontdoorFor("https://x.force.com/customer", "customer/s"), UsageException);
	// Found by the token-response fuzzer: a bad %-escape in the query of sfdc_community_url made Poco's
	// URI::getQuery() throw a non-jwtflow exception (an internal error, exit 1).
	EXPECT_THROW(frontdoorFor("https://x.force.com/customer", "", "https://a.examplps://a.example?com/%"), UsageException);
	EXPECT_THROW(frontdoorFor("https://x.force.com/c?x=%zz"), UsageException);
}

class CommunityCli: public ::testing::Test
{
protected:
	void SetUp() override
	{
		const TestKeys& k = sharedKeys();
		emu = startEmulator(dir, "3MVG9community", {"community.user@example.com"}, "",
			[](emulator::EmulatorOptions& o) { o.communities = {"/customers"}; });
		dir.write("private_key.pem", readFile(k.rsaPkcs8));
		dir.write(".env", "CLIENT_ID=3MVG9community\nSUBJECT=community.user@example.com\nPATH_PRIVATE_KEY=private_key.pem\n"
			"AUDIENCE=" + emu->baseUrl() + "/customers\nCA_FILE=" + emu->caFile() + "\n");
	}

	RunResult cli(const std::vector<std::string>& args) { return runJwtflow(args, dir.path()); }

	TempDir dir;
	std::unique_ptr<emulator::Emulator> emu;
};

TEST_F(CommunityCli, TokenJsonAndFrontdoorIntoTheSite)
{
	RunResult token = cli({"salesforce-community", "token"});
	ASSERT_EQ(token.exitCode, 0) << token.err;
	EXPECT_EQ(token.out.rfind("00D", 0), 0u);
	RunResult json = cli({"salesforce-community", "token", "--output", "json"});
	ASSERT_EQ(json.exitCode, 0) << json.err;
	Poco::JSON::Parser parser;
	auto obj = parser.parse(json.out).extract<Poco::JSON::Object::Ptr>();
	EXPECT_EQ(obj->getValue<std::string>("sfdc_community_url"), emu->baseUrl() + "/customers");
	EXPECT_FALSE(obj->getValue<std::string>("sfdc_community_id").empty());
	RunResult door = cli({"salesforce-community", "frontdoor"});
	ASSERT_EQ(door.exitCode, 0) << door.err;
	EXPECT_EQ(door.out.rfind(emu->baseUrl() + "/customers/secur/frontdoor.jsp?sid=00D", 0), 0u) << door.out;
	EXPECT_NE(door.out.find("&retURL=%2Fcustomers%2Fs\n"), std::string::npos) << door.out;
	RunResult given = cli({"salesforce-community", "frontdoor", "--ret-url", "/customers/s/case/Case/Default"});
	EXPECT_NE(given.out.find("&retURL=%2Fcustomers%2Fs%2Fcase%2FCase%2FDefault"), std::string::npos) << given.out;
	RunResult single = cli({"salesforce-community", "frontdoor", "--single-use"});
	ASSERT_EQ(single.exitCode, 0) << single.err;
	EXPECT_NE(single.out.find("/customers/secur/frontdoor.jsp?otp="), std::string::npos) << single.out;
}

TEST_F(CommunityCli, OrgAudienceIsRefusedAsTheRealServiceDoes)
{
	RunResult r = cli({"salesforce-community", "token", "--audience", "https://login.salesforce.com",
		"--login-url", emu->baseUrl() + "/customers"});
	EXPECT_EQ(r.exitCode, 4) << r.err;
	EXPECT_NE(r.err.find("audience is invalid"), std::string::npos) << r.err;
	EXPECT_TRUE(r.out.empty());
	RunResult missing = runJwtflow({"salesforce-community", "jwt", "--client-id", "x", "--subject", "y",
		"--private-key", sharedKeys().rsaPkcs8}, "/");
	EXPECT_EQ(missing.exitCode, 2);
	EXPECT_NE(missing.err.find("missing setting AUDIENCE"), std::string::npos) << missing.err;
}
