//
// DotEnv.cpp
//
// Library: jwtflow core
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/DotEnv.h"
#include "FileInput.h"
#include "jwtflow/Exception.h"
#include <cctype>

namespace jwtflow {

namespace {

class DotEnvParser
{
public:
	DotEnvParser(const std::string& text, const std::string& source): _text(text), _source(source) {}

	DotEnvEntries parse()
	{
		DotEnvEntries entries;
		if (_text.compare(0, 3, "\xEF\xBB\xBF") == 0) _pos = 3; // UTF-8 byte order mark
		while (_pos < _text.size())
		{
			skipBlanks();
			if (atEnd()) break;
			char c = _text[_pos];
			if (c == '\n' || c == '\r') { nextLine(); continue; }
			if (c == '#') { skipToEol(); continue; }
			entries.push_back(parseAssignment());
		}
		return entries;
	}

private:
	bool atEnd() const { return _pos >= _text.size(); }

	void skipBlanks()
	{
		while (!atEnd() && (_text[_pos] == ' ' || _text[_pos] == '\t')) ++_pos;
	}

	void nextLine()
	{
		if (_text[_pos] == '\r' && _pos + 1 < _text.size() && _text[_pos + 1] == '\n') ++_pos;
		++_pos;
		++_line;
	}

	void skipToEol()
	{
		while (!atEnd() && _text[_pos] != '\n' && _text[_pos] != '\r') ++_pos;
	}

	[[noreturn]] void fail(const std::string& what, int line = 0) const
		/// File, line and what is wrong; never any of the line's text (it may
		/// be a key pasted unquoted, a token or a passphrase).
	{
		throw UsageException(_source + ":" + std::to_string(line ? line : _line) + ": " + what);
	}

	static bool nameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
	static bool nameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'; }

	std::string readName()
	{
		std::size_t start = _pos;
		if (atEnd() || !nameStart(_text[_pos]))
		{
			fail("expected NAME=VALUE (a name starts with a letter or _)");
		}
		while (!atEnd() && nameChar(_text[_pos])) ++_pos;
		return _text.substr(start, _pos - start);
	}

	std::pair<std::string, std::string> parseAssignment()
	{
		std::string name = readName();
		if (name == "export")
		{
			std::size_t save = _pos;
			skipBlanks();
			if (_pos > save && !atEnd() && nameStart(_text[_pos])) name = readName();
		}
		skipBlanks();
		if (atEnd() || _text[_pos] != '=')
		{
			if (atEnd() || _text[_pos] == '\n' || _text[_pos] == '\r')
				fail("the line has no '=': expected NAME=VALUE (the line is not shown: it may hold a secret)");
			fail("expected '=' after the name (names hold letters, digits, _ . -; the line is not shown: it may hold a secret)");
		}
		++_pos;
		skipBlanks();
		std::string value;
		if (!atEnd() && (_text[_pos] == '"' || _text[_pos] == '\'' || _text[_pos] == '`'))
			value = readQuoted();
		else
			value = readUnquoted();
		if (!atEnd()) nextLine();
		return {name, value};
	}

	std::string readUnquoted()
	{
		std::size_t start = _pos;
		std::size_t end = _pos;
		// A '#' that starts the value (after the '=' and any blanks) starts a
		// comment: `SUBJECT=   # later` is empty, as dotenv reads it.
		if (!atEnd() && _text[_pos] == '#')
		{
			skipToEol();
			return {};
		}
		while (!atEnd() && _text[_pos] != '\n' && _text[_pos] != '\r')
		{
			if (_text[_pos] == '#' && _pos > start && (_text[_pos - 1] == ' ' || _text[_pos - 1] == '\t')) break;
			++_pos;
			end = _pos;
		}
		skipToEol();
		std::string v = _text.substr(start, end - start);
		while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.pop_back();
		return v;
	}

	std::string readQuoted()
	{
		const char quote = _text[_pos++];
		const int startLine = _line;
		std::string value;
		while (true)
		{
			if (atEnd()) fail("the value opens a " + quoteName(quote) + " quote that is never closed", startLine);
			char c = _text[_pos];
			if (c == quote) { ++_pos; break; }
			if (c == '\r' && _pos + 1 < _text.size() && _text[_pos + 1] == '\n')
			{
				++_pos;   // CRLF inside a multi-line value reads as LF
				continue;
			}
			if (c == '\n') ++_line;
			if (quote == '"' && c == '\\' && _pos + 1 < _text.size())
			{
				char e = _text[_pos + 1];
				switch (e)
				{
				case 'n': value += '\n'; _pos += 2; continue;
				case 'r': value += '\r'; _pos += 2; continue;
				case 't': value += '\t'; _pos += 2; continue;
				case '"': value += '"'; _pos += 2; continue;
				case '\\': value += '\\'; _pos += 2; continue;
				default: break;
				}
			}
			value += c;
			++_pos;
		}
		skipBlanks();
		if (!atEnd() && _text[_pos] != '#' && _text[_pos] != '\n' && _text[_pos] != '\r')
			fail("unexpected text after the closing quote of the value");
		skipToEol();
		return value;
	}

	static std::string quoteName(char q)
	{
		return q == '"' ? "double" : q == '\'' ? "single" : "backtick";
	}

	const std::string& _text;
	const std::string& _source;
	std::size_t _pos = 0;
	int _line = 1;
};

} // namespace

DotEnvEntries parseDotEnv(const std::string& text, const std::string& sourceName)
{
	return DotEnvParser(text, sourceName).parse();
}

DotEnvEntries loadDotEnvFile(const std::string& path)
{
	// An empty .env is fine: it sets nothing.
	return parseDotEnv(detail::readInputFile(path, ".env file", 1024 * 1024, detail::EmptyFile::Allowed), path);
}

} // namespace jwtflow
