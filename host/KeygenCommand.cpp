//
// KeygenCommand.cpp
//
// Program: jwtflow
// `jwtflow keygen`: a key pair and a self-signed certificate to register at the IdP.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "JwtflowApp.h"
#include "jwtflow/Algorithm.h"
#include "jwtflow/Jwk.h"
#include "jwtflow/Json.h"
#include "jwtflow/Assertion.h"
#include "jwtflow/Encoding.h"
#include "jwtflow/Exception.h"
#include "jwtflow/KeyFactory.h"
#include "jwtflow/SecureFiles.h"
#include <Poco/File.h>
#include <Poco/NumberParser.h>
#include <Poco/Path.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace jwtflow {
namespace host {

namespace {

/// Makes the folder and any missing parents (0700: a key goes in it);
/// true when the last level is new. An existing folder must be the caller's
/// and not writable by others.
bool makeKeyFolder(const std::string& dir)
{
	std::string path = dir;
	while (path.size() > 1 && path.back() == '/') path.pop_back();
	const bool created = makePrivateFolders(path);
	checkTrustedFolder(path, "key folder");
	return created;
}

int intOption(const std::string& text, const std::string& name, int lo, int hi)
{
	int v = 0;
	if (!Poco::NumberParser::tryParse(text, v) || v < lo || v > hi)
		throw UsageException("--" + name + " '" + text + "' must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
	return v;
}

struct KeygenFiles
	/// What keygen writes, and how.
{
	Poco::Path dir;
	std::string keyPath, certPath, derPath, pubPath, jwkPath;
	bool force = false;
	std::string tokenUri;                   ///< the key is in this PKCS#11 token: no private key file
	std::optional<std::string> passphrase;  ///< encrypts the private key file
	std::string jwkAlg;                     ///< the JWK's alg, "" for none

	KeygenFiles(const std::string& out):
		dir(Poco::Path(out).makeDirectory()),
		keyPath(Poco::Path(dir, "private_key.pem").toString()),
		certPath(Poco::Path(dir, "certificate.pem").toString()),
		derPath(Poco::Path(dir, "certificate.der").toString()),
		pubPath(Poco::Path(dir, "public_key.pem").toString()),
		jwkPath(Poco::Path(dir, "public_key.jwk").toString())
	{
	}

	void refuseToOverwrite() const
	{
		if (force) return;
		for (const auto& p: {keyPath, certPath, derPath, pubPath, jwkPath})
			if (Poco::File(p).exists())
				throw UsageException("'" + p + "' exists: keygen never overwrites a key; give --force to replace the files");
	}

	/// Each file is created new (O_EXCL|O_NOFOLLOW) with its final mode; --force
	/// replaces through a fresh file and a rename, never writing through a link.
	void write(const std::string& path, const std::string& data, mode_t mode) const
	{
		if (force) replaceFile(path, data, mode);
		else writeNewFile(path, data, mode);
	}

	/// Writes the key (unless in a token), the certificate (PEM and DER), the public key and its
	/// JWK; returns the JWK's kid (its RFC 7638 thumbprint).
	std::string writeAll(const PrivateKey& key, const Certificate& cert, bool createdFolder) const
	{
		if (tokenUri.empty()) write(keyPath, key.toPem(passphrase), 0600);
		write(certPath, cert.toPem(), 0644);
		write(derPath, cert.der(), 0644);
		write(pubPath, key.publicKey().toPem(), 0644);
		// The JWK that Okta, Keycloak and Auth0 register, with its RFC 7638 thumbprint as kid.
		const std::string kid = jwkThumbprint(key.publicKey());
		write(jwkPath, objectToJson(*publicJwk(key.publicKey(), kid, jwkAlg), 2) + "\n", 0644);
		// A folder keygen made holds a private key: keep it out of git whatever the repository says.
		if (createdFolder) writeNewFile(Poco::Path(dir, ".gitignore").toString(), "# made by jwtflow keygen: keys stay out of git\n*\n", 0644);
		return kid;
	}

	void report(const Console& console, const Certificate& cert, const std::string& kid) const
	{
		if (tokenUri.empty()) console.result("private key:  " + keyPath + " (mode 0600" + std::string(passphrase ? ", encrypted" : "") + ")");
		else console.result("private key:  in the token, " + tokenUri + " (not extractable)");
		console.result("certificate:  " + certPath + " (and " + derPath + ")");
		console.result("public key:   " + pubPath + " (and " + jwkPath + ")");
		console.result("x5t:          " + cert.x5t());
		console.result("x5t#S256:     " + cert.x5tS256());
		console.result("SHA-1 (hex):  " + hexEncode(cert.sha1Thumbprint(), true));
		console.result("JWK kid:      " + kid + " (RFC 7638 thumbprint)");
		console.note("\nnext:\n"
			"  Salesforce: connected app > Use digital signatures > upload " + certPath + "\n"
			"  Entra ID:   app registration > Certificates & secrets > Certificates > upload " + certPath + "\n"
			"  OIDC:       Okta app > Client authentication: Public key > add " + jwkPath + " (Keycloak: Keys > import\n"
			"              " + certPath + "); then KEY_ID=" + kid + "\n"
			"  then set PATH_PRIVATE_KEY=" + (tokenUri.empty() ? keyPath : "\"" + tokenUri + "\" and PKCS11_MODULE") + " (and PATH_CERTIFICATE="
			+ certPath + " for azure-ad)");
	}
};

/// No alg in the JWK unless asked (keygen --alg): a registered JWK with alg binds the key to that one
/// algorithm (RFC 7517 4.4), and certified providers then refuse it for PS256, RS384 ... (invalid_client).
std::string jwkAlgFor(const std::string& asked, bool ellipticCurve)
{
	if (asked.empty()) return "";
	const Algorithm& algorithm = Algorithm::fromName(asked);
	const KeyType planned = ellipticCurve ? KeyType::EC : KeyType::RSA;
	if (algorithm.keyType != planned)
		throw UsageException("--alg " + algorithm.name + " does not suit the " + std::string(planned == KeyType::RSA ? "RSA" : "EC")
			+ " key keygen makes" + (planned == KeyType::RSA ? " (add --curve P-256 for ES256)" : ""));
	return algorithm.name;
}

} // namespace

int JwtflowApp::commandKeygen()
{
	const std::string out = flagValue("out");
	if (out.empty()) throw UsageException("keygen needs --out DIR, the folder to write the key and certificate to");
	if (_values.count("bits") && _values.count("curve")) throw UsageException("give --bits (RSA) or --curve (EC), not both");
	const bool ellipticCurve = _values.count("curve") > 0;
	KeygenFiles files(out);
	files.jwkAlg = jwkAlgFor(_settingOptions.count("JWT_ALGORITHM") ? _settingOptions["JWT_ALGORITHM"] : "", ellipticCurve);
	const int days = intOption(flagValue("days", "365"), "days", 1, 3650);
	const int bits = intOption(flagValue("bits", "2048"), "bits", 1024, 16384);
	if (hasFlag("encrypt"))
	{
		files.passphrase = passphraseFrom(settings());
		if (!files.passphrase || files.passphrase->empty())
			throw UsageException("--encrypt needs a passphrase: set PRIVATE_KEY_PASSPHRASE or give --passphrase-file FILE");
	}
	files.force = hasFlag("force");
	files.refuseToOverwrite();
	// --pkcs11 URI: the key pair is made inside the token; only the certificate and public files are written.
	files.tokenUri = flagValue("pkcs11");
	if (!files.tokenUri.empty() && hasFlag("encrypt")) throw UsageException("--encrypt and --pkcs11 exclude each other: a token's key never leaves it");
	std::optional<std::string> pin;
	if (!files.tokenUri.empty())
	{
		pin = pkcs11PinFrom(settings());
		if (!pin) throw UsageException("keygen --pkcs11 needs the token's PIN: PKCS11_PIN (environment or .env) or --pin-file FILE");
		if (ellipticCurve && flagValue("curve") != "P-256") throw UsageException("--curve: P-256 is the curve jwtflow signs with");
	}
	const bool createdFolder = makeKeyFolder(files.dir.toString());
	const std::string module = settings().getOr("PKCS11_MODULE", "");
	if (!files.tokenUri.empty()) KeyFactory::generateInToken(files.tokenUri, module, *pin, ellipticCurve, bits);
	PrivateKey key = !files.tokenUri.empty() ? PrivateKey::fromPkcs11(files.tokenUri, module, pin)
		: ellipticCurve ? KeyFactory::generateEc(flagValue("curve")) : KeyFactory::generateRsa(bits);
	CertificateRequest request;
	request.commonName = flagValue("cn", "jwtflow");
	request.days = days;
	const Certificate cert = KeyFactory::issue(key, request);
	files.report(_console, cert, files.writeAll(key, cert, createdFolder));
	return 0;
}

} // namespace host
} // namespace jwtflow
