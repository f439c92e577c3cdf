// A plugin linked to libjwtflow_core.so (the shared layout): the shared jwtflow
// loads it; the single-file jwtflow refuses it (a second POCO and core would
// come with it) and goes on with the others.
#include "MinimalProvider.h"
#include "jwtflow/PluginAbi.h"

namespace {

class SharedLayoutProvider: public MinimalProvider
{
public:
	SharedLayoutProvider(): MinimalProvider("shared-layout", "linked to the shared core") {}
};

} // namespace

JWTFLOW_PLUGIN_EXPORT_ABI()

POCO_BEGIN_MANIFEST(jwtflow::Provider)
	POCO_EXPORT_CLASS(SharedLayoutProvider)
POCO_END_MANIFEST
