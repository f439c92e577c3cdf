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
	/// the hosts plain http:// is accepted for (with isInstanceMetadataHost).

JWTFLOW_API bool isInstanceMetadataHost(const std::string& host);
	/// True for 169.254.169.254, the link-local address where a cloud machine's
	/// platform answers (Azure IMDS, AWS, GCE metadata): never routed off the
	/// machine, only plain http, never through a proxy.

JWTFLOW_API std::string sameHostPath(const std::string& text, const std::string& settingName);
	/// Checks that text is a path on the same host, as a browser would read it
	/// (WHATWG URL parsing): it starts with '/', holds no control character,
	/// space or backslash, and after dot-segment removal (".", "..", "%2e")
	/// does not start with "//" or an encoded slash. Returns text unchanged;
	/// throws UsageException naming settingName (the text escaped) otherwise.
	/// Browsers drop tabs and newlines, so "/<TAB>/evil.example" would land on
	/// //evil.example, another host.

} // namespace jwtflow

#endif // JWTFLOW_NETWORK_INCLUDED
