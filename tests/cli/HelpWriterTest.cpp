//
// HelpWriterTest.cpp: help, completion, the man page and option hints, written
// without running the program: a HelpWriter given a real plugin registry (the
// built providers, loaded through it) and the settings catalogue.
//
#include "HelpWriter.h"
#include "OptionHints.h"
#include "jwtflow/Exception.h"
#include "jwtflow/PluginRegistry.h"
#include "jwtflow/SettingsCatalogue.h"
#include <gtest/gtest.h>
#include <set>
#include <sstream>

using namespace jwtflow;
using namespace jwtflow::host;

namespace {

struct Help: ::testing::Test
{
	PluginRegistry registry{{JWTFLOW_PLUGIN_DIR}};

	HelpWriter writer(const std::string& providerName = "")
	{
		HelpContext context;
		context.providers = registry.descriptors();
		context.find = [this](const std::string& name) { return registry.find(name); };
		context.provider = [this](const std::string& name) -> Provider& { return registry.get(name); };
		if (!providerName.empty()) context.settings = registry.get(providerName).settings();
		for (const auto& s: commonSettings()) context.settings.push_back(s);
		for (const auto& s: coreSettings()) context.settings.push_back(s);
		return HelpWriter(std::move(context));
	}

	std::vector<std::string> candidates(const std::vector<std::string>& words)
	{
		std::ostringstream out;
		writer().complete(out, words);
		std::vector<std::string> lines;
		std::istringstream in(out.str());
		for (std::string line; std::getline(in, line);) lines.push_back(line);
		return lines;
	}
};

bool has(const std::vector<std::string>& list, const std::string& item)
{
	return std::find(list.begin(), list.end(), item) != list.end();
}

TEST_F(Help, TheSummaryListsEveryProviderActionAndCommandOfTheTable)
{
	std::ostringstream out;
	writer().usageSummary(out);
	for (const char* provider: {"salesforce", "salesforce-community", "azure-ad"})
		EXPECT_NE(out.str().find("  " + std::string(provider) + " "), std::string::npos) << provider << "\n" << out.str();
	for (const auto& c: commandTable())
		EXPECT_NE(out.str().find("  " + c.name + " "), std::string::npos) << c.name;
}

TEST_F(Help, AProviderActionShowsItsOptionsTheProvidersSettingsAndExamples)
{
	std::ostringstream out;
	writer("salesforce").help(out, {"salesforce", "token"});
	const std::string text = out.str();
	EXPECT_EQ(text.rfind("usage: jwtflow salesforce token [options]", 0), 0u) << text;
	EXPECT_NE(text.find("--no-cache"), std::string::npos) << text;
	EXPECT_NE(text.find("settings of salesforce"), std::string::npos) << text;
	EXPECT_NE(text.find("CLIENT_ID, --client-id"), std::string::npos) << text;
	EXPECT_NE(text.find("jwtflow salesforce token --output json"), std::string::npos) << "PROVIDER replaced: " << text;
	EXPECT_EQ(text.find("PROVIDER"), std::string::npos) << text;
}

TEST_F(Help, AnUnknownProviderOrActionIsAUsageErrorWithAGuess)
{
	std::ostringstream out;
	try
	{
		writer().help(out, {"salesforse"});
		ADD_FAILURE() << "an unknown provider must be refused";
	}
	catch (const UsageException& e)
	{
		EXPECT_NE(e.message().find("salesforce"), std::string::npos) << e.message();
	}
	try
	{
		writer().help(out, {"salesforce", "tokn"});
		ADD_FAILURE() << "an unknown action must be refused";
	}
	catch (const UsageException& e)
	{
		EXPECT_NE(e.message().find("did you mean 'token'?"), std::string::npos) << e.message();
	}
}

TEST_F(Help, CompletionOffersWhatTheTableAndThePluginFoldersHold)
{
	const auto first = candidates({""});
	EXPECT_TRUE(has(first, "salesforce")) << "a provider, from its descriptor";
	EXPECT_TRUE(has(first, "keygen")) << "a command";
	EXPECT_TRUE(has(candidates({"azure-ad", ""}), "token"));
	EXPECT_TRUE(has(candidates({"azure-ad", ""}), "call")) << "login, logout and call come with token";
	EXPECT_EQ(candidates({"verify", "--public-key", ""}), std::vector<std::string>{"__files__"});
	EXPECT_EQ(candidates({"keygen", "--out", ""}), std::vector<std::string>{"__folders__"});
	EXPECT_EQ(candidates({"jwk", "--output", ""}), (std::vector<std::string>{"text", "json", "env"}));
	EXPECT_EQ(candidates({"azure-ad", "token", "--output", ""}), (std::vector<std::string>{"text", "json", "env", "exec-credential"}))
		<< "kubectl's format, for token only";
	EXPECT_EQ(candidates({"completion", ""}), (std::vector<std::string>{"bash", "zsh"}));
	const auto options = candidates({"salesforce", "token", "--"});
	EXPECT_TRUE(has(options, "--no-cache"));
	EXPECT_TRUE(has(options, "--client-id")) << "the provider's settings as options";
}

TEST_F(Help, TheCompletionScriptsAskTheProgramAndOtherShellsAreRefused)
{
	for (const char* shell: {"bash", "zsh"})
	{
		std::ostringstream out;
		HelpWriter::completionScript(out, shell);
		EXPECT_NE(out.str().find("__complete"), std::string::npos) << shell;
	}
	std::ostringstream out;
	EXPECT_THROW(HelpWriter::completionScript(out, "fish"), UsageException);
}

TEST_F(Help, TheManPageHasEveryCommandOptionAndSettingAndNoStrayRequests)
{
	std::ostringstream out;
	writer().manPage(out);
	const std::string man = out.str();
	EXPECT_EQ(man.rfind(".TH JWTFLOW 1", 0), 0u);
	for (const auto& c: commandTable())
	{
		if (!c.isAction)
		{
			EXPECT_NE(man.find(".B jwtflow " + c.name), std::string::npos) << c.name;
		}
	}
	for (const auto& o: optionVocabulary())
	{
		std::string escaped;
		for (char ch: o.name) escaped += ch == '-' ? std::string("\\-") : std::string(1, ch);
		EXPECT_NE(man.find("\\fB\\-\\-" + escaped + "\\fR"), std::string::npos) << o.name;
	}
	EXPECT_NE(man.find(".B PATH_PRIVATE_KEY"), std::string::npos);
	// Every line that starts with a dot is one of the requests the page means to use.
	const std::set<std::string> requests = {".TH", ".SH", ".TP", ".B", ".I", ".br", ".nf", ".fi"};
	std::istringstream in(man);
	for (std::string line; std::getline(in, line);)
	{
		if (!line.empty() && line[0] == '.')
		{
			EXPECT_TRUE(requests.count(line.substr(0, line.find(' ')))) << "a stray roff request: " << line;
		}
	}
}

TEST(OptionHints, EachSettingGetsItsOptionOnceAndOnlyAsAWholeName)
{
	const auto settings = coreSettings();
	EXPECT_EQ(withOptionHints("give the private key file (PATH_PRIVATE_KEY)", settings),
		"give the private key file (PATH_PRIVATE_KEY / --private-key)");
	EXPECT_EQ(withOptionHints("give it in PKCS11_PIN_FILE or PKCS11_PIN", settings),
		"give it in PKCS11_PIN_FILE (--pin-file) or PKCS11_PIN") << "PKCS11_PIN has no option; the name inside PKCS11_PIN_FILE is not it";
	EXPECT_EQ(withOptionHints("CA_FILE is not a file; CA_FILE again", settings), "CA_FILE (--ca-file) is not a file; CA_FILE again");
	EXPECT_EQ(withOptionHints("set CA_FILE, or give --ca-file", settings), "set CA_FILE, or give --ca-file") << "named already";
	EXPECT_EQ(withOptionHints("SEND_X5C needs the chain", settings), "SEND_X5C (--x5c) needs the chain");
	EXPECT_EQ(withOptionHints("no answer within 3 s (the request time-out)", settings),
		"no answer within 3 s (the request time-out / --timeout)");
	EXPECT_EQ(withOptionHints("nothing to add", settings), "nothing to add");
}

} // namespace
