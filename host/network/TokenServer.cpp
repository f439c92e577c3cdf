//
// TokenServer.cpp
//
// Module: jwtflow-network
//
// SPDX-License-Identifier: BSL-1.0
//
#include "TokenServer.h"
#include "LoginCache.h"
#include "jwtflow/ClientAssertion.h"
#include "jwtflow/Encoding.h"
#include "jwtflow/Exception.h"
#include "jwtflow/Json.h"
#include "jwtflow/Network.h"
#include "jwtflow/SafeText.h"
#include "jwtflow/SecureFiles.h"
#include <Poco/File.h>
#include <Poco/JSON/Array.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/NumberParser.h>
#include <Poco/RandomStream.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>
#include <Poco/URI.h>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <thread>
#include <map>
#include <mutex>
#include <set>
#include <sys/stat.h>

using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

namespace jwtflow {
namespace host {

namespace {

const char* const APP_SERVICE_PATH = "/msi/token";
const char* const IMDS_PATH = "/metadata/identity/oauth2/token";
const char* const GOOGLE_ACCOUNTS = "/computeMetadata/v1/instance/service-accounts/";
const char* const CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform";

enum class Shape { Azure, Google, Plain };

std::vector<std::string> words(const std::string& text, const char* separators)
{
	std::vector<std::string> out;
	Poco::StringTokenizer tok(text, separators, Poco::StringTokenizer::TOK_IGNORE_EMPTY | Poco::StringTokenizer::TOK_TRIM);
	for (const auto& w: tok) out.push_back(w);
	return out;
}

std::string resourceOf(const std::string& scopeOrResource)
{
	const std::string suffix = "/.default";
	if (scopeOrResource.size() > suffix.size() && scopeOrResource.compare(scopeOrResource.size() - suffix.size(), suffix.size(), suffix) == 0)
		return scopeOrResource.substr(0, scopeOrResource.size() - suffix.size());
	return scopeOrResource;
}

bool sameSecret(const std::string& a, const std::string& b)
{
	if (a.size() != b.size() || a.empty()) return false;
	unsigned char diff = 0;
	for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
	return diff == 0;
}

/// The host part of a Host header ("127.0.0.1:8080", "[::1]:80", "localhost").
std::string hostPart(const std::string& header)
{
	if (!header.empty() && header[0] == '[')
	{
		const std::size_t end = header.find(']');
		return end == std::string::npos ? header : header.substr(0, end + 1);
	}
	const std::size_t colon = header.find(':');
	return colon == std::string::npos ? header : header.substr(0, colon);
}

/// The service account a Google credentials file acts as: its client_email, or the e-mail of its impersonation URL.
std::string googleEmail(const Settings& settings)
{
	const std::string path = settings.getOr("KEY_FILE", settings.getOr("GOOGLE_APPLICATION_CREDENTIALS", ""));
	if (path.empty()) return "default";
	try
	{
		Poco::JSON::Object::Ptr file = parseJsonObject(readTextFile(path, "Google credentials file", 64 * 1024));
		const std::string email = jsonString(*file, "client_email");
		if (!email.empty()) return email;
		const std::string url = jsonString(*file, "service_account_impersonation_url");
		const std::size_t at = url.rfind("/serviceAccounts/"), end = url.rfind(":generateAccessToken");
		if (at != std::string::npos && end != std::string::npos && end > at) return url.substr(at + 17, end - at - 17);
	}
	catch (const Poco::Exception&)
	{
	}
	return "default";
}

struct Answer
{
	int status = 200;
	std::string contentType = "application/json";
	std::string body;
	std::string note;      ///< for -v: what was served (never a token)
};

Answer jsonAnswer(int status, const Poco::JSON::Object& body, const std::string& note = "")
{
	return Answer{status, "application/json", toJson(body), note};
}

Answer error(int status, const std::string& code, const std::string& description)
{
	Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
	body.set("error", code);
	body.set("error_description", description);
	return jsonAnswer(status, body, code + ": " + description);
}

} // namespace

/// Shuts down a connection whose request head has not arrived whole by its deadline: POCO's time-out
/// is per read, so a peer trickling a byte at a time would otherwise hold a server thread for ever.
class HeadDeadlines
{
public:
	HeadDeadlines(): _thread([this] { run(); }) {}
	~HeadDeadlines()
	{
		{
			std::lock_guard<std::mutex> lock(_mutex);
			_stop = true;
		}
		_wake.notify_all();
		_thread.join();
	}

