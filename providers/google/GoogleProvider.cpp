//
// GoogleProvider.cpp
//
// Plugin: google
//
// SPDX-License-Identifier: BSL-1.0
//
#include "GoogleProvider.h"
#include "ExternalAccount.h"
#include "ServiceAccountKey.h"
#include "jwtflow/Exception.h"
#include "jwtflow/Json.h"
#include <Poco/DateTimeParser.h>
#include <Poco/File.h>
#include <Poco/JSON/Array.h>
#include <Poco/Environment.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>

namespace jwtflow {
namespace google {

namespace {

const std::string JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const std::string TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const std::string ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
const std::string CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform";

std::string keyFilePath(const Settings& s)
{
	if (auto path = s.get("KEY_FILE")) return *path;
	if (auto adc = s.get("GOOGLE_APPLICATION_CREDENTIALS")) return *adc;
	throw UsageException("missing setting KEY_FILE: the service account's JSON key file or an external_account "
		"configuration (--key-file FILE, or GOOGLE_APPLICATION_CREDENTIALS in the environment)");
}

std::string keyFileSetting(const Settings& s)
{
	return s.get("KEY_FILE") ? "KEY_FILE" : "GOOGLE_APPLICATION_CREDENTIALS";
}

/// The workload identity federation configuration KEY_FILE holds, or null for a service-account key
/// (and when no file is named or it does not exist: the key file's own checks say so).
std::shared_ptr<const ExternalAccount> externalAccount(const Settings& s)
{
	if (!s.get("KEY_FILE") && !s.get("GOOGLE_APPLICATION_CREDENTIALS")) return nullptr;
	const std::string path = keyFilePath(s);
	if (!Poco::File(path).exists()) return nullptr;
	return externalAccountIn(path, keyFileSetting(s));
}

std::vector<std::string> scopesOf(const Settings& s)
{
	std::vector<std::string> scopes;
	Poco::StringTokenizer words(s.getOr("SCOPE", CLOUD_PLATFORM), " ,", Poco::StringTokenizer::TOK_IGNORE_EMPTY | Poco::StringTokenizer::TOK_TRIM);
	for (const auto& w: words) scopes.push_back(w);
	if (scopes.empty()) scopes.push_back(CLOUD_PLATFORM);
	return scopes;
}

std::string joined(const std::vector<std::string>& words)
{
	std::string text;
	for (const auto& w: words) text += (text.empty() ? "" : " ") + w;
	return text;
}

bool selfSigned(const Settings& s)
{
	const std::string mode = Poco::toLower(Poco::trim(s.getOr("MODE", "exchange")));
	if (mode == "exchange") return false;
	if (mode == "self-signed") return true;
	throw UsageException("MODE '" + mode + "' is not exchange or self-signed");
}

bool has(const std::string& text, const char* part)
{
	return Poco::toLower(text).find(part) != std::string::npos;
}

} // namespace

std::string GoogleProvider::name() const
{
	return "google";
}

std::string GoogleProvider::description() const
{
	return "Google service accounts: JWT bearer grant with the JSON key (domain-wide delegation, self-signed JWTs), or "
		"workload identity federation (external_account)";
}

std::vector<std::string> GoogleProvider::actions() const
{
	return {"jwt", "token", "describe", "doctor"};
}

std::vector<SettingSpec> GoogleProvider::settings() const
{
	std::vector<SettingSpec> specs(5);
	specs[0] = {"KEY_FILE", "key-file", "the service account's JSON key file, or an external_account (workload identity federation) "
		"file (else GOOGLE_APPLICATION_CREDENTIALS)", false, "", false, "FILE"};
	specs[1] = {"SCOPE", "scope", "space-separated OAuth scopes, e.g. https://www.googleapis.com/auth/cloud-platform (the default "
		"for external_account)", false, "", false, "SCOPES"};
	specs[2] = {"SUBJECT", "subject", "domain-wide delegation: the Workspace user to act as (the JWT's sub)", false, "", false, "EMAIL"};
	specs[3] = {"MODE", "mode", "exchange (default: get an access token) or self-signed (the JWT is the token)", false, "exchange", false, "MODE"};
	specs[4] = {"SELF_SIGNED_AUDIENCE", "self-signed-audience", "self-signed mode: the API, e.g. https://pubsub.googleapis.com/ (else SCOPE goes in the JWT)",
		false, "", false, "URL"};
	specs[1].label = specs[2].label = true;
	return specs;
}

AssertionPolicy GoogleProvider::assertionPolicy() const
{
	AssertionPolicy policy;
	policy.algorithms = {"RS256"};       // Google service-account keys are RSA
	policy.defaultLifetimeSeconds = 3600;
	policy.maxLifetimeSeconds = 3600;    // "Token must be a short-lived token (60 minutes)"
	return policy;
}

std::optional<SubjectTokenSource> GoogleProvider::subjectTokenSource(const Settings& settings) const
{
	if (auto account = externalAccount(settings)) return account->source;
	return std::nullopt;
}

std::optional<KeyMaterial> GoogleProvider::privateKey(const Settings& settings) const
{
	const std::string path = keyFilePath(settings);
	if (externalAccount(settings))
		throw UsageException("'" + path + "' (" + keyFileSetting(settings) + ") is a workload identity federation configuration "
			"(external_account), which holds no private key: `jwtflow google token` exchanges its subject token; a signed JWT "
			"needs a service-account key");
	return KeyMaterial{readPrivateKeyPem(path), "private_key of service-account key file '" + path + "'", path};
}

void GoogleProvider::declareAssertion(const AssertionContext& context, Poco::JSON::Object& header,
	Poco::JSON::Object& claims) const
{
	const Settings& s = context.settings;
	auto key = loadServiceAccountKey(keyFilePath(s));
	header.set("typ", "JWT");
	header.set("kid", key->privateKeyId);
	const std::string scope = Poco::trim(s.getOr("SCOPE", ""));
	claims.set("iss", key->clientEmail);
	if (selfSigned(s))
	{
		claims.set("sub", key->clientEmail);
		const std::string audience = Poco::trim(s.getOr("SELF_SIGNED_AUDIENCE", ""));
		if (!audience.empty()) claims.set("aud", audience);
		else if (!scope.empty()) claims.set("scope", scope);
		else
			throw UsageException("a self-signed JWT names its API: set SELF_SIGNED_AUDIENCE (e.g. https://pubsub.googleapis.com/) "
				"or SCOPE");
	}
	else
	{
		if (scope.empty())
			throw UsageException("missing setting SCOPE: Google needs the scopes to grant, e.g. "
				"https://www.googleapis.com/auth/cloud-platform (--scope)");
		if (auto subject = s.get("SUBJECT")) claims.set("sub", *subject);
		claims.set("scope", scope);
		claims.set("aud", key->tokenUri);
	}
	claims.set("iat", context.issuedAt);
	claims.set("exp", context.expiresAt);
}

TokenRequest GoogleProvider::tokenRequest(const Settings& settings, const std::string& assertion) const
{
	if (auto account = externalAccount(settings))
	{
		// RFC 8693 at Google's STS; with impersonation STS grants cloud-platform and IAM the asked-for scopes.
		FormFields form = {{"grant_type", TOKEN_EXCHANGE}, {"audience", account->audience},
			{"scope", account->impersonationUrl.empty() ? joined(scopesOf(settings)) : CLOUD_PLATFORM},
			{"requested_token_type", ACCESS_TOKEN_TYPE}, {"subject_token", assertion}, {"subject_token_type", account->subjectTokenType}};
		if (!account->workforceUserProject.empty())
		{
			Poco::JSON::Object options;
			options.set("userProject", account->workforceUserProject);
			form.emplace_back("options", toJson(options));
		}
		return {account->tokenUrl, form};
	}
	if (selfSigned(settings))
		throw UsageException("in self-signed mode the JWT is the access token, with no exchange: use `jwtflow google jwt` "
			"and send it as a Bearer token");
	auto key = loadServiceAccountKey(keyFilePath(settings));
	return {key->tokenUri, {{"grant_type", JWT_BEARER}, {"assertion", assertion}}};
}

std::optional<FollowUpRequest> GoogleProvider::followUp(const TokenResult&, const Settings& settings) const
{
	auto account = externalAccount(settings);
	if (!account || account->impersonationUrl.empty()) return std::nullopt;
	Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
	Poco::JSON::Array::Ptr scopes = new Poco::JSON::Array;
	for (const auto& scope: scopesOf(settings)) scopes->add(scope);
	body.set("scope", scopes);
	body.set("lifetime", std::to_string(account->tokenLifetimeSeconds) + "s");
	return FollowUpRequest{account->impersonationUrl, toJson(body)};
}

TokenResult GoogleProvider::readTokenResponse(const Poco::JSON::Object& response) const
{
	if (!response.has("accessToken")) return Provider::readTokenResponse(response);
	// IAM Credentials generateAccessToken: {"accessToken", "expireTime": RFC 3339}.
	TokenResult result;
	result.accessToken = jsonString(response, "accessToken");
	if (result.accessToken.empty()) throw NetworkException("IAM's generateAccessToken answered without an accessToken");
	result.tokenType = "Bearer";
	int zone = 0;
	Poco::DateTime expires;
	if (Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::ISO8601_FRAC_FORMAT, jsonString(response, "expireTime"), expires, zone)
		|| Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::ISO8601_FORMAT, jsonString(response, "expireTime"), expires, zone))
	{
		const Poco::Int64 left = (expires.timestamp().epochTime() - zone) - Poco::Timestamp().epochTime();
		if (left > 0) result.expiresIn = left;
	}
	return result;
}

