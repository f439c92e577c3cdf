// A plugin whose static initializer throws while the library is being opened
// (in dlopen, before any ABI check): the registry must refuse it, not abort.
#include "jwtflow/PluginAbi.h"
#include <stdexcept>

namespace {

struct ThrowsWhenLoaded
{
	ThrowsWhenLoaded() { throw std::runtime_error("deliberate failure in a static initializer"); }
};

const ThrowsWhenLoaded throwsWhenLoaded;

} // namespace

JWTFLOW_PLUGIN_EXPORT_ABI()
