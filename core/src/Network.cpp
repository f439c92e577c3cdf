//
// Network.cpp
//
// Library: jwtflow core
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/Network.h"
#include <Poco/Net/IPAddress.h>
#include <Poco/String.h>

namespace jwtflow {

bool isLoopbackHost(const std::string& hostIn)
{
	std::string host = Poco::toLower(hostIn);
	if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
	if (host == "localhost" || host == "localhost.") return true;
	Poco::Net::IPAddress ip;
	if (!Poco::Net::IPAddress::tryParse(host, ip)) return false;
	return ip.isLoopback();
}

} // namespace jwtflow
