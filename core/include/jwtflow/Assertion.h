//
// Assertion.h
//
// Library: jwtflow core
// Minting a provider's signed JWT assertion from the layered settings.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_ASSERTION_INCLUDED
#define JWTFLOW_ASSERTION_INCLUDED

#include "jwtflow/Algorithm.h"
#include "jwtflow/Certificate.h"
#include "jwtflow/Export.h"
#include "jwtflow/Keys.h"
#include "jwtflow/Provider.h"
#include "jwtflow/Settings.h"
#include "jwtflow/SettingsCatalogue.h"
#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Timestamp.h>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace jwtflow {

using ExtraClaims = std::vector<std::pair<std::string, Poco::Dynamic::Var>>;
	/// Claims added with --claim, in order.

struct JWTFLOW_API MintedAssertion
	/// A signed assertion and what it says.
{
	std::string compact;              /// the JWT
	Poco::JSON::Object::Ptr header;
	Poco::JSON::Object::Ptr claims;
	Poco::Int64 expiresAt = 0;        /// its exp
};

JWTFLOW_API std::optional<std::string> passphraseFrom(const Settings& settings);
	/// PRIVATE_KEY_PASSPHRASE, else the first line of PRIVATE_KEY_PASSPHRASE_FILE
	/// (--passphrase-file); nullopt when neither is set. Throws InputException
	/// when the passphrase file cannot be read.

struct JWTFLOW_API SigningKey
	/// The key that signs a provider's assertions, and where it came from:
	/// loaded once per run (one passphrase read, one PIN login, one engine
	/// start), then given to the minter, the sealer and the login identity.
{
	PrivateKey key;
	std::string label;   /// how messages name it: the file, or the provider's label
	std::string path;    /// the file it was read from; empty when none
	std::vector<Certificate> chain;   /// a PKCS#12 file's certificate and issuers (leaf first); empty otherwise
};

JWTFLOW_API std::optional<std::string> pkcs11PinFrom(const Settings& settings);
	/// PKCS11_PIN, else the first line of PKCS11_PIN_FILE (--pin-file, a file only
	/// its owner may read); nullopt when neither is set.

JWTFLOW_API PrivateKey loadPrivateKey(const std::string& path, const Settings& settings);
	/// The private key at path: a PEM or DER file, a PKCS#12 file (.p12/.pfx), or a
	/// pkcs11: URI (with PKCS11_MODULE and PKCS11_PIN / PKCS11_PIN_FILE), decrypted
	/// with the passphrase settings. Throws InputException for a key that cannot be used.

JWTFLOW_API SigningKey loadSigningKey(const Provider& provider, const Settings& settings);
	/// The provider's own key (Provider::privateKey) or else PATH_PRIVATE_KEY,
	/// decrypted with the passphrase settings; the PEM text and passphrase are
	/// wiped. Throws UsageException when PATH_PRIVATE_KEY is needed and missing,
	/// InputException for a key that cannot be used.

JWTFLOW_API std::pair<std::string, Poco::Dynamic::Var> parseClaimOption(const std::string& text);
	/// "NAME=VALUE" (a string claim) or "NAME:=JSON" (a number, boolean, array
	/// or object). Throws UsageException for any other shape.

class JWTFLOW_API AssertionMinter
	/// Mints a provider's assertions. Construction validates the algorithm and
	/// lifetime and loads the key (and certificate) once; mint() is then
	/// cheap and thread-safe.
{
public:
	AssertionMinter(const Provider& provider, const Settings& settings, ExtraClaims extraClaims = {});
		/// Throws UsageException for a missing setting, an algorithm the
		/// provider does not allow or a lifetime over its maximum;
		/// InputException for a key or certificate that cannot be used.

	AssertionMinter(const Provider& provider, const Settings& settings, const SigningKey& signingKey, ExtraClaims extraClaims = {});
		/// As above, with a key already loaded (loadSigningKey): nothing is read
		/// or asked for again (a PKCS#12 file's chain comes with the key).

	MintedAssertion mint(std::optional<Poco::Timestamp> now = std::nullopt) const;
		/// A freshly signed assertion (new jti, iat = now).

	const PrivateKey& privateKey() const;
	const Algorithm& algorithm() const;
	int lifetimeSeconds() const;
	const std::optional<Certificate>& certificate() const;
	const std::vector<Certificate>& chain() const { return _chain; }
		/// The certificate and its issuers (PATH_CERTIFICATE as a PEM bundle, or
		/// the PKCS#12 key's), sent as x5c when SEND_X5C is true.

private:
	void setUp();

	const Provider& _provider;
	const Settings& _settings;
	ExtraClaims _extraClaims;
	const Algorithm* _algorithm;
	int _lifetime;
	PrivateKey _key;
	std::optional<Certificate> _certificate;
	std::vector<Certificate> _chain;
	Poco::JSON::Array::Ptr _x5c;   // set when SEND_X5C is true
};

// inlines
inline const PrivateKey& AssertionMinter::privateKey() const { return _key; }
inline const Algorithm& AssertionMinter::algorithm() const { return *_algorithm; }
inline int AssertionMinter::lifetimeSeconds() const { return _lifetime; }
inline const std::optional<Certificate>& AssertionMinter::certificate() const { return _certificate; }

} // namespace jwtflow

#endif // JWTFLOW_ASSERTION_INCLUDED
