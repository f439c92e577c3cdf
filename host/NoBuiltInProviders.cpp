//
// NoBuiltInProviders.cpp
//
// Program: jwtflow (shared build)
// The shared jwtflow loads every provider from plugins.d.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "BuiltInProviders.h"

namespace jwtflow {
namespace host {

std::vector<BuiltInProvider> builtInProviders()
{
	return {};
}

} // namespace host
} // namespace jwtflow