	std::uint64_t arm(const Poco::Net::StreamSocket& socket, std::chrono::steady_clock::time_point deadline)
	{
		// No wake-up per request: the watcher looks every TICK (a deadline holds within a TICK).
		std::lock_guard<std::mutex> lock(_mutex);
		const std::uint64_t id = ++_next;
		_armed.emplace_hint(_armed.end(), id, std::make_pair(deadline, socket));
		return id;
	}

	void disarm(std::uint64_t id)
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_armed.erase(id);
	}

private:
	void run()
	{
		std::unique_lock<std::mutex> lock(_mutex);
		while (!_stop)
		{
			_wake.wait_for(lock, TICK);
			const auto now = std::chrono::steady_clock::now();
			// Ids grow with time and every deadline is now + the same span: the expired ones come first.
			for (auto it = _armed.begin(); it != _armed.end() && it->second.first <= now;)
			{
				try
				{
					it->second.second.shutdown();   // the blocked read ends: the request fails, the connection closes
				}
				catch (const Poco::Exception&)
				{
				}
				it = _armed.erase(it);
			}
		}
	}

	static constexpr std::chrono::milliseconds TICK{250};

	std::mutex _mutex;
	std::condition_variable _wake;
	std::map<std::uint64_t, std::pair<std::chrono::steady_clock::time_point, Poco::Net::StreamSocket>> _armed;
	std::uint64_t _next = 0;
	bool _stop = false;
	std::thread _thread;   // last: started once the rest is made
};

const std::chrono::seconds HEAD_DEADLINE(5);   ///< a token request's head is a few hundred bytes, on this machine

struct TokenServer::Impl
{
	Impl(const Provider& p, const Settings& s, TokenServerOptions o): provider(p), settings(s), options(std::move(o)) {}

	const Provider& provider;
	Settings settings;
	TokenServerOptions options;
	Shape shape = Shape::Plain;
	std::string secret;
	std::vector<std::string> allowed;      ///< azure: resources; google: scopes
	std::string defaultKey;                ///< the resource or scope set /token serves by default
	std::string email;                     ///< google: the service account
	std::string clientId;                  ///< azure: CLIENT_ID, read once
	std::mutex mutex;
	std::map<std::string, std::unique_ptr<Session>> sessions;
	std::unique_ptr<Poco::Net::TCPServer> server;
	Poco::Net::HTTPServerParams::Ptr params;
	std::unique_ptr<HeadDeadlines> deadlines;   ///< a request head must arrive whole within HEAD_DEADLINE
	std::mutex connectionsMutex;
	std::condition_variable connectionsDone;
	std::map<std::uint64_t, Poco::Net::StreamSocket> connections;   ///< open ones, shut down at stop
	std::uint64_t nextConnection = 0;
	std::atomic<bool> stopping{false};
	std::string boundAddress;              ///< host:port, or the socket path
	bool onSocket = false;

