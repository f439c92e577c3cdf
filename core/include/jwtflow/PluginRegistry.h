//
// PluginRegistry.h
//
// Library: jwtflow core
// Finds provider plugins in plugins.d folders and loads them through
// Poco::ClassLoader, after checking the plugin ABI version.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_PLUGINREGISTRY_INCLUDED
#define JWTFLOW_PLUGINREGISTRY_INCLUDED

#include "jwtflow/Export.h"
#include "jwtflow/Provider.h"
#include <Poco/AutoPtr.h>
#include <Poco/Util/PropertyFileConfiguration.h>
#include <memory>
#include <string>
#include <vector>

namespace jwtflow {

struct JWTFLOW_API PluginDescriptor
	/// A plugins.d/<provider>.properties file: names the library and class,
	/// describes the provider, and holds setting defaults.
{
	std::string provider;      /// the file's base name: the provider name
	std::string path;          /// the .properties file
	std::string library;       /// the library file it names (plugin.library), resolved in the same folder
	std::string className;     /// plugin.class, empty: every class in the manifest
	std::string description;   /// plugin.description
	Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> properties; /// the whole file (setting defaults)
};

struct JWTFLOW_API PluginProblem
	/// A file the registry could not use, and why.
{
	std::string path;
	std::string message;
};

class JWTFLOW_API PluginRegistry
	/// The providers available to the host. Plugins load lazily: asking for
	/// one provider opens only the library its descriptor names. A library
	/// that is not a plugin, was built for another ABI version, or fails to
	/// load is recorded as a problem and skipped; the registry goes on with
	/// the others. Libraries stay loaded while the registry lives, and every
	/// provider object is destroyed before its library is unloaded.
{
public:
	explicit PluginRegistry(std::vector<std::string> searchPath);
		/// Scans the folders (missing ones are skipped) for descriptors and libraries.

	~PluginRegistry();

	PluginRegistry(const PluginRegistry&) = delete;
	PluginRegistry& operator=(const PluginRegistry&) = delete;

	static std::vector<std::string> defaultSearchPath(const std::vector<std::string>& optionDirs,
		const std::string& executablePath);
		/// Every --plugins DIR, then JWTFLOW_PLUGIN_PATH (colon-separated), then
		/// <exe>/../lib/jwtflow/plugins.d, then <exe dir>/plugins.d.

	const std::vector<std::string>& searchPath() const;

	const std::vector<PluginDescriptor>& descriptors() const;
		/// The descriptors found, first folder first; a provider named twice keeps the first.

	const PluginDescriptor* descriptorFor(const std::string& provider) const;
		/// The descriptor of a provider, or nullptr.

	Provider* find(const std::string& provider);
		/// The provider, loading its library when needed; nullptr when no
		/// plugin provides it (see problems() for why a library was refused).

	Provider& get(const std::string& provider);
		/// As find(); throws UsageException "unknown provider" listing what exists.

	void loadAll();
		/// Loads every library found (for `jwtflow providers`).

	std::vector<Provider*> providers() const;
		/// The providers loaded so far, in load order.

	std::vector<std::string> knownNames() const;
		/// The names of every provider described or loaded, sorted.

	const std::vector<PluginProblem>& problems() const;
		/// Libraries that were refused, with the reason.

	bool loadLibrary(const std::string& path);
		/// Loads one library (checks, manifest, creates each provider);
		/// false and a recorded problem when refused.

private:
	struct Impl;
	std::unique_ptr<Impl> _impl;
};

} // namespace jwtflow

#endif // JWTFLOW_PLUGINREGISTRY_INCLUDED
