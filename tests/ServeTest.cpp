//
// ServeTest.cpp: `jwtflow PROVIDER serve` (issue 28): tokens for programs that
// are not jwtflow. Azure's own SDK (python3-azure's ManagedIdentityCredential)
// gets a token from the emulator's Entra ID through jwtflow by IDENTITY_ENDPOINT
// and IDENTITY_HEADER, and by the IMDS shape; 1,000 requests from 50 clients
// make one login; a request without the secret, with a foreign Host, through a
// proxy (X-Forwarded-For), for another resource: each refused. Google's
// metadata-server shape, a plain /token for Salesforce, a Unix socket made
// 0600, and a clean stop on SIGTERM.
//
#include "EmulatorSupport.h"
#include "TestSupport.h"
#include "jwtflow/Json.h"
#include <Poco/File.h>
#include <gtest/gtest.h>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace testing_support;

namespace {

const char* const APP_ID = "5e7c1d2a-0000-4b6c-9d8e-serve0000001";
const char* const SA_EMAIL = "server@jwtflow-serve.iam.gserviceaccount.com";
const char* const SA_KEY_ID = "0123456789abcdef0123456789abcdef0123serv";

/// A jwtflow serve in the background: its env lines read from stdout, stderr kept in a file, stopped by SIGTERM.
class Server
{
public:
	Server(const std::vector<std::string>& args, const std::map<std::string, std::string>& env, const std::string& dir)
	{
		std::vector<std::string> argv = {"/usr/bin/env", "-i", "PATH=/usr/bin:/bin", "HOME=" + dir};
		for (const auto& e: env) argv.push_back(e.first + "=" + e.second);
		for (const char* name: {"ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS"})
			if (const char* value = std::getenv(name)) argv.push_back(std::string(name) + "=" + value);
		argv.push_back(jwtflowBinary());
		argv.insert(argv.end(), args.begin(), args.end());
		errFile = dir + "/serve.err";
		int out[2];
		if (::pipe(out) != 0) throw std::runtime_error("pipe");
		posix_spawn_file_actions_t actions;
		posix_spawn_file_actions_init(&actions);
		posix_spawn_file_actions_adddup2(&actions, out[1], 1);
		posix_spawn_file_actions_addclose(&actions, out[0]);
		posix_spawn_file_actions_addopen(&actions, 2, errFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
		std::vector<char*> cargs;
		for (auto& a: argv) cargs.push_back(&a[0]);
		cargs.push_back(nullptr);
		if (::posix_spawn(&pid, cargs[0], &actions, nullptr, cargs.data(), environ) != 0) throw std::runtime_error("spawn");
		posix_spawn_file_actions_destroy(&actions);
		::close(out[1]);
		outFd = out[0];
		// The env lines, up to the last one (JWTFLOW_TOKEN_HEADER), or the end of the output.
		std::string text;
		char c;
		while (::read(outFd, &c, 1) == 1)
		{
			text += c;
			if (c == '\n' && text.find("JWTFLOW_TOKEN_HEADER") != std::string::npos) break;
		}
		output = text;
		std::size_t at = 0;
		while (at < text.size())
		{
			std::size_t end = text.find('\n', at);
			std::string line = text.substr(at, end - at);
			at = end == std::string::npos ? text.size() : end + 1;
			if (line.rfind("export ", 0) == 0) line = line.substr(7);
			const std::size_t eq = line.find('=');
			if (eq == std::string::npos) continue;
			std::string value = line.substr(eq + 1);
			if (value.size() >= 2 && value.front() == '\'') value = value.substr(1, value.size() - 2);
			vars[line.substr(0, eq)] = value;
		}
	}

	~Server()
	{
		if (pid > 0) stop();
		if (outFd >= 0) ::close(outFd);
	}

	int stop()
	{
		::kill(pid, SIGTERM);
		int status = 0;
		::waitpid(pid, &status, 0);
		pid = -1;
		return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
	}

	std::string err() const { return readFile(errFile); }

	pid_t pid = -1;
	int outFd = -1;
	std::string errFile;
	std::string output;
	std::map<std::string, std::string> vars;
};

/// GETs PATH from the server with the given headers through Python's http.client; prints the status, a tab, the body
/// (and the Metadata-Flavor answer header when there is one).
const char* const PYTHON_GET = R"(
import http.client, json, sys, socket
target, path, headers = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
if target.startswith("/"):
    class UnixConnection(http.client.HTTPConnection):
        def connect(self):
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.connect(target)
    c = UnixConnection("localhost", timeout=10)
else:
    host, port = target.rsplit(":", 1)
    c = http.client.HTTPConnection(host, int(port), timeout=10)
c.putrequest("GET", path, skip_host="Host" in headers)
for k, v in headers.items():
    c.putheader(k, v)
c.endheaders()
r = c.getresponse()
print("%d\t%s\t%s\t%s" % (r.status, r.getheader("Metadata-Flavor", "-"), r.getheader("Cache-Control", "-"), r.read().decode()))
)";

struct Reply
{
	int status = 0;
	std::string flavor, cacheControl, body;
};

Reply get(const std::string& target, const std::string& path, const std::map<std::string, std::string>& headers = {})
{
	std::string json = "{";
	for (const auto& h: headers) json += (json.size() > 1 ? "," : "") + std::string("\"") + h.first + "\":\"" + h.second + "\"";
	json += "}";
	const std::string out = python(PYTHON_GET, {target, path, json});
	Reply r;
	const std::size_t t1 = out.find('\t'), t2 = out.find('\t', t1 + 1), t3 = out.find('\t', t2 + 1);
	r.status = std::stoi(out.substr(0, t1));
	r.flavor = out.substr(t1 + 1, t2 - t1 - 1);
	r.cacheControl = out.substr(t2 + 1, t3 - t2 - 1);
	r.body = out.substr(t3 + 1);
	if (!r.body.empty() && r.body.back() == '\n') r.body.pop_back();   // print's newline
	return r;
}

std::string hostPort(const std::string& url)
{
	return url.substr(std::string("http://").size(), url.find('/', 7) - 7);
}

class Serve: public ::testing::Test
{
protected:
	void SetUp() override
	{
		emu = startEmulator(dir, APP_ID, {}, "", [](jwtflow::emulator::EmulatorOptions& o) {
			o.apps.push_back({SA_EMAIL, o.apps.front().certificate, SA_KEY_ID});
		});
		key = dir.write("private_key.pem", readFile(sharedKeys().rsaPkcs8));
		::chmod(key.c_str(), 0600);
		::mkdir(dir.file("cache").c_str(), 0700);
		::mkdir(dir.file("config").c_str(), 0700);
	}

