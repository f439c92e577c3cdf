// A plugin compiled for plugin ABI version 999: the registry must refuse it.
#include "MinimalProvider.h"
#include "jwtflow/PluginAbi.h"

namespace {

class OtherAbiProvider: public MinimalProvider
{
public:
	OtherAbiProvider(): MinimalProvider("other-abi", "built for another ABI") {}
};

} // namespace

JWTFLOW_PLUGIN_EXPORT_ABI()

POCO_BEGIN_MANIFEST(jwtflow::Provider)
	POCO_EXPORT_CLASS(OtherAbiProvider)
POCO_END_MANIFEST
