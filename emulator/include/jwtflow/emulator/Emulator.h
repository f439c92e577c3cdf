//
// Emulator.h
//
// Library: jwtflow emulator
// A loopback HTTPS emulator of the identity providers' endpoints, strict
// like the real services (DESIGN.md, "The emulator"; FACTS.md).
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_EMULATOR_EMULATOR_INCLUDED
#define JWTFLOW_EMULATOR_EMULATOR_INCLUDED

#include "jwtflow/Certificate.h"
#include "jwtflow/Export.h"
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace jwtflow {
namespace emulator {

struct JWTFLOW_API FederatedIdentity
	/// An Entra ID app's federated credential: the issuer, subject and audience a
	/// workload token must have to stand for the app (no key of the app's own).
{
	std::string issuer;     /// "" for the emulator's own workload issuer (<base URL>/workload)
	std::string subject;    /// e.g. system:serviceaccount:<namespace>:<name>, repo:<org>/<repo>:ref:refs/heads/main
	std::string audience = "api://AzureADTokenExchange";
};

struct JWTFLOW_API WorkloadPoolProvider
	/// A Google workload identity pool provider (FACTS.md 8.3): whose tokens STS
	/// exchanges, and which service accounts each subject may act as.
{
	std::string name = "projects/123456789012/locations/global/workloadIdentityPools/jwtflow/providers/emulator";
	                                           /// the resource name; STS's audience is "//iam.googleapis.com/" + name
	std::string issuer;                        /// "" for the emulator's own workload issuer
	std::vector<std::string> allowedAudiences; /// the subject token's aud; empty: "https://iam.googleapis.com/" + name
	std::vector<std::pair<std::string, std::string>> serviceAccountUsers;
	                                           /// (service account e-mail, subject) pairs granted roles/iam.workloadIdentityUser
	std::string audience() const { return "//iam.googleapis.com/" + name; }
};

struct JWTFLOW_API RegisteredApp
	/// A connected app / app registration: its client id and the certificate
	/// whose key signs its assertions.
{
	RegisteredApp(std::string clientId_, Certificate certificate_, std::string keyId_ = {}):
		clientId(std::move(clientId_)), certificate(std::move(certificate_)), keyId(std::move(keyId_)) {}

	std::string clientId;       /// Salesforce consumer key, Entra/OIDC client id, or a Google service account's client_email
	Certificate certificate;
	std::string keyId;          /// the key's id (Google private_key_id, OIDC kid); empty: any kid is accepted
	std::optional<Certificate> trustedIssuer;   /// Entra ID "subject name + issuer" apps: the CA whose certificates
	                                            /// (sent as x5c) authenticate the app, instead of `certificate`
	std::string subjectName;    /// with trustedIssuer: the subject the x5c leaf must have (OpenSSL's one-line form)
	std::string algorithm;      /// OIDC: the alg the registered JWK names, which binds the key to it; empty: any
	std::vector<FederatedIdentity> federated;   /// Entra ID: federated credentials, besides the certificate
	std::vector<std::string> scopes = {"web", "api", "id"};   /// Salesforce: the connected app's OAuth scopes, which its
	                                                          /// tokens carry (frontdoor needs web or full, REST api or full)
};

struct JWTFLOW_API EmulatorOptions
	/// What the emulator knows and where it listens.
{
	int port = 0;                          /// 0: a free port
	std::vector<RegisteredApp> apps;       /// registered apps
	std::vector<std::string> users;        /// Salesforce usernames (sub) it knows
	std::vector<std::string> communities;  /// community site paths, e.g. "/customers"
	bool salesforceSandbox = false;        /// the org is a sandbox: aud must be https://test.salesforce.com, not
	                                       /// https://login.salesforce.com (a mix-up is "user hasn't approved this consumer")
	std::vector<std::string> entraResources; /// Entra ID resources known besides the built-in ones (Graph, Key Vault,
	                                         /// Azure Resource Manager, the AKS server app, and the emulator's own base URL)
	std::string workDir;                   /// where the CA and server certificate files are written: made 0700 when
	                                       /// missing, refused when others may write to it; empty: a fresh mkdtemp
	                                       /// folder of the emulator's own, removed by its destructor
	bool keepCertificateAuthority = false; /// with workDir: the test CA (its key 0600 beside it) is kept there and used again by
	                                       /// the next start while it has a day left (a stable CA_FILE); made for a year
	int salesforceMaxLifetime = 180;       /// exp may be at most this far ahead: "within 3 minutes" (FACTS.md 1.1)
	int clockSkewSeconds = 30;             /// tolerance on exp/nbf/iat
	int clockOffsetSeconds = 0;            /// the emulator's clock runs this far ahead (tests of clock skew): Date header and checks
	std::string orgId = "00D000000000001AAA";
	std::string tenant = "8f3c2b1a-5d4e-4f60-9a7b-0c1d2e3f4a5b"; /// the Entra ID tenant (GUID) it serves
	std::string tenantDomain = "jwtflow.onmicrosoft.com";         /// the same tenant by domain
	int salesforceSessionSeconds = 7200;   /// a Salesforce token ends this long after its last use (the org's
	                                       /// session timeout; Salesforce's default is 2 hours; 0: at once)
	int tokenDelayMs = 0;                  /// Salesforce token answers wait this long (a login in progress, for tests)
	std::string githubSubject = "repo:jwtflow/demo:ref:refs/heads/main";   /// the subject of GitHub-like ID tokens
	std::vector<WorkloadPoolProvider> googlePools; /// Google workload identity federation: STS at <base URL>/sts/v1/token,
	                                               /// IAM at <base URL>/iamcredentials/v1/projects/-/serviceAccounts/EMAIL:generateAccessToken
	int loginRateLimit = 0;                /// Salesforce logins per user per hour before "login rate exceeded"
	                                       /// (the real limit is 3,600); 0: no limit
};

class JWTFLOW_API Emulator
	/// The emulator. start() makes a test CA and a server certificate for
	/// 127.0.0.1/localhost (in workDir), then serves HTTPS on 127.0.0.1.
{
public:
	explicit Emulator(EmulatorOptions options);
	~Emulator();
	Emulator(const Emulator&) = delete;
	Emulator& operator=(const Emulator&) = delete;

	void start();
		/// Starts serving. Throws jwtflow::Exception when the port is taken.

	void stop();
		/// Stops serving and waits for the handlers to finish.

	std::string baseUrl() const;
		/// https://127.0.0.1:<port>

	std::string caFile() const;
		/// The PEM file of the CA that signed the server certificate: give it as --ca-file / CA_FILE.

	int port() const;

	int connectionsAccepted() const;
		/// TCP connections accepted so far (to observe keep-alive).

	int tokensIssued() const;
		/// Access tokens issued so far, every provider.

	int loginsFor(const std::string& user) const;
		/// Logins counted for a Salesforce username or an Entra ID client id.

	int apiCallsMade() const;
		/// Requests the REST and Graph surfaces answered with 2xx.

	void expireTokens();
		/// Ends every token issued so far (a session timeout, a revoked app): the next use answers 401.

	std::string workloadIssuer() const;
		/// <base URL>/workload: the emulator's OIDC issuer of workload tokens (discovery and JWKS
		/// there), as a Kubernetes cluster or a CI platform is one.

	std::string mintWorkloadToken(const std::string& subject, const std::string& audience, int lifetimeSeconds = 3600) const;
		/// A workload token of that issuer (RS256, its JWKS key), as the kubelet projects one
		/// into a pod; a negative lifetime gives an expired one.

	std::string githubRequestToken() const;
		/// The bearer that <base URL>/github/idtoken?audience=AUD takes (GitHub Actions'
		/// ACTIONS_ID_TOKEN_REQUEST_TOKEN); its tokens have subject repo:jwtflow/demo:ref:refs/heads/main.

private:
	struct Impl;
	std::unique_ptr<Impl> _impl;
};

} // namespace emulator
} // namespace jwtflow

#endif
