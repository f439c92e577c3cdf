//
// ElfDependencies.h
//
// Library: jwtflow core (internal)
// The shared libraries an ELF file names in its dynamic section (DT_NEEDED),
// read from the file without loading it.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_ELFDEPENDENCIES_INCLUDED
#define JWTFLOW_ELFDEPENDENCIES_INCLUDED

#include "jwtflow/Export.h"
#include <string>
#include <vector>

namespace jwtflow {
namespace detail {

JWTFLOW_API bool readElfNeeded(const std::string& path, std::vector<std::string>& needed);
	/// Fills needed with the DT_NEEDED names of a 64-bit little-endian ELF file.
	/// False when the file cannot be read or is not such an ELF file (the
	/// caller then lets the loader say why); every offset is bounds-checked.

JWTFLOW_API std::string sharedLayoutDependency(const std::vector<std::string>& needed);
	/// The first name that marks a plugin built for the shared jwtflow
	/// (libjwtflow_core, libjwtflow_net, libjwtflow_emulator or a POCO shared
	/// library), or "".

} // namespace detail
} // namespace jwtflow

#endif
