//
// SafeText.h
//
// Library: jwtflow core
// The one place where text from outside (a token, an IdP's answer, a file)
// is made safe to show on a terminal or in a log line.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_SAFETEXT_INCLUDED
#define JWTFLOW_SAFETEXT_INCLUDED

#include "jwtflow/Export.h"
#include <cstddef>
#include <string>

namespace jwtflow {

JWTFLOW_API std::string safeText(const std::string& text, std::size_t maxBytes = 200);
	/// text with every control character (C0 such as ESC, BEL, CR, LF; DEL;
	/// C1) written as \xNN, Unicode line separators and bidirectional
	/// overrides as \uNNNN, bytes that are not UTF-8 as \xNN and the backslash
	/// as \\, so that it can neither move the cursor, forge a line nor
	/// reorder what follows; cut to about maxBytes (at a character boundary)
	/// with "..." and the original length appended.

JWTFLOW_API std::string terminalText(const std::string& text, bool keepTabs = false);
	/// The one terminal-safe form of text meant for people (a message, an
	/// identity field, an answer shown on a terminal), whole: C0 controls but
	/// the newline (and the tab when keepTabs), DEL, C1 controls (U+0080 to
	/// U+009F, and the bytes 0x80 to 0x9F outside a UTF-8 sequence, which an
	/// 8-bit terminal takes as CSI and the like) and any other byte that is
	/// not UTF-8 as \xNN; bidirectional overrides and isolates (U+202A to
	/// U+202E, U+2066 to U+2069), marks and line separators as \uNNNN. The
	/// backslash is kept as it is (unlike safeText), so that JSON and paths
	/// read as they are; nothing is cut.

JWTFLOW_API std::string quotedText(const std::string& text, std::size_t maxBytes = 200);
	/// safeText in single quotes: 'text'.

} // namespace jwtflow

#endif // JWTFLOW_SAFETEXT_INCLUDED
