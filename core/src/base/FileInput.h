//
// FileInput.h
//
// Library: jwtflow core (internal)
// Reading a local file for use as key, certificate or settings input.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_FILEINPUT_INCLUDED
#define JWTFLOW_FILEINPUT_INCLUDED

#include "jwtflow/Export.h"
#include <string>

namespace jwtflow {
namespace detail {

enum class EmptyFile
	/// Whether a file with nothing in it is an error.
{
	Refused,
	Allowed
};

std::string readInputFile(const std::string& path, const std::string& what, std::size_t maxBytes = 1024 * 1024,
	EmptyFile empty = EmptyFile::Refused);
	/// Reads a whole file (readTextFile in SecureFiles.h is its public form). Throws InputException "cannot read <what> '<path>': <reason>"
	/// when it is missing, a directory, unreadable, larger than maxBytes, or empty where that is refused.

void readOpenFile(int fd, std::size_t size, std::string& data);
	/// Reads up to size bytes from an open file into data (retrying short reads);
	/// data ends up holding what was read, which is shorter if the file was.

void writeAllQuietly(int fd, const std::string& text);
	/// Writes text to fd whole (retrying short writes and EINTR), stopping
	/// silently at an error: for a terminal or a child's pipe, where there is
	/// nobody to tell.

} // namespace detail
} // namespace jwtflow

#endif
