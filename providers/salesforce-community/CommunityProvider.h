//
// CommunityProvider.h
//
// Plugin: salesforce-community
// The Salesforce JWT bearer flow for Experience Cloud (community) users:
// aud = the community URL, the token endpoint under the site, and the
// frontdoor link into the site (FACTS.md 1.2, 2.1).
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_COMMUNITYPROVIDER_INCLUDED
#define JWTFLOW_COMMUNITYPROVIDER_INCLUDED

#include "SalesforceProvider.h"

namespace jwtflow {
namespace salesforce {

class CommunityProvider: public SalesforceProvider
	/// Differs from the org flow only in what is required (AUDIENCE is the
	/// community URL, with no default), the community fields of the answer,
	/// and where frontdoor lands.
{
public:
	std::string name() const override;
	std::string description() const override;
	std::vector<SettingSpec> settings() const override;
	FrontdoorPlan frontdoor(const TokenResult& token, const Settings& settings, bool singleUse) const override;

	static std::string deriveRetUrl(const std::string& communityUrl);
		/// The page a community frontdoor lands on when RET_URL is not set:
		/// the site's path + "/s" ("https://x.force.com/customer" -> "/customer/s";
		/// a site at the root of its host -> "/s"). The path is kept as written
		/// (case and percent-encoding). Throws UsageException for a URL that is
		/// not a bare https site URL.

protected:
	std::string audience(const Settings& settings) const override;
		/// AUDIENCE is required: there is no default community.

public:
	static std::string siteUrl(const TokenResult& token, const Settings& settings);
		/// sfdc_community_url from the answer; AUDIENCE when the answer lacks it.
};

} // namespace salesforce
} // namespace jwtflow

#endif
