//
// Discovery.h
//
// Plugin: oidc
// OpenID Connect Discovery (section 4): the issuer's
// /.well-known/openid-configuration, checked, and cached in memory and on disk.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_OIDC_DISCOVERY_INCLUDED
#define JWTFLOW_OIDC_DISCOVERY_INCLUDED

#include "jwtflow/Settings.h"
#include <string>
#include <vector>

namespace jwtflow {
namespace oidc {

struct DiscoveryDocument
	/// The fields jwtflow uses.
{
	std::string issuer;
	std::string tokenEndpoint;
	std::vector<std::string> authMethods;    /// token_endpoint_auth_methods_supported (empty: not given)
	std::vector<std::string> signingAlgs;    /// token_endpoint_auth_signing_alg_values_supported (empty: not given)
	std::vector<std::string> grantTypes;     /// grant_types_supported (empty: not given)
};

std::string checkedUrl(const std::string& value, const std::string& settingName);
	/// An https URL (http only for loopback hosts) without a trailing slash;
	/// throws UsageException naming the setting.

DiscoveryDocument discover(const Settings& settings);
	/// The document of ISSUER: from this process's cache, else from the disk
	/// cache (DISCOVERY_CACHE_SECONDS, default 3600; 0: none) in
	/// $XDG_CACHE_HOME/jwtflow/oidc (or ~/.cache/jwtflow/oidc), else fetched
	/// over HTTPS (CA_FILE, HTTPS_PROXY). Throws NetworkException when it
	/// cannot be fetched, UsageException when it does not fit ISSUER or does
	/// not offer private_key_jwt.

} // namespace oidc
} // namespace jwtflow

#endif
