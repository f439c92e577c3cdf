//
// BadInputMatrixTest.cpp: the built jwtflow fed bad input of every kind, as a
// user would. Each case must end with a documented non-zero exit code (never
// a signal), one readable message on stderr (no exception class names, no
// "terminate called"), nothing on stdout, and none of the planted secrets
// anywhere in the output.
//
#include "ScriptedServer.h"
#include "EmulatorSupport.h"
#include "TestSupport.h"
#include "jwtflow/Certificate.h"
#include "jwtflow/Encoding.h"
#include "jwtflow/HttpClient.h"
#include "jwtflow/Jwt.h"
#include "jwtflow/KeyFactory.h"
#include <Poco/Thread.h>
#include <gtest/gtest.h>
#include <fstream>
#include <iostream>
#include <sys/stat.h>

using namespace jwtflow;
using namespace testing_support;

namespace {

const std::string PASSPHRASE = "PLANTED-passphrase-7d1e";
const std::string PROXY_PASSWORD = "PLANTED-proxy-pw-91";
const std::string SERVER_TOKEN = "PLANTED-token-in-error-body";

std::string signJwtForMatrix(const TestKeys& k)
{
	Poco::JSON::Object header;
	Poco::JSON::Object claims;
	claims.set("sub", "x");
	claims.set("exp", Poco::Timestamp().epochTime() + 60);
	return signJwt(header, claims, PrivateKey::fromFile(k.rsaPkcs8), Algorithm::fromName("RS256"));
}

struct Case
{
	std::string name;
	std::vector<std::string> args;
	std::string dotenv;                       // extra .env lines
	std::map<std::string, std::string> env;   // extra environment
	int exitCode;
	std::string expect;                       // a piece of the message
};

} // namespace

