//
// AzureAdPlugin.cpp
//
// Plugin: azure-ad
// The POCO manifest and ABI export of the plugin library.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "AzureAdProvider.h"
#include "jwtflow/PluginAbi.h"

using jwtflow::azure::AzureAdProvider;

JWTFLOW_PLUGIN_EXPORT_ABI()

POCO_BEGIN_MANIFEST(jwtflow::Provider)
	POCO_EXPORT_CLASS(AzureAdProvider)
POCO_END_MANIFEST
