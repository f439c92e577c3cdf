//
// BuiltInProviders.cpp
//
// Program: jwtflow (single-file build, JWTFLOW_STATIC_HOST)
// The five providers of providers/, linked in, with the descriptors of
// plugins.d/ compiled in (BuiltInDescriptors.cpp, made by CMake).
//
// SPDX-License-Identifier: BSL-1.0
//
#include "BuiltInProviders.h"
#include "AzureAdProvider.h"
#include "CommunityProvider.h"
#include "GoogleProvider.h"
#include "OidcProvider.h"
#include "SalesforceProvider.h"

namespace jwtflow {
namespace host {

const char* builtInDescriptor(const char* name);   // BuiltInDescriptors.cpp

std::vector<BuiltInProvider> builtInProviders()
{
	std::vector<BuiltInProvider> out;
	auto add = [&out](const char* name, std::function<Provider*()> create) {
		out.push_back({name, builtInDescriptor(name), std::move(create)});
	};
	add("salesforce", [] { return new salesforce::SalesforceProvider; });
	add("salesforce-community", [] { return new salesforce::CommunityProvider; });
	add("azure-ad", [] { return new azure::AzureAdProvider; });
	add("google", [] { return new google::GoogleProvider; });
	add("oidc", [] { return new oidc::OidcProvider; });
	return out;
}

} // namespace host
} // namespace jwtflow
