//
// TlsHandshakeTest.cpp: what jwtflow's TLS client offers, as OpenSSL's own
// server sees it (`openssl s_server -www` answers with the client's groups).
//
#include "TestSupport.h"
#include "ScriptedServer.h"
#include "jwtflow/Exception.h"
#include "jwtflow/HttpClient.h"
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Process.h>
#include <Poco/Thread.h>
#include <gtest/gtest.h>

using namespace testing_support;

namespace {

int freePort()
{
	Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
	return socket.address().port();
}

struct OpenSslServer
	/// openssl s_server -www on loopback, with a certificate of the test CA.
{
	int port = 0;                  // before handle: start() sets it
	Poco::ProcessHandle handle;

	OpenSslServer(const std::string& folder, const std::vector<std::string>& extra = {}):
		handle(start(folder, extra))
	{
		for (int i = 0; i < 100; ++i)
		{
			try
			{
				Poco::Net::StreamSocket probe(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
				return;
			}
			catch (const Poco::Exception&)
			{
				Poco::Thread::sleep(50);
			}
		}
	}
	~OpenSslServer()
	{
		Poco::Process::kill(handle);
		handle.wait();
	}

	Poco::ProcessHandle start(const std::string& folder, const std::vector<std::string>& extra)
	{
		port = freePort();
		std::vector<std::string> args = {"s_server", "-quiet", "-accept", "127.0.0.1:" + std::to_string(port),
			"-cert", folder + "/test-server.pem", "-key", folder + "/test-server-key.pem", "-www"};
		args.insert(args.end(), extra.begin(), extra.end());
		return Poco::Process::launch(JWTFLOW_TEST_OPENSSL, args);
	}
};

std::string lineStarting(const std::string& text, const std::string& prefix)
{
	const auto at = text.find(prefix);
	if (at == std::string::npos) return {};
	const auto end = text.find('\n', at);
	return text.substr(at + prefix.size(), end == std::string::npos ? std::string::npos : end - at - prefix.size());
}

TEST(TlsHandshake, TheClientOffersX25519FirstAndOpenSslAgreesOnIt)
{
	TempDir dir;
	TestTls tls = makeTestTls(dir.path(), "127.0.0.1", true);
	OpenSslServer server(dir.path());
	jwtflow::HttpOptions options;
	options.caFile = tls.caFile;
	options.maxTries = 1;
	jwtflow::HttpClient client(options);
	jwtflow::HttpResponse page;
	try
	{
		page = client.get("https://127.0.0.1:" + std::to_string(server.port) + "/");
	}
	catch (const Poco::Exception& e)
	{
		FAIL() << e.displayText();
	}
	ASSERT_EQ(page.status, 200) << page.body;
	// The page lists what the client sent: its groups in its order of preference.
	const std::string offered = lineStarting(page.body, "Supported groups: ");
	EXPECT_EQ(offered.rfind("x25519:secp256r1:", 0), 0u) << page.body;
	EXPECT_NE(offered.find("x448"), std::string::npos) << "X448 stays available, last but two: " << offered;
	EXPECT_NE(page.body.find("TLSv1.3"), std::string::npos) << page.body;
}

TEST(TlsHandshake, AServerThatOnlyTakesX448StillGetsAHandshake)
{
	TempDir dir;
	TestTls tls = makeTestTls(dir.path(), "127.0.0.1", true);
	OpenSslServer server(dir.path(), {"-groups", "X448"});
	jwtflow::HttpOptions options;
	options.caFile = tls.caFile;
	options.maxTries = 1;
	jwtflow::HttpClient client(options);
	jwtflow::HttpResponse page = client.get("https://127.0.0.1:" + std::to_string(server.port) + "/");
	EXPECT_EQ(page.status, 200) << page.body;
	EXPECT_NE(lineStarting(page.body, "Shared groups: ").find("x448"), std::string::npos) << page.body;
}

/// What refusing OpenSSL's own server makes jwtflow's client throw: the kind
/// is data on the exception (TlsException::code), told apart by what OpenSSL's
/// verify callback recorded and by POCO's host-name check, never by wording.
struct TlsRefusal
{
	bool thrown = false;
	jwtflow::TlsFailure kind{};
	std::string message;
};

TlsRefusal refusalOf(const std::string& caFile, int port)
{
	jwtflow::HttpOptions options;
	options.caFile = caFile;
	options.maxTries = 3;   // a refusal is final: never tried again
	jwtflow::HttpClient client(options);
	TlsRefusal r;
	try
	{
		client.get("https://127.0.0.1:" + std::to_string(port) + "/");
	}
	catch (const jwtflow::TlsException& e)
	{
		r.thrown = true;
		r.kind = jwtflow::tlsFailureOf(e);
		r.message = e.message();
		EXPECT_EQ(jwtflow::exitCodeFor(e), jwtflow::ExitCode::Network);
	}
	catch (const Poco::Exception& e)
	{
		ADD_FAILURE() << "not a TlsException: " << e.displayText();
	}
	return r;
}

TEST(TlsHandshake, AnUnknownCaIsAnUntrustedCertificateInOpenSslsWords)
{
	TempDir dir, other;
	makeTestTls(dir.path(), "127.0.0.1", true);
	TestTls unrelated = makeTestTls(other.path(), "127.0.0.1", true);
	OpenSslServer server(dir.path());
	TlsRefusal r = refusalOf(unrelated.caFile, server.port);
	ASSERT_TRUE(r.thrown);
	EXPECT_EQ(r.kind, jwtflow::TlsFailure::UntrustedCertificate);
	EXPECT_NE(r.message.find("certificate is not trusted (unable to get local issuer certificate"), std::string::npos) << r.message;
	EXPECT_NE(r.message.find("set CA_FILE"), std::string::npos) << r.message;
}

TEST(TlsHandshake, AnExpiredCertificateIsRefusedAsExpired)
{
	TempDir dir;
	TestTls tls = makeTestTls(dir.path(), "127.0.0.1", true, -1);
	OpenSslServer server(dir.path());
	TlsRefusal r = refusalOf(tls.caFile, server.port);
	ASSERT_TRUE(r.thrown);
	EXPECT_EQ(r.kind, jwtflow::TlsFailure::UntrustedCertificate);
	EXPECT_NE(r.message.find("certificate has expired"), std::string::npos) << r.message;
}

TEST(TlsHandshake, ACertificateForAnotherHostIsAHostNameMismatch)
{
	TempDir dir;
	TestTls tls = makeTestTls(dir.path(), "service.example", false);
	OpenSslServer server(dir.path());
	TlsRefusal r = refusalOf(tls.caFile, server.port);
	ASSERT_TRUE(r.thrown);
	EXPECT_EQ(r.kind, jwtflow::TlsFailure::HostNameMismatch);
	EXPECT_NE(r.message.find("does not name the host 127.0.0.1"), std::string::npos) << r.message;
}

} // namespace