	/// The session for a resource (azure), a scope set (google) or the settings as they are.
	Session& session(const std::string& key)
	{
		std::lock_guard<std::mutex> lock(mutex);
		auto it = sessions.find(key);
		if (it != sessions.end()) return *it->second;
		Settings scoped;
		if (shape == Shape::Azure) scoped.addMapLayer("serve", {{"SCOPE", key + "/.default"}});
		else if (shape == Shape::Google) scoped.addMapLayer("serve", {{"SCOPE", key}});
		const Settings base = settings;
		scoped.addLayer("settings", [base](const std::string& name) { return base.get(name); });
		SessionOptions o;
		o.timeoutSeconds = options.timeoutSeconds;
		o.assumedLifetimeSeconds = static_cast<int>(sessionLifetime(settings));
		// The CLI's store (file or Redis); a federated login has no key to seal one with.
		o.storeSpec = usesFederatedCredential(provider, settings) ? "memory" : settings.getOr("TOKEN_STORE", "file");
		if (options.log) o.onEvent = options.log;
		auto made = std::make_unique<Session>(provider, scoped, o);
		Session& s = *made;
		sessions[key] = std::move(made);
		return s;
	}

	int logins()
	{
		std::lock_guard<std::mutex> lock(mutex);
		int n = 0;
		for (const auto& s: sessions) n += s.second->fetches();
		return n;
	}

	/// What the request may ask for, checked against what the operator allowed.
	std::string allowedResource(const std::string& asked, std::string& problem) const
	{
		const std::string resource = resourceOf(asked);
		for (const auto& a: allowed)
			if (a == resource) return resource;
		std::string list;
		for (const auto& a: allowed) list += (list.empty() ? "" : ", ") + a;
		problem = "resource " + quotedText(asked, 120) + " is not one this server hands out (" + list + "): start it with --resource "
			+ quotedText(resource, 120);
		return {};
	}

	std::string allowedScopes(const std::string& asked, std::string& problem) const
	{
		std::set<std::string> set;
		for (const auto& w: words(asked, ", ")) set.insert(w);
		if (set.empty()) return defaultKey;
		std::string key;
		for (const auto& s: set)
		{
			if (std::find(allowed.begin(), allowed.end(), s) == allowed.end())
			{
				problem = "scope " + quotedText(s, 120) + " is not one this server hands out: start it with --scope " + quotedText(s, 120);
				return {};
			}
			key += (key.empty() ? "" : " ") + s;
		}
		return key;
	}

	struct Served
	{
		TokenResult token;
		Poco::Int64 expiresAt = 0;
	};

	Served fetch(const std::string& key)
	{
		Session& s = session(key);
		Served served;
		served.token = s.token();
		served.expiresAt = s.expiresAt().epochTime();
		return served;
	}

	Answer loginFailed(const Poco::Exception& e) const
	{
		const bool idp = dynamic_cast<const IdpException*>(&e) || dynamic_cast<const NetworkException*>(&e);
		return error(idp ? 502 : 500, idp ? "login_failed" : "server_misconfigured", e.message());
	}

