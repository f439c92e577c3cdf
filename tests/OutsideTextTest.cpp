//
// OutsideTextTest.cpp: text from the network shown, not obeyed, and no core
// file with secrets (issue 25). One terminal-safe form (terminalText) escapes
// C0, DEL, C1 (U+0080-U+009F, and the raw bytes an 8-bit terminal takes as
// CSI) and the bidi controls; whoami's identity fields pass through it;
// `call --output env` piped stays data, byte for byte. jwtflow runs with a
// core file limit of 0 (soft and hard) whatever limit it was started with.
//
#include "EmulatorSupport.h"
#include "TestSupport.h"
#include "jwtflow/SafeText.h"
#include <Poco/File.h>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace testing_support;

TEST(TerminalText, EscapesC0DelC1AndBidiButKeepsTextAndBackslashes)
{
	EXPECT_EQ(jwtflow::terminalText("plain text, caf\xc3\xa9, \xe6\x97\xa5\xe6\x9c\xac, C:\\path\n"),
		"plain text, caf\xc3\xa9, \xe6\x97\xa5\xe6\x9c\xac, C:\\path\n");
	EXPECT_EQ(jwtflow::terminalText("\x1b]0;pwned\x07\x1b[2J\r\x7f"), "\\x1b]0;pwned\\x07\\x1b[2J\\x0d\\x7f");
	EXPECT_EQ(jwtflow::terminalText("a\tb"), "a\\x09b");
	EXPECT_EQ(jwtflow::terminalText("a\tb", true), "a\tb");
	// C1 as UTF-8 (U+009B CSI, U+0085 NEL) and as the raw byte 0x9b an 8-bit terminal obeys.
	EXPECT_EQ(jwtflow::terminalText("x\xc2\x9b" "31my\xc2\x85z"), "x\\u009b31my\\u0085z");
	EXPECT_EQ(jwtflow::terminalText("x\x9b" "31m"), "x\\x9b31m");
	// Bidi overrides and isolates, which reorder what follows.
	EXPECT_EQ(jwtflow::terminalText("a\xe2\x80\xae" "b\xe2\x81\xa6" "c\xe2\x81\xa9"), "a\\u202eb\\u2066c\\u2069");
}

TEST(TerminalText, WhoamiShowsIdentityFieldsEscaped)
{
	// A user name (and so display_name) that carries an OSC title change, a clear-screen, a C1 CSI and an RLO.
	const std::string user = "eve\x1b]0;owned\x07\x1b[2J\xc2\x9b" "31m\xe2\x80\xae" "gpj.exe@example.com";
	TempDir dir;
	auto emu = startEmulator(dir, "3MVG9whoami.escape", {user});
	dir.write("private_key.pem", readFile(sharedKeys().rsaPkcs8));
	dir.write(".env", "CLIENT_ID=3MVG9whoami.escape\nPATH_PRIVATE_KEY=private_key.pem\nLOGIN_URL=" + emu->baseUrl() + "\nCA_FILE="
		+ emu->caFile() + "\n");
	RunResult r = runJwtflow({"salesforce", "whoami"}, dir.path(), {{"SUBJECT", user}});
	ASSERT_EQ(r.exitCode, 0) << r.err;
	EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << r.out;
	EXPECT_EQ(r.out.find('\x07'), std::string::npos) << r.out;
	EXPECT_EQ(r.out.find("\xc2\x9b"), std::string::npos) << r.out;
	EXPECT_EQ(r.out.find("\xe2\x80\xae"), std::string::npos) << r.out;
	EXPECT_NE(r.out.find("display_name: eve\\x1b]0;owned\\x07\\x1b[2J\\u009b31m\\u202egpj.exe"), std::string::npos) << r.out;
}

TEST(TerminalText, CallEnvOutputPipedIsDataByteForByte)
{
	TempDir dir;
	auto emu = startEmulator(dir, "3MVG9callenv.key", {"callenv@example.com"});
	dir.write("private_key.pem", readFile(sharedKeys().rsaPkcs8));
	dir.write(".env", "CLIENT_ID=3MVG9callenv.key\nSUBJECT=callenv@example.com\nPATH_PRIVATE_KEY=private_key.pem\nLOGIN_URL="
		+ emu->baseUrl() + "\nCA_FILE=" + emu->caFile() + "\n");
	RunResult r = runJwtflow({"salesforce", "call", "/services/data/", "--output", "env"}, dir.path());
	ASSERT_EQ(r.exitCode, 0) << r.err;
	EXPECT_NE(r.out.find("export HTTP_STATUS='200'\n"), std::string::npos) << r.out;
	// The body as the shell reads it back equals what the API sent (a pipe is data, not a terminal).
	RunResult plain = runJwtflow({"salesforce", "call", "/services/data/"}, dir.path());
	RunResult shell = run({"/bin/bash", "-c", "eval \"$(cat)\"; printf %s \"$HTTP_BODY\""}, dir.path(), {}, r.out);
	EXPECT_EQ(shell.out, plain.out);
}