	std::map<std::string, std::string> azure() const
	{
		return {{"CLIENT_ID", APP_ID}, {"TENANT_ID", jwtflow::emulator::EmulatorOptions().tenant}, {"AUTHORITY", emu->baseUrl()},
			{"PATH_PRIVATE_KEY", key}, {"PATH_CERTIFICATE", sharedKeys().rsaCert}, {"CA_FILE", emu->caFile()},
			{"XDG_CACHE_HOME", dir.file("cache")}, {"XDG_CONFIG_HOME", dir.file("config")}};
	}

	TempDir dir;
	std::unique_ptr<jwtflow::emulator::Emulator> emu;
	std::string key;
};

/// Azure's own SDK, as an app in App Service would run it: ManagedIdentityCredential reads IDENTITY_ENDPOINT and
/// IDENTITY_HEADER; with only AZURE_POD_IDENTITY_AUTHORITY_HOST it speaks IMDS. Prints the token and its expires_on.
const char* const AZURE_SDK = R"(
import os, sys
for pair in sys.argv[2:]:
    k, v = pair.split("=", 1)
    os.environ[k] = v
from azure.identity import ManagedIdentityCredential
t = ManagedIdentityCredential().get_token(sys.argv[1])
print(t.token, t.expires_on)
)";

TEST_F(Serve, AzuresOwnSdkGetsATokenThroughTheManagedIdentityShapes)
{
	Server server({"azure-ad", "serve", "--resource", "https://vault.azure.net", "--resource", "https://graph.microsoft.com", "-v"},
		azure(), dir.path());
	ASSERT_FALSE(server.vars["IDENTITY_ENDPOINT"].empty()) << server.output << server.err();
	ASSERT_EQ(server.vars["IDENTITY_HEADER"].size(), 43u) << "32 random bytes, base64url";

	const std::string appService = python(AZURE_SDK, {"https://vault.azure.net/.default",
		"IDENTITY_ENDPOINT=" + server.vars["IDENTITY_ENDPOINT"], "IDENTITY_HEADER=" + server.vars["IDENTITY_HEADER"]});
	const std::string token = appService.substr(0, appService.find(' '));
	EXPECT_GT(token.size(), 20u) << appService;
	EXPECT_GT(std::stoll(appService.substr(appService.find(' ') + 1)), static_cast<long long>(std::time(nullptr)) + 3000) << appService;
	// The token works at the emulator's Graph-like API: it is Entra's token for the app.
	EXPECT_EQ(emu->loginsFor(APP_ID), 1);

	// IMDS, as azure-identity speaks it where IDENTITY_ENDPOINT is not set: the same login for the same resource.
	const std::string imds = python(AZURE_SDK, {"https://vault.azure.net", "AZURE_POD_IDENTITY_AUTHORITY_HOST="
		+ server.vars["AZURE_POD_IDENTITY_AUTHORITY_HOST"]});
	EXPECT_EQ(imds.substr(0, imds.find(' ')), token) << "one login per resource, whichever shape asks";
	EXPECT_EQ(emu->loginsFor(APP_ID), 1);

	// Another allowed resource is another login; the token shows up nowhere in the log.
	python(AZURE_SDK, {"https://graph.microsoft.com/.default", "IDENTITY_ENDPOINT=" + server.vars["IDENTITY_ENDPOINT"],
		"IDENTITY_HEADER=" + server.vars["IDENTITY_HEADER"]});
	EXPECT_EQ(emu->loginsFor(APP_ID), 2);
	EXPECT_EQ(server.stop(), 0);
	const std::string log = server.err();
	EXPECT_NE(log.find("serve: GET /msi/token -> 200"), std::string::npos) << log;
	EXPECT_NE(log.find("serve: GET /metadata/identity/oauth2/token -> 200"), std::string::npos) << log;
	EXPECT_EQ(log.find(token), std::string::npos) << "never a token in the log";
	EXPECT_NE(log.find("stopped (SIGTERM)"), std::string::npos) << log;
}

