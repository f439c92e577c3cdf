//
// ServeCommand.cpp
//
// Module: jwtflow-network
// `jwtflow PROVIDER serve`: runs the token server until SIGTERM or SIGINT,
// after printing what a client needs as environment lines (or JSON).
//
// SPDX-License-Identifier: BSL-1.0
//
#include "JwtflowApp.h"
#include "StopSignals.h"
#include "TokenServer.h"
#include "jwtflow/Exception.h"
#include <Poco/JSON/Object.h>
#include <iostream>
#include <mutex>

namespace jwtflow {
namespace host {

int JwtflowApp::actionServe(Provider& provider)
{
	TokenServerOptions options;
	options.socketPath = flagValue("socket");
	if (!options.socketPath.empty() && _values.count("listen"))
		throw UsageException("--listen and --socket name two places to serve: give one");
	options.listen = flagValue("listen", options.listen);
	options.resources = _values["resource"];
	options.timeoutSeconds = timeoutSeconds();
	const OutputFormat format = outputFormat();
	if (_console.verbose)
	{
		auto logLock = std::make_shared<std::mutex>();
		options.log = [this, logLock](const std::string& line) {
			std::lock_guard<std::mutex> lock(*logLock);
			_console.detail(line);
		};
	}

	StopSignals stopSignals;   // before the server's threads

	TokenServer server(provider, settings(), options);
	server.start();
	const auto vars = server.clientVariables();
	if (format == OutputFormat::Json)
	{
		Poco::JSON::Object out(Poco::JSON_PRESERVE_KEY_ORDER);
		for (const auto& v: vars) out.set(v.first, v.second);
		_console.json(out);
	}
	else
	{
		_console.envLines(vars);
	}
	std::cout.flush();
	_console.note("serving " + provider.name() + " tokens at " + server.baseUrl() + " until SIGTERM or Ctrl-C");
	const std::string sig = stopSignals.wait();
	server.stop();
	_console.note("stopped (" + sig + ") after " + std::to_string(server.logins())
		+ " login(s)");
	return 0;
}

} // namespace host
} // namespace jwtflow
