//
// Json.cpp
//
// Library: jwtflow core
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/Json.h"
#include "Utf8.h"
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Handler.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/JSONException.h>
#include <Poco/NumberFormatter.h>
#include <cmath>
#include "jwtflow/SafeText.h"
#include <set>
#include <unordered_set>
#include <vector>

namespace jwtflow {

namespace {

void appendUnicodeEscape(std::string& out, unsigned cp)
{
	static const char* hex = "0123456789abcdef";
	out += "\\u";
	for (int shift = 12; shift >= 0; shift -= 4) out += hex[(cp >> shift) & 15];
}

/// A JSON string that is also safe on a terminal: control characters, DEL,
/// C1, line separators and bidirectional overrides as \uXXXX escapes, and a
/// byte that is not UTF-8 as U+FFFD.
void writeString(std::string& out, const std::string& s)
{
	out += '"';
	std::size_t i = 0;
	while (i < s.size())
	{
		unsigned cp = 0;
		const std::size_t len = detail::decodeUtf8(s, i, cp);
		if (len == 0)
		{
			appendUnicodeEscape(out, 0xFFFD);
			++i;
			continue;
		}
		switch (cp)
		{
		case '"': out += "\\\""; break;
		case '\\': out += "\\\\"; break;
		case '\b': out += "\\b"; break;
		case '\f': out += "\\f"; break;
		case '\n': out += "\\n"; break;
		case '\r': out += "\\r"; break;
		case '\t': out += "\\t"; break;
		default:
			if (cp < 0x20 || detail::isInvisibleControl(cp)) appendUnicodeEscape(out, cp);
			else out.append(s, i, len);
		}
		i += len;
	}
	out += '"';
}

void newline(std::string& out, int indent, int level)
{
	if (indent <= 0) return;
	out += '\n';
	out.append(static_cast<std::size_t>(indent * level), ' ');
}

void write(std::string& out, const Poco::Dynamic::Var& v, int indent, int level);

void writeObject(std::string& out, const Poco::JSON::Object& obj, int indent, int level)
{
	out += '{';
	bool first = true;
	// getNames() follows insertion order for objects made with JSON_PRESERVE_KEY_ORDER.
	const std::vector<std::string> names = obj.getNames();
	for (const auto& name: names)
	{
		if (!first) out += ',';
		first = false;
		newline(out, indent, level + 1);
		writeString(out, name);
		out += indent > 0 ? ": " : ":";
		write(out, obj.get(name), indent, level + 1);
	}
	if (!first) newline(out, indent, level);
	out += '}';
}

void writeArray(std::string& out, const Poco::JSON::Array& arr, int indent, int level)
{
	out += '[';
	for (std::size_t i = 0; i < arr.size(); ++i)
	{
		if (i) out += ',';
		newline(out, indent, level + 1);
		write(out, arr.get(static_cast<unsigned>(i)), indent, level + 1);
	}
	if (arr.size()) newline(out, indent, level);
	out += ']';
}

void write(std::string& out, const Poco::Dynamic::Var& v, int indent, int level)
{
	if (v.isEmpty())
	{
		out += "null";
	}
	else if (v.type() == typeid(Poco::JSON::Object::Ptr))
	{
		const auto& p = v.extract<Poco::JSON::Object::Ptr>();
		if (p.isNull()) out += "null"; else writeObject(out, *p, indent, level);
	}
	else if (v.type() == typeid(Poco::JSON::Object))
	{
		writeObject(out, v.extract<Poco::JSON::Object>(), indent, level);
	}
	else if (v.type() == typeid(Poco::JSON::Array::Ptr))
	{
		const auto& p = v.extract<Poco::JSON::Array::Ptr>();
		if (p.isNull()) out += "null"; else writeArray(out, *p, indent, level);
	}
	else if (v.type() == typeid(Poco::JSON::Array))
	{
		writeArray(out, v.extract<Poco::JSON::Array>(), indent, level);
	}
	else if (v.type() == typeid(bool))
	{
		out += v.extract<bool>() ? "true" : "false";
	}
	else if (v.isInteger())
	{
		if (v.isSigned()) out += Poco::NumberFormatter::format(v.convert<Poco::Int64>());
		else out += Poco::NumberFormatter::format(v.convert<Poco::UInt64>());
	}
	else if (v.isNumeric())
	{
		double d = v.convert<double>();
		if (!std::isfinite(d)) out += "null";
		else out += Poco::NumberFormatter::format(d);
	}
	else
	{
		writeString(out, v.convert<std::string>());
	}
}

} // namespace

std::string toJson(const Poco::Dynamic::Var& value, int indent)
{
	std::string out;
	write(out, value, indent, 0);
	return out;
}

std::string objectToJson(const Poco::JSON::Object& object, int indent)
{
	std::string out;
	writeObject(out, object, indent, 0);
	return out;
}

namespace {

/// A ParseHandler for text from outside: at most MAX_MEMBERS members in an
/// object and MAX_DEPTH levels, so that POCO's order-preserving objects (whose
/// set() scans the earlier keys) cost at most MAX_MEMBERS comparisons per
/// member: linear in the input. Optionally refuses duplicate member names at
/// any depth (RFC 7515 4 / RFC 7519 4: a JWT with duplicate claim names must
/// be rejected or the last one used; jwtflow rejects).
class BoundedParseHandler: public Poco::JSON::ParseHandler
{
public:
	explicit BoundedParseHandler(bool refuseDuplicates):
		Poco::JSON::ParseHandler(true),
		_refuseDuplicates(refuseDuplicates)
	{
	}