const char* const LOAD = R"(
import sys, urllib.request, concurrent.futures
url, header = sys.argv[1], sys.argv[2]
def one(_):
    req = urllib.request.Request(url, headers={"X-IDENTITY-HEADER": header})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status, r.read()
with concurrent.futures.ThreadPoolExecutor(max_workers=50) as pool:
    answers = list(pool.map(one, range(1000)))
print(sum(1 for s, _ in answers if s == 200), len(set(b for _, b in answers)))
)";

TEST_F(Serve, AThousandRequestsFromFiftyClientsAreOneLogin)
{
	Server server({"azure-ad", "serve", "--resource", "https://vault.azure.net"}, azure(), dir.path());
	ASSERT_FALSE(server.vars["IDENTITY_ENDPOINT"].empty()) << server.err();
	const std::string out = python(LOAD, {server.vars["IDENTITY_ENDPOINT"] + "?api-version=2019-08-01&resource=https://vault.azure.net",
		server.vars["IDENTITY_HEADER"]});
	EXPECT_EQ(out, "1000 1\n") << "every answer 200, and all the same token";
	EXPECT_EQ(emu->loginsFor(APP_ID), 1);
	// The CLI shares the login: the server stored it where `token` looks.
	RunResult cli = runJwtflow({"azure-ad", "token", "--scope", "https://vault.azure.net/.default"}, dir.path(), azure());
	EXPECT_EQ(cli.exitCode, 0) << cli.err;
	EXPECT_EQ(emu->loginsFor(APP_ID), 1);
}

