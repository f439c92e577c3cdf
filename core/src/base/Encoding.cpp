//
// Encoding.cpp
//
// Library: jwtflow core
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/Encoding.h"
#include <Poco/Exception.h>
#include <Poco/SHA2Engine.h>
#include <array>

namespace jwtflow {

namespace {

constexpr char STD_ALPHABET[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char URL_ALPHABET[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string encode(const std::string& bytes, const char* alphabet, bool pad)
{
	std::string out;
	out.reserve((bytes.size() + 2) / 3 * 4);
	std::size_t i = 0;
	const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
	for (; i + 2 < bytes.size(); i += 3)
	{
		unsigned v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
		out += alphabet[(v >> 18) & 63];
		out += alphabet[(v >> 12) & 63];
		out += alphabet[(v >> 6) & 63];
		out += alphabet[v & 63];
	}
	std::size_t rest = bytes.size() - i;
	if (rest == 1)
	{
		unsigned v = p[i] << 16;
		out += alphabet[(v >> 18) & 63];
		out += alphabet[(v >> 12) & 63];
		if (pad) out += "==";
	}
	else if (rest == 2)
	{
		unsigned v = (p[i] << 16) | (p[i + 1] << 8);
		out += alphabet[(v >> 18) & 63];
		out += alphabet[(v >> 12) & 63];
		out += alphabet[(v >> 6) & 63];
		if (pad) out += '=';
	}
	return out;
}

std::string decode(const std::string& text, bool url)
{
	std::array<int, 256> table;
	table.fill(-1);
	const char* alphabet = url ? URL_ALPHABET : STD_ALPHABET;
	for (int k = 0; k < 64; ++k) table[static_cast<unsigned char>(alphabet[k])] = k;

	std::size_t len = text.size();
	while (len > 0 && text[len - 1] == '=') --len;
	if (text.size() - len > 2) throw Poco::DataFormatException("too much base64 padding");
	if (len % 4 == 1) throw Poco::DataFormatException("base64 text has an impossible length");

	std::string out;
	out.reserve(len * 3 / 4);
	unsigned acc = 0;
	int bits = 0;
	for (std::size_t i = 0; i < len; ++i)
	{
		int v = table[static_cast<unsigned char>(text[i])];
		if (v < 0) throw Poco::DataFormatException("invalid base64 character");
		acc = (acc << 6) | static_cast<unsigned>(v);
		bits += 6;
		if (bits >= 8)
		{
			bits -= 8;
			out += static_cast<char>((acc >> bits) & 0xFF);
		}
	}
	if (bits > 0 && (acc & ((1u << bits) - 1)) != 0)
		throw Poco::DataFormatException("base64 text has trailing bits set");
	return out;
}

} // namespace

std::string base64UrlEncode(const std::string& bytes) { return encode(bytes, URL_ALPHABET, false); }
std::string base64UrlDecode(const std::string& text) { return decode(text, true); }
std::string base64Encode(const std::string& bytes) { return encode(bytes, STD_ALPHABET, true); }
std::string base64Decode(const std::string& text) { return decode(text, false); }

std::string hexEncode(const std::string& bytes, bool upperCase)
{
	const char* digits = upperCase ? "0123456789ABCDEF" : "0123456789abcdef";
	std::string out;
	out.reserve(bytes.size() * 2);
	for (unsigned char c: bytes)
	{
		out += digits[c >> 4];
		out += digits[c & 15];
	}
	return out;
}

std::string urlEncode(const std::string& text)
{
	static const char* digits = "0123456789ABCDEF";
	std::string out;
	out.reserve(text.size() * 3 / 2);
	for (unsigned char c: text)
	{
		bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
			|| c == '-' || c == '.' || c == '_' || c == '~';
		if (unreserved)
		{
			out += static_cast<char>(c);
		}
		else
		{
			out += '%';
			out += digits[c >> 4];
			out += digits[c & 15];
		}
	}
	return out;
}

std::string sha256Hex(const std::string& data)
{
	Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
	sha.update(data);
	const auto& d = sha.digest();
	return hexEncode(std::string(d.begin(), d.end()));
}

} // namespace jwtflow