	void startObject() override
	{
		_names.emplace_back();
		ParseHandler::startObject();
	}

	void endObject() override
	{
		if (!_names.empty()) _names.pop_back();
		ParseHandler::endObject();
	}

	void key(const std::string& k) override
	{
		if (!_names.empty())
		{
			auto& names = _names.back();
			if (names.size() >= MAX_JSON_MEMBERS)
				throw Poco::DataFormatException("too many members in one object (more than " + std::to_string(MAX_JSON_MEMBERS) + ")",
					static_cast<int>(JsonRefusal::TooMany));
			if (!names.insert(k).second && _refuseDuplicates)
				throw Poco::DataFormatException("duplicate member name " + quotedText(k, 60), static_cast<int>(JsonRefusal::DuplicateMember));
		}
		ParseHandler::key(k);
	}

private:
	bool _refuseDuplicates;
	std::vector<std::unordered_set<std::string>> _names;
};

Poco::Dynamic::Var parseBoundedValue(const std::string& text, bool refuseDuplicates, std::size_t depth)
{
	try
	{
		Poco::JSON::Parser parser(new BoundedParseHandler(refuseDuplicates));
		parser.setAllowComments(false);
		parser.setDepth(depth);
		return parser.parse(text);
	}
	catch (const Poco::DataFormatException& e)
	{
		if (e.code() != static_cast<int>(JsonRefusal::NotJson)) throw;
		throw Poco::DataFormatException("not valid JSON");
	}
	catch (const Poco::Exception&)
	{
		throw Poco::DataFormatException("not valid JSON");
	}
	catch (const std::exception&)
	{
		throw Poco::DataFormatException("not valid JSON");
	}
}

Poco::JSON::Object::Ptr parseBounded(const std::string& text, bool refuseDuplicates)
{
	Poco::Dynamic::Var result = parseBoundedValue(text, refuseDuplicates, MAX_JSON_DEPTH);
	if (result.type() != typeid(Poco::JSON::Object::Ptr)) throw Poco::DataFormatException("JSON is not an object");
	auto obj = result.extract<Poco::JSON::Object::Ptr>();
	if (obj.isNull()) throw Poco::DataFormatException("JSON is not an object");
	return obj;
}

} // namespace

Poco::JSON::Object::Ptr parseStrictJsonObject(const std::string& text)
{
	return parseBounded(text, true);
}

Poco::JSON::Object::Ptr parseJsonObject(const std::string& text)
{
	return parseBounded(text, false);
}

Poco::Dynamic::Var parseJsonValue(const std::string& text)
{
	// POCO 1.11's parser takes only an object or an array at the top: the text is
	// parsed as the one element of an array (one level deeper, so the depth bound
	// stays the same for the value itself).
	Poco::Dynamic::Var wrapped = parseBoundedValue("[" + text + "\n]", false, MAX_JSON_DEPTH + 1);
	if (wrapped.type() != typeid(Poco::JSON::Array::Ptr)) throw Poco::DataFormatException("not valid JSON");
	Poco::JSON::Array::Ptr items = wrapped.extract<Poco::JSON::Array::Ptr>();
	if (!items || items->size() != 1) throw Poco::DataFormatException("not one JSON value");
	return items->get(0);
}

namespace {

/// Takes every parse event and keeps nothing.
class ValidatingHandler: public Poco::JSON::Handler
{
public:
	void reset() override {}
	void startObject() override {}
	void endObject() override {}
	void startArray() override {}
	void endArray() override {}
	void key(const std::string&) override {}
	void null() override {}
	void value(int) override {}
	void value(unsigned) override {}
	void value(Poco::Int64) override {}
	void value(Poco::UInt64) override {}
	void value(const std::string&) override {}
	void value(double) override {}
	void value(bool) override {}
};

} // namespace

bool isJsonValue(const std::string& text, std::size_t maxDepth)
{
	try
	{
		Poco::JSON::Parser parser(new ValidatingHandler);
		parser.setAllowComments(false);
		parser.setDepth(maxDepth + 1);
		// POCO 1.11 takes only an object or an array at the top: one array around the value.
		std::string wrapped;
		wrapped.reserve(text.size() + 3);
		wrapped += '[';
		wrapped += text;
		wrapped += "\n]";
		parser.parse(wrapped);
		return true;
	}
	catch (const Poco::Exception&)
	{
		return false;
	}
	catch (const std::exception&)
	{
		return false;
	}
}

std::string quoteJson(const std::string& text)
{
	std::string out;
	out.reserve(text.size() + 2);
	writeString(out, text);
	return out;
}

Poco::JSON::Object::Ptr newJsonObject()
{
	return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
}

std::string jsonString(const Poco::JSON::Object& object, const std::string& key)
{
	if (!object.has(key) || object.isNull(key)) return {};
	Poco::Dynamic::Var v = object.get(key);
	return v.isString() ? v.extract<std::string>() : toJson(v);
}

} // namespace jwtflow
