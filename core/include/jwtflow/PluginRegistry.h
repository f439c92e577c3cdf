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
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace jwtflow {

struct JWTFLOW_API PluginDescriptor
	/// A plugins.d/<provider>.properties file: names the library and class,
	/// describes the provider, and holds setting defaults.
{
	std::string provider;      /// the file's base name: the provider name
	std::string path;          /// the .properties file; "(built in)" for a provider linked into the program
	std::string library;       /// the library file it names (plugin.library), resolved in the same folder; "" when built in
	std::string className;     /// plugin.class, empty: every class in the manifest
	std::string description;   /// plugin.description
	Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> properties; /// the whole file (setting defaults)
};

struct JWTFLOW_API BuiltInProvider
	/// A provider linked into the program itself (the single-file jwtflow):
	/// no library to load, but a descriptor like any plugin's.
{
	std::string name;                       /// the provider name (its descriptor's base name)
	std::string descriptor;                 /// the text of its plugins.d/<name>.properties
	std::function<Provider*()> create;      /// makes the provider (called once, when first asked for)
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
	/// that is not a plugin, was built for another ABI version, fails to load,
	/// throws or crashes in its static initializers (it is opened in a child
	/// process first), or that another user could have changed, is recorded
	/// as a problem and skipped; the registry goes on with the others. Libraries stay loaded while the registry lives, and every
	/// provider object is destroyed before its library is unloaded.
{
public:
	explicit PluginRegistry(std::vector<std::string> searchPath);
		/// Scans the folders (missing ones are skipped) for descriptors and libraries.

	PluginRegistry(std::vector<std::string> searchPath, std::vector<BuiltInProvider> builtIns);
		/// As above, with providers linked into the program: they come first, so a
		/// descriptor of the same name in a plugin folder is shadowed (and its
		/// library never loaded). The single-file jwtflow also refuses plugin
		/// libraries built for the shared layout (ones that need libjwtflow_core
		/// or POCO's shared libraries): loading them would put a second POCO in
		/// the process.

	~PluginRegistry();

	PluginRegistry(const PluginRegistry&) = delete;
	PluginRegistry& operator=(const PluginRegistry&) = delete;

	static std::vector<std::string> defaultSearchPath(const std::vector<std::string>& optionDirs,
		const std::string& executablePath);
		/// Every --plugins DIR, then JWTFLOW_PLUGIN_PATH (colon-separated), both
		/// made absolute once; then <exe>/../lib/jwtflow/plugins.d and
		/// <exe dir>/plugins.d when executablePath is absolute (pass
		/// executablePath(), never argv[0]); then <libdir>/jwtflow/plugins.d
		/// beside the core library.

	static bool isSingleExecutable();
		/// True in the single-file jwtflow (JWTFLOW_STATIC_HOST): POCO and the
		/// core are linked into the program, and plugins must be built against
		/// the plugin SDK (JwtFlow::plugin-sdk), not the shared libraries.

	static std::string executablePath();
		/// The running program's real path (/proc/self/exe), "" when unknown.

	const std::vector<std::string>& searchPath() const;

	const std::vector<PluginDescriptor>& descriptors() const;
		/// The descriptors found, first folder first; a provider named twice keeps the first.

	const PluginDescriptor* descriptorFor(const std::string& provider) const;
		/// The descriptor of a provider, or nullptr.

	Provider* find(const std::string& provider);
		/// The provider, loading the library its descriptor names when needed
		/// (and no other); nullptr when no descriptor names it or its library
		/// was refused (see problems() for why).

	Provider& get(const std::string& provider);
		/// As find(); throws UsageException "unknown provider" listing what exists.

	void loadAll();
		/// Loads every library found, described or not (tests, `demo`).

	std::vector<PluginProblem> probeAll();
		/// Checks every described library without loading it into this process
		/// (owner, permissions, ABI, static initializers, in a child process):
		/// what `jwtflow providers` reports. Returns the refused ones.

	std::vector<std::string> librariesWithoutDescriptor() const;
		/// Libraries in the plugin folders that no descriptor names (never loaded
		/// by find(); loadAll() tries them).

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
