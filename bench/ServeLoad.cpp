//
// ServeLoad.cpp: the load generator behind docs/performance.md's `serve`
// figures. Keep-alive loopback connections ask `jwtflow azure-ad serve` for a
// token (the App Service shape, a cached login) and, in alternating rounds, a
// minimal POCO HTTPServer in a process of its own that answers a fixed body of
// the same size with the same server settings (the limit). Prints requests/s
// and p50/p99 of each, and the ratios against the goals (>= 0.8x the limit's
// throughput, p99 within 2x). Nothing is asserted: tests never time.
//
//   jwtflow_serve_load [--clients N] [--requests N] [--rounds N]
//   jwtflow_serve_load --limit-server BYTES     (the limit: prints its port, serves until stdin closes)
//
#include "BenchSupport.h"
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <map>
#include <spawn.h>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace {

// ---- the limit: the least an HTTP server on POCO does for the same answer ----

class FixedBody: public Poco::Net::HTTPRequestHandler
{
public:
	explicit FixedBody(const std::string& body): _body(body) {}
	void handleRequest(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response) override
	{
		response.set("Cache-Control", "no-store");
		response.setContentType("application/json");
		response.setContentLength64(static_cast<Poco::Int64>(_body.size()));
		response.send() << _body;
	}

private:
	const std::string& _body;
};

class FixedFactory: public Poco::Net::HTTPRequestHandlerFactory
{
public:
	explicit FixedFactory(std::string body): _body(std::move(body)) {}
	Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override { return new FixedBody(_body); }

private:
	std::string _body;
};

int limitServer(std::size_t bytes)
{
	Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
	Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;   // serve's settings
	params->setMaxThreads(16);
	params->setMaxQueued(256);
	params->setKeepAlive(true);
	params->setKeepAliveTimeout(Poco::Timespan(10, 0));
	params->setMaxKeepAliveRequests(0);
	params->setTimeout(Poco::Timespan(10, 0));
	Poco::Net::HTTPServer server(new FixedFactory(std::string(bytes, 'x')), socket, params);
	server.start();
	std::cout << socket.address().port() << std::endl;
	char c;
	while (::read(0, &c, 1) > 0)
	{
	}
	server.stopAll(true);
	return 0;
}

// ---- processes ----

struct Child
{
	pid_t pid = -1;
	int in = -1, out = -1;
};

Child spawn(const std::vector<std::string>& argv)
{
	int in[2], out[2];
	if (::pipe(in) != 0 || ::pipe(out) != 0) throw std::runtime_error("pipe");
	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_adddup2(&actions, in[0], 0);
	posix_spawn_file_actions_adddup2(&actions, out[1], 1);
	posix_spawn_file_actions_addclose(&actions, in[1]);
	posix_spawn_file_actions_addclose(&actions, out[0]);
	std::vector<char*> args;
	for (const auto& a: argv) args.push_back(const_cast<char*>(a.c_str()));
	args.push_back(nullptr);
	Child child;
	if (::posix_spawn(&child.pid, args[0], &actions, nullptr, args.data(), environ) != 0) throw std::runtime_error("spawn " + argv[0]);
	posix_spawn_file_actions_destroy(&actions);
	::close(in[0]);
	::close(out[1]);
	child.in = in[1];
	child.out = out[0];
	return child;
}

std::string readLine(int fd)
{
	std::string line;
	char c;
	while (::read(fd, &c, 1) == 1 && c != '\n') line += c;
	return line;
}

// ---- the load ----

struct Round
{
	double seconds = 0;
	std::vector<double> latenciesUs;
	int failures = 0;
};

Round load(const std::string& host, int port, const std::string& target, const std::string& secret, int clients, int requests)
{
	Round round;
	std::vector<std::vector<double>> perClient(static_cast<std::size_t>(clients));
	std::atomic<int> failures{0};
	std::vector<std::thread> threads;
	const auto start = std::chrono::steady_clock::now();
	for (int c = 0; c < clients; ++c)
	{
		threads.emplace_back([&, c] {
			Poco::Net::HTTPClientSession session(host, static_cast<Poco::UInt16>(port));
			session.setKeepAlive(true);
			auto& mine = perClient[static_cast<std::size_t>(c)];
			mine.reserve(static_cast<std::size_t>(requests));
			std::string body;
			for (int i = 0; i < requests; ++i)
			{
				const auto t0 = std::chrono::steady_clock::now();
				try
				{
					Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, target, Poco::Net::HTTPMessage::HTTP_1_1);
					request.setKeepAlive(true);
					request.set("X-IDENTITY-HEADER", secret);
					session.sendRequest(request);
					Poco::Net::HTTPResponse response;
					std::istream& in = session.receiveResponse(response);
					body.clear();
					Poco::StreamCopier::copyToString(in, body);
					if (response.getStatus() != 200) ++failures;
				}
				catch (const Poco::Exception&)
				{
					++failures;
					session.reset();
				}
				mine.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
			}
		});
	}
	for (auto& t: threads) t.join();
	round.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
	for (auto& v: perClient) round.latenciesUs.insert(round.latenciesUs.end(), v.begin(), v.end());
	round.failures = failures;
	return round;
}

double percentile(std::vector<double> v, double p)
{
	if (v.empty()) return 0;
	std::sort(v.begin(), v.end());
	return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

double median(std::vector<double> v)
{
	return percentile(std::move(v), 0.5);
}

int intArg(int argc, char** argv, const std::string& name, int fallback)
{
	for (int i = 1; i + 1 < argc; ++i)
		if (argv[i] == name) return std::stoi(argv[i + 1]);
	return fallback;
}

} // namespace

