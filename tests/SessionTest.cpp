//
// SessionTest.cpp: the cached-token Session and the SessionSubsystem, against
// the emulator and scripted servers over real loopback TLS.
//
#include "ScriptedServer.h"
#include "EmulatorSupport.h"
#include "TestSupport.h"
#include "jwtflow/Exception.h"
#include "jwtflow/PluginRegistry.h"
#include "jwtflow/Session.h"
#include "jwtflow/SessionSubsystem.h"
#include <Poco/Thread.h>
#include <Poco/Util/MapConfiguration.h>
#include <gtest/gtest.h>
#include <atomic>
#include <set>
#include <thread>

using namespace jwtflow;
using namespace testing_support;

namespace {

const char* const CLIENT_ID = "3MVG9session.consumer.key";
const char* const USER = "session.user@example.com";

class SessionTest: public ::testing::Test
{
protected:
	void SetUp() override
	{
		emu = startEmulator(dir, CLIENT_ID, {USER});
	}

	/// loginUrl stands for the org's My Domain (the emulator or a scripted server); aud stays the login host.
	Settings settingsFor(const std::string& loginUrl, const std::string& caFile, const std::string& user = USER)
	{
		Settings s;
		s.addMapLayer("test", {{"CLIENT_ID", CLIENT_ID}, {"SUBJECT", user}, {"PATH_PRIVATE_KEY", sharedKeys().rsaPkcs8},
			{"LOGIN_URL", loginUrl}, {"CA_FILE", caFile}});
		s.addDefaults(provider().settings());
		return s;
	}

	SessionOptions withClock()
	{
		SessionOptions o;
		o.clock = [this] { return Poco::Timestamp(start + offsetSeconds.load() * Poco::Timestamp::resolution()); };
		return o;
	}

	Provider& provider() { return registry.get("salesforce"); }

	/// A TLS server answering token requests with tok-<n> after a pause, or
	/// with an OAuth error for the request numbers in `failing`.
	std::unique_ptr<ScriptedServer> tokenServer(std::set<int> failing = {}, int pauseMs = 0, int expiresIn = 120)
	{
		tls = makeTestTls(dir.path(), "127.0.0.1", true);
		return std::unique_ptr<ScriptedServer>(new ScriptedServer(
			[failing, pauseMs, expiresIn](int n, Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) {
				std::string body((std::istreambuf_iterator<char>(req.stream())), std::istreambuf_iterator<char>());
				if (pauseMs) Poco::Thread::sleep(pauseMs);
				if (failing.count(n))
					sendBody(resp, 400, "application/json", "{\"error\":\"invalid_grant\",\"error_description\":\"user hasn't approved this consumer\"}");
				else
					sendBody(resp, 200, "application/json", "{\"access_token\":\"tok-" + std::to_string(n) +
						"\",\"token_type\":\"Bearer\",\"expires_in\":" + std::to_string(expiresIn) + "}");
			}, tls.context));
	}

