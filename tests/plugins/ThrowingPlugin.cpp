// A plugin whose provider throws when created: the registry must report it and go on.
#include "MinimalProvider.h"
#include "jwtflow/Exception.h"
#include "jwtflow/PluginAbi.h"

namespace {

class ThrowingProvider: public MinimalProvider
{
public:
	ThrowingProvider(): MinimalProvider("throwing", "throws") { throw jwtflow::Exception("deliberate failure in the test plugin"); }
};

} // namespace

JWTFLOW_PLUGIN_EXPORT_ABI()

POCO_BEGIN_MANIFEST(jwtflow::Provider)
	POCO_EXPORT_CLASS(ThrowingProvider)
POCO_END_MANIFEST
