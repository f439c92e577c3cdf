//
// Output.cpp
//
// Program: jwtflow
//
// SPDX-License-Identifier: BSL-1.0
//
#include "Output.h"
#include "jwtflow/Exception.h"
#include "jwtflow/Json.h"
#include <iostream>

namespace jwtflow {
namespace host {

OutputFormat parseOutputFormat(const std::string& value)
{
	if (value == "text") return OutputFormat::Text;
	if (value == "json") return OutputFormat::Json;
	if (value == "env") return OutputFormat::Env;
	throw UsageException("--output '" + value + "' is not a format: use text, json or env");
}

void Console::result(const std::string& line) const
{
	std::cout << line << '\n';
}

std::string terminalSafe(const std::string& text, bool keepTabs)
{
	// The last line of defence: the pieces of a message that came from outside
	// were escaped where they were spliced in (safeText); any raw control
	// character left (but the newline before a hint) is shown, not obeyed.
	std::string out;
	out.reserve(text.size());
	for (char c: text)
	{
		const unsigned char u = static_cast<unsigned char>(c);
		if ((u < 0x20 && c != '\n' && !(keepTabs && c == '\t')) || u == 0x7f)
		{
			static const char* hex = "0123456789abcdef";
			out += "\\x";
			out += hex[u >> 4];
			out += hex[u & 15];
		}
		else
		{
			out += c;
		}
	}
	return out;
}

void Console::note(const std::string& text) const
{
	if (!quiet) std::cerr << terminalSafe(text) << std::endl;
}

void Console::detail(const std::string& text) const
{
	if (verbose && !quiet) std::cerr << terminalSafe(text) << std::endl;
}

void Console::json(const Poco::JSON::Object& object) const
{
	std::cout << objectToJson(object, 2) << '\n';
}

void Console::envLines(const std::vector<std::pair<std::string, std::string>>& vars) const
{
	for (const auto& v: vars) std::cout << "export " << v.first << "=" << shellQuote(v.second) << '\n';
}

std::string shellQuote(const std::string& value)
{
	std::string out = "'";
	for (char c: value)
	{
		if (c == '\'') out += "'\\''";
		else out += c;
	}
	return out + "'";
}

std::string shorten(const std::string& secret)
{
	if (secret.size() <= 16) return std::string(secret.size(), '*');
	return secret.substr(0, 8) + "..." + secret.substr(secret.size() - 4) + " (" + std::to_string(secret.size()) + " characters)";
}

} // namespace host
} // namespace jwtflow
