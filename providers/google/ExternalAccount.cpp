//
// ExternalAccount.cpp
//
// Plugin: google
// Fields of AIP-4117: type, audience, subject_token_type, token_url,
// service_account_impersonation_url, service_account_impersonation,
// credential_source {file | url, headers | executable {command,
// timeout_millis, output_file}; format {type, subject_token_field_name}},
// workforce_pool_user_project.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "ExternalAccount.h"
#include "FileCache.h"
#include "jwtflow/Exception.h"
#include "jwtflow/Json.h"
#include "jwtflow/Network.h"
#include "jwtflow/SafeText.h"
#include "jwtflow/SecureFiles.h"
#include <Poco/File.h>
#include <Poco/URI.h>

namespace jwtflow {
namespace google {

namespace {

const std::size_t MAX_FILE_BYTES = 64 * 1024;

struct Reader
{
	std::string path;
	std::string setting;

	InputException refused(const std::string& what) const
	{
		return InputException("external_account file '" + path + "' (" + setting + "): " + what);
	}

	std::string text(const Poco::JSON::Object& json, const std::string& name, bool required) const
	{
		if (!json.has(name) || json.isNull(name))
		{
			if (required) throw refused("\"" + name + "\" is missing");
			return {};
		}
		Poco::Dynamic::Var v = json.get(name);
		if (!v.isString()) throw refused("\"" + name + "\" is not a string");
		std::string s = v.extract<std::string>();
		if (required && s.empty()) throw refused("\"" + name + "\" is empty");
		return s;
	}

