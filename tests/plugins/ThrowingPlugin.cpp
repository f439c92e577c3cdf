// A plugin whose provider throws when created: the registry must report it and go on.
#include "jwtflow/Exception.h"
#include "jwtflow/PluginAbi.h"

namespace {

class ThrowingProvider: public jwtflow::Provider
{
public:
	ThrowingProvider() { throw jwtflow::Exception("deliberate failure in the test plugin"); }
	std::string name() const override { return "throwing"; }
	std::string description() const override { return "throws"; }
	std::vector<jwtflow::SettingSpec> settings() const override { return {}; }
	jwtflow::AssertionPolicy assertionPolicy() const override { return {}; }
	void declareAssertion(const jwtflow::AssertionContext&, Poco::JSON::Object&, Poco::JSON::Object&) const override {}
	jwtflow::TokenRequest tokenRequest(const jwtflow::Settings&, const std::string&) const override { return {}; }
};

} // namespace

JWTFLOW_PLUGIN_EXPORT_ABI()

POCO_BEGIN_MANIFEST(jwtflow::Provider)
	POCO_EXPORT_CLASS(ThrowingProvider)
POCO_END_MANIFEST
