//
// ScriptedServer.h: a loopback HTTP(S) server whose answers a test scripts,
// for the failure modes a real IdP shows (503 + Retry-After, HTML 500, huge bodies).
//
#ifndef JWTFLOW_SCRIPTEDSERVER_INCLUDED
#define JWTFLOW_SCRIPTEDSERVER_INCLUDED

#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/Context.h>
#include <Poco/ThreadPool.h>
#include <atomic>
#include <functional>
#include <memory>
#include <string>

namespace testing_support {

class ScriptedServer
{
public:
	using Script = std::function<void(int requestNumber, Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&)>;

	explicit ScriptedServer(Script script, Poco::Net::Context::Ptr tls = nullptr);
		/// Starts serving on 127.0.0.1 (HTTPS when tls is given).
	~ScriptedServer();

	std::string baseUrl() const;
	int requests() const { return _requests->load(); }

private:
	std::shared_ptr<std::atomic<int>> _requests;
	std::unique_ptr<Poco::ThreadPool> _pool;
	std::unique_ptr<Poco::Net::HTTPServer> _server;
	bool _tls;
	int _port = 0;
};

struct TestTls
	/// A test CA and a server TLS context whose certificate it signed.
{
	std::string caFile;                 /// the CA to trust (CA_FILE / --ca-file)
	Poco::Net::Context::Ptr context;    /// for ScriptedServer
};

TestTls makeTestTls(const std::string& folder, const std::string& hostName, bool isIpAddress = false, int days = 1);
	/// Makes the CA and a server certificate for hostName (a negative days gives an
	/// expired one) in folder.

void sendBody(Poco::Net::HTTPServerResponse& response, int status, const std::string& contentType, const std::string& body);

} // namespace testing_support

#endif
