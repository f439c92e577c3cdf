//
// SubjectTokenReader.cpp
//
// Library: jwtflow net
// A provider's declared subject token: a file, a URL or a program
// (Google's credential_source, AIP-4117), read anew for every login.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "BoundedCommand.h"
#include "jwtflow/Exception.h"
#include "jwtflow/FederatedSources.h"
#include "jwtflow/Json.h"
#include "jwtflow/SafeText.h"
#include "jwtflow/SecureFiles.h"
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Environment.h>
#include <Poco/File.h>
#include <Poco/StringTokenizer.h>
#include <Poco/String.h>

namespace jwtflow {

namespace {

const std::size_t MAX_TOKEN_BYTES = 64 * 1024;
const char* const TOKEN_TYPE_PREFIX = "urn:ietf:params:oauth:token-type:";

bool isJwtType(const std::string& type)
{
	return type.empty() || type == std::string(TOKEN_TYPE_PREFIX) + "jwt" || type == std::string(TOKEN_TYPE_PREFIX) + "id_token";
}

std::string isoTime(Poco::Int64 epoch)
{
	return Poco::DateTimeFormatter::format(Poco::Timestamp::fromEpochTime(static_cast<std::time_t>(epoch)),
		Poco::DateTimeFormat::ISO8601_FORMAT);
}

/// The variables an executable inherits from jwtflow: enough to find its tools and its home, nothing else.
std::vector<std::pair<std::string, std::string>> boundedEnvironment(const SubjectTokenSource& source)
{
	std::vector<std::pair<std::string, std::string>> env;
	env.emplace_back("PATH", Poco::Environment::get("PATH", "/usr/local/bin:/usr/bin:/bin"));
	for (const char* name: {"HOME", "LANG", "TMPDIR"})
		if (Poco::Environment::has(name)) env.emplace_back(name, Poco::Environment::get(name));
	for (const auto& e: source.environment) env.push_back(e);
	return env;
}

} // namespace

SubjectTokenReader::SubjectTokenReader(SubjectTokenSource source, HttpClient& http, std::function<Poco::Timestamp()> clock):
	_source(std::move(source)), _http(http), _clock(std::move(clock))
{
}

std::string SubjectTokenReader::describe() const
{
	switch (_source.kind)
	{
	case SubjectTokenSource::Kind::File: return "the subject token in " + quotedText(_source.location) + " (" + _source.origin + ")";
	case SubjectTokenSource::Kind::Url: return "the subject token from " + quotedText(_source.location) + " (" + _source.origin + ")";
	default: return "the subject token that " + quotedText(_source.location) + " prints (" + _source.origin + ")";
	}
}

std::string SubjectTokenReader::next() const
{
	switch (_source.kind)
	{
	case SubjectTokenSource::Kind::File: return fromFile();
	case SubjectTokenSource::Kind::Url: return fromUrl();
	default: return fromExecutable();
	}
}

Poco::Int64 SubjectTokenReader::now() const
{
	return (_clock ? _clock() : Poco::Timestamp()).epochTime();
}

std::string SubjectTokenReader::fieldOf(const std::string& text, const std::string& where) const
{
	if (_source.jsonField.empty()) return Poco::trim(text);
	Poco::JSON::Object::Ptr document;
	try
	{
		document = parseJsonObject(text);
	}
	catch (const Poco::Exception&)
	{
		throw InputException(where + " is not a JSON object, but " + _source.origin + " says its format is json");
	}
	const std::string token = jsonString(*document, _source.jsonField);
	if (token.empty())
		throw InputException(where + " has no field " + quotedText(_source.jsonField, 60) + " (subject_token_field_name of "
			+ _source.origin + ")");
	return token;
}

std::string SubjectTokenReader::checked(std::string token, const std::string& where) const
{
	if (token.empty()) throw InputException(where + " is empty: there is no subject token to exchange");
	if (isJwtType(_source.tokenType)) readUnexpiredWorkloadToken(token, where, now(), "whatever writes or serves it has stopped renewing it");
	return token;
}

std::string SubjectTokenReader::fromFile() const
{
	const std::string what = "the subject token file of " + _source.origin;
	checkTrustedFile(_source.location, what, TrustedFileKind::Content);
	const std::string text = readTextFile(_source.location, what, MAX_TOKEN_BYTES);
	const std::string where = "the subject token file '" + _source.location + "' (" + _source.origin + ")";
	return checked(fieldOf(text, where), where);
}

std::string SubjectTokenReader::fromUrl() const
{
	HttpCall call;
	call.url = _source.location;
	for (const auto& header: _source.headers)
	{
		if (Poco::icompare(header.first, "Authorization") != 0)
		{
			call.headers.push_back(header);
			continue;
		}
		// A Bearer credential (GitHub's request token, a metadata server's): sent as jwtflow sends every token.
		if (Poco::icompare(header.second.substr(0, 7), "bearer ") != 0)
			throw UsageException(_source.origin + " sends an Authorization header that is not a Bearer token: jwtflow sends "
				"only Bearer credentials to a subject-token URL");
		call.bearerToken = Poco::trim(header.second.substr(7));
	}
	const HttpResponse answer = _http.request(call);
	const std::string where = "the subject token from " + quotedText(_source.location, 120) + " (" + _source.origin + ")";
	if (answer.status != 200)
		throw NetworkException(quotedText(_source.location, 120) + " answered HTTP " + std::to_string(answer.status)
			+ " for the subject token (" + _source.origin + "): check the URL and the headers it needs", answer.status);
	if (answer.body.size() > MAX_TOKEN_BYTES) throw NetworkException(where + " is larger than a token");
	return checked(fieldOf(answer.body, where), where);
}

std::string SubjectTokenReader::fromExecutable() const
{
	const std::string& allow = _source.allowVariable;
	if (!allow.empty() && Poco::Environment::get(allow, "") != "1")
		throw UsageException(_source.origin + " names a program to run for the subject token ('" + safeText(_source.location, 120)
			+ "'): programs named by a credentials file run only when you allow them, with " + allow + "=1 in the environment");
	std::vector<std::string> argv;
	Poco::StringTokenizer words(_source.location, " ", Poco::StringTokenizer::TOK_IGNORE_EMPTY);
	for (const auto& w: words) argv.push_back(w);
	if (argv.empty() || argv[0][0] != '/')
		throw UsageException(_source.origin + " names the program " + quotedText(_source.location, 120) + " without its absolute "
			"path: give the full path (jwtflow never searches PATH or runs a shell for a credentials file)");
	const std::string program = "the credential program of " + _source.origin;
	if (!Poco::File(argv[0]).exists()) throw InputException("cannot run " + program + " '" + argv[0] + "': no such file");
	checkTrustedFile(argv[0], program, TrustedFileKind::Code);

	// A cached answer the program left in its output file, while it lasts.
	if (!_source.outputFile.empty() && Poco::File(_source.outputFile).exists())
	{
		try
		{
			checkTrustedFile(_source.outputFile, "the credential program's output file", TrustedFileKind::Content);
			const std::string cached = readTextFile(_source.outputFile, "the credential program's output file", MAX_TOKEN_BYTES);
			Poco::JSON::Object::Ptr answer = parseJsonObject(cached);
			const auto expires = answer->has("expiration_time") ? answer->getValue<Poco::Int64>("expiration_time") : 0;
			if (answer->optValue<bool>("success", false) && expires - now() >= FederatedTokenFile::MIN_REMAINING_SECONDS)
			{
				std::string token = jsonString(*answer, answer->has("saml_response") ? "saml_response" : "id_token");
				if (!token.empty()) return checked(token, "the cached answer in '" + _source.outputFile + "'");
			}
		}
		catch (const Poco::Exception&)
		{
			// Not a usable answer: run the program, which writes a new one.
		}
	}

	const BoundedCommandResult run = runBoundedCommand(argv, boundedEnvironment(_source), _source.timeoutMillis, MAX_TOKEN_BYTES);
	const std::string said = run.err.empty() ? "" : " (it said: " + safeText(firstLine(Poco::trim(run.err)), 160) + ")";
	if (run.timedOut)
		throw NetworkException(program + " '" + argv[0] + "' did not answer within " + std::to_string(_source.timeoutMillis)
			+ " ms and was stopped: raise timeout_millis in the credentials file (at most 120000) or fix the program");
	if (run.outputTooLarge) throw InputException(program + " '" + argv[0] + "' printed more than a token answer and was stopped");
	if (run.signal != 0)
		throw InputException(program + " '" + argv[0] + "' was ended by signal " + std::to_string(run.signal) + said);
	Poco::JSON::Object::Ptr answer;
	try
	{
		answer = parseJsonObject(run.out);
	}
	catch (const Poco::Exception&)
	{
		if (run.exitCode != 0)
			throw InputException(program + " '" + argv[0] + "' failed with exit status " + std::to_string(run.exitCode) + said);
		throw InputException(program + " '" + argv[0] + "' printed something other than the JSON answer of AIP-4117 "
			"({\"version\": 1, \"success\": true, \"token_type\": ..., \"id_token\": ..., \"expiration_time\": ...})" + said);
	}
	const std::string where = "the answer of " + program + " '" + argv[0] + "'";
	Poco::Int64 version = 0;
	bool success = false;
	try
	{
		version = answer->getValue<Poco::Int64>("version");
		success = answer->getValue<bool>("success");
	}
	catch (const Poco::Exception&)
	{
		throw InputException(where + " lacks version or success (AIP-4117)");
	}
	if (version != 1) throw InputException(where + " is version " + std::to_string(version) + "; jwtflow reads version 1");
	if (!success)
		throw InputException(program + " '" + argv[0] + "' reported a failure: code " + quotedText(jsonString(*answer, "code"), 40)
			+ ", " + quotedText(jsonString(*answer, "message"), 200));
	if (run.exitCode != 0)
		throw InputException(program + " '" + argv[0] + "' said success but exited with status " + std::to_string(run.exitCode));
	const std::string type = jsonString(*answer, "token_type");
	std::string token;
	if (type == std::string(TOKEN_TYPE_PREFIX) + "saml2") token = jsonString(*answer, "saml_response");
	else if (isJwtType(type) && !type.empty()) token = jsonString(*answer, "id_token");
	else throw InputException(where + " has token_type " + quotedText(type, 80) + ": expected " + TOKEN_TYPE_PREFIX + "id_token, jwt or saml2");
	if (answer->has("expiration_time"))
	{
		Poco::Int64 expires = 0;
		try
		{
			expires = answer->getValue<Poco::Int64>("expiration_time");
		}
		catch (const Poco::Exception&)
		{
			throw InputException(where + " has an expiration_time that is not seconds since 1970");
		}
		if (expires <= now()) throw InputException(where + " expired at " + isoTime(expires) + " as it was given");
	}
	else if (!_source.outputFile.empty())
	{
		throw InputException(where + " has no expiration_time, which a program with an output_file must give (AIP-4117)");
	}
	return checked(token, where);
}

} // namespace jwtflow