std::vector<std::pair<std::string, std::string>> GoogleProvider::tokenVariables(const TokenResult& token, const Settings&) const
{
	// What Terraform's google provider and gcloud (--access-token-file aside) read.
	return {{"GOOGLE_OAUTH_ACCESS_TOKEN", token.accessToken}};
}

std::string GoogleProvider::errorHint(const OAuthError& e) const
{
	const std::string& d = e.description;
	// Workload identity federation: STS (OAuth errors) and IAM (API errors).
	if (e.error == "invalid_target")
		return "the audience of the external_account file names no workload identity pool provider (or a disabled one): copy "
			"it from the provider's page (IAM, Workload Identity Federation) or run gcloud iam workload-identity-pools "
			"create-cred-config again";
	if (e.error == "invalid_grant" && (has(d, "audience") || has(d, "issuer")))
		return "the subject token does not match the pool provider: its issuer must be the provider's issuer URI and its "
			"audience one of the provider's allowed audiences (by default the provider's full name, https://iam.googleapis.com/projects/...)";
	if (e.error == "invalid_grant" && (has(d, "expired") || has(d, "stale")))
		return "the subject token has expired: the file, URL or program of credential_source is no longer renewed";
	if (e.error == "invalid_grant" && has(d, "attribute condition"))
		return "the pool provider's attribute condition refuses this token's claims: check the condition in its settings";
	if (e.error == "PERMISSION_DENIED")
		return "the federated identity may not act as this service account: grant it roles/iam.workloadIdentityUser on the "
			"service account (principal://iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/POOL/subject/SUBJECT)";
	if (e.error == "UNAUTHENTICATED")
		return "IAM did not take the STS token: the token_url and service_account_impersonation_url of the external_account "
			"file must be Google's (or the same emulator's)";
	if (has(d, "invalid jwt signature"))
		return "Google does not know this key: it was deleted or disabled, or KEY_FILE belongs to another service account; "
			"create a new key (IAM, Service accounts, Keys)";
	if (has(d, "short-lived") || has(d, "iat") || has(d, "exp"))
		return "check this machine's clock (UTC) and keep JWT_LIFETIME at 3600 s or less";
	if (has(d, "account not found") || has(d, "disabled"))
		return "the service account of KEY_FILE was deleted or disabled in its project";
	if (e.error == "unauthorized_client")
		return "domain-wide delegation is not granted: in the Workspace Admin console (Security, API controls, Domain-wide "
			"delegation) authorize the service account's client ID for exactly these scopes, or drop SUBJECT";
	if (has(d, "email") || has(d, "user id"))
		return "SUBJECT must be the e-mail address of a user in the Workspace domain";
	if (e.error == "invalid_scope")
		return "SCOPE must be space-separated Google OAuth scopes, e.g. https://www.googleapis.com/auth/cloud-platform";
	return "";
}

