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
	std::unique_ptr<Poco::Net::HTTPServer> _server;
	bool _tls;
	int _port = 0;
};

void sendBody(Poco::Net::HTTPServerResponse& response, int status, const std::string& contentType, const std::string& body);

} // namespace testing_support

#endif