TEST_F(Serve, RequestsThatAreNotFromThisMachinesClientsAreRefused)
{
	Server server({"azure-ad", "serve", "--resource", "https://vault.azure.net"}, azure(), dir.path());
	const std::string target = hostPort(server.vars["IDENTITY_ENDPOINT"]);
	const std::string path = "/msi/token?api-version=2019-08-01&resource=https://vault.azure.net";
	const std::string secret = server.vars["IDENTITY_HEADER"];
	EXPECT_EQ(get(target, path).status, 401) << "no secret";
	EXPECT_EQ(get(target, path, {{"X-IDENTITY-HEADER", secret + "x"}}).status, 401) << "a wrong secret";
	Reply rebinding = get(target, path, {{"X-IDENTITY-HEADER", secret}, {"Host", "attacker.example:80"}});
	EXPECT_EQ(rebinding.status, 403) << "DNS rebinding: a foreign Host";
	EXPECT_EQ(get(target, path, {{"X-IDENTITY-HEADER", secret}, {"X-Forwarded-For", "203.0.113.9"}}).status, 400) << "through a proxy";
	Reply other = get(target, "/msi/token?api-version=2019-08-01&resource=https://management.azure.com/", {{"X-IDENTITY-HEADER", secret}});
	EXPECT_EQ(other.status, 400);
	EXPECT_NE(other.body.find("--resource"), std::string::npos) << "the reason and the fix: " << other.body;
	Reply imdsNoHeader = get(target, "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://vault.azure.net");
	EXPECT_EQ(imdsNoHeader.status, 400) << "IMDS needs Metadata: true";
	EXPECT_NE(imdsNoHeader.body.find("Required metadata header"), std::string::npos) << imdsNoHeader.body;
	Reply ok = get(target, path, {{"X-IDENTITY-HEADER", secret}});
	EXPECT_EQ(ok.status, 200) << ok.body;
	EXPECT_EQ(ok.cacheControl, "no-store");
	EXPECT_EQ(emu->loginsFor(APP_ID), 1) << "the refused requests made no login";

	// Only a loopback address is served.
	RunResult wide = runJwtflow({"azure-ad", "serve", "--listen", "0.0.0.0:0"}, dir.path(), azure());
	EXPECT_EQ(wide.exitCode, 2) << wide.err;
	EXPECT_NE(wide.err.find("not a loopback address"), std::string::npos) << wide.err;
}

/// Google's own library (python3-google-auth), as code on a GCE machine or in GKE uses it: compute_engine
/// Credentials find the metadata server by the environment, ask who they are, then for a token.
const char* const GOOGLE_AUTH = R"(
import os, sys
for pair in sys.argv[1:]:
    k, v = pair.split("=", 1)
    os.environ[k] = v
import google.auth.transport.requests
from google.auth import compute_engine
credentials = compute_engine.Credentials()
credentials.refresh(google.auth.transport.requests.Request())
print(credentials.token[:5], credentials.service_account_email, credentials.expiry is not None)
)";

/// A peer that trickles its request head a byte every 200 ms, for up to 30 s: prints "closed" when the server ends
/// the connection first, "served" when it answered, "open" when the 30 s ran out with the connection still open.
const char* const TRICKLE = R"(
import socket, sys, time
host, port = sys.argv[1].rsplit(":", 1)
s = socket.create_connection((host, int(port)), timeout=5)
s.sendall(b"GET /token HTTP/1.1\r\nHost: 127.0.0.1\r\n")
s.settimeout(0.2)
end = time.time() + 30
result = "open"
while time.time() < end:
    try:
        s.sendall(b"X")
        data = s.recv(1024)
        result = "closed" if not data else "served"
        break
    except socket.timeout:
        continue
    except (BrokenPipeError, ConnectionResetError):
        result = "closed"
        break
print(result)
)";

TEST_F(Serve, APeerThatTricklesItsRequestIsCutOffAndOthersAreStillServed)
{
	Server server({"salesforce", "serve"}, {{"CLIENT_ID", APP_ID}, {"SUBJECT", "nobody@example.com"}, {"PATH_PRIVATE_KEY", key},
		{"LOGIN_URL", emu->baseUrl()}, {"CA_FILE", emu->caFile()}, {"XDG_CACHE_HOME", dir.file("cache")}}, dir.path());
	const std::string target = hostPort(server.vars["JWTFLOW_TOKEN_URL"]);
	ASSERT_FALSE(target.empty()) << server.output << server.err();
	EXPECT_EQ(python(TRICKLE, {target}), "closed\n") << "the request head's deadline holds against a trickle";
	// The server goes on: a request without the secret is answered (refused) at once.
	EXPECT_EQ(get(target, "/token").status, 401);
	EXPECT_EQ(server.stop(), 0) << server.err();
}

