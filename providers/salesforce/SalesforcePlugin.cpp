//
// SalesforcePlugin.cpp
//
// Plugin: salesforce
// The POCO manifest and ABI export of the plugin library.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "SalesforceProvider.h"
#include "jwtflow/PluginAbi.h"

using jwtflow::salesforce::SalesforceProvider;

JWTFLOW_PLUGIN_EXPORT_ABI()

POCO_BEGIN_MANIFEST(jwtflow::Provider)
	POCO_EXPORT_CLASS(SalesforceProvider)
POCO_END_MANIFEST
