//
// EmulatorCommands.cpp
//
// Program: jwtflow
// `jwtflow emulator` (serve until interrupted) and `jwtflow demo` (the whole
// flow of every provider against the in-process emulator).
//
// SPDX-License-Identifier: BSL-1.0
//
#include "DemoRunner.h"
#include "JwtflowApp.h"
#include "jwtflow/Exception.h"
#include "jwtflow/emulator/Emulator.h"
#include <Poco/File.h>
#include <Poco/Path.h>
#include <csignal>
#include <iostream>
#include <pthread.h>

namespace jwtflow {
namespace host {

int JwtflowApp::commandEmulator()
{
	emulator::EmulatorOptions options;
	std::string portText = flagValue("port", "0");
	try
	{
		options.port = std::stoi(portText);
	}
	catch (const std::exception&)
	{
		options.port = -1;
	}
	if (options.port < 0 || options.port > 65535) throw UsageException("--port '" + portText + "' is not a port number (0-65535)");
	for (const auto& app: _values["app"])
	{
		auto eq = app.find('=');
		if (eq == std::string::npos || eq == 0 || eq + 1 == app.size())
			throw UsageException("--app takes CLIENT_ID=CERT.pem[#KEY_ID], the app's client id and its certificate file");
		// CLIENT_ID=CERT.pem, or CLIENT_ID=CERT.pem#KEY_ID to require that kid (Google, OIDC).
		std::string cert = app.substr(eq + 1);
		std::string keyId;
		auto hash = cert.rfind('#');
		if (hash != std::string::npos)
		{
			keyId = cert.substr(hash + 1);
			cert = cert.substr(0, hash);
		}
		options.apps.push_back({app.substr(0, eq), Certificate::fromFile(cert), keyId});
	}
	Settings& s = settings();
	if (options.apps.empty())
	{
		auto id = s.get("CLIENT_ID");
		auto cert = s.get("PATH_CERTIFICATE");
		if (!id || !cert)
			throw UsageException("the emulator needs a registered app: give --app CLIENT_ID=CERT.pem "
				"(or CLIENT_ID and PATH_CERTIFICATE in .env)");
		options.apps.push_back({*id, Certificate::fromFile(*cert), ""});
	}
	options.users = _values["user"];
	if (options.users.empty())
	{
		if (auto sub = s.get("SUBJECT")) options.users.push_back(*sub);
	}
	for (auto c: _values["community"])
	{
		if (c.empty() || c[0] != '/') c = "/" + c;
		while (c.size() > 1 && c.back() == '/') c.pop_back();
		options.communities.push_back(c);
	}
	auto number = [this](const std::string& name, int fallback, int max) {
		const std::string text = flagValue(name, std::to_string(fallback));
		int value = -1;
		try
		{
			std::size_t used = 0;
			value = std::stoi(text, &used);
			if (used != text.size()) value = -1;
		}
		catch (const std::exception&)
		{
			value = -1;
		}
		if (value < 0 || value > max)
			throw UsageException("--" + name + " '" + text + "' is not a number from 0 to " + std::to_string(max));
		return value;
	};
	options.salesforceSessionSeconds = number("session-seconds", options.salesforceSessionSeconds, 7 * 24 * 3600);
	options.loginRateLimit = number("login-rate-limit", options.loginRateLimit, 1000000);
	// options.workDir stays empty: the emulator makes a fresh mkdtemp folder of its own.

	// Block the stop signals in every thread, then wait for one here.
	sigset_t stopSignals;
	sigemptyset(&stopSignals);
	sigaddset(&stopSignals, SIGINT);
	sigaddset(&stopSignals, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);

	emulator::Emulator emu(options);
	emu.start();
	_console.result("base URL: " + emu.baseUrl());
	_console.result("CA file:  " + emu.caFile());
	std::cout.flush();
	std::string apps;
	for (const auto& a: options.apps) apps += (apps.empty() ? "" : ", ") + a.clientId;
	std::string users;
	for (const auto& u: options.users) users += (users.empty() ? "" : ", ") + u;
	_console.note("apps: " + apps + "; users: " + (users.empty() ? "(none: every token request is refused)" : users));
	_console.note("try: AUDIENCE=" + emu.baseUrl() + " CA_FILE=" + emu.caFile() + " jwtflow salesforce token");
	_console.note("stop with Ctrl-C");
	int sig = 0;
	sigwait(&stopSignals, &sig);
	_console.note("stopping (" + std::string(sig == SIGINT ? "SIGINT" : "SIGTERM") + ")");
	emu.stop();
	return 0;
}

int JwtflowApp::commandDemo()
{
	// Every described provider (and only those: a library without a descriptor is never loaded).
	for (const auto& descriptor: _registry->descriptors()) _registry->find(descriptor.provider);
	DemoRunner demo(*_registry, _console, timeoutSeconds());
	return demo.run();
}

} // namespace host
} // namespace jwtflow
