// Fuzz target: each provider's token-response reader, and the JSON parsing before it.
#include "jwtflow/Exception.h"
#include "jwtflow/Json.h"
#include "jwtflow/PluginRegistry.h"
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	static jwtflow::PluginRegistry* registry = [] {
		auto* r = new jwtflow::PluginRegistry({JWTFLOW_PLUGIN_DIR});
		r->loadAll();
		return r;
	}();
	Poco::JSON::Object::Ptr json;
	try
	{
		json = jwtflow::parseStrictJsonObject(std::string(reinterpret_cast<const char*>(data), size));
	}
	catch (const Poco::Exception&)
	{
		return 0;
	}
	for (jwtflow::Provider* p: registry->providers())
	{
		try
		{
			jwtflow::TokenResult r = p->readTokenResponse(*json);
			jwtflow::Settings s;
			s.addMapLayer("fuzz", {{"AUDIENCE", "https://x.example.com/site"}});
			if (!r.instanceUrl.empty()) p->frontdoor(r, s, false);
		}
		catch (const jwtflow::Exception&)
		{
		}
	}
	return 0;
}
