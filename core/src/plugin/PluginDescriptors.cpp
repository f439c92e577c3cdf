//
// PluginDescriptors.cpp
//
// Library: jwtflow core
// What the plugin folders describe: descriptors (bounded, checked regular
// files), the libraries they name, the built-in providers' descriptors.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "PluginRegistryImpl.h"
#include "jwtflow/SecureFiles.h"
#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/SharedLibrary.h>
#include <Poco/String.h>
#include <Poco/Util/PropertyFileConfiguration.h>
#include <algorithm>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace jwtflow {

namespace {

bool isLibraryFile(const Poco::Path& p)
{
	const std::string suffix = Poco::SharedLibrary::suffix(); // ".so" (".dylib", ".dll")
	return Poco::endsWith(p.getFileName(), suffix);
}

/// The library a descriptor names (plugin.library, with or without the suffix; else
/// jwtflow-provider-<provider>), relative to the descriptor's folder unless absolute.
std::string libraryNamedBy(std::string named, const std::string& provider, const std::string& dir)
{
	const std::string suffix = Poco::SharedLibrary::suffix();
	if (named.empty()) named = "jwtflow-provider-" + provider;
	if (!Poco::endsWith(named, suffix)) named += suffix;
	return Poco::Path(named).isAbsolute() ? named : Poco::Path(dir, named).toString();
}

const std::size_t MAX_DESCRIPTOR_BYTES = 64 * 1024;

/// Reads a descriptor: a regular file of bounded size (a folder or a FIFO
/// named x.properties would make POCO's reader spin or block), parsed from
/// memory. Throws Poco::Exception with the reason.
Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> readDescriptor(const std::string& path)
{
	struct stat st{};
	if (::stat(path.c_str(), &st) != 0) throw Poco::FileException("it cannot be read");
	if (!S_ISREG(st.st_mode)) throw Poco::FileException("it is not a regular file");
	if (static_cast<std::size_t>(st.st_size) > MAX_DESCRIPTOR_BYTES)
		throw Poco::FileException("it is larger than 64 KiB, which no descriptor is");
	std::string problem = trustProblem(path, TrustedFileKind::Content, false);
	if (!problem.empty()) throw Poco::FileException(problem);
	std::ifstream in(path, std::ios::binary);
	if (!in) throw Poco::FileException("it cannot be read");
	std::string text;
	char buf[4096];
	while (in.read(buf, sizeof buf) || in.gcount() > 0)
	{
		text.append(buf, static_cast<std::size_t>(in.gcount()));
		if (text.size() > MAX_DESCRIPTOR_BYTES) throw Poco::FileException("it is larger than 64 KiB, which no descriptor is");
	}
	std::istringstream stream(text);
	return new Poco::Util::PropertyFileConfiguration(stream);
}

} // namespace

void PluginRegistry::Impl::addBuiltIns(std::vector<BuiltInProvider> linked)
{
	for (auto& builtIn: linked)
	{
		PluginDescriptor desc;
		desc.provider = builtIn.name;
		desc.path = "(built in)";
		std::istringstream text(builtIn.descriptor);
		desc.properties = new Poco::Util::PropertyFileConfiguration(text);
		desc.className = desc.properties->getRawString("plugin.class", "");
		desc.description = desc.properties->getRawString("plugin.description", "");
		descriptors.push_back(desc);
		builtIns.push_back(std::move(builtIn));
	}
}

void PluginRegistry::Impl::scan()
{
	std::set<std::string> providerNames;
	for (const auto& d: descriptors) providerNames.insert(d.provider);
	std::set<std::string> seenLibraries;
	for (const auto& dir: searchPath)
	{
		struct stat st{};
		if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
		std::string loose = trustProblem(dir, TrustedFileKind::Code, true);
		if (!loose.empty())
		{
			addProblem(dir, "plugin folder refused: " + loose);
			continue;
		}
		std::vector<std::string> names;
		try
		{
			Poco::File folder(dir);
			for (Poco::DirectoryIterator it(folder), end; it != end; ++it) names.push_back(it.name());
		}
		catch (const Poco::Exception& e)
		{
			addProblem(dir, "cannot list the plugin folder: " + detail::describeException(e));
			continue;
		}
		std::sort(names.begin(), names.end());
		for (const auto& name: names)
		{
			Poco::Path path(dir, name);
			if (Poco::endsWith(name, std::string(".properties")))
			{
				PluginDescriptor desc;
				desc.provider = path.getBaseName();
				desc.path = path.toString();
				if (providerNames.count(desc.provider))
				{
					// Hidden by an earlier one (or a built-in provider): its library is
					// neither loaded nor reported as undescribed.
					std::string named;
					try
					{
						named = readDescriptor(desc.path)->getRawString("plugin.library", "");
					}
					catch (const Poco::Exception&)
					{
					}
					shadowedLibraries.insert(libraryNamedBy(named, desc.provider, dir));
					continue;
				}
				try
				{
					desc.properties = readDescriptor(desc.path);
				}
				catch (const Poco::Exception& e)
				{
					addProblem(desc.path, "cannot read the plugin descriptor: " + detail::describeException(e));
					continue;
				}
				desc.library = libraryNamedBy(desc.properties->getRawString("plugin.library", ""), desc.provider, dir);
				desc.className = desc.properties->getRawString("plugin.class", "");
				desc.description = desc.properties->getRawString("plugin.description", "");
				providerNames.insert(desc.provider);
				descriptors.push_back(desc);
			}
			else if (isLibraryFile(path))
			{
				std::string full = path.toString();
				if (seenLibraries.insert(full).second) libraries.push_back(full);
			}
		}
	}
}

} // namespace jwtflow
