//
// FederatedSources.cpp
//
// Library: jwtflow net
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/FederatedSources.h"
#include "jwtflow/Encoding.h"
#include "jwtflow/Exception.h"
#include "jwtflow/Json.h"
#include "jwtflow/SafeText.h"
#include <Poco/String.h>

namespace jwtflow {

GitHubIdToken::GitHubIdToken(std::string requestUrl, std::string requestToken, std::string audience, HttpClient& http):
	_requestUrl(std::move(requestUrl)), _requestToken(std::move(requestToken)), _audience(std::move(audience)), _http(http)
{
}

std::string GitHubIdToken::describe() const
{
	return "the GitHub Actions ID token (audience " + _audience + ")";
}

std::string GitHubIdToken::next() const
{
	const std::string url = _requestUrl + (_requestUrl.find('?') == std::string::npos ? "?" : "&") + "audience=" + urlEncode(_audience);
	const HttpResponse answer = _http.get(url, _requestToken);
	if (answer.status == 401 || answer.status == 403)
		throw UsageException("the GitHub Actions ID-token endpoint refused this job (HTTP " + std::to_string(answer.status)
			+ "): give the workflow `permissions: id-token: write`");
	if (answer.status != 200)
		throw NetworkException("the GitHub Actions ID-token endpoint answered HTTP " + std::to_string(answer.status), answer.status);
	std::string token;
	try
	{
		token = jsonString(*parseJsonObject(answer.body), "value");
	}
	catch (const Poco::Exception&)
	{
		throw NetworkException("the GitHub Actions ID-token endpoint answered with something other than {\"value\": \"<JWT>\"}");
	}
	readWorkloadToken(token, "the GitHub Actions ID token");
	return token;
}

std::unique_ptr<ClientAssertionSource> federatedAssertionSource(const Provider& provider, const Settings& settings, HttpClient& http)
{
	if (std::optional<SubjectTokenSource> declared = provider.subjectTokenSource(settings))
		return std::make_unique<SubjectTokenReader>(std::move(*declared), http);
	if (!usesFederatedCredential(provider, settings)) return nullptr;
	const std::string source = Poco::toLower(settings.getOr("FEDERATED_TOKEN_SOURCE", ""));
	if (auto file = settings.get("CLIENT_ASSERTION_FILE"))
	{
		if (!source.empty() && source != "file")
			throw UsageException("CLIENT_ASSERTION_FILE and FEDERATED_TOKEN_SOURCE=" + safeText(source, 20) + " name two credentials: keep one");
		return std::make_unique<FederatedTokenFile>(*file, "CLIENT_ASSERTION_FILE");
	}
	if (source == "file") throw UsageException("FEDERATED_TOKEN_SOURCE=file needs CLIENT_ASSERTION_FILE, the token file");
	if (!source.empty() && source != "github")
		throw UsageException("FEDERATED_TOKEN_SOURCE '" + safeText(source, 20) + "' is not a source jwtflow knows: github, or "
			"CLIENT_ASSERTION_FILE for a token file");
	const auto url = settings.get("ACTIONS_ID_TOKEN_REQUEST_URL");
	const auto token = settings.get("ACTIONS_ID_TOKEN_REQUEST_TOKEN");
	if (!url || !token)
		throw UsageException("FEDERATED_TOKEN_SOURCE=github needs ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN, which "
			"GitHub Actions sets for a job with `permissions: id-token: write`");
	return std::make_unique<GitHubIdToken>(*url, *token, settings.getOr("FEDERATED_TOKEN_AUDIENCE", DEFAULT_FEDERATED_AUDIENCE), http);
}

} // namespace jwtflow
