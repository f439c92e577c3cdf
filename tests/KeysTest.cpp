//
// KeysTest.cpp: loading keys and certificates made by the openssl command line.
//
#include "TestSupport.h"
#include "jwtflow/Certificate.h"
#include "jwtflow/Encoding.h"
#include "jwtflow/Exception.h"
#include "jwtflow/Keys.h"
#include <gtest/gtest.h>

using namespace jwtflow;
using namespace testing_support;

namespace {

std::string loadError(const std::string& path, const std::optional<std::string>& pass = std::nullopt)
{
	try
	{
		PrivateKey::fromFile(path, pass);
	}
	catch (const InputException& e)
	{
		return e.message();
	}
	return "(no error)";
}

} // namespace

TEST(Keys, LoadsEveryFormatOpenSslWrites)
{
	const TestKeys& k = sharedKeys();
	EXPECT_EQ(PrivateKey::fromFile(k.rsaPkcs8).type(), KeyType::RSA);
	EXPECT_EQ(PrivateKey::fromFile(k.rsaPkcs8).bits(), 2048);
	EXPECT_EQ(PrivateKey::fromFile(k.rsaPkcs1).type(), KeyType::RSA);
	EXPECT_EQ(PrivateKey::fromFile(k.rsaDer).type(), KeyType::RSA);
	EXPECT_EQ(PrivateKey::fromFile(k.ecPkcs8).curveName(), "P-256");
	EXPECT_EQ(PrivateKey::fromFile(k.ecSec1).type(), KeyType::EC);
	PrivateKey enc = PrivateKey::fromFile(k.encryptedPkcs8, k.passphrase);
	EXPECT_TRUE(PublicKey::fromFile(k.rsaPublic).matches(enc));
	EXPECT_TRUE(PublicKey::fromFile(k.ecPublic).matches(PrivateKey::fromFile(k.ecSec1)));
	EXPECT_FALSE(PublicKey::fromFile(k.otherRsaPublic).matches(enc));
}

TEST(Keys, EachBadInputHasItsOwnClearError)
{
	const TestKeys& k = sharedKeys();
	TempDir dir;
	EXPECT_NE(loadError(dir.write("garbage.pem", "this is not a key\x01\x02")).find("is not a private key"), std::string::npos);
	EXPECT_NE(loadError(dir.write("empty.pem", "")).find("is empty"), std::string::npos);
	EXPECT_NE(loadError(k.rsaCert).find("holds a certificate"), std::string::npos);
	EXPECT_NE(loadError(k.rsaCertDer).find("holds a certificate"), std::string::npos);
	EXPECT_NE(loadError(k.rsaPublic).find("holds a public key"), std::string::npos);
	EXPECT_NE(loadError(k.encryptedPkcs8).find("encrypted and no passphrase"), std::string::npos);
	std::string wrong = loadError(k.encryptedPkcs8, std::string("wrong-passphrase-123"));
	EXPECT_NE(wrong.find("wrong passphrase"), std::string::npos);
	EXPECT_EQ(wrong.find("wrong-passphrase-123"), std::string::npos) << "the passphrase must never appear";
	EXPECT_NE(loadError(dir.file("missing.pem")).find("No such file"), std::string::npos);
	EXPECT_NE(loadError(dir.path()).find("folder"), std::string::npos);
	// The core names settings: an embedding program has no command line (the jwtflow program adds its options).
	for (const std::string& message: {loadError(k.rsaCert), loadError(k.rsaPublic), loadError(k.encryptedPkcs8)})
	{
		EXPECT_NE(message.find("PRIVATE_KEY"), std::string::npos) << message;
		EXPECT_EQ(message.find("--"), std::string::npos) << message;
	}
	// A truncated key: the first half of a PEM file.
	std::string pem = readFile(k.rsaPkcs8);
	std::string cut = loadError(dir.write("cut.pem", pem.substr(0, pem.size() / 2)));
	EXPECT_NE(cut.find("not a valid private key"), std::string::npos) << cut;
	EXPECT_EQ(cut.find(pem.substr(40, 30)), std::string::npos) << "key material must never appear";
}

TEST(Keys, SmallRsaKeyAndWrongCurveAreRefusedForSigning)
{
	TempDir dir;
	std::string small = dir.file("small.pem");
	openssl({"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", small});
	PrivateKey key = PrivateKey::fromFile(small);
	EXPECT_THROW(key.sign(Algorithm::fromName("RS256"), "x"), InputException);
	std::string p384 = dir.file("p384.pem");
	openssl({"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", p384});
	EXPECT_THROW(PrivateKey::fromFile(p384).sign(Algorithm::fromName("ES256"), "x"), InputException);
	EXPECT_THROW(PrivateKey::fromFile(sharedKeys().ecPkcs8).sign(Algorithm::fromName("RS256"), "x"), InputException);
}

TEST(Certificates, ThumbprintsMatchOpenSsl)
{
	const TestKeys& k = sharedKeys();
	Certificate pem = Certificate::fromFile(k.rsaCert);
	Certificate der = Certificate::fromFile(k.rsaCertDer);
	EXPECT_EQ(pem.der(), der.der());
	// openssl x509 -fingerprint prints SHA1 Fingerprint=AA:BB:...
	std::string fp = trim(openssl({"x509", "-in", k.rsaCert, "-noout", "-fingerprint", "-sha1"}));
	std::string hex = fp.substr(fp.find('=') + 1);
	hex.erase(std::remove(hex.begin(), hex.end(), ':'), hex.end());
	EXPECT_EQ(hexEncode(pem.sha1Thumbprint(), true), hex);
	std::string fp256 = trim(openssl({"x509", "-in", k.rsaCert, "-noout", "-fingerprint", "-sha256"}));
	std::string hex256 = fp256.substr(fp256.find('=') + 1);
	hex256.erase(std::remove(hex256.begin(), hex256.end(), ':'), hex256.end());
	EXPECT_EQ(hexEncode(pem.sha256Thumbprint(), true), hex256);
	EXPECT_EQ(pem.x5t().size(), 27u);
	EXPECT_EQ(pem.x5tS256().size(), 43u);
	EXPECT_TRUE(pem.publicKey().matches(PrivateKey::fromFile(k.rsaPkcs8)));
	EXPECT_NE(pem.subject().find("jwtflow test"), std::string::npos);
}

TEST(Certificates, KnownX5tVectorFromMicrosoftDocs)
{
	// FACTS.md 3.1: SHA-1 84E05C1D98BCE3A5421D225B140B36E86A3D5534 -> hOBcHZi846VCHSJbFAs26Go9VTQ
	std::string raw;
	const std::string hex = "84E05C1D98BCE3A5421D225B140B36E86A3D5534";
	for (std::size_t i = 0; i < hex.size(); i += 2) raw += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
	EXPECT_EQ(base64UrlEncode(raw), "hOBcHZi846VCHSJbFAs26Go9VTQ");
}

TEST(Certificates, WrongInputsAreNamed)
{
	const TestKeys& k = sharedKeys();
	TempDir dir;
	try
	{
		Certificate::fromFile(k.rsaPkcs8);
		FAIL() << "a private key was accepted as a certificate";
	}
	catch (const InputException& e)
	{
		EXPECT_NE(e.message().find("holds a private key, not a certificate"), std::string::npos);
	}
	EXPECT_THROW(Certificate::fromFile(dir.write("junk.der", std::string("\x30\x03\x02\x01\x01", 5))), InputException);
	EXPECT_THROW(Certificate::fromFile(dir.write("empty.pem", "")), InputException);
}
