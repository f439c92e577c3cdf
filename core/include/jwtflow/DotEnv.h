//
// DotEnv.h
//
// Library: jwtflow core
// A `.env` parser that takes what dotenv takes.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_DOTENV_INCLUDED
#define JWTFLOW_DOTENV_INCLUDED

#include "jwtflow/Export.h"
#include <string>
#include <utility>
#include <vector>

namespace jwtflow {

using DotEnvEntries = std::vector<std::pair<std::string, std::string>>;

JWTFLOW_API DotEnvEntries parseDotEnv(const std::string& text, const std::string& sourceName);
	/// Parses `.env` text into NAME/value pairs, in file order (a later
	/// duplicate wins when the caller builds a map from them).
	///
	/// Accepted, as dotenv does: blank lines and `#` comments; an optional
	/// `export ` prefix; spaces around `=`; unquoted values (trimmed, ` #`
	/// starts a comment); 'single' and `backtick` quoted values taken
	/// literally; "double" quoted values with \n, \r, \t, \" and \\ escapes;
	/// quoted values spanning several lines; an empty value.
	///
	/// Throws UsageException "<sourceName>:<line>: <problem>" for a line that
	/// is not NAME=VALUE, a name that is not a valid variable name, an
	/// unterminated quote, or text after a closing quote. Values are never
	/// echoed in messages.

JWTFLOW_API DotEnvEntries loadDotEnvFile(const std::string& path);
	/// Reads and parses a `.env` file. Throws InputException when it cannot be read.

} // namespace jwtflow

#endif // JWTFLOW_DOTENV_INCLUDED
