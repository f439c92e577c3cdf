//
// ElfDependencies.cpp
//
// Library: jwtflow core (internal)
//
// SPDX-License-Identifier: BSL-1.0
//
#include "ElfDependencies.h"
#include "FileInput.h"
#include <cstring>
#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace jwtflow {
namespace detail {

namespace {

/// The whole file in memory: plugins are small (a few MiB at most), and a
/// bounded copy makes every later read a plain bounds check.
bool readWhole(const std::string& path, std::string& data)
{
	const std::size_t maxBytes = 256u * 1024u * 1024u;
	int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) return false;
	struct stat st{};
	if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || static_cast<std::size_t>(st.st_size) > maxBytes)
	{
		::close(fd);
		return false;
	}
	readOpenFile(fd, static_cast<std::size_t>(st.st_size), data);
	::close(fd);
	return true;
}

template <class T>
bool readAt(const std::string& data, std::uint64_t offset, T& out)
{
	if (offset > data.size() || data.size() - offset < sizeof(T)) return false;
	std::memcpy(&out, data.data() + offset, sizeof(T));
	return true;
}

} // namespace

bool readElfNeeded(const std::string& path, std::vector<std::string>& needed)
{
	needed.clear();
	std::string data;
	if (!readWhole(path, data)) return false;
	Elf64_Ehdr eh{};
	if (!readAt(data, 0, eh) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64
		|| eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_phentsize != sizeof(Elf64_Phdr))
		return false;
	std::vector<Elf64_Phdr> loads;
	Elf64_Phdr dynamic{};
	bool haveDynamic = false;
	for (unsigned i = 0; i < eh.e_phnum; ++i)
	{
		Elf64_Phdr ph{};
		if (!readAt(data, eh.e_phoff + static_cast<std::uint64_t>(i) * sizeof(Elf64_Phdr), ph)) return false;
		if (ph.p_type == PT_LOAD) loads.push_back(ph);
		if (ph.p_type == PT_DYNAMIC) { dynamic = ph; haveDynamic = true; }
	}
	if (!haveDynamic) return true;   // a static object needs nothing
	std::vector<std::uint64_t> neededOffsets;
	std::uint64_t strtabAddress = 0, strtabSize = 0;
	for (std::uint64_t at = dynamic.p_offset; at + sizeof(Elf64_Dyn) <= dynamic.p_offset + dynamic.p_filesz; at += sizeof(Elf64_Dyn))
	{
		Elf64_Dyn d{};
		if (!readAt(data, at, d)) return false;
		if (d.d_tag == DT_NULL) break;
		if (d.d_tag == DT_NEEDED) neededOffsets.push_back(d.d_un.d_val);
		if (d.d_tag == DT_STRTAB) strtabAddress = d.d_un.d_ptr;
		if (d.d_tag == DT_STRSZ) strtabSize = d.d_un.d_val;
		if (neededOffsets.size() > 4096) return false;
	}
	// DT_STRTAB is an address: the PT_LOAD segment holding it gives the file offset.
	std::uint64_t strtabOffset = 0;
	bool mapped = false;
	for (const auto& load: loads)
		if (strtabAddress >= load.p_vaddr && strtabAddress - load.p_vaddr < load.p_filesz)
		{
			strtabOffset = load.p_offset + (strtabAddress - load.p_vaddr);
			mapped = true;
			break;
		}
	if (!mapped || strtabOffset > data.size() || strtabSize > data.size() - strtabOffset) return false;
	for (std::uint64_t offset: neededOffsets)
	{
		if (offset >= strtabSize) return false;
		const char* begin = data.data() + strtabOffset + offset;
		const void* end = std::memchr(begin, '\0', strtabSize - offset);
		if (!end) return false;
		needed.emplace_back(begin, static_cast<const char*>(end));
	}
	return true;
}

std::string sharedLayoutDependency(const std::vector<std::string>& needed)
{
	for (const auto& name: needed)
		for (const char* prefix: {"libjwtflow_core.so", "libjwtflow_net.so", "libjwtflow_emulator.so", "libPoco"})
			if (name.compare(0, std::strlen(prefix), prefix) == 0) return name;
	return {};
}

} // namespace detail
} // namespace jwtflow
