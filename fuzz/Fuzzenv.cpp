// Fuzz target: the .env parser.
#include "jwtflow/DotEnv.h"
#include "jwtflow/Exception.h"
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	try
	{
		jwtflow::parseDotEnv(std::string(reinterpret_cast<const char*>(data), size), "fuzz.env");
	}
	catch (const jwtflow::UsageException&)
	{
	}
	return 0;
}