	Answer handle(HTTPServerRequest& request);
	Answer appService(HTTPServerRequest& request, const Poco::URI::QueryParameters& query);
	Answer imds(HTTPServerRequest& request, const Poco::URI::QueryParameters& query);
	Answer google(HTTPServerRequest& request, const std::string& path, const Poco::URI::QueryParameters& query);
	Answer plain(HTTPServerRequest& request, const Poco::URI::QueryParameters& query);
};

namespace {

std::string param(const Poco::URI::QueryParameters& query, const std::string& name)
{
	for (const auto& p: query)
		if (p.first == name) return p.second;
	return {};
}

} // namespace


Answer TokenServer::Impl::handle(HTTPServerRequest& request)
{
	if (request.getMethod() != "GET")
		return error(405, "invalid_request", "only GET is served");
	if (request.has("X-Forwarded-For"))
		return error(400, "invalid_request", "a request with X-Forwarded-For is refused (it came through a proxy, as IMDS refuses one)");
	if (!isLoopbackHost(hostPart(request.getHost())))
		return error(403, "invalid_request", "Host must be a loopback name or address (localhost, 127.0.0.1, [::1])");
	if (request.hasContentLength() && request.getContentLength64() > 0)
		return error(400, "invalid_request", "a token request has no body");
	if (request.getChunkedTransferEncoding()) return error(400, "invalid_request", "a token request has no body");
	Poco::URI uri;
	try
	{
		uri = Poco::URI(request.getURI());
	}
	catch (const Poco::Exception&)
	{
		return error(400, "invalid_request", "the request target is not a URI");
	}
	Poco::URI::QueryParameters query;
	try
	{
		query = uri.getQueryParameters();
	}
	catch (const Poco::Exception&)
	{
		return error(400, "invalid_request", "the query is malformed");
	}
	const std::string path = uri.getPath();
	if (path == "/token") return plain(request, query);
	if (shape == Shape::Azure && path == APP_SERVICE_PATH) return appService(request, query);
	if (shape == Shape::Azure && path == IMDS_PATH) return imds(request, query);
	if (shape == Shape::Google && (path == "/" || path.rfind("/computeMetadata/v1", 0) == 0)) return google(request, path, query);
	return error(404, "not_found", "no such endpoint: " + safeText(path, 80));
}

Answer TokenServer::Impl::appService(HTTPServerRequest& request, const Poco::URI::QueryParameters& query)
{
	if (!sameSecret(request.get("X-IDENTITY-HEADER", ""), secret))
		return error(401, "unauthorized", "X-IDENTITY-HEADER is missing or wrong: send IDENTITY_HEADER's value");
	if (param(query, "api-version") != "2019-08-01")
		return error(400, "invalid_request", "api-version must be 2019-08-01");
	const std::string asked = param(query, "resource");
	if (asked.empty()) return error(400, "invalid_request", "resource is required");
	const std::string askedClient = param(query, "client_id");
	if (!askedClient.empty() && askedClient != clientId)
		return error(400, "invalid_request", "client_id " + quotedText(askedClient, 60) + " is not the identity this server holds");
	std::string problem;
	const std::string resource = allowedResource(asked, problem);
	if (resource.empty()) return error(400, "invalid_request", problem);
	try
	{
		const Served s = fetch(resource);
		// Written out rather than through Poco::JSON: the answer every client asks for, on the hot path.
		return Answer{200, "application/json", "{\"access_token\":" + quoteJson(s.token.accessToken) + ",\"expires_on\":"
			+ std::to_string(s.expiresAt) + ",\"resource\":" + quoteJson(asked) + ",\"token_type\":\"Bearer\",\"client_id\":"
			+ quoteJson(clientId) + "}", options.log ? "resource " + resource : std::string()};
	}
	catch (const Poco::Exception& e)
	{
		return loginFailed(e);
	}
}

Answer TokenServer::Impl::imds(HTTPServerRequest& request, const Poco::URI::QueryParameters& query)
{
	if (Poco::toLower(request.get("Metadata", "")) != "true")
		return error(400, "bad_request", "Required metadata header not specified");
	if (param(query, "api-version").empty()) return error(400, "bad_request", "Required query variable 'api-version' is missing");
	const std::string asked = param(query, "resource");
	if (asked.empty()) return error(400, "invalid_request", "Required query variable 'resource' is missing");
	const std::string askedClient = param(query, "client_id");
	if (!askedClient.empty() && askedClient != clientId)
		return error(400, "invalid_request", "Identity not found: client_id " + quotedText(askedClient, 60) + " is not the one this server holds");
	std::string problem;
	const std::string resource = allowedResource(asked, problem);
	if (resource.empty()) return error(400, "invalid_request", problem);
	try
	{
		const Served s = fetch(resource);
		const Poco::Int64 now = Poco::Timestamp().epochTime();
		Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
		body.set("access_token", s.token.accessToken);
		body.set("client_id", clientId);
		body.set("expires_in", std::to_string(std::max<Poco::Int64>(0, s.expiresAt - now)));
		body.set("expires_on", std::to_string(s.expiresAt));
		body.set("ext_expires_in", std::to_string(std::max<Poco::Int64>(0, s.expiresAt - now)));
		body.set("not_before", std::to_string(now));
		body.set("resource", asked);
		body.set("token_type", "Bearer");
		return jsonAnswer(200, body, "resource " + resource);
	}
	catch (const Poco::Exception& e)
	{
		return loginFailed(e);
	}
}

Answer TokenServer::Impl::google(HTTPServerRequest& request, const std::string& path, const Poco::URI::QueryParameters& query)
{
	if (path == "/" || path == "/computeMetadata/v1/" || path == "/computeMetadata/v1")
		return Answer{200, "application/text", "computeMetadata/\n", "ping"};
	if (request.get("Metadata-Flavor", "") != "Google")
		return Answer{403, "text/html", "Missing Metadata-Flavor:Google header.\n", "no Metadata-Flavor"};
	if (path == "/computeMetadata/v1/project/project-id")
	{
		const std::string project = settings.getOr("GOOGLE_CLOUD_PROJECT", "");
		if (project.empty()) return Answer{404, "text/html", "Not Found\n", "no project"};
		return Answer{200, "application/text", project, "project-id"};
	}
	if (path.rfind(GOOGLE_ACCOUNTS, 0) != 0) return Answer{404, "text/html", "Not Found\n", "not found"};
	const std::string rest = path.substr(std::string(GOOGLE_ACCOUNTS).size());
	const std::size_t slash = rest.find('/');
	const std::string account = rest.substr(0, slash);
	const std::string what = slash == std::string::npos ? "" : rest.substr(slash + 1);
	if (account != "default" && account != email) return Answer{404, "text/html", "Not Found\n", "another account"};
	if (what == "email") return Answer{200, "application/text", email, "email"};
	if (what == "scopes")
	{
		std::string text;
		for (const auto& s: words(defaultKey, " ")) text += s + "\n";
		return Answer{200, "application/text", text, "scopes"};
	}
	if (what.empty() || what == "/")
	{
		Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
		Poco::JSON::Array::Ptr aliases = new Poco::JSON::Array;
		aliases->add("default");
		body.set("aliases", aliases);
		body.set("email", email);
		Poco::JSON::Array::Ptr scopes = new Poco::JSON::Array;
		for (const auto& s: words(defaultKey, " ")) scopes->add(s);
		body.set("scopes", scopes);
		return jsonAnswer(200, body, "account");
	}
	if (what != "token") return Answer{404, "text/html", "Not Found\n", "not found"};
	std::string problem;
	const std::string key = allowedScopes(param(query, "scopes"), problem);
	if (key.empty()) return Answer{400, "text/html", problem + "\n", problem};
	try
	{
		const Served s = fetch(key);
		Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
		body.set("access_token", s.token.accessToken);
		body.set("expires_in", std::max<Poco::Int64>(0, s.expiresAt - Poco::Timestamp().epochTime()));
		body.set("token_type", "Bearer");
		return jsonAnswer(200, body, "scopes " + key);
	}
	catch (const Poco::Exception& e)
	{
		return loginFailed(e);
	}
}

Answer TokenServer::Impl::plain(HTTPServerRequest& request, const Poco::URI::QueryParameters& query)
{
	if (!sameSecret(request.get("X-IDENTITY-HEADER", ""), secret))
		return error(401, "unauthorized", "X-IDENTITY-HEADER is missing or wrong: send JWTFLOW_TOKEN_HEADER's value");
	std::string key = defaultKey, problem;
	if (shape == Shape::Azure && !param(query, "resource").empty()) key = allowedResource(param(query, "resource"), problem);
	if (shape == Shape::Google && !param(query, "scope").empty()) key = allowedScopes(param(query, "scope"), problem);
	if (!problem.empty()) return error(400, "invalid_request", problem);
	try
	{
		const Served s = fetch(key);
		Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
		body.set("access_token", s.token.accessToken);
		body.set("token_type", s.token.tokenType.empty() ? std::string("Bearer") : s.token.tokenType);
		body.set("expires_in", std::max<Poco::Int64>(0, s.expiresAt - Poco::Timestamp().epochTime()));
		body.set("expires_on", s.expiresAt);
		if (!s.token.instanceUrl.empty()) body.set("instance_url", s.token.instanceUrl);
		if (!s.token.scope.empty()) body.set("scope", s.token.scope);
		return jsonAnswer(200, body, key.empty() ? "token" : key);
	}
	catch (const Poco::Exception& e)
	{
		return loginFailed(e);
	}
}

namespace {

class TokenRequestHandler: public Poco::Net::HTTPRequestHandler
{
public:
	explicit TokenRequestHandler(TokenServer::Impl& server): _server(server) {}

