//
// Encoding.h
//
// Library: jwtflow core
// Base64url, base64 and hex encodings as JWTs and thumbprints use them.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_ENCODING_INCLUDED
#define JWTFLOW_ENCODING_INCLUDED

#include "jwtflow/Export.h"
#include <string>

namespace jwtflow {

JWTFLOW_API std::string base64UrlEncode(const std::string& bytes);
	/// Encodes bytes as unpadded base64url (RFC 7515, section 2).

JWTFLOW_API std::string base64UrlDecode(const std::string& text);
	/// Decodes base64url, with or without padding.
	/// Throws Poco::DataFormatException if the text is not base64url.

JWTFLOW_API std::string base64Encode(const std::string& bytes);
	/// Encodes bytes as padded standard base64 (no line breaks).

JWTFLOW_API std::string base64Decode(const std::string& text);
	/// Decodes standard base64, with or without padding.
	/// Throws Poco::DataFormatException if the text is not base64.

JWTFLOW_API std::string hexEncode(const std::string& bytes, bool upperCase = false);

JWTFLOW_API std::string sha256Hex(const std::string& data);
	/// SHA-256 of data, lower-case hex.
	/// Encodes bytes as hexadecimal digits.

JWTFLOW_API std::string urlEncode(const std::string& text);
	/// Percent-encodes text for a query string or a form body
	/// (everything but the RFC 3986 unreserved characters).

} // namespace jwtflow

#endif // JWTFLOW_ENCODING_INCLUDED
