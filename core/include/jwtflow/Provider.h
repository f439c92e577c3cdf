//
// Provider.h
//
// Library: jwtflow core (plugin SDK)
// The interface every identity provider plugin implements. A provider only
// declares: its settings, the assertion's header extras and claims, the
// lifetime it allows, the token request, how to read the answer, and its
// extra links. The core loads keys, signs, sends, retries and maps errors.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_PROVIDER_INCLUDED
#define JWTFLOW_PROVIDER_INCLUDED

#include "jwtflow/Certificate.h"
#include "jwtflow/Export.h"
#include "jwtflow/Settings.h"
#include <Poco/JSON/Object.h>
#include <Poco/Types.h>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

/// The ABI version of the Provider interface. Bumped whenever this header or
/// any type it uses changes layout or virtual functions; the registry refuses
/// a plugin built for another version.
/// 1: first version. 2: Provider::privateKey (keys kept in a provider's own
/// file, e.g. a Google service-account key) and KeyMaterial. 3:
/// Provider::apiBase and Provider::revocation (`call`, `logout`). 4: SettingSpec's
/// identity and label traits (one login identity). 5: Provider::subjectTokenSource
/// and Provider::followUp (federated credentials named by a provider's own
/// file, e.g. Google's external_account, and a second request such as IAM's
/// generateAccessToken); Provider::tokenVariables (`exec`).
#ifndef JWTFLOW_PLUGIN_ABI_VERSION
#define JWTFLOW_PLUGIN_ABI_VERSION 5
#endif

