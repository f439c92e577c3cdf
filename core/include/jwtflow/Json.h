//
// Json.h
//
// Library: jwtflow core
// Compact and pretty JSON text from Poco::JSON values, and strict parsing.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_JSON_INCLUDED
#define JWTFLOW_JSON_INCLUDED

#include "jwtflow/Export.h"
#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Object.h>
#include <string>

namespace jwtflow {

JWTFLOW_API std::string toJson(const Poco::Dynamic::Var& value, int indent = 0);
	/// Writes a JSON value in insertion order. indent 0 gives the compact
	/// form used inside JWTs (no spaces, `/` not escaped); indent > 0 pretty-prints.

JWTFLOW_API std::string objectToJson(const Poco::JSON::Object& object, int indent = 0);
	/// As toJson(), for an object held by value or reference (no copy).

const std::size_t MAX_JSON_MEMBERS = 256; /// members in one object of text from outside
const std::size_t MAX_JSON_DEPTH = 32;    /// nesting levels of text from outside

enum class JsonRefusal : int
	/// The code() of the Poco::DataFormatException the parsers below throw.
{
	NotJson = 0,          /// not one valid JSON value (or not of the kind asked for)
	TooMany = 1,          /// over MAX_JSON_MEMBERS members in an object
	DuplicateMember = 2   /// a member name twice in one object (strict parsing)
};

JWTFLOW_API Poco::JSON::Object::Ptr parseJsonObject(const std::string& text);
	/// Parses text that must be one JSON object, keeping key order, in time
	/// linear in its length: at most MAX_JSON_MEMBERS members per object and
	/// MAX_JSON_DEPTH levels ("too many members ..."). Throws
	/// Poco::DataFormatException (short message, no input echoed) otherwise.

JWTFLOW_API Poco::JSON::Object::Ptr parseStrictJsonObject(const std::string& text);
	/// As parseJsonObject(), and refuses duplicate member names at any depth
	/// (Poco::DataFormatException "duplicate member name 'x'"): for JWT parts.

JWTFLOW_API Poco::Dynamic::Var parseJsonValue(const std::string& text);
	/// Any one JSON value (object, array, string, number, true, false, null)
	/// with parseJsonObject()'s bounds; Poco::DataFormatException otherwise
	/// (also for two values, "1 2").

JWTFLOW_API bool isJsonValue(const std::string& text, std::size_t maxDepth = 512);
	/// Whether text is exactly one JSON value, checked without building it
	/// (no objects made: memory stays a small multiple of text, for an API
	/// answer of many megabytes that is passed on as it is).

JWTFLOW_API std::string quoteJson(const std::string& text);
	/// text as one JSON string literal, escaped as toJson() escapes strings
	/// (control, C1 and bidi characters as \uXXXX; a byte that is not UTF-8 as U+FFFD).

JWTFLOW_API Poco::JSON::Object::Ptr newJsonObject();
	/// An empty object that keeps its keys in insertion order.

JWTFLOW_API std::string jsonString(const Poco::JSON::Object& object, const std::string& key);
	/// The value of key as text: a string as is, a number in its JSON form,
	/// an empty string when the key is absent or null.

} // namespace jwtflow

#endif // JWTFLOW_JSON_INCLUDED
