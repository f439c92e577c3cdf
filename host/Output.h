//
// Output.h
//
// Program: jwtflow
// Where output goes: results to stdout in the chosen format, notes for
// people to stderr (silenced by -q).
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_HOST_OUTPUT_INCLUDED
#define JWTFLOW_HOST_OUTPUT_INCLUDED

#include "HostExport.h"
#include <Poco/JSON/Object.h>
#include <string>
#include <utility>
#include <vector>

namespace jwtflow {
namespace host {

enum class OutputFormat { Text, Json, Env };

JWTFLOW_HOST_API OutputFormat parseOutputFormat(const std::string& value);
	/// text, json or env; throws UsageException otherwise.

class JWTFLOW_HOST_API Console
	/// The program's two streams.
{
public:
	bool quiet = false;
	bool verbose = false;

	void result(const std::string& line) const;
		/// One line on stdout.
	void note(const std::string& text) const;
		/// A note for people on stderr, unless quiet.
	void detail(const std::string& text) const;
		/// A note shown only with -v.
	void json(const Poco::JSON::Object& object) const;
		/// Pretty JSON on stdout.
	void envLines(const std::vector<std::pair<std::string, std::string>>& vars) const;
		/// `export NAME='value'` lines on stdout.
};

JWTFLOW_HOST_API std::string terminalSafe(const std::string& text, bool keepTabs = false);
	/// terminalText (core SafeText.h): C0 but the newline (and the tab when keepTabs), DEL, C1 and bytes
	/// that are not UTF-8 as \xNN, bidi controls as \uNNNN: shown, not obeyed.

JWTFLOW_HOST_API std::string shellQuote(const std::string& value);
	/// Single-quoted for POSIX shells.

JWTFLOW_HOST_API std::string shorten(const std::string& secret);
	/// The first 8 and last 4 characters of a token, for showing people.

} // namespace host
} // namespace jwtflow

#endif
