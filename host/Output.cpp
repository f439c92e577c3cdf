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

void Console::note(const std::string& text) const
{
	if (!quiet) std::cerr << text << std::endl;
}

void Console::detail(const std::string& text) const
{
	if (verbose && !quiet) std::cerr << text << std::endl;
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
