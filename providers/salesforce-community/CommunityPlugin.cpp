//
// CommunityPlugin.cpp
//
// Plugin: salesforce-community
// The POCO manifest and ABI export of the plugin library.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "CommunityProvider.h"
#include "jwtflow/PluginAbi.h"

using jwtflow::salesforce::CommunityProvider;

JWTFLOW_PLUGIN_EXPORT_ABI()

POCO_BEGIN_MANIFEST(jwtflow::Provider)
	POCO_EXPORT_CLASS(CommunityProvider)
POCO_END_MANIFEST
