//
// BrowserTest.cpp: `jwtflow salesforce open` (issue 29) through Debian's
// chromium, headless: the one-time frontdoor link lands logged in (the
// emulator's landing page names the user, from its session cookie), a second
// use of the same link lands on the login page, --path is where it lands, and
// --url-only prints the link instead.
//
#include "EmulatorSupport.h"
#include "TestSupport.h"
#include <Poco/File.h>
#include <gtest/gtest.h>
#include <chrono>
#include <sys/stat.h>
#include <thread>

using namespace testing_support;

namespace {

const char* const CLIENT_ID = "3MVG9browser.consumer.key";
const char* const USER = "browser.user@example.com";

class Browser: public ::testing::Test
{
protected:
	void SetUp() override
	{
		emu = startEmulator(dir, CLIENT_ID, {USER});
		key = dir.write("private_key.pem", readFile(sharedKeys().rsaPkcs8));
		::chmod(key.c_str(), 0600);
		::mkdir(dir.file("cache").c_str(), 0700);
		// Chromium trusts the emulator's test CA by its key (the certificate's SPKI pin), nothing else.
		const std::string spki = trim(run({"/bin/sh", "-c", "openssl x509 -in '" + emu->caFile() + "' -pubkey -noout | openssl pkey -pubin "
			"-outform der | openssl dgst -sha256 -binary | base64"}).out);
		// $BROWSER as a user would set it: here a script that drives chromium headless and keeps what it showed.
		browse = dir.write("browse.sh", "#!/bin/sh\nn=$(ls " + dir.path() + " | grep -c '^page-')\necho \"$1\" > " + dir.path() + "/link\n"
			"chromium --headless=new --no-sandbox --disable-gpu --no-first-run --user-data-dir=" + dir.path() + "/profile-$n "
			"--ignore-certificate-errors-spki-list=" + spki + " --dump-dom \"$1\" > " + dir.path() + "/page.tmp 2>/dev/null\n"
			"mv " + dir.path() + "/page.tmp " + dir.path() + "/page-$n.html\n");
		::chmod(browse.c_str(), 0700);
	}

	RunResult cli(const std::vector<std::string>& args) const
	{
		return runJwtflow(args, dir.path(), {{"CLIENT_ID", CLIENT_ID}, {"SUBJECT", USER}, {"PATH_PRIVATE_KEY", key},
			{"LOGIN_URL", emu->baseUrl()}, {"CA_FILE", emu->caFile()}, {"XDG_CACHE_HOME", dir.file("cache")},
			{"BROWSER", browse + " %s"}});
	}

	/// What the browser showed the n-th time (it runs on after jwtflow has left).
	std::string page(int n) const
	{
		const std::string file = dir.file("page-" + std::to_string(n) + ".html");
		for (int i = 0; i < 600 && !Poco::File(file).exists(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
		return Poco::File(file).exists() ? readFile(file) : "";
	}

	TempDir dir;
	std::unique_ptr<jwtflow::emulator::Emulator> emu;
	std::string key, browse;
};

TEST_F(Browser, TheOneTimeLinkLandsLoggedInOnceAndOnTheLoginPageAfter)
{
	RunResult open = cli({"salesforce", "open", "--path", "/lightning/o/Account/home"});
	ASSERT_EQ(open.exitCode, 0) << open.err;
	EXPECT_NE(open.err.find("a one-time link"), std::string::npos) << open.err;
	const std::string first = page(0);
	EXPECT_NE(first.find(std::string("Logged in as ") + USER), std::string::npos) << "chromium landed logged in: " << first;
	EXPECT_NE(first.find("/lightning/o/Account/home"), std::string::npos) << "where --path said: " << first;
	EXPECT_NE(readFile(dir.file("link")).find("otp="), std::string::npos) << "the one-time link, not the token";

	// The same link again, in a fresh browser profile: used, so the login page.
	const std::string link = trim(readFile(dir.file("link")));
	run({browse, link});
	const std::string second = page(1);
	EXPECT_NE(second.find("Login | Salesforce"), std::string::npos) << second;
	EXPECT_EQ(second.find("Logged in as"), std::string::npos) << second;

	// --url-only: the link on stdout, no browser; frontdoor --open opens one too.
	RunResult printed = cli({"salesforce", "open", "--url-only"});
	ASSERT_EQ(printed.exitCode, 0) << printed.err;
	EXPECT_EQ(printed.out.rfind(emu->baseUrl() + "/secur/frontdoor.jsp?otp=", 0), 0u) << printed.out;
	RunResult frontdoor = cli({"salesforce", "frontdoor", "--open"});
	ASSERT_EQ(frontdoor.exitCode, 0) << frontdoor.err;
	EXPECT_NE(page(2).find(std::string("Logged in as ") + USER), std::string::npos);
	EXPECT_EQ(emu->loginsFor(USER), 1) << "one login: the links come from the cached token";
}

} // namespace
