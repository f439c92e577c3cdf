// The least a provider declares, for the test plugins: a name and a description,
// nothing else (no settings, no claims, an empty token request).
#ifndef JWTFLOW_TEST_MINIMALPROVIDER_INCLUDED
#define JWTFLOW_TEST_MINIMALPROVIDER_INCLUDED

#include "jwtflow/Provider.h"

class MinimalProvider: public jwtflow::Provider
{
public:
	MinimalProvider(const char* name, const char* description): _name(name), _description(description) {}
	std::string name() const override { return _name; }
	std::string description() const override { return _description; }
	std::vector<jwtflow::SettingSpec> settings() const override { return {}; }
	jwtflow::AssertionPolicy assertionPolicy() const override { return {}; }
	void declareAssertion(const jwtflow::AssertionContext&, Poco::JSON::Object&, Poco::JSON::Object&) const override {}
	jwtflow::TokenRequest tokenRequest(const jwtflow::Settings&, const std::string&) const override { return {}; }

private:
	const char* _name;
	const char* _description;
};

#endif
