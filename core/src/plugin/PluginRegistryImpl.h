//
// PluginRegistryImpl.h
//
// Library: jwtflow core (internal)
// What PluginRegistry keeps, shared by its files: PluginSearchPath.cpp (where
// to look), PluginDescriptors.cpp (what the folders describe), PluginRegistry.cpp
// (loading, finding, probing).
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_PLUGINREGISTRYIMPL_INCLUDED
#define JWTFLOW_PLUGINREGISTRYIMPL_INCLUDED

#include "jwtflow/PluginRegistry.h"
#include <Poco/ClassLoader.h>
#include <Poco/Exception.h>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace jwtflow {

using ProviderLoader = Poco::ClassLoader<Provider>;

struct PluginRegistry::Impl
{
	std::vector<std::string> searchPath;
	std::vector<PluginDescriptor> descriptors;
	std::vector<BuiltInProvider> builtIns;      // linked into the program: descriptors come first
	std::set<std::string> shadowedLibraries;    // named by a descriptor that an earlier one of the same name hides
	std::vector<std::string> libraries;        // every plugin-looking library found, in search order
	std::set<std::string> attempted;           // libraries already tried
	std::vector<PluginProblem> problems;
	// Declared before `providers`: members are destroyed in reverse order, so
	// every provider object dies before the loader unloads the libraries.
	ProviderLoader loader;
	std::vector<std::unique_ptr<Provider>> providers;

	void scan();
	void addProblem(const std::string& path, const std::string& message)
	{
		problems.push_back({path, message});
	}
	void addBuiltIns(std::vector<BuiltInProvider> linked);
	std::string layoutProblem(const std::string& path) const;
	std::string refusal(const std::string& path) const;
		/// Why a library is not loaded (missing, others may change it, built for the shared
		/// jwtflow, refused by the child-process probe), or "".
	bool createAll(const std::string& path, const ProviderLoader::Manif& manifest);
		/// Creates every provider the manifest exports; true when one was kept.
	bool create(const std::string& path, const std::string& className, Provider* made);
		/// Keeps a provider the library made, unless its ABI or name is wrong (said as a problem).
};

namespace detail {

inline std::string describeException(const Poco::Exception& e)
	/// The exception's message, without POCO's class-name prefix.
{
	return e.message().empty() ? e.displayText() : e.message();
}

} // namespace detail
} // namespace jwtflow

#endif
