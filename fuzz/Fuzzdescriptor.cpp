// Fuzz target: plugin descriptor files (plugins.d/<provider>.properties), as
// the registry scans them. Must never crash or hang; a bad descriptor is a
// recorded problem.
#include "jwtflow/PluginRegistry.h"
#include "jwtflow/SecureFiles.h"
#include <cstdint>
#include <cstdlib>
#include <string>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	static jwtflow::PrivateTempDir folder("jwtflow-fuzz-descriptor");
	const std::string path = folder.file("fuzz.properties");
	::unlink(path.c_str());
	jwtflow::writeNewFile(path, std::string(reinterpret_cast<const char*>(data), size), 0600);
	jwtflow::PluginRegistry registry({folder.path()});
	if (registry.descriptors().size() + registry.problems().size() != 1) std::abort();
	for (const auto& d: registry.descriptors())
	{
		if (d.provider != "fuzz" || d.library.empty()) std::abort();
		(void) d.properties->getRawString("AUDIENCE", "");
	}
	(void) registry.knownNames();
	return 0;
}