	void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override
	{
		const auto started = std::chrono::steady_clock::now();
		Answer answer;
		try
		{
			answer = _server.handle(request);
		}
		catch (const std::exception&)
		{
			answer = error(500, "server_error", "the request could not be served");
		}
		response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.status));
		response.set("Cache-Control", "no-store");
		response.set("Pragma", "no-cache");
		if (_server.shape == Shape::Google) response.set("Metadata-Flavor", "Google");
		response.setContentType(answer.contentType);
		response.setContentLength64(static_cast<Poco::Int64>(answer.body.size()));
		response.send() << answer.body;
		if (_server.options.log)
		{
			const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
			std::string path = request.getURI();
			path = path.substr(0, path.find('?'));
			_server.options.log("serve: " + safeText(request.getMethod(), 10) + " " + safeText(path, 120) + " -> "
				+ std::to_string(answer.status) + " (" + safeText(answer.note, 200) + ", " + std::to_string(ms) + " ms)");
		}
	}

private:
	TokenServer::Impl& _server;
};

/// POCO's HTTPServerConnection, with a deadline on each request head (HeadDeadlines) and the connection
/// known to the server, which shuts it down at stop.
class TokenServerConnection: public Poco::Net::TCPServerConnection
{
public:
	TokenServerConnection(const Poco::Net::StreamSocket& socket, TokenServer::Impl& server): TCPServerConnection(socket), _server(server)
	{
		std::lock_guard<std::mutex> lock(_server.connectionsMutex);
		_id = ++_server.nextConnection;
		_server.connections.emplace(_id, this->socket());
	}

