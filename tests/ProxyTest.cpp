//
// ProxyTest.cpp: HTTPS_PROXY: a CONNECT tunnel through a loopback proxy, TLS
// verified against the origin's name, proxy credentials, NO_PROXY.
//
#include "ConnectProxy.h"
#include "ScriptedServer.h"
#include "TestSupport.h"
#include "jwtflow/HttpClient.h"
#include "jwtflow/KeyFactory.h"
#include <gtest/gtest.h>

using namespace jwtflow;
using namespace testing_support;

TEST(Proxy, TokenRequestGoesThroughTheConnectTunnel)
{
	TempDir dir;
	TestTls tls = makeTestTls(dir.path(), "idp.jwtflow.test");
	const std::string caFile = tls.caFile;
	Poco::Net::Context::Ptr ctx = tls.context;
	ScriptedServer idp([](int, Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& resp) {
		if (request.getURI() != "/services/oauth2/token") return sendBody(resp, 404, "text/plain", "no");
		sendBody(resp, 200, "application/json", "{\"access_token\":\"via-proxy\",\"instance_url\":\"https://idp.jwtflow.test\"}");
	}, ctx);
	const std::string port = idp.baseUrl().substr(idp.baseUrl().rfind(':') + 1);
	ConnectProxy proxy;

	dir.write("private_key.pem", readFile(sharedKeys().rsaPkcs8));
	dir.write(".env", "CLIENT_ID=c\nSUBJECT=s@example.com\nPATH_PRIVATE_KEY=private_key.pem\nCA_FILE=" + caFile +
		"\nAUDIENCE=https://idp.jwtflow.test:" + port + "\n");
	const std::map<std::string, std::string> env = {{"HTTPS_PROXY", "http://user:s3cret@127.0.0.1:" + std::to_string(proxy.port())}};
	RunResult r = runJwtflow({"salesforce", "token"}, dir.path(), env);
	ASSERT_EQ(r.exitCode, 0) << r.err;
	EXPECT_EQ(trim(r.out), "via-proxy");
	ASSERT_EQ(proxy.requests().size(), 1u);
	EXPECT_EQ(proxy.requests()[0], "CONNECT idp.jwtflow.test:" + port + " HTTP/1.1");
	EXPECT_EQ(proxy.authorizations()[0], "Basic dXNlcjpzM2NyZXQ=");

	// NO_PROXY: the host is then resolved directly, which fails for this test-only name.
	std::map<std::string, std::string> noProxy = env;
	noProxy["NO_PROXY"] = ".jwtflow.test";
	RunResult direct = runJwtflow({"salesforce", "token", "--timeout", "5"}, dir.path(), noProxy);
	EXPECT_EQ(direct.exitCode, 5) << direct.err;
	EXPECT_EQ(proxy.requests().size(), 1u);
	EXPECT_EQ(direct.err.find("s3cret"), std::string::npos) << "proxy credentials never shown";

	// A malformed proxy setting is a settings error.
	RunResult bad = runJwtflow({"salesforce", "token"}, dir.path(), {{"HTTPS_PROXY", "socks5://127.0.0.1:1"}});
	EXPECT_EQ(bad.exitCode, 2) << bad.err;
}
