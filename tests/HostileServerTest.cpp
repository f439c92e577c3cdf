//
// HostileServerTest.cpp: the exchange, Session and the CLI against servers
// that trickle bytes, drop kept-alive connections without close_notify, send
// huge member counts, forge lines with control characters, answer with odd
// Retry-After values, or would catch a replayed assertion (issue 19: 6, 7,
// 10, 11, 12, 14 and Retry-After).
//
#include "HostileServer.h"
#include "ScriptedServer.h"
#include "TestSupport.h"
#include "jwtflow/Assertion.h"
#include "jwtflow/Exception.h"
#include "jwtflow/HttpClient.h"
#include "jwtflow/Json.h"
#include "jwtflow/Jwt.h"
#include "jwtflow/PluginRegistry.h"
#include "jwtflow/Session.h"
#include "jwtflow/TokenClient.h"
#include <Poco/URI.h>
#include <gtest/gtest.h>
#include <set>

using namespace jwtflow;
using namespace testing_support;

namespace {

const char* const CLIENT_ID = "3MVG9hostile.consumer.key";
const char* const USER = "hostile.user@example.com";
const char* const TOKEN_JSON = "{\"access_token\":\"00Dhostile!token\",\"instance_url\":\"https://x.example\",\"token_type\":\"Bearer\"}";

class Hostile: public ::testing::Test
{
protected:
	void SetUp() override
	{
		tls = makeTestTls(dir.path(), "127.0.0.1", true);
	}

	Settings settingsFor(const std::string& audience, std::map<std::string, std::string> extra = {})
	{
		Settings s;
		std::map<std::string, std::string> values = {{"CLIENT_ID", CLIENT_ID}, {"SUBJECT", USER},
			{"PATH_PRIVATE_KEY", sharedKeys().rsaPkcs8}, {"AUDIENCE", audience}, {"CA_FILE", tls.caFile}};
		for (const auto& e: extra) values[e.first] = e.second;
		s.addMapLayer("test", values);
		s.addDefaults(salesforce().settings());
		return s;
	}

	Provider& salesforce() { return registry.get("salesforce"); }

	/// Runs the CLI's token action against the server.
	RunResult token(const HostileServer& server, const std::vector<std::string>& more = {})
	{
		std::vector<std::string> args = {"salesforce", "token", "--client-id", CLIENT_ID, "--subject", USER,
			"--private-key", sharedKeys().rsaPkcs8, "--audience", server.baseUrl(), "--ca-file", tls.caFile};
		args.insert(args.end(), more.begin(), more.end());
		return runJwtflow(args, dir.path());
	}

	static void expectClean(const RunResult& r, int code, const std::string& text)
	{
		EXPECT_EQ(r.exitCode, code) << r.err;
		EXPECT_NE(r.err.find(text), std::string::npos) << r.err;
		EXPECT_EQ(r.err.find("Exception"), std::string::npos) << r.err;
		EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << "no raw ESC reaches the terminal";
		EXPECT_EQ(r.err.find("00Dhostile!token"), std::string::npos) << "no token in errors";
	}

	TempDir dir;
	TestTls tls;
	PluginRegistry registry{{JWTFLOW_PLUGIN_DIR}};
};

/// The jti of the assertion in a token request's form body.
std::string jtiOf(const std::string& request)
{
	auto pos = request.find("assertion=");
	if (pos == std::string::npos) return {};
	std::string encoded = request.substr(pos + 10);
	encoded = encoded.substr(0, encoded.find('&'));
	std::string jwt;
	Poco::URI::decode(encoded, jwt);
	DecodedJwt decoded = decodeJwt(jwt);
	return jsonString(*decoded.claims, "jti");
}

} // namespace