	~TokenServerConnection() override
	{
		std::lock_guard<std::mutex> lock(_server.connectionsMutex);
		_server.connections.erase(_id);
		_server.connectionsDone.notify_all();
	}

	void run() override
	{
		Poco::Net::HTTPServerSession session(socket(), _server.params);
		while (!_server.stopping && session.hasMoreRequests())
		{
			try
			{
				Poco::Net::HTTPServerResponseImpl response(session);
				const std::uint64_t armed = _server.deadlines->arm(socket(), std::chrono::steady_clock::now() + HEAD_DEADLINE);
				std::unique_ptr<Poco::Net::HTTPServerRequestImpl> request;
				try
				{
					request.reset(new Poco::Net::HTTPServerRequestImpl(response, session, _server.params));
				}
				catch (...)
				{
					_server.deadlines->disarm(armed);
					throw;
				}
				_server.deadlines->disarm(armed);
				response.setDate(Poco::Timestamp());
				response.setVersion(request->getVersion());
				// A request with a body is refused unread: its connection ends with the answer.
				const bool body = (request->hasContentLength() && request->getContentLength64() > 0) || request->getChunkedTransferEncoding();
				response.setKeepAlive(!body && _server.params->getKeepAlive() && request->getKeepAlive() && session.canKeepAlive());
				response.set("Server", "jwtflow");
				TokenRequestHandler(_server).handleRequest(*request, response);
				session.setKeepAlive(response.getKeepAlive() && session.canKeepAlive());
				if (body) break;
			}
			catch (const Poco::Net::NoMessageException&)
			{
				break;
			}
			catch (const Poco::Exception&)
			{
				// A malformed, oversized or too slow request head, or a peer gone: the connection ends.
				break;
			}
		}
	}

private:
	TokenServer::Impl& _server;
	std::uint64_t _id = 0;
};