int main(int argc, char** argv)
{
	if (argc == 3 && std::string(argv[1]) == "--limit-server") return limitServer(std::stoul(argv[2]));
	const int clients = intArg(argc, argv, "--clients", 8);
	const int requests = intArg(argc, argv, "--requests", 2000);
	const int rounds = intArg(argc, argv, "--rounds", 5);
	std::signal(SIGPIPE, SIG_IGN);

	// The emulator's Entra ID, with the bench app (its certificate) registered.
	jwtflow::emulator::Emulator& emu = bench::benchEmulator();
	const bench::BenchKeys& keys = bench::benchKeys();
	Child serve = spawn({"/usr/bin/env", "-i", "PATH=/usr/bin:/bin", "HOME=" + keys.folder, "XDG_CACHE_HOME=" + keys.folder + "/cache",
		"XDG_CONFIG_HOME=" + keys.folder + "/config", std::string("CLIENT_ID=") + bench::CLIENT_ID,
		"TENANT_ID=" + jwtflow::emulator::EmulatorOptions().tenant, "AUTHORITY=" + emu.baseUrl(), "CA_FILE=" + emu.caFile(),
		"PATH_PRIVATE_KEY=" + keys.rsaKeyFile, "PATH_CERTIFICATE=" + keys.certificateFile, JWTFLOW_BINARY, "azure-ad", "serve",
		"--resource", "https://vault.azure.net"});
	std::map<std::string, std::string> vars;
	for (std::string line = readLine(serve.out); !line.empty(); line = readLine(serve.out))
	{
		if (line.rfind("export ", 0) == 0) line = line.substr(7);
		const std::size_t eq = line.find('=');
		std::string value = line.substr(eq + 1);
		if (value.size() >= 2 && value.front() == '\'') value = value.substr(1, value.size() - 2);
		vars[line.substr(0, eq)] = value;
		if (line.rfind("JWTFLOW_TOKEN_HEADER", 0) == 0) break;
	}
	const std::string endpoint = vars["IDENTITY_ENDPOINT"];   // http://127.0.0.1:PORT/msi/token
	if (endpoint.empty())
	{
		std::cerr << "jwtflow serve did not start\n";
		return 1;
	}
	const std::string hostPort = endpoint.substr(7, endpoint.find('/', 7) - 7);
	const int servePort = std::stoi(hostPort.substr(hostPort.rfind(':') + 1));
	const std::string target = "/msi/token?api-version=2019-08-01&resource=https://vault.azure.net";
	const std::string secret = vars["IDENTITY_HEADER"];

	// One request first: the login (not measured), and the answer's size for the limit.
	Round warm = load("127.0.0.1", servePort, target, secret, 1, 1);
	Poco::Net::HTTPClientSession probe("127.0.0.1", static_cast<Poco::UInt16>(servePort));
	Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, target, Poco::Net::HTTPMessage::HTTP_1_1);
	request.set("X-IDENTITY-HEADER", secret);
	probe.sendRequest(request);
	Poco::Net::HTTPResponse response;
	std::string body;
	Poco::StreamCopier::copyToString(probe.receiveResponse(response), body);
	if (warm.failures || response.getStatus() != 200)
	{
		std::cerr << "jwtflow serve refused the request: HTTP " << response.getStatus() << "\n";
		return 1;
	}
	Child limit = spawn({argv[0], "--limit-server", std::to_string(body.size())});
	const int limitPort = std::stoi(readLine(limit.out));

	std::vector<double> serveRps, limitRps, serveLat, limitLat;
	int failures = 0;
	for (int r = 0; r < rounds; ++r)
	{
		for (int side = 0; side < 2; ++side)
		{
			const bool isServe = (side + r) % 2 == 0;   // alternate who goes first
			Round round = load("127.0.0.1", isServe ? servePort : limitPort, target, secret, clients, requests);
			failures += round.failures;
			(isServe ? serveRps : limitRps).push_back(clients * requests / round.seconds);
			auto& lat = isServe ? serveLat : limitLat;
			lat.insert(lat.end(), round.latenciesUs.begin(), round.latenciesUs.end());
		}
	}
	::close(limit.in);
	::kill(serve.pid, SIGTERM);
	int status = 0;
	::waitpid(limit.pid, &status, 0);
	::waitpid(serve.pid, &status, 0);

	const double sRps = median(serveRps), lRps = median(limitRps);
	const double s50 = percentile(serveLat, 0.5), s99 = percentile(serveLat, 0.99);
	const double l50 = percentile(limitLat, 0.5), l99 = percentile(limitLat, 0.99);
	std::printf("%d keep-alive clients x %d requests, %d interleaved rounds; answer %zu bytes; %d failed requests\n", clients, requests,
		rounds, body.size(), failures);
	std::printf("%-34s %12s %10s %10s\n", "", "requests/s", "p50 us", "p99 us");
	std::printf("%-34s %12.0f %10.0f %10.0f\n", "jwtflow azure-ad serve (/msi/token)", sRps, s50, s99);
	std::printf("%-34s %12.0f %10.0f %10.0f\n", "limit: minimal POCO HTTPServer", lRps, l50, l99);
	std::printf("throughput %.2fx the limit (goal >= 0.80x); p99 %.2fx the limit's (goal <= 2x)\n", sRps / lRps, s99 / l99);
	return failures ? 1 : 0;
}
