//
// CommunityProvider.cpp
//
// Plugin: salesforce-community
//
// SPDX-License-Identifier: BSL-1.0
//
#include "CommunityProvider.h"
#include "jwtflow/Encoding.h"
#include "jwtflow/Exception.h"

namespace jwtflow {
namespace salesforce {

std::string CommunityProvider::name() const { return "salesforce-community"; }

std::string CommunityProvider::description() const
{
	return "Salesforce Experience Cloud (community) users: JWT bearer flow and frontdoor into the site";
}

std::vector<SettingSpec> CommunityProvider::settings() const
{
	std::vector<SettingSpec> specs = SalesforceProvider::settings();
	for (auto& s: specs)
	{
		if (s.name == "AUDIENCE")
		{
			s.help = "the community (Experience Cloud site) URL, e.g. https://acme.my.site.com/customers (the JWT's aud)";
			s.required = true;
			s.defaultValue.clear();
		}
		if (s.name == "SUBJECT") s.help = "the community user's username (the JWT's sub)";
		if (s.name == "RET_URL") s.help = "where frontdoor lands, a relative URL; default: the site's path + /s";
	}
	return specs;
}

std::string CommunityProvider::audience(const Settings& settings) const
{
	return normalizeUrl(settings.require("AUDIENCE"), "AUDIENCE");
}

std::string CommunityProvider::deriveRetUrl(const std::string& communityUrl)
{
	std::string url = normalizeUrl(communityUrl, "AUDIENCE");
	// The path exactly as written (Poco::URI would decode and re-encode it).
	const auto hostStart = url.find("://") + 3;
	const auto pathStart = url.find('/', hostStart);
	std::string path = pathStart == std::string::npos ? std::string() : url.substr(pathStart);
	while (!path.empty() && path.back() == '/') path.pop_back();
	if (!path.empty() && path[0] != '/') path = "/" + path;
	return path + "/s";
}

std::string CommunityProvider::siteUrl(const TokenResult& token, const Settings& settings)
{
	auto it = token.extra.find("sfdc_community_url");
	if (it != token.extra.end() && !it->second.empty()) return normalizeUrl(it->second, "sfdc_community_url");
	// Stated fallback: an answer without sfdc_community_url (an org token
	// endpoint, or an older release) is opened at AUDIENCE, the site asked for.
	return normalizeUrl(settings.require("AUDIENCE"), "AUDIENCE");
}

FrontdoorPlan CommunityProvider::frontdoor(const TokenResult& token, const Settings& settings, bool singleUse) const
{
	const std::string site = siteUrl(token, settings);
	auto given = settings.get("RET_URL");
	const std::string retUrl = given ? checkRetUrl(*given) : deriveRetUrl(site);
	FrontdoorPlan plan;
	if (singleUse)
	{
		plan.singleAccessEndpoint = site + "/services/oauth2/singleaccess";
		plan.singleAccessForm.push_back({"redirect_uri", retUrl});
		return plan;
	}
	plan.url = site + "/secur/frontdoor.jsp?sid=" + urlEncode(token.accessToken) + "&retURL=" + urlEncode(retUrl);
	return plan;
}

} // namespace salesforce
} // namespace jwtflow
