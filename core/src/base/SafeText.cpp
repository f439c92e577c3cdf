//
// SafeText.cpp
//
// Library: jwtflow core
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/SafeText.h"
#include "Utf8.h"
#include <cstdio>

namespace jwtflow {

namespace {

void appendHexByte(std::string& out, unsigned char b)
{
	char buf[8];
	std::snprintf(buf, sizeof buf, "\\x%02x", b);
	out += buf;
}

void appendCodePoint(std::string& out, unsigned cp)
{
	char buf[12];
	std::snprintf(buf, sizeof buf, "\\u%04x", cp);
	out += buf;
}

} // namespace

namespace {

struct EscapeRules
{
	std::size_t maxBytes;   ///< cut there, with the original length said
	bool doubleBackslash;   ///< so that a \xNN in the text cannot pass for an escape
	bool keepNewline;
	bool keepTabs;
};

/// The one escaping loop: C0 and DEL as \xNN (but the kept ones), C1, line separators and bidi
/// controls as \uNNNN, a byte that is not UTF-8 as \xNN.
std::string escaped(const std::string& text, const EscapeRules& rules)
{
	std::string out;
	out.reserve(text.size() < rules.maxBytes ? text.size() : rules.maxBytes);
	std::size_t i = 0;
	while (i < text.size())
	{
		if (out.size() >= rules.maxBytes)
		{
			out += "... (" + std::to_string(text.size()) + " bytes)";
			return out;
		}
		unsigned cp = 0;
		const std::size_t len = detail::decodeUtf8(text, i, cp);
		if (len == 0)
		{
			appendHexByte(out, static_cast<unsigned char>(text[i]));
			++i;
			continue;
		}
		const bool kept = (cp == '\n' && rules.keepNewline) || (cp == '\t' && rules.keepTabs);
		if ((cp < 0x20 && !kept) || cp == 0x7F) appendHexByte(out, static_cast<unsigned char>(cp));
		else if (cp == '\\' && rules.doubleBackslash) out += "\\\\";
		else if (detail::isInvisibleControl(cp)) appendCodePoint(out, cp);   // C1 (U+0080-U+009F) among them
		else out.append(text, i, len);
		i += len;
	}
	return out;
}

} // namespace

std::string safeText(const std::string& text, std::size_t maxBytes)
{
	return escaped(text, {maxBytes, true, false, false});
}

std::string terminalText(const std::string& text, bool keepTabs)
{
	return escaped(text, {std::string::npos, false, true, keepTabs});
}

std::string quotedText(const std::string& text, std::size_t maxBytes)
{
	return "'" + safeText(text, maxBytes) + "'";
}

} // namespace jwtflow
