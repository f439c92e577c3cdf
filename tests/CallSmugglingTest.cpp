//
// CallSmugglingTest.cpp: `jwtflow <provider> call` against a server that
// records the raw bytes it receives (issue 25). A CR LF in the target's query
// (outside text spliced into a SOQL query) no longer ends the request line:
// it is percent-encoded, as are spaces and bytes that are not ASCII. Every
// header, Content-Type included, goes through one check; the headers that
// frame a message or belong to the connection are refused before any login.
// `--output json` of a large answer stays a small multiple of the body, and
// its output is JSON that Python reads back to the same body.
//
#include "EmulatorSupport.h"
#include "HostileServer.h"
#include "TestSupport.h"
#include <gtest/gtest.h>
#include <mutex>
#include <sys/stat.h>

using namespace testing_support;

namespace {

const char* const CLIENT_ID = "3MVG9smuggle.consumer.key";
const char* const USER = "smuggle.user@example.com";

/// Records everything each connection sends (until it is quiet), then answers with body.
struct RecordingServer
{
	explicit RecordingServer(std::string body, std::string contentType = "application/json"):
		answer("HTTP/1.1 200 OK\r\nContent-Type: " + contentType + "\r\nContent-Length: " + std::to_string(body.size())
			+ "\r\nConnection: close\r\n\r\n" + body),
		server([this](HostileServer::Connection& c) {
			std::string data;
			char buf[65536];
			c.socket.setReceiveTimeout(Poco::Timespan(0, 400000));
			while (!c.stopping)
			{
				int n = 0;
				try
				{
					n = c.socket.receiveBytes(buf, sizeof buf);
				}
				catch (const Poco::TimeoutException&)
				{
					if (data.find("\r\n\r\n") != std::string::npos) break;   // quiet after a whole head: all it will send
					continue;
				}
				if (n <= 0) break;
				data.append(buf, static_cast<std::size_t>(n));
			}
			{
				std::lock_guard<std::mutex> lock(mutex);
				received += data;
			}
			HostileServer::sendAll(c, answer);
		})
	{
	}

	std::string bytes()
	{
		std::lock_guard<std::mutex> lock(mutex);
		return received;
	}

	std::string answer;
	std::mutex mutex;
	std::string received;
	HostileServer server;
};

std::size_t count(const std::string& text, const std::string& what)
{
	std::size_t n = 0;
	for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
	return n;
}

class CallSmuggling: public ::testing::Test
{
protected:
	void SetUp() override
	{
		emu = startEmulator(dir, CLIENT_ID, {USER});
		dir.write("private_key.pem", readFile(sharedKeys().rsaPkcs8));
		dir.write(".env", std::string("CLIENT_ID=") + CLIENT_ID + "\nSUBJECT=" + USER + "\nPATH_PRIVATE_KEY=private_key.pem\nLOGIN_URL="
			+ emu->baseUrl() + "\nCA_FILE=" + emu->caFile() + "\n");
		::mkdir(dir.file("cache").c_str(), 0700);
	}

	RunResult cli(std::vector<std::string> args)
	{
		return runJwtflow(args, dir.path(), {{"XDG_CACHE_HOME", dir.file("cache")}});
	}

	TempDir dir;
	std::unique_ptr<jwtflow::emulator::Emulator> emu;
};

} // namespace

TEST_F(CallSmuggling, ALineBreakInTheQueryIsEncodedNotARequestOfItsOwn)
{
	RecordingServer server("{\"ok\":true}");
	const std::string soql = "SELECT Id FROM Account WHERE Name = 'x'\r\nX-Injected: yes\r\n\r\nDELETE /services/data/v60.0/sobjects/Account/001 HTTP/1.1\r\nHost: h\r\n\r\n";
	RunResult r = cli({"salesforce", "call", server.server.baseUrl() + "/services/data/v60.0/query?q=" + soql});
	ASSERT_EQ(r.exitCode, 0) << r.err;
	const std::string sent = server.bytes();
	EXPECT_EQ(count(sent, " HTTP/1.1\r\n"), 1u) << "one request line: " << sent;
	EXPECT_EQ(sent.find("\r\nX-Injected"), std::string::npos) << sent;
	EXPECT_EQ(sent.find("\r\nDELETE "), std::string::npos) << sent;
	EXPECT_EQ(sent.rfind("GET /services/data/v60.0/query?q=SELECT%20Id%20FROM%20Account%20WHERE%20Name%20=%20'x'%0D%0AX-Injected:%20yes", 0), 0u)
		<< sent;
	EXPECT_EQ(count(sent, "Authorization: Bearer "), 1u);
	// Text that is not ASCII is sent percent-encoded (UTF-8), as browsers send it.
	RecordingServer utf8("{}");
	ASSERT_EQ(cli({"salesforce", "call", utf8.server.baseUrl() + "/q?name=Ren\xc3\xa9"}).exitCode, 0);
	EXPECT_EQ(utf8.bytes().rfind("GET /q?name=Ren%C3%A9 HTTP/1.1\r\n", 0), 0u) << utf8.bytes();
}

