//
// TokenServer.h
//
// Module: jwtflow-network
// `jwtflow PROVIDER serve`: tokens for programs that are not jwtflow, on
// loopback (or a Unix socket), in the shapes their libraries already speak:
// Azure App Service managed identity and IMDS (azure-ad), the Google metadata
// server (google), and a plain /token for every provider. One Session per
// allowed resource or scope set: one login per token lifetime, whatever the
// number of clients, in the store the CLI shares (FACTS.md 8.4).
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_HOST_TOKENSERVER_INCLUDED
#define JWTFLOW_HOST_TOKENSERVER_INCLUDED

#include "jwtflow/Provider.h"
#include "jwtflow/Session.h"
#include "jwtflow/Settings.h"
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace jwtflow {
namespace host {

struct TokenServerOptions
{
	std::string listen = "127.0.0.1:0";    ///< ADDR:PORT on a loopback address (port 0: a free one)
	std::string socketPath;                ///< a Unix socket instead (made 0600; refused when the path exists)
	std::vector<std::string> resources;    ///< azure-ad: the resources clients may ask for (default: SCOPE's)
	std::vector<std::string> scopes;       ///< google and others: the scopes clients may ask for (default: SCOPE)
	int timeoutSeconds = 30;               ///< of each login
	int maxThreads = 16;                   ///< requests served at once
	std::function<void(const std::string&)> log;   ///< -v: one line per request, never a token; may be empty
};

class TokenServer
{
public:
	TokenServer(const Provider& provider, const Settings& settings, TokenServerOptions options);
		/// Checks the options (a loopback address, the allowed resources); the
		/// first login happens on the first request.
	~TokenServer();
	TokenServer(const TokenServer&) = delete;
	TokenServer& operator=(const TokenServer&) = delete;

	void start();
	void stop();

	std::string baseUrl() const;
		/// http://ADDR:PORT, or http://localhost for a socket.
	std::vector<std::pair<std::string, std::string>> clientVariables() const;
		/// What a client needs, as environment variables (IDENTITY_ENDPOINT and
		/// IDENTITY_HEADER, GCE_METADATA_HOST, JWTFLOW_TOKEN_URL ...).
	int logins() const;
		/// Token requests made to the IdP so far, every session.

	struct Impl;

private:
	std::unique_ptr<Impl> _impl;
};

} // namespace host
} // namespace jwtflow

#endif
