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

std::string safeText(const std::string& text, std::size_t maxBytes)
{
	std::string out;
	out.reserve(text.size() < maxBytes ? text.size() : maxBytes);
	std::size_t i = 0;
	while (i < text.size())
	{
		if (out.size() >= maxBytes)
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
		if (cp < 0x20 || cp == 0x7F) appendHexByte(out, static_cast<unsigned char>(cp));
		else if (cp == '\\') out += "\\\\";
		else if (detail::isInvisibleControl(cp)) appendCodePoint(out, cp);
		else out.append(text, i, len);
		i += len;
	}
	return out;
}

std::string terminalText(const std::string& text, bool keepTabs)
{
	std::string out;
	out.reserve(text.size());
	std::size_t i = 0;
	while (i < text.size())
	{
		unsigned cp = 0;
		const std::size_t len = detail::decodeUtf8(text, i, cp);
		if (len == 0)
		{
			appendHexByte(out, static_cast<unsigned char>(text[i]));
			++i;
			continue;
		}
		if ((cp < 0x20 && cp != '\n' && !(keepTabs && cp == '\t')) || cp == 0x7F) appendHexByte(out, static_cast<unsigned char>(cp));
		else if (cp >= 0x80 && cp <= 0x9F) appendCodePoint(out, cp);
		else if (detail::isInvisibleControl(cp)) appendCodePoint(out, cp);
		else out.append(text, i, len);
		i += len;
	}
	return out;
}

std::string quotedText(const std::string& text, std::size_t maxBytes)
{
	return "'" + safeText(text, maxBytes) + "'";
}

} // namespace jwtflow
