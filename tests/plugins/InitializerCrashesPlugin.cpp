// A plugin whose static initializer kills the process that opens it: the
// registry opens libraries in a child process first, so the host survives.
#include "jwtflow/PluginAbi.h"
#include <csignal>

namespace {

struct CrashesWhenLoaded
{
	CrashesWhenLoaded() { std::raise(SIGSEGV); }
};

const CrashesWhenLoaded crashesWhenLoaded;

} // namespace

JWTFLOW_PLUGIN_EXPORT_ABI()
