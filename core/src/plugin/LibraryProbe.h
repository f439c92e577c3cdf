//
// LibraryProbe.h
//
// Library: jwtflow core (internal)
// Opens a plugin library in a child process first, so that a static
// initializer that throws, aborts or crashes cannot take the host down.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_LIBRARYPROBE_INCLUDED
#define JWTFLOW_LIBRARYPROBE_INCLUDED

#include <string>

namespace jwtflow {
namespace detail {

std::string probePluginLibrary(const std::string& path, int timeoutSeconds = 10);
	/// Forks; the child opens the library (running its static initializers),
	/// checks the plugin ABI and POCO version functions, and reports back
	/// through a pipe. Returns "" when the library can be loaded in-process,
	/// else why not: "not a jwtflow plugin ...", "built for plugin ABI version N ...",
	/// "an exception escaped its static initializer: ...", "it crashed while
	/// loading (signal N) ...". A child that hangs is killed after timeoutSeconds.

std::string probePluginLibraryCached(const std::string& path);
	/// probePluginLibrary, remembering the libraries that passed (by device,
	/// inode, size, mtime and ctime, so any change is probed again) in
	/// $XDG_CACHE_HOME/jwtflow/plugins-checked (~/.cache when unset; 0600 in a
	/// 0700 folder, ignored when others could have written it). The first
	/// load of a plugin pays the child process (about 7 ms), later ones not.

} // namespace detail
} // namespace jwtflow

#endif