	TempDir dir;
	PluginRegistry registry{{JWTFLOW_PLUGIN_DIR}};
	std::unique_ptr<emulator::Emulator> emu;
	TestTls tls;
	const Poco::Int64 start = Poco::Timestamp().epochMicroseconds();
	std::atomic<Poco::Int64> offsetSeconds{0};
};

TEST_F(SessionTest, CachesTheTokenAndKeepsOneConnection)
{
	Session session(provider(), settingsFor(emu->baseUrl(), emu->caFile()));
	EXPECT_EQ(session.expiresAt(), Poco::Timestamp(0));
	std::string first = session.accessToken();
	EXPECT_FALSE(first.empty());
	for (int i = 0; i < 20; ++i) EXPECT_EQ(session.accessToken(), first);
	EXPECT_EQ(session.fetches(), 1);
	EXPECT_EQ(emu->tokensIssued(), 1);
	TokenResult full = session.token();
	EXPECT_EQ(full.instanceUrl, emu->baseUrl()) << "the whole answer is cached, not only the token";

	session.invalidate();
	std::string second = session.accessToken();
	EXPECT_NE(second, first);
	EXPECT_EQ(emu->tokensIssued(), 2);
	EXPECT_EQ(emu->connectionsAccepted(), 1) << "the HTTPS connection is kept alive between fetches";
}

TEST_F(SessionTest, SalesforceTokensAreKeptForTheAssumedLifetimeAndRefreshedBeforeIt)
{
	SessionOptions o = withClock();
	o.assumedLifetimeSeconds = 900;
	o.refreshMarginSeconds = 60;
	Session session(provider(), settingsFor(emu->baseUrl(), emu->caFile()), o);
	std::string first = session.accessToken();
	EXPECT_EQ(session.expiresAt().epochMicroseconds(), start + 900 * Poco::Timestamp::resolution());
	offsetSeconds = 839;
	EXPECT_EQ(session.accessToken(), first);
	EXPECT_EQ(emu->tokensIssued(), 1);
	offsetSeconds = 841;  // inside the refresh margin
	std::string second = session.accessToken();
	EXPECT_NE(second, first);
	EXPECT_EQ(emu->tokensIssued(), 2);
	EXPECT_EQ(session.expiresAt().epochMicroseconds(), start + (841 + 900) * Poco::Timestamp::resolution());
}

TEST_F(SessionTest, TheIdpsExpiresInDecidesWhenToRefresh)
{
	auto server = tokenServer({}, 0, 120);
	SessionOptions o = withClock();
	o.refreshMarginSeconds = 300;  // more than half of 120 s: capped at 60 s
	Session session(provider(), settingsFor(server->baseUrl(), tls.caFile), o);
	EXPECT_EQ(session.accessToken(), "tok-1");
	EXPECT_EQ(session.expiresAt().epochMicroseconds(), start + 120 * Poco::Timestamp::resolution());
	offsetSeconds = 59;
	EXPECT_EQ(session.accessToken(), "tok-1");
	offsetSeconds = 61;
	EXPECT_EQ(session.accessToken(), "tok-2");
	EXPECT_EQ(server->requests(), 2);
}

TEST_F(SessionTest, EventsTellOfFetchesNeverOfTokens)
{
	auto server = tokenServer({}, 0, 120);
	SessionOptions o;
	std::vector<std::string> events;
	o.onEvent = [&events](const std::string& what) { events.push_back(what); };
	Session session(provider(), settingsFor(server->baseUrl(), tls.caFile), o);
	EXPECT_EQ(session.accessToken(), "tok-1");
	ASSERT_EQ(events.size(), 2u);
	EXPECT_EQ(events[0], "fetching a new salesforce token");
	EXPECT_EQ(events[1], "cached a salesforce token for 120 s");
	for (const auto& e: events) EXPECT_EQ(e.find("tok-"), std::string::npos) << e;
}

TEST_F(SessionTest, ConcurrentCallersShareOneFetch)
{
	auto server = tokenServer({}, 300);
	Session session(provider(), settingsFor(server->baseUrl(), tls.caFile));
	std::vector<std::string> seen(8);
	std::vector<std::thread> threads;
	for (std::size_t i = 0; i < seen.size(); ++i)
		threads.emplace_back([&session, &seen, i] { seen[i] = session.accessToken(); });
	for (auto& t: threads) t.join();
	for (const auto& s: seen) EXPECT_EQ(s, "tok-1");
	EXPECT_EQ(server->requests(), 1);
	EXPECT_EQ(session.fetches(), 1);
}

TEST_F(SessionTest, AFailureReachesEveryWaiterAndDoesNotPoisonTheCache)
{
	auto server = tokenServer({1}, 300);
	Session session(provider(), settingsFor(server->baseUrl(), tls.caFile));
	std::atomic<int> refused{0};
	std::vector<std::thread> threads;
	for (int i = 0; i < 4; ++i)
		threads.emplace_back([&] {
			try
			{
				session.accessToken();
			}
			catch (const IdpException& e)
			{
				if (e.error() == "invalid_grant" && !e.hint().empty()) ++refused;
			}
		});
	for (auto& t: threads) t.join();
	EXPECT_EQ(refused.load(), 4) << "the callers that waited for the failed fetch get its error";
	EXPECT_EQ(server->requests(), 1);
	EXPECT_EQ(session.expiresAt(), Poco::Timestamp(0)) << "nothing cached from a failure";
	EXPECT_EQ(session.accessToken(), "tok-2") << "the next call tries again";
	EXPECT_EQ(session.accessToken(), "tok-2");
	EXPECT_EQ(server->requests(), 2);
}

TEST_F(SessionTest, AFailedRefreshKeepsTheTokenThatIsStillValid)
{
	auto server = tokenServer({2}, 0, 120);
	SessionOptions o = withClock();
	Session session(provider(), settingsFor(server->baseUrl(), tls.caFile), o);
	EXPECT_EQ(session.accessToken(), "tok-1");
	Poco::Timestamp expiry = session.expiresAt();
	offsetSeconds = 100;  // in the refresh margin, not expired
	EXPECT_THROW(session.accessToken(), IdpException);
	EXPECT_EQ(session.expiresAt(), expiry);
	EXPECT_EQ(session.accessToken(), "tok-3");
}

TEST_F(SessionTest, InvalidateWithTheRejectedTokenFetchesOnce)
{
	auto server = tokenServer();
	Session session(provider(), settingsFor(server->baseUrl(), tls.caFile));
	std::string rejected = session.accessToken();
	session.invalidate(rejected);
	std::string fresh = session.accessToken();
	EXPECT_EQ(fresh, "tok-2");
	session.invalidate(rejected);  // a second caller that held the old token
	EXPECT_EQ(session.accessToken(), fresh);
	EXPECT_EQ(server->requests(), 2);
}

TEST_F(SessionTest, ErrorsFromTheIdpAndTheNetworkKeepTheirTypes)
{
	Session unknownUser(provider(), settingsFor(emu->baseUrl(), emu->caFile(), "nobody@example.com"));
	EXPECT_THROW(unknownUser.accessToken(), IdpException);
	Session untrusted(provider(), settingsFor(emu->baseUrl(), sharedKeys().rsaCert));
	try
	{
		untrusted.accessToken();
		FAIL() << "an untrusted server certificate must be refused";
	}
	catch (const NetworkException& e)
	{
		EXPECT_NE(e.message().find("TLS"), std::string::npos) << e.message();
	}
}

TEST_F(SessionTest, BadSettingsFailAtConstruction)
{
	Settings s;
	s.addMapLayer("test", {{"CLIENT_ID", CLIENT_ID}, {"SUBJECT", USER}, {"PATH_PRIVATE_KEY", dir.file("missing.pem")}});
	s.addDefaults(provider().settings());
	EXPECT_THROW(Session(provider(), s), InputException);
	SessionOptions o;
	o.assumedLifetimeSeconds = 0;
	EXPECT_THROW(Session(provider(), settingsFor(emu->baseUrl(), emu->caFile()), o), UsageException);
}

TEST_F(SessionTest, SubsystemConfiguresNamedSessions)
{
	Poco::AutoPtr<Poco::Util::MapConfiguration> config = new Poco::Util::MapConfiguration;
	config->setString("jwtflow.plugins", JWTFLOW_PLUGIN_DIR);
	config->setString("jwtflow.session.crm.provider", "salesforce");
	config->setString("jwtflow.session.crm.CLIENT_ID", CLIENT_ID);
	config->setString("jwtflow.session.crm.SUBJECT", USER);
	config->setString("jwtflow.session.crm.PATH_PRIVATE_KEY", sharedKeys().rsaPkcs8);
	config->setString("jwtflow.session.crm.LOGIN_URL", emu->baseUrl());
	config->setString("jwtflow.session.crm.CA_FILE", emu->caFile());
	config->setString("jwtflow.session.crm.assumedLifetime", "600");

	SessionSubsystem sessions;
	sessions.configure(*config);
	ASSERT_EQ(sessions.sessionNames(), std::vector<std::string>{"crm"});
	Session& crm = sessions.session("crm");
	EXPECT_FALSE(crm.accessToken().empty());
	EXPECT_EQ(crm.settings().lookup("CLIENT_ID").source, "configuration (jwtflow.session.crm)");
	EXPECT_EQ(crm.settings().lookup("AUDIENCE").source.rfind("plugins.d (", 0), 0u) << "the descriptor fills the rest";
	Poco::Int64 lifetime = (crm.expiresAt() - Poco::Timestamp()) / Poco::Timestamp::resolution();
	EXPECT_GT(lifetime, 590);
	EXPECT_LE(lifetime, 600);

	try
	{
		sessions.session("billing");
		FAIL();
	}
	catch (const UsageException& e)
	{
		EXPECT_NE(e.message().find("configured: crm"), std::string::npos) << e.message();
	}

	config->remove("jwtflow.session.crm.SUBJECT");
	try
	{
		sessions.configure(*config);
		FAIL() << "a missing setting must fail at start-up";
	}
	catch (const UsageException& e)
	{
		EXPECT_NE(e.message().find("session 'crm'"), std::string::npos) << e.message();
		EXPECT_NE(e.message().find("SUBJECT"), std::string::npos) << e.message();
	}

	config->setString("jwtflow.session.crm.SUBJECT", USER);
	config->setString("jwtflow.session.crm.provider", "nosuchidp");
	EXPECT_THROW(sessions.configure(*config), UsageException);
	config->setString("jwtflow.session.crm.provider", "salesforce");
	config->setString("jwtflow.session.crm.refreshMargin", "soon");
	EXPECT_THROW(sessions.configure(*config), UsageException);
}

} // namespace