class TokenServerConnectionFactory: public Poco::Net::TCPServerConnectionFactory
{
public:
	explicit TokenServerConnectionFactory(TokenServer::Impl& server): _server(server) {}
	Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override
	{
		return new TokenServerConnection(socket, _server);
	}

private:
	TokenServer::Impl& _server;
};

std::string randomSecret()
{
	std::string random(32, '\0');
	Poco::RandomInputStream().read(&random[0], static_cast<std::streamsize>(random.size()));
	return base64UrlEncode(random);
}

} // namespace

TokenServer::TokenServer(const Provider& provider, const Settings& settings, TokenServerOptions options):
	_impl(new Impl(provider, settings, std::move(options)))
{
	Impl& i = *_impl;
	i.secret = randomSecret();
	const std::string name = provider.name();
	i.shape = name == "azure-ad" ? Shape::Azure : name == "google" ? Shape::Google : Shape::Plain;
	if (i.shape == Shape::Azure)
	{
		i.clientId = settings.getOr("CLIENT_ID", "");
		std::vector<std::string> resources = i.options.resources;
		const std::string scope = settings.getOr("SCOPE", "https://graph.microsoft.com/.default");
		if (resources.empty())
		{
			if (words(scope, " ").size() != 1 || resourceOf(scope) == scope)
				throw UsageException("SCOPE " + quotedText(scope, 120) + " is not one resource's /.default: give the resources clients may "
					"ask for with --resource URI (repeatable)");
			resources.push_back(resourceOf(scope));
		}
		for (const auto& r: resources) i.allowed.push_back(resourceOf(r));
		i.defaultKey = i.allowed.front();
	}
	else if (i.shape == Shape::Google)
	{
		const std::vector<std::string> configured = words(settings.getOr("SCOPE", CLOUD_PLATFORM), " ,");
		for (const auto& s: i.options.scopes)
			for (const auto& w: words(s, " ,")) i.allowed.push_back(w);
		if (i.allowed.empty()) i.allowed = configured;
		for (const auto& s: configured) i.defaultKey += (i.defaultKey.empty() ? "" : " ") + s;
		i.email = googleEmail(settings);
	}
	else if (!i.options.resources.empty() || !i.options.scopes.empty())
	{
		throw UsageException("--resource and --scope choose among tokens for azure-ad and google; " + name + " serves the token its "
			"settings describe (set SCOPE for another)");
	}
	// Fails now, not on the first request: a missing setting, a key that does not load.
	i.session(i.defaultKey);
}

TokenServer::~TokenServer()
{
	try
	{
		stop();
	}
	catch (...)
	{
	}
}