TEST(BadInputMatrix, EveryCaseEndsCleanly)
{
	const TestKeys& k = sharedKeys();
	TempDir dir;
	const std::string keyPem = readFile(k.rsaPkcs8);
	const std::string keySnippet = keyPem.substr(keyPem.find('\n') + 1, 40);
	dir.write("key.pem", keyPem);
	dir.write("cert.pem", readFile(k.rsaCert));
	dir.write("ec.pem", readFile(k.ecPkcs8));
	dir.write("enc.pem", readFile(k.encryptedPkcs8));
	dir.write("empty.pem", "");
	dir.write("truncated.pem", keyPem.substr(0, keyPem.size() / 2));
	dir.write("binary.pem", std::string("\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\xff\xfe", 18));
	dir.write("public.pem", readFile(k.rsaPublic));
	dir.write("bad.env", "CLIENT_ID=x\nTHIS IS NOT AN ASSIGNMENT\n");
	::mkdir(dir.file("plugins-junk").c_str(), 0755);
	dir.write("plugins-junk/junk.so", "not a library");
	dir.write("plugins-junk/junk.properties", "plugin.library = nothing-here\n");
	// Issue 19: loose permissions, planted folders, hostile tokens.
	dir.write("key0644.pem", keyPem);
	::chmod(dir.file("key0644.pem").c_str(), 0644);
	dir.write("pass0644.txt", PASSPHRASE + "\n");
	::chmod(dir.file("pass0644.txt").c_str(), 0644);
	::mkdir(dir.file("plugins-open").c_str(), 0755);
	dir.write("plugins-open/planted.properties", "plugin.library = planted\n");
	::chmod(dir.file("plugins-open").c_str(), 0777);
	dir.write("pasted.env", "CLIENT_ID=x\nSUBJECT=y\n" + keySnippet + "\n");
	dir.write("quoted.env", "PRIVATE_KEY_PASSPHRASE=\"x\" " + PASSPHRASE + "\n");
	openssl({"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", dir.file("small.pem")});
	openssl({"pkey", "-in", dir.file("small.pem"), "-pubout", "-out", dir.file("small.pub")});
	const PrivateKey signer = PrivateKey::fromFile(k.rsaPkcs8);
	auto signedToken = [&](const std::string& claimsJson) {
		const std::string input = base64UrlEncode("{\"alg\":\"RS256\"}") + "." + base64UrlEncode(claimsJson);
		return input + "." + base64UrlEncode(signer.sign(Algorithm::fromName("RS256"), input));
	};
	const std::string farFuture = signedToken("{\"nbf\":1e19,\"exp\":1e300}");
	const std::string issNumber = signedToken("{\"iss\":1,\"exp\":" + std::to_string(Poco::Timestamp().epochTime() + 60) + "}");
	const std::string hugeToken = base64UrlEncode("{\"alg\":\"RS256\"}") + "." + std::string(100 * 1024, 'A') + ".c2ln";
	const std::string escAlg = base64UrlEncode("{\"alg\":\"RS256\\u001b]0;title\\u0007\"}") + "." + base64UrlEncode("{}") + ".c2ln";

	// An expired TLS certificate from a trusted CA.
	TestTls expiredTls = makeTestTls(dir.path(), "127.0.0.1", true, -1);
	const std::string caFile = expiredTls.caFile;
	Poco::Net::Context::Ptr expiredCtx = expiredTls.context;
	ScriptedServer expiredServer([](int, Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& resp) {
		sendBody(resp, 200, "application/json", "{\"access_token\":\"x\"}");
	}, expiredCtx);

	ScriptedServer idp([](int, Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) {
		const std::string p = req.getURI();
		auto is = [&](const char* prefix) { return p.rfind(prefix, 0) == 0; };
		if (is("/html/")) return sendBody(resp, 200, "text/html", "<html><body><h1>Sign in</h1></body></html>");
		if (is("/empty/")) return sendBody(resp, 200, "application/json", "");
		if (is("/truncated/")) return sendBody(resp, 200, "application/json", "{\"access_token\":\"" + SERVER_TOKEN);
		if (is("/noaccess/")) return sendBody(resp, 200, "application/json", "{\"instance_url\":\"https://x\"}");
		if (is("/huge/")) return sendBody(resp, 200, "application/json", std::string(2 << 20, '{'));
		if (is("/esc/"))
			return sendBody(resp, 400, "application/json", "{\"error\":\"invalid_grant\\u001b[2K\",\"error_description\":"
				"\"bad\\r\\nvalid: token ok\\u0007\\u009b31m\"}");
		if (is("/trickle/"))
		{
			resp.setContentType("application/json");
			resp.setContentLength(2000);
			std::ostream& out = resp.send();
			for (int i = 0; i < 100 && out; ++i)
			{
				out << ' ' << std::flush;
				Poco::Thread::sleep(100);
			}
			return;
		}
		if (is("/slow/"))
		{
			Poco::Thread::sleep(3000);
			return sendBody(resp, 200, "application/json", "{}");
		}
		for (int status: {401, 403, 404, 429, 500, 503})
			if (is(("/" + std::to_string(status) + "/").c_str()))
				return sendBody(resp, status, "text/html", "<html><title>" + std::to_string(status) + " error</title></html>");
		sendBody(resp, 400, "application/json", "{\"error\":\"invalid_grant\",\"error_description\":\"user hasn't approved this consumer\"}");
	});
	const std::string url = idp.baseUrl();

	auto emu = startEmulator(dir, "3MVG9matrix", {"m@example.com"});

	const std::string sf = "CLIENT_ID=3MVG9matrix\nSUBJECT=m@example.com\nPATH_PRIVATE_KEY=key.pem\n";
	const std::string az = "TENANT_ID=t.example.com\nCLIENT_ID=6f1d2c3b-4a59-4e8d-9c7b-1a2b3c4d5e6f\nPATH_PRIVATE_KEY=key.pem\nPATH_CERTIFICATE=cert.pem\n";
	const std::map<std::string, std::string> pass = {{"PRIVATE_KEY_PASSPHRASE", PASSPHRASE}};
	const std::string good = signJwtForMatrix(k);

	std::vector<Case> cases = {
		// every setting missing in turn
		{"missing CLIENT_ID", {"salesforce", "jwt"}, "SUBJECT=s\nPATH_PRIVATE_KEY=key.pem\n", {}, 2, "missing setting CLIENT_ID"},
		{"missing SUBJECT", {"salesforce", "jwt"}, "CLIENT_ID=c\nPATH_PRIVATE_KEY=key.pem\n", {}, 2, "missing setting SUBJECT"},
		{"missing PATH_PRIVATE_KEY", {"salesforce", "jwt"}, "CLIENT_ID=c\nSUBJECT=s\n", {}, 2, "missing setting PATH_PRIVATE_KEY"},
		{"missing TENANT_ID", {"azure-ad", "jwt"}, "CLIENT_ID=c\nPATH_PRIVATE_KEY=key.pem\nPATH_CERTIFICATE=cert.pem\n", {}, 2, "missing setting TENANT_ID"},
		{"missing azure CLIENT_ID", {"azure-ad", "jwt"}, "TENANT_ID=t.example.com\nPATH_PRIVATE_KEY=key.pem\nPATH_CERTIFICATE=cert.pem\n", {}, 2, "missing setting CLIENT_ID"},
		{"missing certificate and thumbprint", {"azure-ad", "jwt"}, "TENANT_ID=t.example.com\nCLIENT_ID=c\nPATH_PRIVATE_KEY=key.pem\n", {}, 2, "PATH_CERTIFICATE or CERTIFICATE_THUMBPRINT"},
		{"missing community AUDIENCE", {"salesforce-community", "jwt"}, sf, {}, 2, "missing setting AUDIENCE"},
		// malformed values
		{"audience not a URL", {"salesforce", "jwt", "--audience", "login.salesforce.com"}, sf, {}, 2, "not an absolute https URL"},
		{"audience ftp", {"salesforce", "jwt", "--audience", "ftp://login.salesforce.com"}, sf, {}, 2, "not an absolute https URL"},
		{"login url plain http", {"salesforce", "token", "--login-url", "http://idp.example.com"}, sf, {}, 2, "plain http"},
		{"thumbprint junk", {"azure-ad", "jwt", "--certificate", "", "--thumbprint", "zz-not-a-thumbprint!"}, "TENANT_ID=t.example.com\nCLIENT_ID=c\nPATH_PRIVATE_KEY=key.pem\n", {}, 2, "neither hex nor base64"},
		{"thumbprint sha256", {"azure-ad", "jwt", "--thumbprint", std::string(64, 'A')}, "TENANT_ID=t.example.com\nCLIENT_ID=c\nPATH_PRIVATE_KEY=key.pem\n", {}, 2, "SHA-256"},
		{"lifetime zero", {"salesforce", "jwt", "--lifetime", "0"}, sf, {}, 2, "not a positive number"},
		{"lifetime negative", {"salesforce", "jwt", "--lifetime", "-5"}, sf, {}, 2, "not a positive number"},
		{"lifetime too long", {"salesforce", "jwt", "--lifetime", "99999"}, sf, {}, 2, "maximum of 300 s"},
		{"lifetime words", {"salesforce", "jwt", "--lifetime", "five minutes"}, sf, {}, 2, "not a positive number"},
		{"alg none", {"salesforce", "jwt", "--alg", "none"}, sf, {}, 2, "never accepted"},
		{"alg HS256", {"salesforce", "jwt", "--alg", "HS256"}, sf, {}, 2, "HMAC"},
		{"alg not for provider", {"salesforce", "jwt", "--alg", "ES256"}, sf, {}, 2, "not accepted by salesforce"},
		{"claim syntax", {"salesforce", "jwt", "--claim", "novalue"}, sf, {}, 2, "NAME=VALUE"},
		{"claim reserved", {"salesforce", "jwt", "--claim", "exp=1"}, sf, {}, 2, "cannot set 'exp'"},
		{"claim bad json", {"salesforce", "jwt", "--claim", "n:={oops"}, sf, {}, 2, "needs a JSON value"},
		{"timeout words", {"salesforce", "token", "--timeout", "soon"}, sf, {}, 2, "--timeout"},
		{"output format", {"salesforce", "jwt", "--output", "yaml"}, sf, {}, 2, "not a format"},
		{"ret url absolute", {"salesforce", "frontdoor", "--ret-url", "https://evil.example/"}, sf, {}, 2, "relative URL"},
		{"tenant common", {"azure-ad", "jwt", "--tenant", "common"}, az, {}, 2, "AADSTS90010"},
		{"scope without .default", {"azure-ad", "token", "--scope", "User.Read"}, az, {}, 2, "/.default"},
		{"authority not a URL", {"azure-ad", "jwt", "--authority", "login microsoft"}, az, {}, 2, "AUTHORITY"},
		{"proxy not http", {"salesforce", "token", "--login-url", url}, sf, {{"HTTPS_PROXY", "socks5://u:" + PROXY_PASSWORD + "@127.0.0.1:1"}}, 2, "HTTPS_PROXY"},
		{"unknown option", {"salesforce", "jwt", "--frobnicate"}, sf, {}, 2, "unknown option"},
		{"unknown provider", {"nope", "jwt"}, sf, {}, 2, "unknown provider"},
		{"plugins folder of junk", {"nope", "jwt", "--plugins", dir.file("plugins-junk")}, sf, {}, 2, "unknown provider"},
		// key, certificate and file problems
		{"key missing", {"salesforce", "jwt", "--private-key", "nope.pem"}, sf, {}, 3, "No such file"},
		{"key empty", {"salesforce", "jwt", "--private-key", "empty.pem"}, sf, {}, 3, "is empty"},
		{"key truncated", {"salesforce", "jwt", "--private-key", "truncated.pem"}, sf, {}, 3, "not a valid private key"},
		{"key binary", {"salesforce", "jwt", "--private-key", "binary.pem"}, sf, {}, 3, "is not a private key"},
		{"key is a certificate", {"salesforce", "jwt", "--private-key", "cert.pem"}, sf, {}, 3, "holds a certificate"},
		{"key is a public key", {"salesforce", "jwt", "--private-key", "public.pem"}, sf, {}, 3, "holds a public key"},
		{"key is a folder", {"salesforce", "jwt", "--private-key", "plugins-junk"}, sf, {}, 3, "folder"},
		{"key of the wrong kind", {"salesforce", "jwt", "--private-key", "ec.pem"}, sf, {}, 3, "needs an RSA key"},
		{"encrypted without passphrase", {"salesforce", "jwt", "--private-key", "enc.pem"}, sf, {}, 3, "encrypted and no passphrase"},
		{"wrong passphrase", {"salesforce", "jwt", "--private-key", "enc.pem"}, sf, {{"PRIVATE_KEY_PASSPHRASE", PASSPHRASE}}, 3, "wrong passphrase"},
		{"passphrase file missing", {"salesforce", "jwt", "--private-key", "enc.pem", "--passphrase-file", "nope.txt"}, sf, {}, 3, "passphrase file"},
		{"certificate missing", {"azure-ad", "jwt", "--certificate", "nope.pem"}, az, {}, 3, "No such file"},
		{"certificate junk", {"azure-ad", "jwt", "--certificate", "binary.pem"}, az, {}, 3, "not a certificate"},
		{"certificate is a key", {"azure-ad", "jwt", "--certificate", "key.pem"}, az, {}, 3, "holds a private key"},
		{"env file missing", {"salesforce", "jwt", "--env-file", "nope.env"}, sf, {}, 3, "cannot read .env file"},
		{"env file bad line", {"salesforce", "jwt", "--env-file", "bad.env"}, sf, {}, 2, "bad.env:2:"},
		{"config missing", {"salesforce", "jwt", "--config", "nope.properties"}, sf, {}, 3, "configuration file"},
		{"verify garbage", {"verify", "--token", "a.b"}, "PATH_PUBLIC_KEY=public.pem\n", {}, 6, "malformed JWT"},
		{"decode garbage", {"decode", "--token", "a.b"}, "", {}, 2, "malformed JWT"},
		{"verify wrong key", {"verify", "--token", good, "--public-key", k.otherRsaPublic}, "", {}, 6, "signature does not match"},
		{"verify key missing", {"verify", "--token", good, "--public-key", "nope.pem"}, "", {}, 3, "No such file"},
		// identity providers that misbehave
		{"IdP answers HTML", {"salesforce", "token", "--login-url", url + "/html"}, sf, {}, 5, "not JSON"},
		{"IdP answers nothing", {"salesforce", "token", "--login-url", url + "/empty"}, sf, {}, 5, "not JSON"},
		{"IdP truncated JSON", {"salesforce", "token", "--login-url", url + "/truncated"}, sf, {}, 5, "not JSON"},
		{"IdP without access_token", {"salesforce", "token", "--login-url", url + "/noaccess"}, sf, {}, 5, "without an access_token"},
		{"IdP huge body", {"salesforce", "token", "--login-url", url + "/huge"}, sf, {}, 5, "bytes"},
		{"IdP 401", {"salesforce", "token", "--login-url", url + "/401"}, sf, {}, 5, "HTTP 401"},
		{"IdP 403", {"salesforce", "token", "--login-url", url + "/403"}, sf, {}, 5, "HTTP 403"},
		{"IdP 404", {"salesforce", "token", "--login-url", url + "/404"}, sf, {}, 5, "HTTP 404"},
		{"IdP 429", {"salesforce", "token", "--login-url", url + "/429"}, sf, {}, 5, "after 3 tries"},
		{"IdP 500", {"salesforce", "token", "--login-url", url + "/500"}, sf, {}, 5, "HTTP 500"},
		{"IdP 503", {"salesforce", "token", "--login-url", url + "/503"}, sf, {}, 5, "after 3 tries"},
		{"IdP slow", {"salesforce", "token", "--timeout", "1", "--login-url", url + "/slow"}, sf, {}, 5, "within 1 s"},
		{"IdP not there", {"salesforce", "token", "--timeout", "2", "--login-url", "https://127.0.0.1:1"}, sf, {}, 5, "connection refused"},
		{"IdP refuses (OAuth)", {"salesforce", "token", "--login-url", url + "/oauth"}, sf, {}, 4, "user hasn't approved this consumer"},
		{"TLS untrusted CA", {"salesforce", "token", "--login-url", emu->baseUrl()}, sf, {}, 5, "TLS"},
		{"TLS expired certificate", {"salesforce", "token", "--login-url", expiredServer.baseUrl(), "--ca-file", caFile}, sf, {}, 5, "TLS"},
		{"CA file missing", {"salesforce", "token", "--login-url", url, "--ca-file", "nope.pem"}, sf, {}, 3, "CA file"},
		// issue 19: hostile files, tokens and answers
		{"key readable by others", {"salesforce", "jwt", "--private-key", "key0644.pem"}, sf, {}, 3, "chmod 600"},
		{"passphrase file readable by others", {"salesforce", "jwt", "--private-key", "enc.pem", "--passphrase-file", "pass0644.txt"}, sf, {}, 3, "refusing passphrase file"},
		{"key pasted into .env", {"salesforce", "jwt", "--env-file", "pasted.env"}, sf, {}, 2, "pasted.env:3: the line has no '='"},
		{"secret after a quoted .env value", {"salesforce", "jwt", "--env-file", "quoted.env"}, sf, {}, 2, "quoted.env:1: unexpected text after the closing quote"},
		{"plugin folder writable by all", {"planted", "jwt", "--plugins", dir.file("plugins-open")}, sf, {}, 2, "plugin folder refused"},
		{"ret url with a tab", {"salesforce", "frontdoor", "--ret-url", "/\t/evil.example"}, sf, {}, 2, "control character"},
		{"ret url dot segments", {"salesforce", "frontdoor", "--ret-url", "/..//evil.example"}, sf, {}, 2, "another host"},
		{"verify far-future dates", {"verify", "--token", farFuture, "--public-key", "public.pem"}, "", {}, 6, "outside the dates"},
		{"verify iss not a string", {"verify", "--token", issNumber, "--public-key", "public.pem", "--issuer", "1"}, "", {}, 6, "not a string"},
		{"verify huge token", {"verify", "--token", hugeToken, "--public-key", "public.pem"}, "", {}, 6, "64 KiB"},
		{"verify control characters in alg", {"verify", "--token", escAlg, "--public-key", "public.pem"}, "", {}, 6, "\\x1b"},
		{"verify small RSA key", {"verify", "--token", good, "--public-key", "small.pub"}, "", {}, 3, "under 2048 bits"},
		{"IdP error with control characters", {"salesforce", "token", "--login-url", url + "/esc"}, sf, {}, 4, "\\x1b[2K"},
		{"IdP trickles its body", {"salesforce", "token", "--timeout", "1", "--login-url", url + "/trickle"}, sf, {}, 5, "within 1 s"},
	};

	int passed = 0;
	for (const auto& c: cases)
	{
		SCOPED_TRACE(c.name);
		dir.write(".env", c.dotenv);
		std::map<std::string, std::string> env = c.env;
		if (!env.count("PRIVATE_KEY_PASSPHRASE") && c.name.find("wrong passphrase") == std::string::npos) env["JWTFLOW_PLANTED"] = PASSPHRASE;
		RunResult r = runJwtflow(c.args, dir.path(), env);
		const std::string all = r.out + r.err;
		bool ok = true;
		auto check = [&](bool cond, const std::string& what) {
			EXPECT_TRUE(cond) << c.name << ": " << what << "\nexit " << r.exitCode << "\nstdout: " << r.out << "\nstderr: " << r.err;
			ok = ok && cond;
		};
		check(r.exitCode == c.exitCode, "exit code " + std::to_string(c.exitCode) + " expected");
		check(r.out.empty(), "nothing on stdout");
		check(r.err.rfind("jwtflow: error: ", 0) == 0, "one 'jwtflow: error:' message");
		check(std::count(r.err.begin(), r.err.end(), '\n') <= 2, "one message (a hint may follow)");
		check(r.err.find(c.expect) != std::string::npos, "message names the problem: " + c.expect);
		check(all.find("Exception") == std::string::npos && all.find("terminate called") == std::string::npos, "no raw exception");
		check(all.find(PASSPHRASE) == std::string::npos, "no passphrase");
		check(all.find(PROXY_PASSWORD) == std::string::npos, "no proxy password");
		check(all.find(SERVER_TOKEN) == std::string::npos, "no token");
		check(all.find(keySnippet) == std::string::npos, "no key material");
		check(all.find_first_of("\x1b\a\r") == std::string::npos, "no raw control characters");
		if (ok) ++passed;
	}
	std::cout << "bad-input matrix: " << passed << " of " << cases.size() << " cases clean" << std::endl;
	// For the summary at the end of scripts/test.sh (ctest runs tests in <build>/tests).
	std::ofstream("bad-input-matrix.txt") << "bad-input matrix: " << passed << " of " << cases.size() << " cases clean\n";
	EXPECT_GE(cases.size(), 84u);
}
