//
// GooglePlugin.cpp
//
// Plugin: google
//
// SPDX-License-Identifier: BSL-1.0
//
#include "GoogleProvider.h"
#include "jwtflow/PluginAbi.h"

using jwtflow::google::GoogleProvider;

JWTFLOW_PLUGIN_EXPORT_ABI()

POCO_BEGIN_MANIFEST(jwtflow::Provider)
	POCO_EXPORT_CLASS(GoogleProvider)
POCO_END_MANIFEST