namespace jwtflow {

using FormFields = std::vector<std::pair<std::string, std::string>>;
	/// An application/x-www-form-urlencoded body, in order, not yet encoded.

struct JWTFLOW_API AssertionPolicy
	/// What a provider allows for its assertion.
{
	std::vector<std::string> algorithms = {"RS256"}; /// allowed algorithms; the first is the default
	int defaultLifetimeSeconds = 180;                /// used when JWT_LIFETIME is not set
	int maxLifetimeSeconds = 300;                    /// a longer JWT_LIFETIME is refused before sending
};

struct JWTFLOW_API AssertionContext
	/// What the core hands a provider when it declares an assertion.
{
	const Settings& settings;          /// the layered settings
	Poco::Int64 issuedAt;              /// now, whole seconds since 1970 (UTC)
	Poco::Int64 expiresAt;             /// issuedAt + the lifetime
	std::string algorithm;             /// the algorithm that will sign
	std::string jwtId;                 /// a fresh random identifier for `jti`
	const Certificate* certificate;    /// PATH_CERTIFICATE when given, else nullptr
};

struct JWTFLOW_API TokenRequest
	/// Where and what to POST to exchange the assertion.
{
	std::string url;     /// the token endpoint
	FormFields form;     /// the form fields, in order
};

struct JWTFLOW_API TokenResult
	/// An access token response, read into the fields jwtflow uses.
{
	std::string accessToken;
	std::string tokenType;                 /// "Bearer"
	std::optional<Poco::Int64> expiresIn;  /// seconds, when the IdP says (Salesforce never does)
	std::string instanceUrl;               /// Salesforce: the org's URL
	std::string identityUrl;               /// Salesforce: the `id` URL
	std::string scope;
	std::map<std::string, std::string> extra; /// other fields a provider reads (e.g. sfdc_community_url)
	Poco::JSON::Object::Ptr raw;           /// the whole JSON answer, for --output json
};

struct JWTFLOW_API OAuthError
	/// An OAuth error answer from a token endpoint.
{
	int httpStatus = 0;
	std::string error;             /// `error`
	std::string description;       /// `error_description`
	long code = 0;                 /// Entra ID's error_codes[0], 0 when absent
	Poco::JSON::Object::Ptr body;  /// the whole answer
};

struct JWTFLOW_API FrontdoorPlan
	/// How to open the provider's UI as the token's user.
{
	std::string url;                    /// the finished link, when it can be built from the token
	std::string singleAccessEndpoint;   /// else: POST here with the Bearer token ...
	FormFields singleAccessForm;        /// ... and this form; the answer's `frontdoor_uri` is the link
};

struct JWTFLOW_API KeyMaterial
	/// A private key that a provider reads from its own file format.
{
	std::string pem;     /// PEM text (PKCS#8, PKCS#1 or SEC1); the core wipes it after parsing
	std::string label;   /// how messages name it, e.g. "private_key of service-account file 'sa.json'"
	std::string path;    /// the file it came from (doctor checks its permissions); may be empty
};

struct JWTFLOW_API SubjectTokenSource
	/// Where a login's subject token comes from when the provider's credentials
	/// name it (Google's external_account `credential_source`, AIP-4117). The
	/// core reads it anew for every login and never logs it.
{
	enum class Kind { File, Url, Executable };
	Kind kind = Kind::File;
	std::string location;     /// the file's path, the URL, or the command line (an absolute program path,
	                          /// then its arguments, separated by spaces; run without a shell)
	std::vector<std::pair<std::string, std::string>> headers; /// Url: request headers
	std::string jsonField;    /// File, Url: the field of a JSON document that holds the token; empty: the whole text
	std::string tokenType;    /// urn:ietf:params:oauth:token-type:jwt, id_token or saml2 (a JWT's exp is checked)
	int timeoutMillis = 30000;                          /// Executable: how long it may run
	std::string outputFile;                             /// Executable: where it caches its answer (read first)
	std::vector<std::pair<std::string, std::string>> environment; /// Executable: the variables it is given, besides PATH, HOME, LANG
	std::string allowVariable; /// Executable: runs only when this process environment variable is 1
	std::string origin;        /// how messages name it, e.g. "credential_source of 'wif.json' (KEY_FILE)"
};

struct JWTFLOW_API FollowUpRequest
	/// A second request that turns the first answer's token into the one asked
	/// for (Google: IAM generateAccessToken for a service account, with the STS
	/// token). POSTed with that token as Bearer; read by readTokenResponse.
{
	std::string url;
	std::string jsonBody;     /// sent as application/json
};

struct JWTFLOW_API DoctorFinding
	/// One line of `jwtflow <provider> doctor`.
{
	enum class Level { Ok, Warn, Fail };
	Level level = Level::Ok;
	std::string check;     /// what was checked, a few words
	std::string message;   /// what was found, and the fix when it is not ok
};

class JWTFLOW_API Provider
	/// Base class of every provider. Implementations must be stateless after
	/// construction (the core calls them from several threads) and throw only
	/// jwtflow exceptions (Exception.h) or Poco::Exception.
{
public:
	virtual ~Provider();

	virtual std::string name() const = 0;
		/// The name on the command line: `jwtflow <name> <action>`.

	virtual std::string description() const = 0;
		/// One line for `jwtflow providers`.

	virtual std::vector<std::string> actions() const;
		/// The actions it supports; by default jwt, token, whoami, describe, doctor.

	virtual std::vector<SettingSpec> settings() const = 0;
		/// The settings it reads, beyond the core's key and network settings.

	virtual AssertionPolicy assertionPolicy() const = 0;
		/// Algorithms and lifetimes it allows.

	virtual void declareAssertion(const AssertionContext& context, Poco::JSON::Object& header,
		Poco::JSON::Object& claims) const = 0;
		/// Adds header extras (x5t, kid, typ) and claims. `alg` is set by the core.

	virtual TokenRequest tokenRequest(const Settings& settings, const std::string& assertion) const = 0;
		/// The token endpoint and form for an assertion.

	virtual TokenResult readTokenResponse(const Poco::JSON::Object& response) const;
		/// Reads a successful answer. The default reads access_token,
		/// token_type, expires_in (number or string), instance_url, id and scope,
		/// and throws NetworkException when access_token is missing.

	virtual std::string errorHint(const OAuthError& error) const;
		/// A sentence on what to fix for a known error; empty when unknown.

	virtual std::string identityUrl(const TokenResult& token, const Settings& settings) const;
		/// Where `whoami` sends its Bearer GET; empty when the provider has none.

	virtual FrontdoorPlan frontdoor(const TokenResult& token, const Settings& settings, bool singleUse) const;
		/// How `frontdoor` builds its link. The default throws UsageException.

	virtual std::vector<DoctorFinding> diagnose(const Settings& settings) const;
		/// Provider-specific checks of the settings that need no network
		/// (for example a My Domain URL given as Salesforce's aud). Default: none.

	virtual std::optional<KeyMaterial> privateKey(const Settings& settings) const;
		/// The signing key when the provider keeps it elsewhere than in
		/// PATH_PRIVATE_KEY (a JSON key file ...). Default: nullopt, and the
		/// core reads PATH_PRIVATE_KEY. Throws InputException for a file that
		/// cannot be used, naming the file and the field, never the key.

	virtual std::string apiBase(const TokenResult& token, const Settings& settings) const;
		/// Where `call` resolves a relative path (Salesforce: the token's
		/// instance_url; Entra ID: the resource of SCOPE). Default: empty, and
		/// `call` needs an absolute URL.

	virtual std::optional<TokenRequest> revocation(const TokenResult& token, const Settings& settings) const;
		/// The request that revokes a token at the IdP (RFC 7009 style: a form
		/// POST), for `logout`; nullopt when the IdP has none (the default).

	virtual std::optional<SubjectTokenSource> subjectTokenSource(const Settings& settings) const;
		/// The federated credential the provider's own settings name (Google's
		/// external_account file): the token the core reads for every login and
		/// hands tokenRequest() as its assertion, with no private key. Default:
		/// nullopt (a provider that takes a token file declares CLIENT_ASSERTION_FILE).

	virtual std::optional<FollowUpRequest> followUp(const TokenResult& first, const Settings& settings) const;
		/// A second request after the token request, or nullopt (the default):
		/// its answer, read by readTokenResponse, is the login's token.

	virtual std::vector<std::pair<std::string, std::string>> tokenVariables(const TokenResult& token, const Settings& settings) const;
		/// The environment variables the neighbours' tools read a token of this
		/// IdP from, which `exec` sets beside ACCESS_TOKEN (Salesforce: SF_ACCESS_TOKEN
		/// and INSTANCE_URL, as `sf org login access-token` reads them). Default: none.

	virtual int abiVersion() const { return JWTFLOW_PLUGIN_ABI_VERSION; }
		/// The plugin ABI the provider was compiled against (a second guard,
		/// after the exported function of PluginAbi.h).
};

} // namespace jwtflow

#endif // JWTFLOW_PROVIDER_INCLUDED
