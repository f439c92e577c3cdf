//
// BuiltInProviders.h
//
// Program: jwtflow
// The providers linked into the program: none in the shared jwtflow (they are
// plugins there), the five of providers/ in the single-file one.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_HOST_BUILTINPROVIDERS_INCLUDED
#define JWTFLOW_HOST_BUILTINPROVIDERS_INCLUDED

#include "jwtflow/PluginRegistry.h"
#include <vector>

namespace jwtflow {
namespace host {

std::vector<BuiltInProvider> builtInProviders();
	/// What the plugin registry gets before it scans the plugin folders.

} // namespace host
} // namespace jwtflow

#endif
