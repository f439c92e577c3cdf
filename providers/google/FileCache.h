//
// FileCache.h
//
// Plugin: google
// What was read from a file, kept while the file keeps its size and
// modification time (the service-account key's fields, an external_account
// configuration): a provider is asked for them several times per login.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_GOOGLE_FILECACHE_INCLUDED
#define JWTFLOW_GOOGLE_FILECACHE_INCLUDED

#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/Timestamp.h>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace jwtflow {
namespace google {

template <typename T>
class FileCache
	/// Thread-safe; a value may be null (the file holds something else).
{
public:
	std::optional<std::shared_ptr<const T>> find(const std::string& path)
		/// The value kept for path while the file is unchanged; nullopt otherwise.
	{
		std::lock_guard<std::mutex> lock(_mutex);
		auto it = _entries.find(path);
		if (it == _entries.end()) return std::nullopt;
		try
		{
			Poco::File f(path);
			if (f.exists() && f.getLastModified() == it->second.modified && f.getSize() == it->second.size) return it->second.value;
		}
		catch (const Poco::Exception&)
		{
		}
		return std::nullopt;
	}

	void put(const std::string& path, Poco::Timestamp modified, Poco::File::FileSize size, std::shared_ptr<const T> value)
		/// Keeps value for the file as it was (modified, size) when value was read from it.
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_entries[path] = Entry{modified, size, std::move(value)};
	}

private:
	struct Entry
	{
		Poco::Timestamp modified;
		Poco::File::FileSize size = 0;
		std::shared_ptr<const T> value;
	};
	std::mutex _mutex;
	std::map<std::string, Entry> _entries;
};

} // namespace google
} // namespace jwtflow

#endif
