//
// ClientAssertion.h
//
// Library: jwtflow core (jwt)
// Where a login's assertion comes from: minted with the signing key, or a
// token another issuer minted for this workload (a federated credential: a
// Kubernetes projected service-account token, the AKS workload identity file,
// a CI platform's OIDC token), which needs no private key on the machine.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_CLIENTASSERTION_INCLUDED
#define JWTFLOW_CLIENTASSERTION_INCLUDED

#include "jwtflow/Assertion.h"
#include "jwtflow/Export.h"
#include "jwtflow/Provider.h"
#include "jwtflow/Settings.h"
#include <Poco/Timestamp.h>
#include <functional>
#include <string>

namespace jwtflow {

class JWTFLOW_API ClientAssertionSource
	/// One assertion per login (an IdP may refuse one used twice).
{
public:
	virtual ~ClientAssertionSource();
	virtual std::string next() const = 0;
		/// The assertion for the next login. Throws jwtflow exceptions naming the problem.
	virtual std::string describe() const = 0;
		/// What it is, for messages ("the federated token in FILE").
};

class JWTFLOW_API MintedAssertions: public ClientAssertionSource
	/// Assertions the minter signs with the signing key (a new jti each).
{
public:
	explicit MintedAssertions(const AssertionMinter& minter);
	std::string next() const override;
	std::string describe() const override;

private:
	const AssertionMinter& _minter;
};

struct JWTFLOW_API WorkloadToken
	/// What a federated token says of itself (read, not verified: the IdP verifies it).
{
	std::string issuer;
	std::string subject;
	std::string audience;   ///< the first audience
	Poco::Int64 expiresAt = 0;
};

JWTFLOW_API WorkloadToken readWorkloadToken(const std::string& token, const std::string& where);
	/// iss, sub, aud and exp of a JWT from elsewhere; InputException naming `where`
	/// for text that is not a JWT or has no exp.

JWTFLOW_API WorkloadToken readUnexpiredWorkloadToken(const std::string& token, const std::string& where, Poco::Int64 now,
	const std::string& fix);
	/// readWorkloadToken, refused (InputException "<where> expired|expires at <time>: <fix>") within
	/// FederatedTokenFile::MIN_REMAINING_SECONDS of its exp: a token that could lapse in flight is never sent.

class JWTFLOW_API FederatedTokenFile: public ClientAssertionSource
	/// A token file the platform writes and rotates (AZURE_FEDERATED_TOKEN_FILE,
	/// CLIENT_ASSERTION_FILE): read again for every login, never used within
	/// MIN_REMAINING_SECONDS of its exp. The file must not be writable by others
	/// than its owner (root or the user), like every file jwtflow trusts; its
	/// content is never logged.
{
public:
	static const int MIN_REMAINING_SECONDS = 30;

	FederatedTokenFile(std::string path, std::string settingName, std::function<Poco::Timestamp()> clock = {});
	std::string next() const override;
	std::string describe() const override;

private:
	std::string _path;
	std::string _setting;
	std::function<Poco::Timestamp()> _clock;
};

JWTFLOW_API bool takesFederatedCredential(const Provider& provider);
	/// Whether the provider accepts a client assertion from elsewhere (it declares CLIENT_ASSERTION_FILE).

JWTFLOW_API bool usesFederatedCredential(const Provider& provider, const Settings& settings);
	/// Whether this login uses a federated credential rather than a signing key:
	/// the provider's own settings name one (Provider::subjectTokenSource), or it takes one, and CLIENT_ASSERTION_FILE or FEDERATED_TOKEN_SOURCE
	/// is set, or (no PATH_PRIVATE_KEY given) GitHub Actions offers an ID token
	/// (ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN).

} // namespace jwtflow

#endif // JWTFLOW_CLIENTASSERTION_INCLUDED
