// Fuzz target: RET_URL (frontdoor's landing path) and the community URL
// (AUDIENCE of salesforce-community), as users type them. May only throw
// jwtflow exceptions; an accepted RET_URL must be a path on the same host
// however a browser reads it.
#include "jwtflow/Exception.h"
#include "jwtflow/Network.h"
#include "jwtflow/PluginRegistry.h"
#include "jwtflow/Settings.h"
#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

/// An independent, simpler reading of "another host": what browsers do with
/// tabs, newlines and backslashes, before any dot-segment handling.
bool obviouslyAnotherHost(const std::string& url)
{
	std::string stripped;
	for (char c: url)
	{
		if (c == '\t' || c == '\n' || c == '\r') continue;
		stripped += c == '\\' ? '/' : c;
	}
	return stripped.size() < 1 || stripped[0] != '/' || (stripped.size() > 1 && stripped[1] == '/');
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	static jwtflow::PluginRegistry* registry = new jwtflow::PluginRegistry({JWTFLOW_PLUGIN_DIR});
	static jwtflow::Provider* community = registry->find("salesforce-community");
	static jwtflow::Provider* salesforce = registry->find("salesforce");
	const std::string input(reinterpret_cast<const char*>(data), size);
	try
	{
		const std::string path = jwtflow::sameHostPath(input, "RET_URL");
		if (path != input || obviouslyAnotherHost(path)) std::abort();
		for (unsigned char c: path)
			if (c < 0x20 || c == 0x7f) std::abort();
	}
	catch (const jwtflow::UsageException& e)
	{
		for (unsigned char c: e.message())
			if (c < 0x20 || c == 0x7f) std::abort();
	}
	for (jwtflow::Provider* p: {community, salesforce})
	{
		if (!p) std::abort();
		jwtflow::Settings s;
		s.addMapLayer("fuzz", {{"AUDIENCE", input}, {"CLIENT_ID", "c"}, {"SUBJECT", "s"}, {"RET_URL", input}});
		try
		{
			p->tokenRequest(s, "assertion");
			jwtflow::TokenResult token;
			token.accessToken = "00Dx!y";
			token.instanceUrl = "https://x.my.salesforce.com";
			p->frontdoor(token, s, false);
		}
		catch (const jwtflow::Exception&)
		{
		}
	}
	return 0;
}
