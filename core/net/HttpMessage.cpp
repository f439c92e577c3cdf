//
// HttpMessage.cpp
//
// Library: jwtflow net
// What goes into a request and how answers are named: form encoding, the one header check, the request target, URL rules.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "HttpParts.h"
#include "jwtflow/Exception.h"
#include "jwtflow/SafeText.h"
#include "jwtflow/Encoding.h"
#include "jwtflow/Network.h"
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>
#include <cctype>
#include <cstring>

namespace jwtflow {

std::string encodeForm(const FormFields& form)
{
	std::string body;
	for (const auto& field: form)
	{
		if (!body.empty()) body += '&';
		body += urlEncode(field.first);
		body += '=';
		body += urlEncode(field.second);
	}
	return body;
}

std::string firstLine(const std::string& text, std::size_t maxChars)
{
	std::string plain;
	bool inTag = false;
	for (char c: text)
	{
		if (c == '<') { inTag = true; plain += ' '; continue; }
		if (c == '>') { inTag = false; plain += ' '; continue; }
		if (!inTag) plain += c;
	}
	Poco::StringTokenizer lines(plain, "\n", Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
	for (const auto& line: lines)
	{
		std::string l;
		bool space = false;
		for (char c: line)
		{
			unsigned char u = static_cast<unsigned char>(c);
			if (u < 0x20 || c == ' ') { space = true; continue; }
			if (space && !l.empty()) l += ' ';
			space = false;
			l += c;
		}
		if (l.empty()) continue;
		return safeText(l, maxChars);
	}
	return "(empty body)";
}

void checkRequestHeader(const std::string& name, const std::string& value)
{
	static const char* const tokenExtras = "!#$%&'*+-.^_`|~";
	bool nameOk = !name.empty() && name.size() <= 256;
	for (char c: name)
		nameOk = nameOk && (std::isalnum(static_cast<unsigned char>(c)) || std::strchr(tokenExtras, c) != nullptr) && c != '\0';
	if (!nameOk) throw UsageException("header " + quotedText(name, 40) + " is not a header name: letters, digits and !#$%&'*+-.^_`|~ only");
	for (char c: value)
	{
		const unsigned char u = static_cast<unsigned char>(c);
		if ((u < 0x20 && c != '\t') || u == 0x7f)
			throw UsageException("the value of header " + quotedText(name, 40) + " holds a control character (a line break would "
				"start another header or request): give it on one line, without control characters");
	}
	static const char* const refused[] = {"Transfer-Encoding", "TE", "Content-Length", "Connection", "Keep-Alive",
		"Proxy-Connection", "Upgrade", "Trailer", "Host"};
	for (const char* r: refused)
		if (Poco::icompare(name, r) == 0)
			throw UsageException("jwtflow frames the request itself: it sends no " + std::string(r) + " header of yours (it would let "
				"a server read the message otherwise than jwtflow sent it)");
	if (Poco::icompare(name, "Authorization") == 0)
		throw UsageException("jwtflow sends the token as Authorization itself: give no Authorization header");
}

std::string encodeRequestTarget(const std::string& url)
{
	static const char* hex = "0123456789ABCDEF";
	std::string out;
	out.reserve(url.size());
	for (char c: url)
	{
		const unsigned char u = static_cast<unsigned char>(c);
		if (u <= 0x20 || u >= 0x7f)
		{
			out += '%';
			out += hex[u >> 4];
			out += hex[u & 15];
		}
		else
		{
			out += c;
		}
	}
	return out;
}

namespace detail {

Poco::URI checkedUri(const std::string& url)
{
	// POCO sends the query as it is given: a CR LF in it would end the request line
	// early and start headers (or a request) of the caller's choosing.
	for (char c: url)
	{
		const unsigned char u = static_cast<unsigned char>(c);
		if (u <= 0x20 || u >= 0x7f)
			throw UsageException(quotedText(url, 120) + " holds a space, a control character or a byte that is not ASCII, "
				"which no request line may carry: percent-encode it (%20, %0D%0A, ...)");
	}
	Poco::URI uri;
	try
	{
		uri = Poco::URI(url);
	}
	catch (const Poco::Exception&)
	{
		throw UsageException(quotedText(url, 120) + " is not a URL");
	}
	const std::string scheme = Poco::toLower(uri.getScheme());
	if (uri.getHost().empty() || (scheme != "https" && scheme != "http"))
		throw UsageException(quotedText(url, 120) + " is not an https URL");
	if (scheme == "http" && !isLoopbackHost(uri.getHost()) && !isInstanceMetadataHost(uri.getHost()))
		throw UsageException("refusing plain http to " + uri.getHost() + ": use https (http is accepted for loopback addresses "
			"and the instance metadata address 169.254.169.254 only)");
	return uri;
}

} // namespace detail

namespace detail {

std::string origin(const Poco::URI& uri)
{
	return uri.getHost() + ":" + std::to_string(uri.getPort());
}

} // namespace detail

} // namespace jwtflow
