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
#include "jwtflow/SafeText.h"
#include <iostream>
#include <unistd.h>

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
	// A result line is a message (an identity field, a listing): escaped wherever it goes.
	// Data that must pass byte for byte (call's body, env lines for eval) is written apart.
	std::cout << terminalSafe(line) << '\n';
}

std::string terminalSafe(const std::string& text, bool keepTabs)
{
	// The last line of defence: the pieces of a message that came from outside
	// were escaped where they were spliced in (safeText); any control character
	// left (but the newline before a hint), C1 and bidi controls included, is
	// shown, not obeyed.
	return terminalText(text, keepTabs);
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
	// Piped (to eval, to a file) the lines are data and pass byte for byte; on a terminal they are shown, not obeyed.
	const bool terminal = ::isatty(STDOUT_FILENO) != 0;
	for (const auto& v: vars)
	{
		const std::string line = "export " + v.first + "=" + shellQuote(v.second);
		std::cout << (terminal ? terminalSafe(line, true) : line) << '\n';
	}
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
