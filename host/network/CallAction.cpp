//
// CallAction.cpp
//
// Module: jwtflow-network
// `jwtflow <provider> call [-X METHOD] PATH|URL [--data @FILE|-|TEXT] [-H 'Name: value']...`:
// a request with the cached Bearer token, like `sf api request rest` and
// `az rest`. A relative path resolves against the provider's API base; a 401
// refreshes the login once and retries once.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "JwtflowApp.h"
#include "TokenExchange.h"
#include "jwtflow/Exception.h"
#include "jwtflow/HttpClient.h"
#include "jwtflow/Json.h"
#include "jwtflow/SafeText.h"
#include <Poco/File.h>
#include <Poco/JSON/Array.h>
#include <Poco/String.h>
#include <algorithm>
#include <fstream>
#include <iostream>
#include <unistd.h>

namespace jwtflow {
namespace host {

namespace {

const std::size_t MAX_CALL_BODY = 64u << 20;   // what call sends or accepts: 64 MiB

std::string readAll(std::istream& in, const std::string& what)
{
	std::string data;
	char buf[65536];
	while (in.read(buf, sizeof buf) || in.gcount() > 0)
	{
		data.append(buf, static_cast<std::size_t>(in.gcount()));
		if (data.size() > MAX_CALL_BODY) throw InputException(what + " is larger than 64 MiB, more than call sends");
	}
	return data;
}

/// --data: @FILE, - (standard input) or the text itself.
std::string requestBody(const std::string& data)
{
	if (data == "-") return readAll(std::cin, "standard input");
	if (data.empty() || data[0] != '@') return data;
	const std::string path = data.substr(1);
	if (path.empty()) throw UsageException("--data @FILE needs a file name after the @");
	Poco::File file(path);
	if (!file.exists()) throw InputException("cannot read --data file '" + safeText(path) + "': no such file");
	if (!file.isFile()) throw InputException("cannot read --data file '" + safeText(path) + "': not a regular file");
	std::ifstream in(path, std::ios::binary);
	if (!in) throw InputException("cannot read --data file '" + safeText(path) + "': permission denied");
	return readAll(in, "--data file '" + safeText(path) + "'");
}

/// -H 'Name: value': through the one header check (HttpClient.h), Content-Type included.
std::pair<std::string, std::string> parseHeader(const std::string& text)
{
	const auto colon = text.find(':');
	if (colon == std::string::npos || colon == 0)
		throw UsageException("-H " + quotedText(text.substr(0, text.find_first_of("\r\n")), 60) + " is not a header: give 'Name: value'");
	std::string name = Poco::trim(text.substr(0, colon));
	std::string value = Poco::trim(text.substr(colon + 1));
	if (Poco::icompare(name, "Authorization") == 0)
		throw UsageException("call sends the cached token as Authorization: give no Authorization header");
	checkRequestHeader(name, value);
	return {name, value};
}

bool isAbsolute(const std::string& target)
{
	const std::string lower = Poco::toLower(target.substr(0, 8));
	return lower.compare(0, 8, "https://") == 0 || lower.compare(0, 7, "http://") == 0;
}

void checkTargetForm(const std::string& target)
{
	if (!isAbsolute(target) && (target.empty() || target[0] != '/' || (target.size() > 1 && target[1] == '/')))
		throw UsageException("call takes a path starting with / (resolved against the API base) or an absolute https URL, not "
			+ quotedText(target, 80));
}

/// PATH resolved against the API base, or an absolute URL as given; either way with the
/// bytes no request line may carry (CR LF, spaces, control and non-ASCII bytes) percent-encoded,
/// so that `call "/query?q=SELECT Id FROM Account"` works and a CR LF in outside text cannot
/// end the request line.
std::string resolveTarget(const std::string& target, const std::string& apiBase, const std::string& providerName)
{
	checkTargetForm(target);
	if (isAbsolute(target)) return encodeRequestTarget(target);
	if (apiBase.empty())
		throw UsageException(providerName + " names no API base for its tokens: give an absolute URL (https://...) to call");
	std::string base = apiBase;
	while (!base.empty() && base.back() == '/') base.pop_back();
	return base + encodeRequestTarget(target);
}

/// A short account of an error body: Salesforce's [{errorCode, message}], Graph's
/// {error: {code, message}}, OAuth's {error, error_description}, else its first line.
std::string errorSummary(const HttpResponse& response)
{
	std::string text;
	try
	{
		if (response.body.size() > 64 * 1024) throw Poco::DataException("too long to summarize");
		Poco::Dynamic::Var parsed = parseJsonValue(response.body);
		Poco::JSON::Object::Ptr first;
		if (parsed.type() == typeid(Poco::JSON::Array::Ptr))
		{
			Poco::JSON::Array::Ptr list = parsed.extract<Poco::JSON::Array::Ptr>();
			if (list && list->size() > 0) first = list->getObject(0);
		}
		else if (parsed.type() == typeid(Poco::JSON::Object::Ptr))
		{
			first = parsed.extract<Poco::JSON::Object::Ptr>();
			if (first && first->isObject("error")) first = first->getObject("error");
		}
		if (first)
		{
			const std::string code = !jsonString(*first, "errorCode").empty() ? jsonString(*first, "errorCode")
				: !jsonString(*first, "code").empty() ? jsonString(*first, "code") : jsonString(*first, "error");
			const std::string message = !jsonString(*first, "message").empty() ? jsonString(*first, "message")
				: jsonString(*first, "error_description");
			text = code + (code.empty() || message.empty() ? "" : ": ") + message;
		}
	}
	catch (const Poco::Exception&)
	{
	}
	catch (const std::exception&)
	{
	}
	if (text.empty()) return response.body.empty() ? std::string("(no body)") : firstLine(response.body, 200);
	return safeText(text, 200);
}

std::string withoutToken(std::string text, const std::string& token)
{
	if (token.size() < 8) return text;
	for (std::size_t at = text.find(token); at != std::string::npos; at = text.find(token, at))
		text.replace(at, token.size(), "[token]");
	return text;
}

bool isJsonType(const std::string& contentType)
{
	const std::string t = Poco::toLower(contentType);
	return t.find("application/json") != std::string::npos || t.find("+json") != std::string::npos;
}

/// --output json: {status, reason, headers, body}, written piece by piece. A JSON body is
/// checked without building it and passed on as it came (an 8 MiB answer took 30 times its
/// size as objects); any other body is one JSON string. Piped, the output is data, byte for
/// byte; on a terminal it is shown, not obeyed (a C1 or bidi character becomes its \u escape,
/// which is JSON too).
void writeJsonAnswer(const HttpResponse& response, const std::string& token)
{
	Poco::JSON::Object headers(Poco::JSON_PRESERVE_KEY_ORDER);
	for (const auto& h: response.headers)
	{
		const std::string value = withoutToken(h.second, token);
		headers.set(h.first, headers.has(h.first) ? headers.getValue<std::string>(h.first) + ", " + value : value);
	}
	std::string head = "{\n  \"status\": " + std::to_string(response.status) + ",\n  \"reason\": " + quoteJson(response.reason)
		+ ",\n  \"headers\": ";
	std::string headerText = objectToJson(headers, 2);
	for (std::size_t at = headerText.find('\n'); at != std::string::npos; at = headerText.find('\n', at + 3))
		headerText.replace(at, 1, "\n  ");
	head += headerText + ",\n  \"body\": ";
	const bool terminal = ::isatty(STDOUT_FILENO) != 0;
	auto emit = [terminal](const std::string& text) {
		if (terminal)
		{
			std::cout << terminalSafe(text, true);
			return;
		}
		std::cout.write(text.data(), static_cast<std::streamsize>(text.size()));
	};
	emit(head);
	if (isJsonType(response.contentType) && !response.body.empty() && isJsonValue(response.body)) emit(response.body);
	else emit(quoteJson(response.body));
	emit("\n}\n");
	std::cout.flush();
}

} // namespace

int JwtflowApp::actionCall(Provider& provider)
{
	const OutputFormat format = outputFormat();
	if (_words.size() != 1)
		throw UsageException("call takes one path or URL: jwtflow " + provider.name() + " call [-X METHOD] PATH|URL");
	const std::string target = _words[0];
	checkTargetForm(target);   // usage errors before any login
	HttpCall call;
	const bool hasData = _values.count("data") && !_values["data"].empty();
	call.method = Poco::toUpper(flagValue("method", hasData ? "POST" : "GET"));
	static const char* const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"};
	if (std::find(std::begin(methods), std::end(methods), call.method) == std::end(methods))
		throw UsageException("-X " + quotedText(call.method, 20) + " is not a method call sends: GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS");
	if (hasData) call.body = requestBody(_values["data"].back());
	for (const auto& h: _values["header"])
	{
		auto header = parseHeader(h);
		if (Poco::icompare(header.first, "Content-Type") == 0) call.contentType = header.second;
		else call.headers.push_back(header);
	}
	if (!hasData && !call.contentType.empty()) call.contentType.clear();   // no body: nothing to type

	CacheChoice cache{!hasFlag("no-cache"), hasFlag("refresh")};
	Exchange ex = exchangeToken(provider, settings(), signingKeyFor(provider), extraClaims(), timeoutSeconds(), _console, cache);
	// API answers may be larger than a token endpoint's.
	HttpOptions options = ex.http->options();
	options.maxBodyBytes = MAX_CALL_BODY;
	options.tooLargeHint = "jwtflow call takes answers up to 64 MiB: ask the API for less, a page or fewer fields at a time";
	options.onRetry = [this](const std::string& what) { _console.detail(what); };
	HttpClient http(options);

	call.url = resolveTarget(target, provider.apiBase(ex.token, settings()), provider.name());
	call.bearerToken = ex.token.accessToken;
	_console.detail("jwtflow: " + call.method + " " + safeText(call.url, 300));
	HttpResponse response = http.request(call);
	bool refreshed = false;
	if (response.status == 401)
	{
		// The token was refused (expired session, revoked): one new login, one retry, never more.
		_console.detail("jwtflow: HTTP 401 with the " + std::string(ex.fromCache ? "cached" : "new") + " token: logging in again");
		ex.renew(_console);
		call.url = resolveTarget(target, provider.apiBase(ex.token, settings()), provider.name());
		call.bearerToken = ex.token.accessToken;
		response = http.request(call);
		refreshed = true;
	}
	_console.detail("jwtflow: HTTP " + std::to_string(response.status) + " " + safeText(response.reason, 80));

	if (format == OutputFormat::Json)
	{
		writeJsonAnswer(response, call.bearerToken);
	}
	else if (format == OutputFormat::Env)
	{
		_console.envLines({{"HTTP_STATUS", std::to_string(response.status)}, {"HTTP_BODY", response.body}});
	}
	else if (response.status < 400 && !response.body.empty())
	{
		if (::isatty(STDOUT_FILENO))
		{
			std::cout << terminalSafe(response.body, true);   // shown, not obeyed: no escape sequences from a server
			if (response.body.back() != '\n') std::cout << '\n';
		}
		else
		{
			std::cout.write(response.body.data(), static_cast<std::streamsize>(response.body.size()));
		}
		std::cout.flush();
	}
	if (response.status < 400) return 0;

	std::string message = call.method + " " + safeText(call.url, 200) + " answered HTTP " + std::to_string(response.status)
		+ (response.reason.empty() ? "" : " " + safeText(response.reason, 60)) + ": "
		+ withoutToken(errorSummary(response), call.bearerToken);
	if (response.status == 401)
		message += refreshed ? "\n(a new login's token was refused too: check that the user may use the API (Salesforce: the \"API Enabled\""
			" permission; Entra ID: the app's API permissions, granted by an admin) and that the URL belongs to the token's resource)"
			: "\n(the token was refused)";
	std::cerr << "jwtflow: error: " << terminalSafe(message) << std::endl;
	return static_cast<int>(jwtflow::ExitCode::IdpRefused);
}

} // namespace host
} // namespace jwtflow