	std::string url(const Poco::JSON::Object& json, const std::string& name, bool required) const
	{
		const std::string value = text(json, name, required);
		if (value.empty()) return value;
		Poco::URI uri;
		try
		{
			uri = Poco::URI(value);
		}
		catch (const Poco::Exception&)
		{
			throw refused("\"" + name + "\" is not a URL");
		}
		const bool plainOk = uri.getScheme() == "http" && (isLoopbackHost(uri.getHost()) || isInstanceMetadataHost(uri.getHost()));
		if (uri.getHost().empty() || (uri.getScheme() != "https" && !plainOk))
			throw refused("\"" + name + "\" must be an https URL");
		return value;
	}
};

FileCache<ExternalAccount> cache;

Poco::JSON::Object::Ptr readCredentials(const std::string& path, Poco::Timestamp* modified = nullptr, Poco::File::FileSize* size = nullptr)
{
	const std::string what = "Google credentials file";
	Poco::File f(path);
	if (!f.exists()) throw InputException("cannot read " + what + " '" + path + "': no such file");
	if (f.isDirectory()) throw InputException("cannot read " + what + " '" + path + "': it is a folder, not a JSON file");
	checkTrustedFile(path, what, TrustedFileKind::Content);
	if (modified) *modified = f.getLastModified();
	if (size) *size = f.getSize();
	const std::string text = readTextFile(path, what, MAX_FILE_BYTES);
	try
	{
		return parseStrictJsonObject(text);
	}
	catch (const Poco::Exception&)
	{
		// Never the parser's message: a service-account file holds a private key.
		throw InputException(what + " '" + path + "' is not a JSON object");
	}
}

SubjectTokenSource readSource(const Reader& r, const Poco::JSON::Object& json, const ExternalAccount& account)
{
	Poco::JSON::Object::Ptr source = json.getObject("credential_source");
	if (!source) throw r.refused("\"credential_source\" is missing or not an object");
	if (source->has("environment_id"))
		throw UsageException("external_account file '" + r.path + "' is for AWS (credential_source.environment_id " +
			quotedText(r.text(*source, "environment_id", false), 20) + "): jwtflow reads subject tokens from a file, a URL "
			"or a program; use Google's libraries for AWS sources");
	SubjectTokenSource s;
	s.tokenType = account.subjectTokenType;
	s.origin = "credential_source of '" + r.path + "' (" + r.setting + ")";
	const int kinds = source->has("file") + source->has("url") + source->has("executable");
	if (kinds != 1) throw r.refused("\"credential_source\" must name exactly one of file, url and executable");
	if (Poco::JSON::Object::Ptr format = source->getObject("format"))
	{
		const std::string type = r.text(*format, "type", false);
		if (type == "json")
		{
			s.jsonField = r.text(*format, "subject_token_field_name", false);
			if (s.jsonField.empty()) throw r.refused("credential_source.format is json without subject_token_field_name");
		}
		else if (!type.empty() && type != "text")
		{
			throw r.refused("credential_source.format.type " + quotedText(type, 20) + " is not text or json");
		}
	}
	if (source->has("file"))
	{
		s.kind = SubjectTokenSource::Kind::File;
		s.location = r.text(*source, "file", true);
	}
	else if (source->has("url"))
	{
		s.kind = SubjectTokenSource::Kind::Url;
		s.location = r.url(*source, "url", true);
		if (Poco::JSON::Object::Ptr headers = source->getObject("headers"))
			for (const auto& name: headers->getNames()) s.headers.emplace_back(name, r.text(*headers, name, false));
	}
	else
	{
		Poco::JSON::Object::Ptr exec = source->getObject("executable");
		if (!exec) throw r.refused("credential_source.executable is not an object");
		s.kind = SubjectTokenSource::Kind::Executable;
		s.location = r.text(*exec, "command", true);
		s.allowVariable = EXECUTABLES_ALLOWED_VARIABLE;
		if (exec->has("timeout_millis"))
		{
			try
			{
				s.timeoutMillis = exec->getValue<int>("timeout_millis");
			}
			catch (const Poco::Exception&)
			{
				throw r.refused("credential_source.executable.timeout_millis is not a number");
			}
			if (s.timeoutMillis < 5000 || s.timeoutMillis > 120000)
				throw r.refused("credential_source.executable.timeout_millis must be between 5000 and 120000");
		}
		s.outputFile = r.text(*exec, "output_file", false);
		s.environment = {{"GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE", account.audience},
			{"GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE", account.subjectTokenType}, {"GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE", "0"}};
		if (!account.serviceAccountEmail.empty())
			s.environment.emplace_back("GOOGLE_EXTERNAL_ACCOUNT_IMPERSONATED_EMAIL", account.serviceAccountEmail);
		if (!s.outputFile.empty()) s.environment.emplace_back("GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE", s.outputFile);
	}
	return s;
}

std::shared_ptr<const ExternalAccount> parse(const std::string& path, const std::string& setting, const Poco::JSON::Object& json)
{
	const Reader r{path, setting};
	if (r.text(json, "type", true) != "external_account") throw r.refused("\"type\" is not \"external_account\"");
	auto account = std::make_shared<ExternalAccount>();
	account->path = path;
	account->audience = r.text(json, "audience", true);
	account->subjectTokenType = r.text(json, "subject_token_type", true);
	if (account->subjectTokenType.rfind("urn:ietf:params:oauth:token-type:", 0) != 0 && account->subjectTokenType.rfind("urn:ietf:params:aws:", 0) != 0)
		throw r.refused("\"subject_token_type\" " + quotedText(account->subjectTokenType, 80) + " is not a token type URN");
	account->tokenUrl = r.url(json, "token_url", false);
	if (account->tokenUrl.empty()) account->tokenUrl = "https://sts.googleapis.com/v1/token";
	account->impersonationUrl = r.url(json, "service_account_impersonation_url", false);
	if (!account->impersonationUrl.empty())
	{
		const std::string marker = "/serviceAccounts/", verb = ":generateAccessToken";
		const std::size_t at = account->impersonationUrl.rfind(marker);
		const std::size_t end = account->impersonationUrl.rfind(verb);
		if (at == std::string::npos || end == std::string::npos || end < at)
			throw r.refused("\"service_account_impersonation_url\" does not end in /serviceAccounts/EMAIL:generateAccessToken");
		account->serviceAccountEmail = account->impersonationUrl.substr(at + marker.size(), end - at - marker.size());
	}
	if (Poco::JSON::Object::Ptr impersonation = json.getObject("service_account_impersonation"))
	{
		if (impersonation->has("token_lifetime_seconds"))
		{
			try
			{
				account->tokenLifetimeSeconds = impersonation->getValue<int>("token_lifetime_seconds");
			}
			catch (const Poco::Exception&)
			{
				throw r.refused("service_account_impersonation.token_lifetime_seconds is not a number");
			}
			if (account->tokenLifetimeSeconds < 600 || account->tokenLifetimeSeconds > 43200)
				throw r.refused("service_account_impersonation.token_lifetime_seconds must be between 600 and 43200");
		}
	}
	account->workforceUserProject = r.text(json, "workforce_pool_user_project", false);
	if (!r.text(json, "client_secret", false).empty())
		throw UsageException("external_account file '" + path + "' authenticates to STS with a client secret (client_id, "
			"client_secret): jwtflow exchanges without one; use a pool provider that needs no OAuth client");
	account->source = readSource(r, json, *account);
	return account;
}

} // namespace

std::shared_ptr<const ExternalAccount> externalAccountIn(const std::string& path, const std::string& settingName)
{
	if (auto kept = cache.find(path)) return *kept;
	Poco::Timestamp modified;
	Poco::File::FileSize size = 0;
	Poco::JSON::Object::Ptr json = readCredentials(path, &modified, &size);
	std::shared_ptr<const ExternalAccount> account;
	if (jsonString(*json, "type") == "external_account") account = parse(path, settingName, *json);
	cache.put(path, modified, size, account);
	return account;
}

} // namespace google
} // namespace jwtflow
