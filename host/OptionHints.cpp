//
// OptionHints.cpp
//
// Program: jwtflow
// The option that sets each setting a message names.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "OptionHints.h"
#include <cctype>

namespace jwtflow {
namespace host {

namespace {

bool isNameChar(char c)
{
	return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

/// Where name first stands as a word of its own in text, or npos.
std::size_t firstMention(const std::string& text, const std::string& name)
{
	for (std::size_t at = text.find(name); at != std::string::npos; at = text.find(name, at + 1))
	{
		const std::size_t end = at + name.size();
		if ((at == 0 || !isNameChar(text[at - 1])) && (end == text.size() || !isNameChar(text[end]))) return at;
	}
	return std::string::npos;
}

/// What the core names that an option sets but no setting's spec offers as one:
/// SEND_X5C is a flag (--x5c), the time-out an option of the program alone.
std::vector<SettingSpec> flagOnlySettings()
{
	std::vector<SettingSpec> specs(2);
	specs[0].name = "SEND_X5C";
	specs[0].option = "x5c";
	specs[1].name = "the request time-out";
	specs[1].option = "timeout";
	return specs;
}

} // namespace

std::string withOptionHints(const std::string& message, const std::vector<SettingSpec>& settings)
{
	std::string text = message;
	std::vector<SettingSpec> all = flagOnlySettings();
	all.insert(all.end(), settings.begin(), settings.end());
	for (const auto& spec: all)
	{
		if (spec.option.empty() || firstMention(text, "--" + spec.option) != std::string::npos) continue;   // named already
		const std::size_t at = firstMention(text, spec.name);
		if (at == std::string::npos) continue;
		const std::size_t end = at + spec.name.size();
		if (text.compare(end, 4, " (--") == 0 || text.compare(end, 4, " / -") == 0) continue;
		const bool inParentheses = at > 0 && text[at - 1] == '(' && end < text.size() && text[end] == ')';
		text.insert(end, inParentheses ? " / --" + spec.option : " (--" + spec.option + ")");
	}
	return text;
}

} // namespace host
} // namespace jwtflow
