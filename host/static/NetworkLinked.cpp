//
// NetworkLinked.cpp
//
// Program: jwtflow (single-file build, JWTFLOW_STATIC_HOST)
// The network commands are linked into the program: nothing to load.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "JwtflowApp.h"

namespace jwtflow {
namespace host {

int runNetworkCommand(JwtflowApp& app, Provider* provider, const std::string& what);   // network/NetworkModule.cpp

int JwtflowApp::runNetwork(Provider* provider, const std::string& what)
{
	return runNetworkCommand(*this, provider, what);
}

} // namespace host
} // namespace jwtflow
