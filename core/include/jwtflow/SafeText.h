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

JWTFLOW_API std::string quotedText(const std::string& text, std::size_t maxBytes = 200);
	/// safeText in single quotes: 'text'.

} // namespace jwtflow

#endif // JWTFLOW_SAFETEXT_INCLUDED
