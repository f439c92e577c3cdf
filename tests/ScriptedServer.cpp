//
// ScriptedServer.cpp
//
#include "ScriptedServer.h"
#include <Poco/ThreadPool.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/FileStream.h>
#include <Poco/NullStream.h>
#include "jwtflow/HttpClient.h"
#include "jwtflow/KeyFactory.h"
#include <Poco/StreamCopier.h>

namespace testing_support {

namespace {

class Handler: public Poco::Net::HTTPRequestHandler
{
public:
	Handler(ScriptedServer::Script script, std::shared_ptr<std::atomic<int>> count): _script(std::move(script)), _count(std::move(count)) {}
	void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override
	{
		Poco::NullOutputStream sink;
		Poco::StreamCopier::copyStream(request.stream(), sink);
		int n = ++*_count;
		_script(n, request, response);
	}

private:
	ScriptedServer::Script _script;
	std::shared_ptr<std::atomic<int>> _count;
};

class Factory: public Poco::Net::HTTPRequestHandlerFactory
{
public:
	Factory(ScriptedServer::Script script, std::shared_ptr<std::atomic<int>> count): _script(std::move(script)), _count(std::move(count)) {}
	Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override
	{
		return new Handler(_script, _count);
	}

private:
	ScriptedServer::Script _script;
	std::shared_ptr<std::atomic<int>> _count;
};

} // namespace

ScriptedServer::ScriptedServer(Script script, Poco::Net::Context::Ptr tls):
	_requests(std::make_shared<std::atomic<int>>(0)), _pool(new Poco::ThreadPool(2, 8)), _tls(!tls.isNull())
{
	Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
	params->setMaxThreads(4);
	params->setKeepAlive(true);
	if (_tls)
	{
		Poco::Net::SecureServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0), 64, tls);
		_port = socket.address().port();
		_server.reset(new Poco::Net::HTTPServer(new Factory(std::move(script), _requests), *_pool, socket, params));
	}
	else
	{
		Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
		_port = socket.address().port();
		_server.reset(new Poco::Net::HTTPServer(new Factory(std::move(script), _requests), *_pool, socket, params));
	}
	_server->start();
}

ScriptedServer::~ScriptedServer()
{
	// Abort the connections and wait for their threads: a handler must not
	// outlive the test's objects its script refers to, nor run into the
	// process's static destructors.
	_server->stopAll(true);
	_server.reset();
	_pool->joinAll();
}

std::string ScriptedServer::baseUrl() const
{
	return std::string(_tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(_port);
}

TestTls makeTestTls(const std::string& folder, const std::string& hostName, bool isIpAddress, int days)
{
	using namespace jwtflow;
	PrivateKey caKey = KeyFactory::generateEc();
	CertificateRequest caReq;
	caReq.isCertificateAuthority = true;
	caReq.commonName = "jwtflow test CA";
	Certificate ca = KeyFactory::issue(caKey, caReq);
	PrivateKey serverKey = KeyFactory::generateEc();
	CertificateRequest req;
	req.commonName = hostName;
	if (isIpAddress) req.ipAddresses = {hostName}; else req.dnsNames = {hostName};
	req.days = days;
	if (days < 0) req.startOffsetSeconds = (days - 3) * 86400;
	Certificate cert = KeyFactory::issue(serverKey, req, &caKey, &ca);
	TestTls tls;
	tls.caFile = folder + "/test-ca.pem";
	const std::string certFile = folder + "/test-server.pem";
	const std::string keyFile = folder + "/test-server-key.pem";
	Poco::FileOutputStream(tls.caFile) << ca.toPem();
	Poco::FileOutputStream(certFile) << cert.toPem();
	Poco::FileOutputStream(keyFile) << serverKey.toPem();
	HttpClient::initializeSsl();
	tls.context = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, keyFile, certFile, "", Poco::Net::Context::VERIFY_NONE);
	return tls;
}

void sendBody(Poco::Net::HTTPServerResponse& response, int status, const std::string& contentType, const std::string& body)
{
	response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
	response.setContentType(contentType);
	response.setContentLength(static_cast<std::streamsize>(body.size()));
	response.send() << body;
}

} // namespace testing_support