TEST(ProcessHardening, NoCoreFileWhateverLimitJwtflowWasStartedWith)
{
	// jwtflow waits on standard input (decode -), started with an unlimited core file limit.
	int input[2];
	ASSERT_EQ(::pipe(input), 0);
	TempDir dir;
	const std::string binary = jwtflowBinary();
	std::vector<char*> argv = {const_cast<char*>(binary.c_str()), const_cast<char*>("decode"), const_cast<char*>("-"), nullptr};
	std::string home = "HOME=" + dir.path(), path = "PATH=/usr/bin:/bin";
	std::vector<char*> envp = {&home[0], &path[0], nullptr};
	pid_t pid = ::fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
	{
		const struct rlimit unlimited{RLIM_INFINITY, RLIM_INFINITY};
		::setrlimit(RLIMIT_CORE, &unlimited);
		if (::chdir(dir.path().c_str()) != 0) _exit(126);
		::dup2(input[0], 0);
		::close(input[1]);
		int null = ::open("/dev/null", O_WRONLY);
		::dup2(null, 1);
		::dup2(null, 2);
		::execve(argv[0], argv.data(), envp.data());
		_exit(127);
	}
	::close(input[0]);
	// Its limits, once it has started (it reads standard input only after setting them).
	std::string limits;
	for (int i = 0; i < 200 && limits.find("Max core file size        0                    0") == std::string::npos; ++i)
	{
		std::this_thread::sleep_for(std::chrono::milliseconds(20));
		limits = readFile("/proc/" + std::to_string(pid) + "/limits");
	}
	EXPECT_NE(limits.find("Max core file size        0                    0"), std::string::npos) << limits;
	::kill(pid, SIGSEGV);
	int status = 0;
	::waitpid(pid, &status, 0);
	::close(input[1]);
#ifndef JWTFLOW_TEST_SANITIZED
	// Under ASan its own SIGSEGV handler may report and exit rather than die by the signal (seen once under
	// load); the core-file checks below hold either way.
	EXPECT_TRUE(WIFSIGNALED(status));
#endif
	EXPECT_FALSE(WIFSIGNALED(status) && WCOREDUMP(status)) << "the kernel wrote a core dump";
	for (const std::string& name: {std::string("core"), "core." + std::to_string(pid)})
		EXPECT_FALSE(Poco::File(dir.file(name)).exists()) << name;
}

TEST(SecretPrompt, AnEncryptedKeyIsAskedForAtATerminalWithEchoOffAndNeverFromAPipe)
{
	TempDir dir;
	const TestKeys& keys = sharedKeys();
	const std::vector<std::string> jwt = {jwtflowBinary(), "salesforce", "jwt", "--client-id", "3MVG9prompt", "--subject", "p@example.com",
		"--private-key", keys.encryptedPkcs8};
	RunResult typed = runAtTerminal(jwt, dir.path(), {}, "Enter the passphrase", keys.passphrase);
	EXPECT_EQ(typed.exitCode, 0) << typed.out;
	EXPECT_NE(typed.out.find("Enter the passphrase of private key '" + keys.encryptedPkcs8 + "': "), std::string::npos) << typed.out;
	EXPECT_NE(typed.out.find("eyJ"), std::string::npos) << "the JWT, signed with the key the passphrase opened: " << typed.out;
	EXPECT_EQ(typed.out.find(keys.passphrase), std::string::npos) << "echo was off: " << typed.out;
	// Not a terminal: nothing is read from standard input, the error names the settings.
	std::vector<std::string> args(jwt.begin() + 1, jwt.end());
	RunResult piped = runJwtflow(args, dir.path(), {}, keys.passphrase + "\n");
	EXPECT_EQ(piped.exitCode, 3);
	EXPECT_TRUE(piped.out.empty());
	EXPECT_NE(piped.err.find("is encrypted and no passphrase was given: set PRIVATE_KEY_PASSPHRASE"), std::string::npos) << piped.err;
}
