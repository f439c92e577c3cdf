//
// DocuSignPlugin.cpp
//
// The plugin's two exports: the ABI version (checked by the registry before
// anything else) and the POCO manifest naming the provider class.
//
#include "DocuSignProvider.h"
#include <jwtflow/PluginAbi.h>

JWTFLOW_PLUGIN_EXPORT_ABI()

POCO_BEGIN_MANIFEST(jwtflow::Provider)
	POCO_EXPORT_CLASS(docusign::DocuSignProvider)
POCO_END_MANIFEST