std::vector<DoctorFinding> GoogleProvider::diagnose(const Settings& settings) const
{
	std::vector<DoctorFinding> findings;
	DoctorFinding file;
	file.check = "service-account key";
	try
	{
		if (auto account = externalAccount(settings))
		{
			file.check = "workload identity federation";
			const char* kinds[] = {"file", "url", "executable"};
			file.message = "external_account for " + account->audience + ", subject token from the " +
				kinds[static_cast<int>(account->source.kind)] + " " + account->source.location +
				(account->serviceAccountEmail.empty() ? std::string(", no impersonation") : ", acting as " + account->serviceAccountEmail);
			if (account->source.kind == SubjectTokenSource::Kind::Executable && Poco::Environment::get(EXECUTABLES_ALLOWED_VARIABLE, "") != "1")
			{
				file.level = DoctorFinding::Level::Fail;
				file.message += ": the program runs only with " + std::string(EXECUTABLES_ALLOWED_VARIABLE) + "=1 in the environment";
			}
			findings.push_back(file);
			return findings;
		}
		auto key = loadServiceAccountKey(keyFilePath(settings));
		file.message = key->clientEmail + " (key " + key->privateKeyId.substr(0, 8) + "...), token_uri " + key->tokenUri;
		if (!key->tokenUri.empty() && key->tokenUri != defaultTokenUri() && key->tokenUri.find("googleapis.com") == std::string::npos)
		{
			file.level = DoctorFinding::Level::Warn;
			file.message += ": not Google's token endpoint";
		}
	}
	catch (const Poco::Exception& e)
	{
		file.level = DoctorFinding::Level::Fail;
		file.message = e.message();
	}
	findings.push_back(file);
	return findings;
}

} // namespace google
} // namespace jwtflow
