//
// Utf8.h
//
// Library: jwtflow core (internal)
// One UTF-8 decoder for the places that escape text (SafeText, Json).
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_UTF8_INCLUDED
#define JWTFLOW_UTF8_INCLUDED

#include <cstddef>
#include <string>

namespace jwtflow {
namespace detail {

inline std::size_t decodeUtf8(const std::string& text, std::size_t i, unsigned& cp)
	/// Length of the UTF-8 sequence at text[i] and its code point in cp;
	/// 0 for a byte that does not start a valid, shortest-form sequence.
{
	const unsigned char c = static_cast<unsigned char>(text[i]);
	std::size_t len = 0;
	unsigned min = 0;
	if (c < 0x80) { cp = c; return 1; }
	if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; min = 0x80; }
	else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; min = 0x800; }
	else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; min = 0x10000; }
	else return 0;
	if (i + len > text.size()) return 0;
	for (std::size_t k = 1; k < len; ++k)
	{
		const unsigned char d = static_cast<unsigned char>(text[i + k]);
		if ((d & 0xC0) != 0x80) return 0;
		cp = (cp << 6) | (d & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
	return len;
}

inline bool isInvisibleControl(unsigned cp)
	/// C1 controls, line separators, bidirectional overrides and marks: code
	/// points that move or reorder what a terminal shows.
{
	return (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 || (cp >= 0x202A && cp <= 0x202E)
		|| (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F || cp == 0xFEFF;
}

} // namespace detail
} // namespace jwtflow

#endif
