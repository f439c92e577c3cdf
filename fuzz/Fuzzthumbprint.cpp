// Fuzz target: the certificate thumbprint parser.
#include "jwtflow/Exception.h"
#include "jwtflow/Thumbprint.h"
#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	try
	{
		if (jwtflow::parseSha1Thumbprint(std::string(reinterpret_cast<const char*>(data), size)).size() != 20) std::abort();
	}
	catch (const jwtflow::UsageException&)
	{
	}
	return 0;
}
