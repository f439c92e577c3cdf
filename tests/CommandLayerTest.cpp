//
// CommandLayerTest.cpp: help at every level, options that do not apply,
// missing settings named together, completion scripts and the man page, all
// made from one command table (issue 14).
//
#include "TestSupport.h"
#include <Poco/File.h>
#include <gtest/gtest.h>
#include <algorithm>
#include <sstream>

using namespace testing_support;

namespace {

std::size_t lineCount(const std::string& text)
{
	return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

std::string buildDir()
{
	std::string exe = jwtflowBinary();
	return exe.substr(0, exe.rfind('/'));
}

/// What bash completion offers for the words typed so far (the last one is being completed).
std::string complete(const std::vector<std::string>& words, const std::string& cwd = "")
{
	std::string array;
	for (const auto& w: words) array += " '" + w + "'";
	const std::string script = "source <(jwtflow completion bash)\nCOMP_WORDS=(jwtflow" + array + ")\nCOMP_CWORD="
		+ std::to_string(words.size()) + "\n_jwtflow\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n";
	RunResult r = run({"/bin/bash", "-c", script}, cwd, {{"PATH", buildDir() + ":/usr/bin:/bin"}});
	EXPECT_EQ(r.exitCode, 0) << r.err;
	return r.out == "\n" ? std::string() : r.out;   // printf prints one newline for no candidates
}

} // namespace

TEST(CommandLayer, HelpAtEachLevelShowsOnlyWhatAppliesThere)
{
	RunResult provider = runJwtflow({"salesforce", "--help"});
	EXPECT_EQ(provider.exitCode, 0) << provider.err;
	for (const char* wanted: {"CLIENT_ID, --client-id", "SUBJECT, --subject", "actions:", "token", "--plugins"})
		EXPECT_NE(provider.out.find(wanted), std::string::npos) << wanted << "\n" << provider.out;
	for (const char* unwanted: {"--bits", "--port", "--tenant", "--issuer", "--app", "--curve"})
		EXPECT_EQ(provider.out.find(unwanted), std::string::npos) << unwanted << " is not salesforce's\n" << provider.out;
	EXPECT_LT(lineCount(provider.out), 48u) << provider.out;

	RunResult action = runJwtflow({"salesforce", "token", "--help"});
	EXPECT_EQ(action.exitCode, 0);
	EXPECT_EQ(action.out.rfind("usage: jwtflow salesforce token", 0), 0u) << action.out;
	for (const char* wanted: {"--timeout SECONDS", "--claim", "examples:", "jwtflow salesforce token --output json", "--client-id"})
		EXPECT_NE(action.out.find(wanted), std::string::npos) << wanted << "\n" << action.out;
	for (const char* unwanted: {"--bits", "--single-use", "--port", "PROVIDER"})
		EXPECT_EQ(action.out.find(unwanted), std::string::npos) << unwanted << "\n" << action.out;
	EXPECT_EQ(runJwtflow({"help", "salesforce", "token"}).out, action.out) << "help TOPIC is --help at that level";

	RunResult verify = runJwtflow({"verify", "--help"});
	EXPECT_NE(verify.out.find("--public-key"), std::string::npos);
	EXPECT_NE(verify.out.find("jwtflow verify \"$JWT\""), std::string::npos);
	EXPECT_EQ(verify.out.find("--claim"), std::string::npos);
	EXPECT_EQ(verify.out.find("--client-id"), std::string::npos);

	RunResult azure = runJwtflow({"azure-ad", "--help"});
	EXPECT_NE(azure.out.find("TENANT_ID, --tenant"), std::string::npos) << azure.out;
	EXPECT_EQ(azure.out.find("--ret-url"), std::string::npos) << "a Salesforce setting\n" << azure.out;

	RunResult top = runJwtflow({"--help"});
	EXPECT_EQ(top.exitCode, 0);
	for (const char* wanted: {"completion", "keygen", "thumbprint", "doctor", "salesforce-community"})
		EXPECT_NE(top.out.find(wanted), std::string::npos) << wanted;
	RunResult typo = runJwtflow({"help", "salesforce", "tokn"});
	EXPECT_EQ(typo.exitCode, 2);
	EXPECT_NE(typo.err.find("did you mean 'token'?"), std::string::npos) << typo.err;
}

TEST(CommandLayer, AnOptionOfAnotherCommandIsRefused)
{
	RunResult r = runJwtflow({"salesforce", "jwt", "--bits", "2048"});
	EXPECT_EQ(r.exitCode, 2);
	EXPECT_NE(r.err.find("--bits is not an option of jwtflow salesforce jwt (it belongs to keygen)"), std::string::npos) << r.err;
	RunResult verify = runJwtflow({"verify", "x.y.z", "--claim", "a=b"});
	EXPECT_EQ(verify.exitCode, 2);
	EXPECT_NE(verify.err.find("--claim is not an option of jwtflow verify"), std::string::npos) << verify.err;
}

TEST(CommandLayer, EveryMissingSettingIsNamedInOneError)
{
	TempDir dir;
	RunResult r = runJwtflow({"salesforce", "token"}, dir.path());
	EXPECT_EQ(r.exitCode, 2);
	EXPECT_NE(r.err.find("missing settings CLIENT_ID, SUBJECT, PATH_PRIVATE_KEY"), std::string::npos) << r.err;
	EXPECT_NE(r.err.find("--client-id, --subject, --private-key"), std::string::npos) << r.err;
	EXPECT_NE(r.err.find("CLIENT_ID=..., SUBJECT=..., PATH_PRIVATE_KEY=..."), std::string::npos) << r.err;
	EXPECT_NE(r.err.find(".env: none in " + dir.path()), std::string::npos) << r.err;
	EXPECT_EQ(lineCount(r.err), 1u) << r.err;
	dir.write(".env", "CLIENT_ID=x\n");
	RunResult one = runJwtflow({"azure-ad", "jwt"}, dir.path());
	EXPECT_NE(one.err.find("missing settings TENANT_ID"), std::string::npos) << one.err;
	EXPECT_NE(one.err.find(dir.path() + "/.env"), std::string::npos) << "names the .env it read: " << one.err;
}

TEST(CommandLayer, BashCompletionOffersCommandsProvidersActionsOptionsAndFiles)
{
	const std::string first = complete({"sales"});
	EXPECT_NE(first.find("salesforce\n"), std::string::npos) << first;
	EXPECT_NE(first.find("salesforce-community\n"), std::string::npos) << first;
	EXPECT_NE(complete({"th"}).find("thumbprint"), std::string::npos);
	EXPECT_EQ(complete({"salesforce", "to"}), "token\n");
	const std::string options = complete({"salesforce", "jwt", "--cl"});
	EXPECT_NE(options.find("--client-id"), std::string::npos) << options;
	EXPECT_NE(options.find("--claim"), std::string::npos) << options;
	EXPECT_EQ(complete({"salesforce", "jwt", "--bi"}), "") << "keygen's options are not salesforce's";
	EXPECT_EQ(complete({"keygen", "--bits", ""}), "2048\n3072\n4096\n");
	EXPECT_EQ(complete({"completion", ""}), "bash\nzsh\n");
	TempDir dir;
	dir.write("private_key.pem", "k");
	EXPECT_EQ(complete({"salesforce", "jwt", "--private-key", "priv"}, dir.path()), "private_key.pem\n");
	Poco::File(dir.file("keys")).createDirectories();
	EXPECT_EQ(complete({"keygen", "--out", "k"}, dir.path()), "keys\n");
	EXPECT_EQ(complete({"help", "salesforce", "fr"}), "frontdoor\n");
}

TEST(CommandLayer, TheZshScriptParses)
{
	RunResult script = runJwtflow({"completion", "zsh"});
	ASSERT_EQ(script.exitCode, 0);
	EXPECT_EQ(script.out.rfind("#compdef jwtflow", 0), 0u);
	if (!Poco::File("/usr/bin/zsh").exists() && !Poco::File("/bin/zsh").exists()) GTEST_SKIP() << "zsh is not installed";
	TempDir dir;
	dir.write("_jwtflow", script.out);
	RunResult parsed = run({"/bin/zsh", "-n", dir.file("_jwtflow")});
	EXPECT_EQ(parsed.exitCode, 0) << parsed.err;
	EXPECT_EQ(runJwtflow({"completion", "fish"}).exitCode, 2);
}

TEST(CommandLayer, TheManPageRendersAndNamesEveryCommand)
{
	const std::string page = buildDir() + "/share/man/man1/jwtflow.1";
	ASSERT_TRUE(Poco::File(page).exists()) << "made at build time from the command table";
	RunResult man = run({"/usr/bin/man", "-P", "cat", "-l", page}, "", {{"MANWIDTH", "100"}});
	EXPECT_EQ(man.exitCode, 0) << man.err;
	for (const char* wanted: {"SYNOPSIS", "jwtflow provider action", "EXIT STATUS", "salesforce-community", "jwtflow verify",
			 "jwtflow keygen", "jwtflow completion", "--private-key", "PATH_PRIVATE_KEY", "SECURITY"})
		EXPECT_NE(man.out.find(wanted), std::string::npos) << wanted;
	RunResult groff = run({"/usr/bin/groff", "-man", "-Tutf8", "-ww", "-z", page});
	EXPECT_EQ(groff.exitCode, 0);
	EXPECT_EQ(groff.err, "") << "groff warnings";
}
