//
// OidcPlugin.cpp
//
// Plugin: oidc
//
// SPDX-License-Identifier: BSL-1.0
//
#include "OidcProvider.h"
#include "jwtflow/PluginAbi.h"

using jwtflow::oidc::OidcProvider;

JWTFLOW_PLUGIN_EXPORT_ABI()

POCO_BEGIN_MANIFEST(jwtflow::Provider)
	POCO_EXPORT_CLASS(OidcProvider)
POCO_END_MANIFEST
