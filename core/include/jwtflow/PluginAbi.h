//
// PluginAbi.h
//
// Library: jwtflow core (plugin SDK)
// The plugin ABI version and the macros a plugin uses to export itself.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_PLUGINABI_INCLUDED
#define JWTFLOW_PLUGINABI_INCLUDED

#include "jwtflow/Provider.h"
#include <Poco/ClassLibrary.h>
#include <Poco/Version.h>

/// The name of the C function every plugin exports; the registry calls it
/// before it lets POCO build the manifest.
#define JWTFLOW_PLUGIN_ABI_SYMBOL "jwtflow_plugin_abi_version"
#define JWTFLOW_PLUGIN_POCO_SYMBOL "jwtflow_plugin_poco_version"

extern "C" {
typedef unsigned (*JwtflowPluginAbiFunction)();
typedef unsigned long (*JwtflowPluginPocoFunction)();
}

/// Exports the ABI functions. Use once per plugin library, next to the
/// POCO manifest:
///
///     JWTFLOW_PLUGIN_EXPORT_ABI()
///     POCO_BEGIN_MANIFEST(jwtflow::Provider)
///         POCO_EXPORT_CLASS(MyProvider)
///     POCO_END_MANIFEST
#define JWTFLOW_PLUGIN_EXPORT_ABI() \
	extern "C" POCO_LIBRARY_API unsigned jwtflow_plugin_abi_version() { return JWTFLOW_PLUGIN_ABI_VERSION; } \
	extern "C" POCO_LIBRARY_API unsigned long jwtflow_plugin_poco_version() { return POCO_VERSION; }

#endif // JWTFLOW_PLUGINABI_INCLUDED
