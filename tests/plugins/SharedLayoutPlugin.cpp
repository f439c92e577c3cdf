// A plugin linked to libjwtflow_core.so (the shared layout): the shared jwtflow
// loads it; the single-file jwtflow refuses it (a second POCO and core would
// come with it) and goes on with the others.
#include "jwtflow/PluginAbi.h"

namespace {

class SharedLayoutProvider: public jwtflow::Provider
{
public:
	std::string name() const override { return "shared-layout"; }
	std::string description() const override { return "linked to the shared core"; }
	std::vector<jwtflow::SettingSpec> settings() const override { return {}; }
	jwtflow::AssertionPolicy assertionPolicy() const override { return {}; }
	void declareAssertion(const jwtflow::AssertionContext&, Poco::JSON::Object&, Poco::JSON::Object&) const override {}
	jwtflow::TokenRequest tokenRequest(const jwtflow::Settings&, const std::string&) const override { return {}; }
};

} // namespace

JWTFLOW_PLUGIN_EXPORT_ABI()

POCO_BEGIN_MANIFEST(jwtflow::Provider)
	POCO_EXPORT_CLASS(SharedLayoutProvider)
POCO_END_MANIFEST
