//
// SettingsTest.cpp: the .env parser and the layered settings.
//
#include "TestSupport.h"
#include "jwtflow/DotEnv.h"
#include "jwtflow/Exception.h"
#include "jwtflow/Settings.h"
#include "jwtflow/SettingsLoader.h"
#include <Poco/Environment.h>
#include <gtest/gtest.h>

using namespace jwtflow;
using namespace testing_support;

namespace {

std::map<std::string, std::string> parse(const std::string& text)
{
	std::map<std::string, std::string> m;
	for (auto& e: parseDotEnv(text, "test.env")) m[e.first] = e.second;
	return m;
}

std::string parseError(const std::string& text)
{
	try
	{
		parseDotEnv(text, "test.env");
	}
	catch (const UsageException& e)
	{
		return e.message();
	}
	return "(parsed)";
}

} // namespace

TEST(DotEnv, TakesWhatDotenvTakes)
{
	auto m = parse(
		"# comment\n"
		"\n"
		"PLAIN=value\n"
		"SPACED = spaced value  \n"
		"export EXPORTED=yes\n"
		"INLINE=abc # a comment\n"
		"HASH=abc#not-a-comment\n"
		"SINGLE='lit\\n eral # kept'\n"
		"DOUBLE=\"line1\\nline2\\t\\\"q\\\" \\\\\" # comment\n"
		"BACKTICK=`it's`\n"
		"EMPTY=\n"
		"EMPTYQ=\"\"\n"
		"MULTI=\"-----BEGIN X-----\nabc\n-----END X-----\"\n"
		"CRLF=win\r\n"
		"DUP=first\n"
		"DUP=second\n"
		"URL=https://login.salesforce.com/?a=b\n");
	EXPECT_EQ(m["PLAIN"], "value");
	EXPECT_EQ(m["SPACED"], "spaced value");
	EXPECT_EQ(m["EXPORTED"], "yes");
	EXPECT_EQ(m["INLINE"], "abc");
	EXPECT_EQ(m["HASH"], "abc#not-a-comment");
	EXPECT_EQ(m["SINGLE"], "lit\\n eral # kept");
	EXPECT_EQ(m["DOUBLE"], "line1\nline2\t\"q\" \\");
	EXPECT_EQ(m["BACKTICK"], "it's");
	EXPECT_EQ(m["EMPTY"], "");
	EXPECT_EQ(m["EMPTYQ"], "");
	EXPECT_EQ(m["MULTI"], "-----BEGIN X-----\nabc\n-----END X-----");
	EXPECT_EQ(m["CRLF"], "win");
	EXPECT_EQ(m["DUP"], "second");
	EXPECT_EQ(m["URL"], "https://login.salesforce.com/?a=b");
}

TEST(DotEnv, ReportsMalformedLinesByNumberWithoutValues)
{
	EXPECT_EQ(parseError("A=1\nNO_EQUALS\n"), "test.env:2: the line has no '=': expected NAME=VALUE (the line is not shown: it may hold a secret)");
	EXPECT_NE(parseError("A=1\n\n1BAD=x\n").find("test.env:3:"), std::string::npos);
	std::string unterminated = parseError("A=1\nSECRET=\"s3cr3t-value\nB=2\n");
	EXPECT_NE(unterminated.find("test.env:2:"), std::string::npos) << unterminated;
	EXPECT_NE(unterminated.find("never closed"), std::string::npos);
	EXPECT_EQ(unterminated.find("s3cr3t"), std::string::npos);
	EXPECT_NE(parseError("Q='a' trailing\n").find("after the closing quote"), std::string::npos);
	EXPECT_NE(parseError("BAD NAME=1\n").find("test.env:1:"), std::string::npos);
}

TEST(Settings, LayersInDesignOrderAndSayWhereValuesCameFrom)
{
	TempDir dir;
	dir.write(".env", "CLIENT_ID=from-dotenv\nSUBJECT=from-dotenv\nAUDIENCE=from-dotenv\nJWTFLOW_TEST_ENV_ONLY=from-dotenv\n");
	std::string config = dir.write("c.properties", "SUBJECT = from-config\nLOGIN_URL = from-config\nRET_URL = from-config\n");
	Poco::Environment::set("JWTFLOW_TEST_ENV_ONLY", "from-environment");
	Poco::Environment::set("AUDIENCE", "from-environment");

	Settings s;
	SettingsSources sources;
	sources.options = {{"CLIENT_ID", "from-option"}};
	sources.envFile = dir.file(".env");
	sources.configFile = config;
	SettingSpec def;
	def.name = "RET_URL";
	def.defaultValue = "from-default";
	SettingSpec def2;
	def2.name = "SCOPE";
	def2.defaultValue = "from-default";
	sources.specs = {def, def2};
	loadLayeredSettings(s, sources);

	EXPECT_EQ(s.lookup("CLIENT_ID").value, "from-option");
	EXPECT_EQ(s.lookup("CLIENT_ID").source, "option");
	EXPECT_EQ(s.lookup("AUDIENCE").value, "from-environment");
	EXPECT_EQ(s.lookup("JWTFLOW_TEST_ENV_ONLY").value, "from-environment") << "like dotenv, .env never overrides the environment";
	EXPECT_EQ(s.lookup("SUBJECT").value, "from-dotenv");
	EXPECT_NE(s.lookup("SUBJECT").source.find(".env"), std::string::npos);
	EXPECT_EQ(s.lookup("LOGIN_URL").value, "from-config");
	EXPECT_EQ(s.lookup("RET_URL").value, "from-config");
	EXPECT_EQ(s.lookup("SCOPE").value, "from-default");
	EXPECT_EQ(s.lookup("SCOPE").source, "default");
	EXPECT_FALSE(s.lookup("TENANT_ID").found);
	try
	{
		s.require("TENANT_ID");
		ADD_FAILURE() << "a missing setting must throw";
	}
	catch (const UsageException& e)
	{
		EXPECT_NE(e.message().find("missing setting TENANT_ID: set it in .env or the environment"), std::string::npos) << e.message();
		EXPECT_EQ(e.message().find("--"), std::string::npos) << "the core names settings; the program adds its options: " << e.message();
	}
	Poco::Environment::set("AUDIENCE", "");
}

TEST(Settings, MasksSecrets)
{
	EXPECT_EQ(Settings::mask("hunter2"), "******** (7 characters)");
	EXPECT_EQ(Settings::mask("").find("hunter2"), std::string::npos);
	EXPECT_EQ(Settings::mask(""), "(empty)");
}

TEST(Settings, UnreadableFilesAreInputErrors)
{
	Settings s;
	SettingsSources sources;
	sources.envFile = "/nonexistent/.env";
	EXPECT_THROW(loadLayeredSettings(s, sources), InputException);
	Settings s2;
	SettingsSources sources2;
	sources2.configFile = "/nonexistent/x.properties";
	EXPECT_THROW(loadLayeredSettings(s2, sources2), InputException);
}