TEST_F(Hostile, HeadersTrickledOneByteAtATimeEndAtTheDeadline)
{
	HostileServer server([](HostileServer::Connection& c) {
		HostileServer::trickle(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Slow: " + std::string(900, 'a'), 100);
	}, tls.context);
	RunResult r = token(server, {"--timeout", "2"});
	expectClean(r, 5, "within 2 s (the request time-out / --timeout)");
}

TEST_F(Hostile, ABodyTrickledOneByteAtATimeEndsAtTheDeadline)
{
	HostileServer server([](HostileServer::Connection& c) {
		HostileServer::sendAll(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n");
		HostileServer::trickle(c, "{\"access_token\":\"" + std::string(4000, 'x'), 100);
	}, tls.context);
	expectClean(token(server, {"--timeout", "2"}), 5, "within 2 s (the request time-out / --timeout)");
}

TEST_F(Hostile, ATlsHandshakeTrickledByAPlainServerEndsAtTheDeadline)
{
	// A TLS record header for a 16 KiB handshake message, then its bytes one at a time.
	const std::string record = std::string("\x16\x03\x03\x40\x00", 5) + std::string(900, '\x02');
	HostileServer server([&record](HostileServer::Connection& c) { HostileServer::trickle(c, record, 100); });
	HttpOptions options;
	options.caFile = tls.caFile;
	options.timeoutSeconds = 2;
	HttpClient http(options);
	const std::string url = "https" + server.baseUrl().substr(4) + "/services/oauth2/token";
	try
	{
		http.postForm(url, {{"a", "b"}});
		FAIL() << "a trickled handshake must end";
	}
	catch (const NetworkException& e)
	{
		EXPECT_NE(e.message().find("within 2 s"), std::string::npos) << e.message();
	}
}

TEST_F(Hostile, EveryWaiterOfASessionIsFreedByTheDeadline)
{
	HostileServer server([](HostileServer::Connection& c) {
		HostileServer::trickle(c, "HTTP/1.1 200 OK\r\n" + std::string(900, 'X'), 100);
	}, tls.context);
	SessionOptions options;
	options.timeoutSeconds = 2;
	Session session(salesforce(), settingsFor(server.baseUrl()), options);
	std::vector<std::thread> waiters;
	std::atomic<int> failed{0};
	for (int i = 0; i < 3; ++i)
		waiters.emplace_back([&] {
			try
			{
				session.accessToken();
			}
			catch (const NetworkException&)
			{
				++failed;
			}
		});
	for (auto& t: waiters) t.join();
	EXPECT_EQ(failed.load(), 3);
	EXPECT_EQ(session.fetches(), 1) << "the waiters shared the one fetch";
}

TEST_F(Hostile, AKeptAliveConnectionDroppedWithoutCloseNotifyIsReconnectedOnce)
{
	HostileServer server([&](HostileServer::Connection& c) {
		while (!c.stopping)
		{
			if (server.readRequest(c).empty()) return;
			HostileServer::sendAll(c, HostileServer::okJson("{\"user_id\":\"005x\",\"organization_id\":\"00Dx\"}"));
			// Then drop it, as a load balancer does with an idle connection: no close_notify.
			HostileServer::dropWithoutCloseNotify(c);
			return;
		}
	}, tls.context);
	HttpOptions options;
	options.caFile = tls.caFile;
	options.timeoutSeconds = 5;
	HttpClient http(options);
	for (int i = 0; i < 4; ++i)
	{
		HttpResponse r = http.get(server.baseUrl() + "/id/00Dx/005x", "token");
		EXPECT_EQ(r.status, 200) << "request " << i;
		EXPECT_EQ(r.tries, 1) << "a free reconnect is not a retry";
	}
	EXPECT_EQ(server.connections(), 4);
}

TEST_F(Hostile, ASessionRefreshesOverADroppedConnectionEveryTime)
{
	std::atomic<int> served{0};
	HostileServer server([&](HostileServer::Connection& c) {
		if (server.readRequest(c).empty()) return;
		HostileServer::sendAll(c, HostileServer::okJson("{\"access_token\":\"tok-" + std::to_string(++served)
			+ "\",\"token_type\":\"Bearer\",\"expires_in\":120}"));
		HostileServer::dropWithoutCloseNotify(c);
	}, tls.context);
	Session session(salesforce(), settingsFor(server.baseUrl()));
	for (int i = 1; i <= 3; ++i)
	{
		session.invalidate();
		EXPECT_EQ(session.accessToken(), "tok-" + std::to_string(i));
	}
}

TEST_F(Hostile, ACertificateFailureIsStillReportedAsOne)
{
	TempDir other;
	TestTls untrusted = makeTestTls(other.path(), "127.0.0.1", true);
	HostileServer server([&](HostileServer::Connection& c) { server.readRequest(c); }, untrusted.context);
	expectClean(token(server), 5, "certificate is not trusted");
}

TEST_F(Hostile, EachRetryCarriesAFreshAssertion)
{
	HostileServer server([&](HostileServer::Connection& c) {
		while (!c.stopping)
		{
			if (server.readRequest(c).empty()) return;
			if (server.requests().size() < 3)
				HostileServer::sendAll(c, "HTTP/1.1 504 Gateway Timeout\r\nContent-Length: 0\r\nRetry-After: 1\r\n\r\n");
			else
				HostileServer::sendAll(c, HostileServer::okJson(TOKEN_JSON));
		}
	}, tls.context);
	// oidc: its assertions carry a jti, which IdPs such as Okta and Entra ID refuse to see twice.
	RunResult r = runJwtflow({"oidc", "token", "--client-id", CLIENT_ID, "--private-key", sharedKeys().rsaPkcs8,
		"--token-endpoint", server.baseUrl() + "/oauth2/v1/token", "--scope", "api", "--ca-file", tls.caFile}, dir.path());
	ASSERT_EQ(r.exitCode, 0) << r.err;
	ASSERT_EQ(server.requests().size(), 3u);
	std::set<std::string> jtis;
	for (const auto& request: server.requests()) jtis.insert(jtiOf(request));
	EXPECT_EQ(jtis.size(), 3u) << "an IdP that refuses replays would refuse a re-sent jti";
	EXPECT_EQ(jtis.count(""), 0u) << server.requests()[0];
}

TEST_F(Hostile, APostOrPatchIsNeverSentTwiceButA429Is)
{
	// The status each request gets, in order.
	std::vector<std::string> answers = {
		"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nRetry-After: 1\r\n\r\n",   // POST: not retried
		"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nRetry-After: 1\r\n\r\n",   // GET: retried ...
		"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nX-Answer: one\r\n\r\n{}",
		"HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\nRetry-After: 1\r\n\r\n",     // PATCH: 429 retried ...
		"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n",
	};
	HostileServer server([&](HostileServer::Connection& c) {
		while (!c.stopping)
		{
			if (server.readRequest(c).empty()) return;
			const std::size_t n = server.requests().size();
			HostileServer::sendAll(c, n <= answers.size() ? answers[n - 1] : "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n");
		}
	}, tls.context);
	HttpOptions options;
	options.caFile = tls.caFile;
	options.timeoutSeconds = 10;
	HttpClient http(options);
	HttpCall post;
	post.method = "POST";
	post.url = server.baseUrl() + "/services/data/v60.0/sobjects/Account";
	post.body = "{\"Name\":\"x\"}";
	post.bearerToken = "00Dtoken!secret";
	post.headers = {{"X-Custom", "value"}, {"Accept", "application/xml"}};
	EXPECT_EQ(http.request(post).status, 503);
	ASSERT_EQ(server.requests().size(), 1u) << "a POST that got a 503 may have been carried out: not sent again";
	const std::string& sent = server.requests()[0];
	EXPECT_NE(sent.find("POST /services/data/v60.0/sobjects/Account HTTP/1.1"), std::string::npos) << sent;
	EXPECT_NE(sent.find("X-Custom: value"), std::string::npos) << sent;
	EXPECT_NE(sent.find("Accept: application/xml"), std::string::npos) << "a given header replaces the default";
	EXPECT_EQ(sent.find("Accept: application/json"), std::string::npos) << sent;
	EXPECT_NE(sent.find("Content-Type: application/json"), std::string::npos) << "JSON unless told otherwise";
	EXPECT_NE(sent.find("Authorization: Bearer 00Dtoken!secret"), std::string::npos);
	EXPECT_NE(sent.find("{\"Name\":\"x\"}"), std::string::npos);

	HttpCall get;
	get.url = server.baseUrl() + "/services/data/";
	HttpResponse got = http.request(get);
	EXPECT_EQ(got.status, 200);
	EXPECT_EQ(got.tries, 2) << "a GET is retried after a 503";
	bool sawHeader = false;
	for (const auto& h: got.headers) sawHeader = sawHeader || (h.first == "X-Answer" && h.second == "one");
	EXPECT_TRUE(sawHeader) << "the final response's headers are kept";

	HttpCall patch;
	patch.method = "patch";
	patch.url = server.baseUrl() + "/x";
	patch.body = "{}";
	HttpResponse patched = http.request(patch);
	EXPECT_EQ(patched.status, 204);
	EXPECT_EQ(patched.tries, 2) << "a 429 means the server did nothing: retried for every method";
	EXPECT_EQ(server.requests().size(), 5u);

	HttpCall smuggle = get;
	smuggle.headers = {{"X-A", "b\r\nX-Injected: yes"}};
	EXPECT_THROW(http.request(smuggle), UsageException);
	smuggle.headers = {{"X A", "b"}};
	EXPECT_THROW(http.request(smuggle), UsageException);
	HttpCall odd = get;
	odd.method = "BREW";
	EXPECT_THROW(http.request(odd), UsageException);
	EXPECT_EQ(server.requests().size(), 5u) << "refused before sending";
}

TEST_F(Hostile, AHeadAnswerHasNoBodyWhateverItsContentLengthSays)
{
	HostileServer server([&](HostileServer::Connection& c) {
		while (!c.stopping)
		{
			if (server.readRequest(c).empty()) return;
			HostileServer::sendAll(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\n\r\n");
		}
	}, tls.context);
	HttpOptions options;
	options.caFile = tls.caFile;
	options.timeoutSeconds = 5;
	HttpClient http(options);
	HttpCall head;
	head.method = "HEAD";
	head.url = server.baseUrl() + "/services/data/";
	HttpResponse r = http.request(head);
	EXPECT_EQ(r.status, 200);
	EXPECT_EQ(r.body, "");
	EXPECT_EQ(r.tries, 1) << "not a broken answer";
}

TEST_F(Hostile, RetryAfterIsClampedToOneToSixtySeconds)
{
	EXPECT_EQ(retryAfterSeconds(""), -1);
	EXPECT_EQ(retryAfterSeconds("soon"), -1);
	EXPECT_EQ(retryAfterSeconds("-5"), 1) << "a negative value must not retry at once";
	EXPECT_EQ(retryAfterSeconds("0"), 1);
	EXPECT_EQ(retryAfterSeconds("7"), 7);
	EXPECT_EQ(retryAfterSeconds("86400"), 60);
	EXPECT_EQ(retryAfterSeconds("99999999999999999999999"), 60);
	EXPECT_EQ(retryAfterSeconds("Fri, 31 Dec 9999 23:59:59 GMT"), 60) << "a far-future date must not retry at once";
	EXPECT_EQ(retryAfterSeconds("Thu, 01 Jan 1970 00:00:00 GMT"), 1);
}

TEST_F(Hostile, AHugeMemberCountIsRefusedQuickly)
{
	std::string json = "{";
	for (int i = 0; i < 50000; ++i) json += "\"k" + std::to_string(i) + "\":1,";
	json += "\"access_token\":\"00Dhostile!token\"}";
	HostileServer server([&](HostileServer::Connection& c) {
		if (server.readRequest(c).empty()) return;
		HostileServer::sendAll(c, HostileServer::okJson(json, false));
	}, tls.context);
	expectClean(token(server, {"--timeout", "30"}), 5, "not JSON");
	EXPECT_THROW(parseJsonObject(json), Poco::DataFormatException);
	try
	{
		parseJsonObject(json);
	}
	catch (const Poco::DataFormatException& e)
	{
		EXPECT_NE(e.message().find("too many members"), std::string::npos) << e.message();
	}
}

TEST_F(Hostile, ControlCharactersInAnIdpErrorAreEscaped)
{
	const std::string description = "bad\x1b[2K\rvalid: signature ok\x07\nforged line\xc2\x9b""31m\xe2\x80\xae";
	HostileServer server([&](HostileServer::Connection& c) {
		if (server.readRequest(c).empty()) return;
		Poco::JSON::Object body;
		body.set("error", "invalid_grant\x1b]0;title\x07");
		body.set("error_description", description);
		const std::string json = toJson(Poco::Dynamic::Var(Poco::JSON::Object::Ptr(new Poco::JSON::Object(body))));
		HostileServer::sendAll(c, "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: "
			+ std::to_string(json.size()) + "\r\nConnection: close\r\n\r\n" + json);
	}, tls.context);
	RunResult r = token(server);
	expectClean(r, 4, "invalid_grant");
	EXPECT_NE(r.err.find("\\x1b"), std::string::npos) << r.err;
	EXPECT_EQ(r.err.find('\r'), std::string::npos);
	EXPECT_EQ(r.err.find('\a'), std::string::npos);
	EXPECT_EQ(r.err.find("\nforged line"), std::string::npos) << "a newline from the IdP cannot start a line";
	EXPECT_EQ(r.err.find("\xc2\x9b"), std::string::npos) << "nor a C1 CSI";
	EXPECT_EQ(r.err.find("\xe2\x80\xae"), std::string::npos) << "nor a right-to-left override";
}

TEST_F(Hostile, AnHtmlErrorPageWithControlCharactersIsEscaped)
{
	HostileServer server([&](HostileServer::Connection& c) {
		if (server.readRequest(c).empty()) return;
		const std::string html = "<html><body>Down\x1b[31m for maintenance\x07</body></html>";
		HostileServer::sendAll(c, "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/html\r\nContent-Length: "
			+ std::to_string(html.size()) + "\r\nConnection: close\r\n\r\n" + html);
	}, tls.context);
	RunResult r = token(server);
	expectClean(r, 5, "for maintenance");
}

TEST_F(Hostile, AHugeExpiresInDoesNotDefeatTheSessionCache)
{
	for (const std::string expires: {"9223372036854775807", "10000000000000", "1e300"})
	{
		HostileServer server([&](HostileServer::Connection& c) {
			while (!c.stopping)
			{
				if (server.readRequest(c).empty()) return;
				HostileServer::sendAll(c, HostileServer::okJson("{\"access_token\":\"tok\",\"token_type\":\"Bearer\",\"expires_in\":"
					+ expires + "}"));
			}
		}, tls.context);
		Session session(salesforce(), settingsFor(server.baseUrl()));
		EXPECT_EQ(session.accessToken(), "tok");
		EXPECT_EQ(session.accessToken(), "tok");
		EXPECT_EQ(session.fetches(), 1) << "expires_in " << expires;
		EXPECT_GT(session.expiresAt(), Poco::Timestamp()) << expires;
		EXPECT_LE(session.expiresAt() - Poco::Timestamp(), Poco::Timestamp::TimeDiff(7LL * 24 * 3600 * 1000000)) << expires;
	}
}

TEST_F(Hostile, AnEventCallbackThatAsksForTheTokenDoesNotDeadlock)
{
	HostileServer server([&](HostileServer::Connection& c) {
		while (!c.stopping)
		{
			if (server.readRequest(c).empty()) return;
			HostileServer::sendAll(c, HostileServer::okJson(TOKEN_JSON));
		}
	}, tls.context);
	Session* self = nullptr;
	std::vector<std::string> seen;
	SessionOptions options;
	options.onEvent = [&](const std::string& what) {
		if (what.find("fetching") == std::string::npos) return;
		try
		{
			self->accessToken();
			seen.push_back("token");
		}
		catch (const jwtflow::Exception& e)
		{
			seen.push_back(e.message());
		}
	};
	Session session(salesforce(), settingsFor(server.baseUrl()), options);
	self = &session;
	EXPECT_EQ(session.accessToken(), "00Dhostile!token");
	ASSERT_EQ(seen.size(), 1u);
	EXPECT_NE(seen[0].find("cannot wait for itself"), std::string::npos) << seen[0];
}
