//
// FileInput.cpp
//
// Library: jwtflow core (internal)
//
// SPDX-License-Identifier: BSL-1.0
//
#include "FileInput.h"
#include "jwtflow/Exception.h"
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sys/stat.h>

namespace jwtflow {
namespace detail {

std::string readInputFile(const std::string& path, const std::string& what, std::size_t maxBytes)
{
	if (path.empty()) throw InputException("no " + what + " file given");
	struct stat st{};
	if (::stat(path.c_str(), &st) != 0)
	{
		int err = errno;
		throw InputException("cannot read " + what + " '" + path + "': " + std::strerror(err));
	}
	if (S_ISDIR(st.st_mode)) throw InputException("cannot read " + what + " '" + path + "': it is a folder, not a file");
	std::ifstream in(path, std::ios::binary);
	if (!in)
	{
		int err = errno;
		throw InputException("cannot read " + what + " '" + path + "': " + std::strerror(err ? err : EACCES));
	}
	std::string data;
	char buf[8192];
	while (in.read(buf, sizeof buf) || in.gcount() > 0)
	{
		data.append(buf, static_cast<std::size_t>(in.gcount()));
		if (data.size() > maxBytes)
			throw InputException("cannot read " + what + " '" + path + "': the file is larger than "
				+ std::to_string(maxBytes / 1024) + " KiB, which no " + what + " is");
	}
	if (data.empty()) throw InputException(what + " '" + path + "' is empty");
	return data;
}

} // namespace detail
} // namespace jwtflow
