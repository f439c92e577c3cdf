// A plugin compiled for plugin ABI version 999: the registry must refuse it.
#include "jwtflow/PluginAbi.h"

namespace {

class OtherAbiProvider: public jwtflow::Provider
{
public:
	std::string name() const override { return "other-abi"; }
	std::string description() const override { return "built for another ABI"; }
	std::vector<jwtflow::SettingSpec> settings() const override { return {}; }
	jwtflow::AssertionPolicy assertionPolicy() const override { return {}; }
	void declareAssertion(const jwtflow::AssertionContext&, Poco::JSON::Object&, Poco::JSON::Object&) const override {}
	jwtflow::TokenRequest tokenRequest(const jwtflow::Settings&, const std::string&) const override { return {}; }
};

} // namespace

JWTFLOW_PLUGIN_EXPORT_ABI()

POCO_BEGIN_MANIFEST(jwtflow::Provider)
	POCO_EXPORT_CLASS(OtherAbiProvider)
POCO_END_MANIFEST