TEST_F(Serve, GoogleLibrariesFindAMetadataServer)
{
	const std::string sa = dir.write("sa.json", "{\"type\":\"service_account\",\"project_id\":\"serve\",\"private_key_id\":\"" + std::string(SA_KEY_ID)
		+ "\",\"private_key\":" + jwtflow::quoteJson(readFile(sharedKeys().rsaPkcs8)) + ",\"client_email\":\"" + SA_EMAIL
		+ "\",\"token_uri\":\"" + emu->baseUrl() + "/google/token\"}");
	::chmod(sa.c_str(), 0600);
	auto env = azure();
	env["KEY_FILE"] = sa;
	env["SCOPE"] = "https://www.googleapis.com/auth/cloud-platform https://www.googleapis.com/auth/devstorage.read_only";
	Server server({"google", "serve"}, env, dir.path());
	const std::string host = server.vars["GCE_METADATA_HOST"];
	ASSERT_FALSE(host.empty()) << server.output << server.err();
	const std::string accounts = "/computeMetadata/v1/instance/service-accounts/default/";
	Reply ping = get(host, "/", {{"Metadata-Flavor", "Google"}});
	EXPECT_EQ(ping.status, 200);
	EXPECT_EQ(ping.flavor, "Google") << "the libraries check the answer's header";
	EXPECT_EQ(get(host, accounts + "token").status, 403) << "Metadata-Flavor: Google is required";
	Reply token = get(host, accounts + "token", {{"Metadata-Flavor", "Google"}});
	ASSERT_EQ(token.status, 200) << token.body;
	Poco::JSON::Object::Ptr t = jwtflow::parseJsonObject(token.body);
	EXPECT_EQ(t->getValue<std::string>("access_token").rfind("ya29.", 0), 0u) << token.body;
	EXPECT_GT(t->getValue<int>("expires_in"), 3000);
	EXPECT_EQ(get(host, accounts + "email", {{"Metadata-Flavor", "Google"}}).body, SA_EMAIL);
	EXPECT_EQ(python(GOOGLE_AUTH, {"GCE_METADATA_HOST=" + host, "GCE_METADATA_ROOT=" + server.vars["GCE_METADATA_ROOT"],
		"GCE_METADATA_IP=" + server.vars["GCE_METADATA_IP"]}), std::string("ya29. ") + SA_EMAIL + " True\n") << "google-auth's own client";
	Reply info = get(host, accounts + "?recursive=true", {{"Metadata-Flavor", "Google"}});
	EXPECT_EQ(jwtflow::parseJsonObject(info.body)->getValue<std::string>("email"), SA_EMAIL) << info.body;
	// One of the allowed scopes: its own login; another scope: refused.
	EXPECT_EQ(get(host, accounts + "token?scopes=https://www.googleapis.com/auth/devstorage.read_only", {{"Metadata-Flavor", "Google"}}).status, 200);
	EXPECT_EQ(get(host, accounts + "token?scopes=https://www.googleapis.com/auth/gmail.send", {{"Metadata-Flavor", "Google"}}).status, 400);
	EXPECT_EQ(emu->tokensIssued(), 2) << "one login per allowed scope set, whatever the number of requests";
}

TEST_F(Serve, APlainTokenEndpointForSalesforceOnASocketOnlyTheUserCanOpen)
{
	const std::string user = "serve.user@example.com";
	auto env = azure();
	env = {{"CLIENT_ID", APP_ID}, {"SUBJECT", user}, {"PATH_PRIVATE_KEY", key}, {"LOGIN_URL", emu->baseUrl()}, {"CA_FILE", emu->caFile()},
		{"XDG_CACHE_HOME", dir.file("cache")}, {"XDG_CONFIG_HOME", dir.file("config")}};
	emu.reset();
	emu = startEmulator(dir, APP_ID, {user});
	env["LOGIN_URL"] = emu->baseUrl();
	env["CA_FILE"] = emu->caFile();
	const std::string socket = dir.file("token.sock");
	{
		Server server({"salesforce", "serve", "--socket", socket}, env, dir.path());
		ASSERT_EQ(server.vars["JWTFLOW_TOKEN_SOCKET"], socket) << server.output << server.err();
		struct stat st{};
		ASSERT_EQ(::stat(socket.c_str(), &st), 0);
		EXPECT_EQ(st.st_mode & 0777, 0600u) << "only its user may connect";
		Reply token = get(socket, "/token", {{"X-IDENTITY-HEADER", server.vars["JWTFLOW_TOKEN_HEADER"]}});
		ASSERT_EQ(token.status, 200) << token.body;
		EXPECT_EQ(jwtflow::parseJsonObject(token.body)->getValue<std::string>("instance_url"), emu->baseUrl());
		EXPECT_EQ(get(socket, "/token").status, 401);
		EXPECT_EQ(server.stop(), 0);
	}
	EXPECT_FALSE(Poco::File(socket).exists()) << "removed at the stop";
}

} // namespace
