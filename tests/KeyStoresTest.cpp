//
// KeyStoresTest.cpp: keys where enterprises keep them (issue 17): `jwtflow
// jwk` (RFC 7638's own example, JWKs read back by python3-jwt, x5c checked
// against the openssl command line), keygen's JWK without alg, PKCS#12 files
// as OpenSSL, Windows (3DES) and old Windows (RC2-40) write them, their
// errors, and the x5c header accepted by the emulator's Entra ID for an app
// registered by subject name and issuer.
//
#include "EmulatorSupport.h"
#include "TestSupport.h"
#include "jwtflow/Certificate.h"
#include "jwtflow/Credentials.h"
#include "jwtflow/Encoding.h"
#include "jwtflow/Exception.h"
#include "jwtflow/Json.h"
#include "jwtflow/Jwt.h"
#include <Poco/JSON/Array.h>
#include <gtest/gtest.h>
#include <tuple>
#include <unistd.h>

using namespace testing_support;

namespace {

const char* const APP_ID = "5b7c1a2e-3d4f-4a6b-8c9d-0e1f2a3b4c5d";
const char* const PASSWORD = "pfx password 9c1e";

class KeyStores: public ::testing::Test
{
protected:
	/// A test CA and a leaf for the shared RSA key, signed by it (plus a CA that is not trusted).
	void makeChain()
	{
		openssl({"req", "-x509", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", dir.file("ca.key"), "-subj", "/CN=jwtflow test CA",
			"-days", "2", "-out", dir.file("ca.pem"), "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"});
		openssl({"req", "-x509", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", dir.file("other-ca.key"), "-subj", "/CN=another CA",
			"-days", "2", "-out", dir.file("other-ca.pem"), "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"});
		openssl({"req", "-new", "-key", sharedKeys().rsaPkcs8, "-subj", "/CN=app.jwtflow.example", "-out", dir.file("leaf.csr")});
		openssl({"x509", "-req", "-in", dir.file("leaf.csr"), "-CA", dir.file("ca.pem"), "-CAkey", dir.file("ca.key"), "-CAcreateserial",
			"-days", "2", "-out", dir.file("leaf.pem")});
		openssl({"x509", "-req", "-in", dir.file("leaf.csr"), "-CA", dir.file("other-ca.pem"), "-CAkey", dir.file("other-ca.key"),
			"-CAcreateserial", "-days", "2", "-out", dir.file("leaf-other.pem")});
		dir.write("bundle.pem", readFile(dir.file("leaf.pem")) + readFile(dir.file("ca.pem")));
		dir.write("bundle-other.pem", readFile(dir.file("leaf-other.pem")) + readFile(dir.file("other-ca.pem")));
	}

	/// The emulator's Entra ID with the app registered by subject name and issuer (the test CA).
	void startSubjectNameApp()
	{
		const jwtflow::Certificate ca = jwtflow::Certificate::fromFile(dir.file("ca.pem"));
		const std::string subject = jwtflow::Certificate::fromFile(dir.file("leaf.pem")).subject();
		emu = startEmulator(dir, APP_ID, {}, "", [&](jwtflow::emulator::EmulatorOptions& o) {
			o.apps.front().trustedIssuer = ca;
			o.apps.front().subjectName = subject;
			// Its registered certificate is another key's: only the x5c chain can authenticate it.
			o.apps.front().certificate = jwtflow::Certificate::fromFile(sharedKeys().otherRsaCert);
		});
		tenant = jwtflow::emulator::EmulatorOptions().tenant;
	}

	RunResult azure(std::vector<std::string> args, std::map<std::string, std::string> settings)
	{
		std::vector<std::string> all = {"azure-ad"};
		all.insert(all.end(), args.begin(), args.end());
		std::map<std::string, std::string> env = {{"CLIENT_ID", APP_ID}, {"TENANT_ID", tenant}, {"AUTHORITY", emu->baseUrl()},
			{"CA_FILE", emu->caFile()}, {"TOKEN_STORE", "none"}};
		for (const auto& s: settings) env[s.first] = s.second;
		return runJwtflow(all, dir.path(), env);
	}

