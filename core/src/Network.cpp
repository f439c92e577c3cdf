//
// Network.cpp
//
// Library: jwtflow core
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/Network.h"
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

} // namespace jwtflow
