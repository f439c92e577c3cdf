//
// GoogleProvider.cpp
//
// Plugin: google
//
// SPDX-License-Identifier: BSL-1.0
//
#include "GoogleProvider.h"
#include "ServiceAccountKey.h"
#include "jwtflow/Exception.h"
#include <Poco/String.h>

namespace jwtflow {
namespace google {

namespace {

const std::string JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";

std::string keyFilePath(const Settings& s)
{
	if (auto path = s.get("KEY_FILE")) return *path;
	if (auto adc = s.get("GOOGLE_APPLICATION_CREDENTIALS")) return *adc;
	throw UsageException("missing setting KEY_FILE: the service account's JSON key file (--key-file FILE, or "
		"GOOGLE_APPLICATION_CREDENTIALS in the environment)");
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
	return "Google service accounts: JWT bearer grant with the JSON key (domain-wide delegation, self-signed JWTs)";
}

std::vector<std::string> GoogleProvider::actions() const
{
	return {"jwt", "token", "describe", "doctor"};
}

std::vector<SettingSpec> GoogleProvider::settings() const
{
	std::vector<SettingSpec> specs(5);
	specs[0] = {"KEY_FILE", "key-file", "the service account's JSON key file (else GOOGLE_APPLICATION_CREDENTIALS)", false, "", false, "FILE"};
	specs[1] = {"SCOPE", "scope", "space-separated OAuth scopes, e.g. https://www.googleapis.com/auth/cloud-platform", false, "", false, "SCOPES"};
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

std::optional<KeyMaterial> GoogleProvider::privateKey(const Settings& settings) const
{
	const std::string path = keyFilePath(settings);
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
	if (selfSigned(settings))
		throw UsageException("in self-signed mode the JWT is the access token, with no exchange: use `jwtflow google jwt` "
			"and send it as a Bearer token");
	auto key = loadServiceAccountKey(keyFilePath(settings));
	return {key->tokenUri, {{"grant_type", JWT_BEARER}, {"assertion", assertion}}};
}

std::string GoogleProvider::errorHint(const OAuthError& e) const
{
	const std::string& d = e.description;
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
