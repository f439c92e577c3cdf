//
// Network.h
//
// Library: jwtflow core
// Small network rules shared by the core, providers and the emulator.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_NETWORK_INCLUDED
#define JWTFLOW_NETWORK_INCLUDED

#include "jwtflow/Export.h"
#include <string>

namespace jwtflow {

JWTFLOW_API bool isLoopbackHost(const std::string& host);
	/// True for "localhost", 127.0.0.0/8 and ::1 (with or without brackets):
	/// the only hosts plain http:// is accepted for.

} // namespace jwtflow

#endif // JWTFLOW_NETWORK_INCLUDED
