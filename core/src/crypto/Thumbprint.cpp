//
// Thumbprint.cpp
//
// Library: jwtflow core
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/Thumbprint.h"
#include "jwtflow/Encoding.h"
#include "jwtflow/Exception.h"
#include <cctype>

namespace jwtflow {

namespace {

const char* const FORMS = "accepted: 40 hex digits (with or without colons, any case, as the Azure portal shows it), "
	"padded base64 (28 characters) or base64url (27 characters, the x5t form) of the 20-byte SHA-1 digest";

std::string hexDecode(const std::string& hex)
{
	std::string out;
	for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
		out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
	return out;
}

} // namespace

std::string parseSha1Thumbprint(const std::string& textIn)
{
	std::string text;
	for (char c: textIn)
		if (!std::isspace(static_cast<unsigned char>(c))) text += c;
	if (text.empty()) throw UsageException(std::string("CERTIFICATE_THUMBPRINT is empty; ") + FORMS);

	std::string hex;
	bool allHex = true;
	for (char c: text)
	{
		if (c == ':' || c == '-') continue;
		if (!std::isxdigit(static_cast<unsigned char>(c))) allHex = false;
		hex += c;
	}
	if (allHex && hex.size() == 40) return hexDecode(hex);
	if (allHex && hex.size() == 64)
		throw UsageException("CERTIFICATE_THUMBPRINT is a SHA-256 thumbprint (64 hex digits); x5t needs the SHA-1 one. "
			"Give the certificate (PATH_CERTIFICATE) for x5t#S256, or the SHA-1 thumbprint; " + std::string(FORMS));

	std::string raw;
	try
	{
		bool url = text.find_first_of("-_") != std::string::npos;
		bool std64 = text.find_first_of("+/") != std::string::npos;
		if (url && std64) throw Poco::DataFormatException("mixed alphabets");
		raw = url ? base64UrlDecode(text) : base64Decode(text);
	}
	catch (const Poco::DataFormatException&)
	{
		throw UsageException("CERTIFICATE_THUMBPRINT (" + std::to_string(textIn.size()) + " characters) is neither hex nor base64; "
			+ FORMS);
	}
	if (raw.size() != 20)
		throw UsageException("CERTIFICATE_THUMBPRINT decodes to " + std::to_string(raw.size()) + " bytes, not the 20 of a SHA-1 "
			"thumbprint (base64 of the hex text is a common mistake); " + FORMS);
	return raw;
}

} // namespace jwtflow
