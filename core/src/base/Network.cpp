//
// Network.cpp
//
// Library: jwtflow core
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/Network.h"
#include "jwtflow/Exception.h"
#include "jwtflow/SafeText.h"
#include <vector>
#include <Poco/String.h>
#include <arpa/inet.h>
#include <cstring>

namespace jwtflow {

bool isLoopbackHost(const std::string& hostIn)
{
	std::string host = Poco::toLower(hostIn);
	if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
	if (host == "localhost" || host == "localhost.") return true;
	// Parsed here rather than with Poco::Net, so that the core does not load
	// the network libraries for actions that need no network.
	unsigned char v4[4];
	if (inet_pton(AF_INET, host.c_str(), v4) == 1) return v4[0] == 127;
	unsigned char v6[16];
	if (inet_pton(AF_INET6, host.c_str(), v6) != 1) return false;
	static const unsigned char loopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
	if (std::memcmp(v6, loopback, 16) == 0) return true;
	return std::memcmp(v6, mapped, 12) == 0 && v6[12] == 127;   // ::ffff:127.x.y.z
}

bool isInstanceMetadataHost(const std::string& host)
{
	return host == "169.254.169.254";
}

namespace {

bool isDotSegment(const std::string& segment, bool twoDots)
{
	std::string s = Poco::toLower(segment);
	Poco::replaceInPlace(s, std::string("%2e"), std::string("."));
	return twoDots ? s == ".." : s == ".";
}

} // namespace

std::string sameHostPath(const std::string& text, const std::string& settingName)
{
	auto refuse = [&](const std::string& why) {
		throw UsageException(settingName + " " + quotedText(text, 120) + " " + why
			+ ": give a path on the same host, for example /lightning/page/home");
	};
	if (text.empty() || text[0] != '/') refuse("is not a relative URL (a path starting with '/')");
	for (unsigned char c: text)
	{
		if (c < 0x20 || c == 0x7F) refuse("holds a control character (browsers drop tabs and newlines, which can turn it into another host)");
		if (c == ' ') refuse("holds a space (percent-encode it as %20)");
		if (c == '\\') refuse("holds a backslash, which browsers read as '/'");
	}
	// "//x" is a network-path reference: x is a host, whatever follows (found by the url fuzzer: "//../evil").
	if (text.size() > 1 && text[1] == '/') refuse("starts with '//', which names another host");
	// The path part only: the query and fragment cannot change the host.
	const std::string path = text.substr(0, text.find_first_of("?#"));
	std::vector<std::string> out;
	std::size_t pos = 1;
	while (true)
	{
		std::size_t slash = path.find('/', pos);
		std::string segment = path.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
		const bool last = slash == std::string::npos;
		if (isDotSegment(segment, true))
		{
			if (!out.empty()) out.pop_back();
			if (last) out.emplace_back();
		}
		else if (isDotSegment(segment, false))
		{
			if (last) out.emplace_back();
		}
		else
		{
			out.push_back(segment);
		}
		if (last) break;
		pos = slash + 1;
	}
	std::string normalised;
	for (const auto& segment: out) normalised += "/" + segment;
	if (normalised.compare(0, 2, "//") == 0) refuse("reads as '//...', another host, once '.' and '..' are resolved");
	const std::string lower = Poco::toLower(normalised);
	if (lower.compare(0, 4, "/%2f") == 0 || lower.compare(0, 4, "/%5c") == 0)
		refuse("starts with an encoded slash, which some servers turn into another host");
	return text;
}

} // namespace jwtflow
