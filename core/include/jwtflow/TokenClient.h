//
// TokenClient.h
//
// Library: jwtflow core
// The token exchange: posts a provider's assertion and reads the answer,
// mapping OAuth errors to IdpException (with the provider's hint) and every
// other failure to NetworkException.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_TOKENCLIENT_INCLUDED
#define JWTFLOW_TOKENCLIENT_INCLUDED

#include "jwtflow/Export.h"
#include "jwtflow/HttpClient.h"
#include "jwtflow/Provider.h"
#include "jwtflow/Settings.h"
#include <Poco/JSON/Object.h>
#include <functional>

namespace jwtflow {

JWTFLOW_NET_API HttpOptions httpOptionsFrom(const Settings& settings, int timeoutSeconds);
	/// CA_FILE, HTTPS_PROXY and NO_PROXY from the settings. Throws UsageException
	/// for a malformed proxy URL, InputException for an unreadable CA file.

class JWTFLOW_NET_API TokenClient
	/// Exchanges assertions for access tokens with one provider.
{
public:
	TokenClient(const Provider& provider, const Settings& settings, HttpClient& http);

	TokenResult exchange(const std::string& assertion);
		/// Sends the provider's token request. Throws IdpException (exit 4) for
		/// an OAuth error answer, NetworkException (exit 5) for anything else
		/// that is not a token. A retry re-sends the same assertion: prefer the
		/// overload below.

	TokenResult exchange(const std::function<std::string()>& mintAssertion);
		/// As exchange(assertion), with a freshly minted assertion (a new jti)
		/// for every try: an IdP that refuses replayed assertions may already
		/// have consumed the one sent before a 5xx or a dropped connection.
		/// Both send the provider's follow-up request (Provider::followUp) when
		/// it declares one, and return that answer's token.

	Poco::JSON::Object::Ptr bearerGet(const std::string& url, const std::string& accessToken);
		/// GETs a JSON resource with the token (identity URL, userinfo).

	Poco::JSON::Object::Ptr bearerPost(const std::string& url, const FormFields& form, const std::string& accessToken);
		/// POSTs a form with the token and reads a JSON answer (singleaccess).

private:
	TokenResult followUp(const FollowUpRequest& next, const std::string& firstToken);
	Poco::JSON::Object::Ptr readJson(const HttpResponse& response, const std::string& what, const std::string& url);

	const Provider& _provider;
	const Settings& _settings;
	HttpClient& _http;
};

} // namespace jwtflow

#endif // JWTFLOW_TOKENCLIENT_INCLUDED
