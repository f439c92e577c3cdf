//
// ScriptedServer.cpp
//
#include "ScriptedServer.h"
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/NullStream.h>
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
	_requests(std::make_shared<std::atomic<int>>(0)), _tls(!tls.isNull())
{
	Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
	params->setMaxThreads(4);
	params->setKeepAlive(true);
	if (_tls)
	{
		Poco::Net::SecureServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0), 64, tls);
		_port = socket.address().port();
		_server.reset(new Poco::Net::HTTPServer(new Factory(std::move(script), _requests), socket, params));
	}
	else
	{
		Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
		_port = socket.address().port();
		_server.reset(new Poco::Net::HTTPServer(new Factory(std::move(script), _requests), socket, params));
	}
	_server->start();
}

ScriptedServer::~ScriptedServer()
{
	_server->stopAll(true);
}

std::string ScriptedServer::baseUrl() const
{
	return std::string(_tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(_port);
}

void sendBody(Poco::Net::HTTPServerResponse& response, int status, const std::string& contentType, const std::string& body)
{
	response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
	response.setContentType(contentType);
	response.setContentLength(static_cast<std::streamsize>(body.size()));
	response.send() << body;
}

} // namespace testing_support