void TokenServer::start()
{
	Impl& i = *_impl;
	Poco::Net::ServerSocket socket;
	if (!i.options.socketPath.empty())
	{
		const std::string& path = i.options.socketPath;
		if (Poco::File(path).exists())
			throw UsageException("--socket " + quotedText(path, 120) + " exists: remove it, or name a path that does not");
		// Made 0600 by the umask at bind (never chmod after: a window where others could connect).
		const mode_t old = ::umask(0177);
		try
		{
			socket.bind(Poco::Net::SocketAddress(Poco::Net::SocketAddress::UNIX_LOCAL, path));
			::umask(old);
		}
		catch (const Poco::Exception& e)
		{
			::umask(old);
			throw InputException("cannot listen on " + quotedText(path, 120) + ": " + e.message());
		}
		socket.listen(64);
		i.onSocket = true;
		i.boundAddress = path;
	}
	else
	{
		const std::string& listen = i.options.listen;
		const std::size_t colon = listen.rfind(':');
		std::string host = colon == std::string::npos ? listen : listen.substr(0, colon);
		const std::string portText = colon == std::string::npos ? "0" : listen.substr(colon + 1);
		unsigned port = 0;
		if (!Poco::NumberParser::tryParseUnsigned(portText, port) || port > 65535)
			throw UsageException("--listen " + quotedText(listen, 60) + " is not ADDR:PORT (e.g. 127.0.0.1:8181)");
		if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
		if (host == "localhost") host = "127.0.0.1";
		if (!isLoopbackHost(host))
			throw UsageException("--listen " + quotedText(listen, 60) + " is not a loopback address: jwtflow serves tokens to this "
				"machine only (127.0.0.1, [::1]); use --socket PATH to serve one user");
		try
		{
			socket.bind(Poco::Net::SocketAddress(host, static_cast<Poco::UInt16>(port)), true);
			socket.listen(64);
		}
		catch (const Poco::Exception& e)
		{
			throw NetworkException("cannot listen on " + listen + ": " + e.message());
		}
		const Poco::Net::SocketAddress bound = socket.address();
		i.boundAddress = (bound.family() == Poco::Net::SocketAddress::IPv6 ? "[" + bound.host().toString() + "]" : bound.host().toString())
			+ ":" + std::to_string(bound.port());
	}
	Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
	params->setMaxThreads(i.options.maxThreads);
	params->setMaxQueued(256);
	params->setKeepAlive(true);
	params->setKeepAliveTimeout(Poco::Timespan(10, 0));
	params->setMaxKeepAliveRequests(0);
	params->setTimeout(Poco::Timespan(10, 0));
	params->setServerName("jwtflow");
	i.params = params;
	i.deadlines.reset(new HeadDeadlines);
	i.stopping = false;
	i.server.reset(new Poco::Net::TCPServer(new TokenServerConnectionFactory(i), socket, params));
	i.server->start();
}

void TokenServer::stop()
{
	Impl& i = *_impl;
	if (!i.server) return;
	i.stopping = true;
	i.server->stop();
	// The connections still open (idle keep-alive ones included) are ended, and waited for: they use this server.
	std::unique_lock<std::mutex> lock(i.connectionsMutex);
	for (auto& c: i.connections)
	{
		try
		{
			c.second.shutdown();
		}
		catch (const Poco::Exception&)
		{
		}
	}
	i.connectionsDone.wait_for(lock, std::chrono::seconds(30), [&i] { return i.connections.empty(); });
	lock.unlock();
	i.server.reset();
	i.deadlines.reset();
	if (i.onSocket) Poco::File(i.boundAddress).remove();
}

std::string TokenServer::baseUrl() const
{
	return _impl->onSocket ? "http://localhost" : "http://" + _impl->boundAddress;
}

std::vector<std::pair<std::string, std::string>> TokenServer::clientVariables() const
{
	const Impl& i = *_impl;
	std::vector<std::pair<std::string, std::string>> vars;
	if (i.onSocket)
	{
		vars = {{"JWTFLOW_TOKEN_SOCKET", i.boundAddress}, {"JWTFLOW_TOKEN_HEADER", i.secret}};
		return vars;
	}
	if (i.shape == Shape::Azure)
	{
		vars.emplace_back("IDENTITY_ENDPOINT", baseUrl() + APP_SERVICE_PATH);
		vars.emplace_back("IDENTITY_HEADER", i.secret);
		vars.emplace_back("AZURE_POD_IDENTITY_AUTHORITY_HOST", baseUrl());   // azure-identity's IMDS at another address
	}
	else if (i.shape == Shape::Google)
	{
		vars.emplace_back("GCE_METADATA_HOST", i.boundAddress);
		vars.emplace_back("GCE_METADATA_ROOT", i.boundAddress);   // google-auth before 2.x (Debian 12's 1.5)
		vars.emplace_back("GCE_METADATA_IP", i.boundAddress);
	}
	vars.emplace_back("JWTFLOW_TOKEN_URL", baseUrl() + "/token");
	vars.emplace_back("JWTFLOW_TOKEN_HEADER", i.secret);
	return vars;
}

int TokenServer::logins() const
{
	return _impl->logins();
}

} // namespace host
} // namespace jwtflow
