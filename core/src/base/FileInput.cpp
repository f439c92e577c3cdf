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
#include <unistd.h>

namespace jwtflow {
namespace detail {

void readOpenFile(int fd, std::size_t size, std::string& data)
{
	data.resize(size);
	std::size_t done = 0;
	while (done < data.size())
	{
		ssize_t n = ::read(fd, &data[done], data.size() - done);
		if (n < 0 && errno == EINTR) continue;
		if (n <= 0) break;
		done += static_cast<std::size_t>(n);
	}
	data.resize(done);
}

std::string readInputFile(const std::string& path, const std::string& what, std::size_t maxBytes, EmptyFile empty)
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
	if (data.empty() && empty == EmptyFile::Refused) throw InputException(what + " '" + path + "' is empty");
	return data;
}

void writeAllQuietly(int fd, const std::string& text)
{
	std::size_t done = 0;
	while (done < text.size())
	{
		const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
		if (n < 0 && errno == EINTR) continue;
		if (n <= 0) return;
		done += static_cast<std::size_t>(n);
	}
}

} // namespace detail
} // namespace jwtflow