	TempDir dir;
	std::unique_ptr<jwtflow::emulator::Emulator> emu;
	std::string tenant;
};

} // namespace

TEST_F(KeyStores, JwkThumbprintMatchesRfc7638sExample)
{
	// RFC 7638 section 3.1: this RSA key's thumbprint is NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs.
	python(R"(
import base64, sys
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives import serialization
def b64(s): return int.from_bytes(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)), "big")
n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
e = "AQAB"
key = rsa.RSAPublicNumbers(b64(e), b64(n)).public_key()
open(sys.argv[1], "wb").write(key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
)", {dir.file("rfc7638.pem")});
	RunResult r = runJwtflow({"jwk", "--public-key", dir.file("rfc7638.pem"), "--thumbprint"});
	ASSERT_EQ(r.exitCode, 0) << r.err;
	EXPECT_EQ(trim(r.out), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
	RunResult jwk = runJwtflow({"jwk", "--public-key", dir.file("rfc7638.pem")});
	EXPECT_EQ(jwtflow::jsonString(*jwtflow::parseJsonObject(jwk.out), "kid"), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
}

TEST_F(KeyStores, JwkOfKeysAndCertificatesReadsBackInPython)
{
	makeChain();
	for (const std::string& key: {sharedKeys().rsaPkcs8, sharedKeys().ecPkcs8})
	{
		RunResult r = runJwtflow({"jwk", "--private-key", key});
		ASSERT_EQ(r.exitCode, 0) << r.err;
		Poco::JSON::Object::Ptr jwk = jwtflow::parseJsonObject(r.out);
		EXPECT_FALSE(jwk->has("alg")) << "no alg unless asked: a registered alg binds the key to one algorithm";
		EXPECT_FALSE(jwk->has("d")) << "never the private part";
		// python3-jwt reads the JWK back to the same public key as openssl's.
		const std::string pem = python(R"(
import json, sys
from jwt.algorithms import RSAAlgorithm, ECAlgorithm
from cryptography.hazmat.primitives import serialization
jwk = json.loads(sys.argv[1])
key = (RSAAlgorithm if jwk["kty"] == "RSA" else ECAlgorithm).from_jwk(sys.argv[1])
print(key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode(), end="")
)", {r.out});
		EXPECT_EQ(pem, openssl({"pkey", "-in", key, "-pubout"}));
		EXPECT_EQ(jwtflow::jsonString(*jwk, "kid"), trim(runJwtflow({"jwk", "--private-key", key, "--thumbprint"}).out));
	}
	RunResult pinned = runJwtflow({"jwk", "--private-key", sharedKeys().rsaPkcs8, "--alg", "PS256", "--kid", "my-key-1", "--jwks"});
	ASSERT_EQ(pinned.exitCode, 0) << pinned.err;
	Poco::JSON::Object::Ptr first = jwtflow::parseJsonObject(pinned.out)->getArray("keys")->getObject(0);
	EXPECT_EQ(jwtflow::jsonString(*first, "alg"), "PS256");
	EXPECT_EQ(jwtflow::jsonString(*first, "kid"), "my-key-1");
	EXPECT_EQ(runJwtflow({"jwk", "--private-key", sharedKeys().rsaPkcs8, "--alg", "ES256"}).exitCode, 2);
	// With a certificate bundle: x5t, x5t#S256 and the chain, each as the openssl command line writes it.
	RunResult withChain = runJwtflow({"jwk", "--certificate", dir.file("bundle.pem"), "--x5c"});
	ASSERT_EQ(withChain.exitCode, 0) << withChain.err;
	Poco::JSON::Object::Ptr jwk = jwtflow::parseJsonObject(withChain.out);
	Poco::JSON::Array::Ptr x5c = jwk->getArray("x5c");
	ASSERT_EQ(x5c->size(), 2u);
	const std::string leafDer = openssl({"x509", "-in", dir.file("leaf.pem"), "-outform", "DER"});
	const std::string caDer = openssl({"x509", "-in", dir.file("ca.pem"), "-outform", "DER"});
	EXPECT_EQ(jwtflow::base64Decode(x5c->getElement<std::string>(0)), leafDer) << "leaf first, standard base64 DER";
	EXPECT_EQ(jwtflow::base64Decode(x5c->getElement<std::string>(1)), caDer);
	EXPECT_EQ(jwtflow::jsonString(*jwk, "x5t"), jwtflow::Certificate::fromFile(dir.file("leaf.pem")).x5t());
	EXPECT_EQ(runJwtflow({"jwk", "--private-key", sharedKeys().rsaPkcs8, "--x5c"}).exitCode, 2) << "x5c needs a certificate";
}

TEST_F(KeyStores, KeygenWritesNoAlgUnlessAsked)
{
	ASSERT_EQ(runJwtflow({"keygen", "--out", dir.file("rsa"), "-q"}).exitCode, 0);
	EXPECT_FALSE(jwtflow::parseJsonObject(readFile(dir.file("rsa/public_key.jwk")))->has("alg"));
	ASSERT_EQ(runJwtflow({"keygen", "--out", dir.file("ec"), "--curve", "P-256", "--alg", "ES256", "-q"}).exitCode, 0);
	EXPECT_EQ(jwtflow::jsonString(*jwtflow::parseJsonObject(readFile(dir.file("ec/public_key.jwk"))), "alg"), "ES256");
	RunResult wrong = runJwtflow({"keygen", "--out", dir.file("mismatch"), "--alg", "ES256"});
	EXPECT_EQ(wrong.exitCode, 2);
	EXPECT_NE(wrong.err.find("--curve P-256"), std::string::npos) << wrong.err;
	EXPECT_EQ(::access(dir.file("mismatch").c_str(), F_OK), -1) << "nothing written for a usage error";
}

TEST_F(KeyStores, Pkcs12FilesAsOpensslWindowsAndOldWindowsWriteThemGetAnEntraToken)
{
	makeChain();
	const std::string key = sharedKeys().rsaPkcs8;
	// OpenSSL 3's default (AES-256, PBKDF2), Windows' TripleDES-SHA1, and the RC2-40 of older exports (-legacy).
	openssl({"pkcs12", "-export", "-inkey", key, "-in", dir.file("leaf.pem"), "-certfile", dir.file("ca.pem"),
		"-passout", std::string("pass:") + PASSWORD, "-out", dir.file("modern.pfx")});
	openssl({"pkcs12", "-export", "-inkey", key, "-in", dir.file("leaf.pem"), "-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES",
		"-macalg", "sha1", "-passout", std::string("pass:") + PASSWORD, "-out", dir.file("windows.pfx")});
	openssl({"pkcs12", "-export", "-legacy", "-inkey", key, "-in", dir.file("leaf.pem"), "-passout", std::string("pass:") + PASSWORD,
		"-out", dir.file("legacy.p12")});
	// The app is registered with the leaf's certificate (thumbprint), as in the Azure portal.
	emu = startEmulator(dir, APP_ID, {}, "", [&](jwtflow::emulator::EmulatorOptions& o) {
		o.apps.front().certificate = jwtflow::Certificate::fromFile(dir.file("leaf.pem"));
	});
	tenant = jwtflow::emulator::EmulatorOptions().tenant;
	for (const char* file: {"modern.pfx", "windows.pfx", "legacy.p12"})
	{
		RunResult token = azure({"token"}, {{"PATH_PRIVATE_KEY", file}, {"PRIVATE_KEY_PASSPHRASE", PASSWORD}});
		EXPECT_EQ(token.exitCode, 0) << file << ": " << token.err;
		RunResult jwt = azure({"jwt"}, {{"PATH_PRIVATE_KEY", file}, {"PRIVATE_KEY_PASSPHRASE", PASSWORD}});
		ASSERT_EQ(jwt.exitCode, 0) << jwt.err;
		EXPECT_EQ(jwtflow::jsonString(*jwtflow::decodeJwt(trim(jwt.out)).header, "x5t"),
			jwtflow::Certificate::fromFile(dir.file("leaf.pem")).x5t()) << file << ": the certificate comes from the file";
	}
	// The certificate that belongs to the key is found wherever it is in the file.
	const jwtflow::Credentials c = jwtflow::readPkcs12(dir.file("modern.pfx"), std::string(PASSWORD));
	ASSERT_EQ(c.chain.size(), 2u);
	EXPECT_EQ(c.chain[0].x5t(), jwtflow::Certificate::fromFile(dir.file("leaf.pem")).x5t());
	EXPECT_EQ(c.chain[1].x5t(), jwtflow::Certificate::fromFile(dir.file("ca.pem")).x5t());
	RunResult jwk = runJwtflow({"jwk", "--private-key", dir.file("modern.pfx"), "--thumbprint"}, "", {{"PRIVATE_KEY_PASSPHRASE", PASSWORD}});
	EXPECT_EQ(trim(jwk.out), trim(runJwtflow({"jwk", "--private-key", key, "--thumbprint"}).out));
}

TEST_F(KeyStores, Pkcs12ErrorsSayWhatIsWrongWithExit3)
{
	makeChain();
	const std::string key = sharedKeys().rsaPkcs8;
	openssl({"pkcs12", "-export", "-inkey", key, "-in", dir.file("leaf.pem"), "-passout", std::string("pass:") + PASSWORD, "-out", dir.file("app.pfx")});
	openssl({"pkcs12", "-export", "-nokeys", "-in", dir.file("leaf.pem"), "-passout", std::string("pass:") + PASSWORD, "-out", dir.file("certs-only.pfx")});
	// A key with another key's certificate (python's cryptography writes what openssl refuses to).
	python(R"(
import sys
from cryptography.hazmat.primitives.serialization import load_pem_private_key, pkcs12, BestAvailableEncryption
from cryptography import x509
key = load_pem_private_key(open(sys.argv[1], "rb").read(), None)
cert = x509.load_pem_x509_certificate(open(sys.argv[2], "rb").read())
open(sys.argv[3], "wb").write(pkcs12.serialize_key_and_certificates(b"x", key, None, [cert], BestAvailableEncryption(sys.argv[4].encode())))
)", {key, sharedKeys().otherRsaCert, dir.file("mismatch.pfx"), PASSWORD});
	dir.write("pem-named.pfx", readFile(key));
	const std::vector<std::tuple<std::string, std::map<std::string, std::string>, std::string>> cases = {
		{"app.pfx", {{"PRIVATE_KEY_PASSPHRASE", "not the password"}}, "wrong password"},
		{"app.pfx", {}, "is protected by a password"},
		{"certs-only.pfx", {{"PRIVATE_KEY_PASSPHRASE", PASSWORD}}, "holds no private key"},
		{"mismatch.pfx", {{"PRIVATE_KEY_PASSPHRASE", PASSWORD}}, "belongs to its private key"},
		{"pem-named.pfx", {}, "is not a PKCS#12 file"},
		{"missing.pfx", {}, "missing.pfx"},
	};
	for (const auto& c: cases)
	{
		std::map<std::string, std::string> env = std::get<1>(c);
		env["PATH_PRIVATE_KEY"] = std::get<0>(c);
		env["CLIENT_ID"] = APP_ID;
		env["TENANT_ID"] = "contoso.onmicrosoft.com";
		RunResult r = runJwtflow({"azure-ad", "jwt"}, dir.path(), env);
		EXPECT_EQ(r.exitCode, 3) << std::get<0>(c) << ": " << r.err;
		EXPECT_NE(r.err.find(std::get<2>(c)), std::string::npos) << std::get<0>(c) << ": " << r.err;
		EXPECT_EQ(r.err.find("not the password"), std::string::npos) << "never the password";
		EXPECT_EQ(r.err.find(PASSWORD), std::string::npos) << "never the password";
	}
}

TEST_F(KeyStores, EntraAcceptsAnAppBySubjectNameAndIssuerWhenX5cCarriesTheChain)
{
	makeChain();
	startSubjectNameApp();
	const std::map<std::string, std::string> bundle = {{"PATH_PRIVATE_KEY", sharedKeys().rsaPkcs8}, {"PATH_CERTIFICATE", dir.file("bundle.pem")}};
	RunResult withX5c = azure({"token", "--x5c"}, bundle);
	EXPECT_EQ(withX5c.exitCode, 0) << withX5c.err;
	std::map<std::string, std::string> viaSetting = bundle;
	viaSetting["SEND_X5C"] = "true";
	RunResult jwt = azure({"jwt"}, viaSetting);
	ASSERT_EQ(jwt.exitCode, 0) << jwt.err;
	// python3-jwt: the header's x5c[0] is the leaf (standard base64 DER), and its key verifies the JWT.
	const std::string checked = python(R"(
import base64, jwt, sys
from cryptography import x509
token = sys.argv[1]
header = jwt.get_unverified_header(token)
leaf = x509.load_der_x509_certificate(base64.b64decode(header["x5c"][0]))
claims = jwt.decode(token, leaf.public_key(), algorithms=["RS256"], audience=sys.argv[2])
print(len(header["x5c"]), leaf.subject.rfc4514_string(), claims["iss"])
)", {trim(jwt.out), emu->baseUrl() + "/" + tenant + "/oauth2/v2.0/token"});
	EXPECT_EQ(trim(checked), std::string("2 CN=app.jwtflow.example ") + APP_ID);
	// Without x5c the app cannot be authenticated (its registered certificate is another key's).
	RunResult without = azure({"token"}, bundle);
	EXPECT_EQ(without.exitCode, 4);
	EXPECT_NE(without.err.find("700027"), std::string::npos) << without.err;
	// A chain from a CA the app does not trust is refused.
	RunResult other = azure({"token", "--x5c"}, {{"PATH_PRIVATE_KEY", sharedKeys().rsaPkcs8}, {"PATH_CERTIFICATE", dir.file("bundle-other.pem")}});
	EXPECT_EQ(other.exitCode, 4);
	EXPECT_NE(other.err.find("not issued by the issuer registered"), std::string::npos) << other.err;
	// The chain may come from a PKCS#12 file too.
	openssl({"pkcs12", "-export", "-inkey", sharedKeys().rsaPkcs8, "-in", dir.file("leaf.pem"), "-certfile", dir.file("ca.pem"),
		"-passout", std::string("pass:") + PASSWORD, "-out", dir.file("app.pfx")});
	RunResult pfx = azure({"token", "--x5c"}, {{"PATH_PRIVATE_KEY", dir.file("app.pfx")}, {"PRIVATE_KEY_PASSPHRASE", PASSWORD}});
	EXPECT_EQ(pfx.exitCode, 0) << pfx.err;
	// doctor checks the chain, and makes its one token request with it.
	RunResult doctor = azure({"doctor", "--x5c"}, bundle);
	EXPECT_EQ(doctor.exitCode, 0) << doctor.out << doctor.err;
	EXPECT_NE(doctor.out.find("certificate chain: 2 certificates, each issued by the next (sent as x5c)"), std::string::npos) << doctor.out;
	dir.write("broken.pem", readFile(dir.file("leaf.pem")) + readFile(dir.file("other-ca.pem")));
	RunResult broken = azure({"doctor", "--x5c"}, {{"PATH_PRIVATE_KEY", sharedKeys().rsaPkcs8}, {"PATH_CERTIFICATE", dir.file("broken.pem")}});
	EXPECT_NE(broken.exitCode, 0);
	EXPECT_NE(broken.out.find("fail  certificate chain: certificate 1 (CN=app.jwtflow.example) is not issued by certificate 2"),
		std::string::npos) << broken.out;
	// --x5c with no certificate at all: a usage error before anything is sent.
	RunResult noCert = azure({"jwt", "--x5c", "--thumbprint", jwtflow::Certificate::fromFile(dir.file("leaf.pem")).x5t()},
		{{"PATH_PRIVATE_KEY", sharedKeys().rsaPkcs8}});
	EXPECT_EQ(noCert.exitCode, 2) << noCert.err;
	EXPECT_NE(noCert.err.find("SEND_X5C"), std::string::npos) << noCert.err;
}