TEST_F(CallSmuggling, ALineBreakInAnyHeaderContentTypeIncludedIsRefusedBeforeAnything)
{
	RecordingServer server("{}");
	for (const std::string header: {"Content-Type: a\r\nX-Injected: yes", "X-Note: a\nX-Injected: yes", "X-Note: a\rb", "Bad Name: x"})
	{
		RunResult r = cli({"salesforce", "call", server.server.baseUrl() + "/x", "--data", "{}", "-H", header});
		EXPECT_EQ(r.exitCode, 2) << header << ": " << r.err;
		EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
	}
	EXPECT_EQ(server.server.connections(), 0) << "nothing was sent";
	EXPECT_EQ(emu->loginsFor(USER), 0) << "usage errors come before any login";
}

TEST_F(CallSmuggling, FramingAndConnectionHeadersAreRefused)
{
	RecordingServer server("{}");
	for (const std::string header: {"Transfer-Encoding: chunked", "transfer-encoding: chunked", "TE: trailers", "Content-Length: 0",
		"Connection: close", "Keep-Alive: timeout=5", "Upgrade: h2c", "Trailer: X", "Host: elsewhere.example", "Authorization: Basic eA=="})
	{
		RunResult r = cli({"salesforce", "call", server.server.baseUrl() + "/x", "--data", "{\"a\":1}", "-H", header});
		EXPECT_EQ(r.exitCode, 2) << header << ": " << r.err;
		EXPECT_NE(r.err.find(" header"), std::string::npos) << r.err;
	}
	EXPECT_EQ(server.server.connections(), 0);
	// An ordinary header passes, and the request is framed once, by Content-Length.
	RunResult ok = cli({"salesforce", "call", server.server.baseUrl() + "/x", "--data", "{\"a\":1}", "-H", "X-Request-Id: 42"});
	ASSERT_EQ(ok.exitCode, 0) << ok.err;
	const std::string sent = server.bytes();
	EXPECT_NE(sent.find("\r\nX-Request-Id: 42\r\n"), std::string::npos) << sent;
	EXPECT_NE(sent.find("\r\nContent-Length: 7\r\n"), std::string::npos) << sent;
	EXPECT_EQ(sent.find("Transfer-Encoding"), std::string::npos) << sent;
}

TEST_F(CallSmuggling, JsonOutputOfALargeAnswerStaysASmallMultipleOfIt)
{
	// 8 MiB of records, as a large SOQL page: it took 30 times its size as objects.
	std::string body = "{\"totalSize\":60000,\"records\":[";
	for (int i = 0; body.size() < (8u << 20); ++i)
		body += std::string(i ? "," : "") + "{\"attributes\":{\"type\":\"Account\"},\"Id\":\"001" + std::to_string(100000 + i)
			+ "\",\"Name\":\"Account number " + std::to_string(i) + "\"}";
	body += "]}";
	RecordingServer server(body);
	const std::string peak = dir.file("peak");
	RunResult r = run({"/usr/bin/time", "-f", "%M", "-o", peak, jwtflowBinary(), "salesforce", "call", server.server.baseUrl() + "/big",
		"--output", "json"}, dir.path(), {{"XDG_CACHE_HOME", dir.file("cache")}});
	ASSERT_EQ(r.exitCode, 0) << r.err.substr(0, 2000);
	// Python's json reads the output back: the body is the server's, whole.
	const std::string check = R"(
import json, sys
out = json.load(open(sys.argv[1]))
body = json.load(open(sys.argv[2]))
assert out["status"] == 200, out["status"]
assert out["body"] == body, "the body differs"
print(len(out["body"]["records"]))
)";
	const std::string outFile = dir.write("out.json", r.out), bodyFile = dir.write("body.json", body);
	EXPECT_GT(std::stoi(trim(python(check, {outFile, bodyFile}))), 50000);
#if defined(JWTFLOW_TEST_SANITIZED)
	GTEST_SKIP() << "peak memory is not meaningful under the sanitizers (shadow memory, quarantine)";
#else
	const long kib = std::stol(trim(readFile(peak)));
	EXPECT_LT(kib, 100 * 1024) << "peak " << kib << " KiB for an 8 MiB answer";
#endif
}

TEST_F(CallSmuggling, AJsonAnswerWithTextAfterItStaysAString)
{
	// Text after the value would otherwise be spliced into jwtflow's own JSON.
	const std::string body = "{} ], \"status\": 999, \"forged\": [ {}";
	RecordingServer server(body);
	RunResult r = cli({"salesforce", "call", server.server.baseUrl() + "/x", "--output", "json"});
	ASSERT_EQ(r.exitCode, 0) << r.err;
	const std::string check = R"(
import json, sys
out = json.load(open(sys.argv[1]))
assert out["status"] == 200 and "forged" not in out, out
print(out["body"])
)";
	EXPECT_EQ(trim(python(check, {dir.write("out.json", r.out)})), body);
}
