//
// EmulatorProcessTest.cpp: `jwtflow emulator` as a user runs it: prints its
// base URL and CA file, serves real TLS, and stops cleanly on SIGTERM / SIGINT.
//
#include "TestSupport.h"
#include "jwtflow/Exception.h"
#include "jwtflow/HttpClient.h"
#include <Poco/File.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <gtest/gtest.h>
#include <csignal>
#include <sys/wait.h>

using namespace testing_support;

namespace {

void runAndStop(int signal)
{
	const TestKeys& k = sharedKeys();
	TempDir dir;
	dir.write("private_key.pem", readFile(k.rsaPkcs8));
	dir.write(".env", "CLIENT_ID=3MVG9proc\nSUBJECT=proc.user@example.com\nPATH_PRIVATE_KEY=private_key.pem\n");
	Poco::Pipe outPipe;
	Poco::Process::Args args = {"emulator", "--app", "3MVG9proc=" + k.rsaCert, "--user", "proc.user@example.com", "-q"};
	Poco::ProcessHandle handle = Poco::Process::launch(jwtflowBinary(), args, dir.path(), nullptr, &outPipe, nullptr);
	Poco::PipeInputStream out(outPipe);
	std::string baseLine, caLine;
	std::getline(out, baseLine);
	std::getline(out, caLine);
	ASSERT_EQ(baseLine.rfind("base URL: https://127.0.0.1:", 0), 0u) << baseLine;
	ASSERT_EQ(caLine.rfind("CA file:  ", 0), 0u) << caLine;
	const std::string base = baseLine.substr(10);
	const std::string ca = caLine.substr(10);

	RunResult token = runJwtflow({"salesforce", "token", "--login-url", base, "--ca-file", ca}, dir.path());
	EXPECT_EQ(token.exitCode, 0) << token.err;
	EXPECT_EQ(token.out.rfind("00D", 0), 0u);

	const std::string caCopy = dir.write("ca-copy.pem", readFile(ca));
	::kill(handle.id(), signal);
	int rc = handle.wait();
	EXPECT_EQ(rc, 0) << "the emulator stops cleanly";
	jwtflow::HttpOptions o;
	EXPECT_FALSE(Poco::File(ca).exists()) << "the emulator removes its temporary files";
	o.caFile = caCopy;
	o.timeoutSeconds = 2;
	jwtflow::HttpClient http(o);
	EXPECT_THROW(http.get(base + "/services/oauth2/userinfo"), jwtflow::NetworkException) << "nothing listens any more";
}

} // namespace

TEST(EmulatorProcess, StopsCleanlyOnSigterm) { runAndStop(SIGTERM); }
TEST(EmulatorProcess, StopsCleanlyOnSigint) { runAndStop(SIGINT); }
