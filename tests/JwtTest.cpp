//
// JwtTest.cpp: signing and verifying, cross-checked with openssl and python3-jwt.
//
#include "TestSupport.h"
#include "jwtflow/Certificate.h"
#include "jwtflow/Encoding.h"
#include "jwtflow/Exception.h"
#include "jwtflow/Json.h"
#include "jwtflow/Jwt.h"
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <gtest/gtest.h>

using namespace jwtflow;
using namespace testing_support;

namespace {

const char* PY_VERIFY = R"(
import sys, jwt
token, keyfile, alg, aud = sys.argv[1:5]
claims = jwt.decode(token, open(keyfile).read(), algorithms=[alg], audience=aud)
print(claims["iss"], claims["sub"], claims["exp"] - claims["iat"])
)";

const char* PY_SIGN = R"(
import sys, time, jwt
keyfile, alg = sys.argv[1:3]
now = int(time.time())
print(jwt.encode({"iss": "py", "sub": "someone", "aud": "https://aud.example", "iat": now, "exp": now + 120},
                 open(keyfile).read(), algorithm=alg))
)";

std::string mint(const PrivateKey& key, const std::string& alg, Poco::Int64 expOffset = 120, Poco::Int64 nbfOffset = 0)
{
	Poco::Int64 now = Poco::Timestamp().epochTime();
	Poco::JSON::Object header(Poco::JSON_PRESERVE_KEY_ORDER);
	header.set("typ", "JWT");
	Poco::JSON::Object claims(Poco::JSON_PRESERVE_KEY_ORDER);
	claims.set("iss", "issuer-1");
	claims.set("sub", "user@example.com");
	claims.set("aud", "https://login.salesforce.com");
	claims.set("iat", now);
	claims.set("nbf", now + nbfOffset);
	claims.set("exp", now + expOffset);
	return signJwt(header, claims, key, Algorithm::fromName(alg));
}

VerifyOptions options(const std::vector<std::string>& algs)
{
	VerifyOptions o;
	o.algorithms = algs;
	o.audience = "https://login.salesforce.com";
	o.issuer = "issuer-1";
	return o;
}

std::string verifyError(const std::string& token, const PublicKey& key, const VerifyOptions& o)
{
	try
	{
		verifyJwt(token, key, o);
	}
	catch (const VerificationException& e)
	{
		return e.message();
	}
	return "(accepted)";
}

std::string replacePart(const std::string& token, int index, const std::string& json)
{
	auto a = token.find('.');
	auto b = token.find('.', a + 1);
	std::string parts[3] = {token.substr(0, a), token.substr(a + 1, b - a - 1), token.substr(b + 1)};
	parts[index] = base64UrlEncode(json);
	return parts[0] + "." + parts[1] + "." + parts[2];
}

} // namespace

class SignedByCore: public ::testing::TestWithParam<std::string> {};

TEST_P(SignedByCore, VerifiesWithCorePythonJwtAndOpenSsl)
{
	const TestKeys& k = sharedKeys();
	const std::string alg = GetParam();
	const bool ec = alg[0] == 'E';
	PrivateKey key = PrivateKey::fromFile(ec ? k.ecPkcs8 : k.rsaPkcs8);
	const std::string pub = ec ? k.ecPublic : k.rsaPublic;
	std::string token = mint(key, alg);

	DecodedJwt jwt = verifyJwt(token, PublicKey::fromFile(pub), options({alg}));
	EXPECT_EQ(jwt.algorithm(), alg);
	// Integer NumericDates, not Poco's fractional doubles.
	EXPECT_EQ(toJson(jwt.claims->get("exp")).find('.'), std::string::npos);

	EXPECT_EQ(trim(python(PY_VERIFY, {token, pub, alg, "https://login.salesforce.com"})), "issuer-1 user@example.com 120");

	if (!ec)
	{
		TempDir dir;
		std::string input = dir.write("input", jwt.signingInput);
		std::string sig = dir.write("sig", jwt.signature);
		std::string digest = "-sha" + alg.substr(2);
		std::vector<std::string> args = {"dgst", digest, "-verify", pub, "-signature", sig};
		if (alg[0] == 'P')
		{
			args.insert(args.end(), {"-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:-1"});
		}
		args.push_back(input);
		EXPECT_EQ(trim(openssl(args)), "Verified OK");
	}
}

INSTANTIATE_TEST_SUITE_P(Algorithms, SignedByCore, ::testing::Values("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256"));

TEST(Jwt, Rs256IsDeterministicAndEqualsOpenSslSignature)
{
	const TestKeys& k = sharedKeys();
	PrivateKey key = PrivateKey::fromFile(k.rsaPkcs8);
	std::string token = mint(key, "RS256");
	DecodedJwt jwt = decodeJwt(token);
	TempDir dir;
	std::string input = dir.write("input", jwt.signingInput);
	std::string sigFile = dir.file("sig");
	openssl({"dgst", "-sha256", "-sign", k.rsaPkcs8, "-out", sigFile, input});
	EXPECT_EQ(readFile(sigFile), jwt.signature);
}

class SignedByPython: public ::testing::TestWithParam<std::string> {};

TEST_P(SignedByPython, VerifiesWithCore)
{
	const TestKeys& k = sharedKeys();
	const std::string alg = GetParam();
	const bool ec = alg[0] == 'E';
	std::string token = trim(python(PY_SIGN, {ec ? k.ecPkcs8 : k.rsaPkcs8, alg}));
	VerifyOptions o;
	o.algorithms = {alg};
	o.audience = "https://aud.example";
	o.issuer = "py";
	DecodedJwt jwt = verifyJwt(token, PublicKey::fromFile(ec ? k.ecPublic : k.rsaPublic), o);
	EXPECT_EQ(jsonString(*jwt.claims, "sub"), "someone");
	// And a different key refuses it.
	if (!ec)
	{
		EXPECT_THROW(verifyJwt(token, PublicKey::fromFile(k.otherRsaPublic), o), VerificationException);
	}
}

INSTANTIATE_TEST_SUITE_P(Algorithms, SignedByPython, ::testing::Values("RS256", "PS256", "ES256"));

TEST(Jwt, RefusesBadTokens)
{
	const TestKeys& k = sharedKeys();
	PrivateKey key = PrivateKey::fromFile(k.rsaPkcs8);
	PublicKey pub = PublicKey::fromFile(k.rsaPublic);
	const VerifyOptions o = options({"RS256"});
	std::string good = mint(key, "RS256");
	ASSERT_EQ(verifyError(good, pub, o), "(accepted)");

	// Tampered payload.
	Poco::JSON::Object::Ptr claims = decodeJwt(good).claims;
	claims->set("sub", "admin@example.com");
	EXPECT_NE(verifyError(replacePart(good, 1, objectToJson(*claims)), pub, o).find("signature does not match"), std::string::npos);
	// Expired, not yet valid.
	EXPECT_NE(verifyError(mint(key, "RS256", -3600), pub, o).find("expired"), std::string::npos);
	EXPECT_NE(verifyError(mint(key, "RS256", 7200, 3600), pub, o).find("not valid before"), std::string::npos);
	// Wrong audience, wrong issuer.
	VerifyOptions wrongAud = o;
	wrongAud.audience = "https://test.salesforce.com";
	EXPECT_NE(verifyError(good, pub, wrongAud).find("audience"), std::string::npos);
	VerifyOptions wrongIss = o;
	wrongIss.issuer = "someone-else";
	EXPECT_NE(verifyError(good, pub, wrongIss).find("iss"), std::string::npos);
	// Another key.
	EXPECT_NE(verifyError(good, PublicKey::fromFile(k.otherRsaPublic), o).find("signature"), std::string::npos);
	// alg none, with an empty signature.
	std::string none = replacePart(good, 0, "{\"alg\":\"none\"}");
	none = none.substr(0, none.rfind('.') + 1);
	EXPECT_NE(verifyError(none, pub, o).find("not allowed"), std::string::npos);
	VerifyOptions noneAllowed = o;
	noneAllowed.algorithms = {"none"};
	EXPECT_NE(verifyError(none, pub, noneAllowed).find("never accepted"), std::string::npos);
	// HS256 signed with the public key PEM as the HMAC secret (algorithm confusion).
	std::string hsInput = base64UrlEncode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + good.substr(good.find('.') + 1, good.rfind('.') - good.find('.') - 1);
	const std::string secret = readFile(k.rsaPublic);
	unsigned char mac[32];
	unsigned int macLen = 0;
	HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(hsInput.data()),
		hsInput.size(), mac, &macLen);
	std::string hs = hsInput + "." + base64UrlEncode(std::string(reinterpret_cast<char*>(mac), macLen));
	EXPECT_NE(verifyError(hs, pub, o).find("not allowed"), std::string::npos);
	VerifyOptions hsAllowed = o;
	hsAllowed.algorithms = {"RS256", "HS256"};
	EXPECT_NE(verifyError(hs, pub, hsAllowed).find("never accepted"), std::string::npos);
	// ES256 token checked with an RSA key: refused, not crashed.
	std::string es = mint(PrivateKey::fromFile(k.ecPkcs8), "ES256");
	VerifyOptions both = o;
	both.algorithms = {"RS256", "ES256"};
	EXPECT_NE(verifyError(es, pub, both).find("does not match"), std::string::npos);
	// Malformed.
	EXPECT_NE(verifyError("abc", pub, o).find("malformed"), std::string::npos);
	EXPECT_NE(verifyError("a.b.c", pub, o).find("malformed"), std::string::npos);
}

TEST(Jwt, AlgorithmNamesNoneAndHmacAreNeverSupported)
{
	EXPECT_THROW(Algorithm::fromName("none"), UsageException);
	EXPECT_THROW(Algorithm::fromName("HS256"), UsageException);
	EXPECT_THROW(Algorithm::fromName("ES384"), UsageException);
	EXPECT_EQ(Algorithm::fromName("PS256").padding, Algorithm::Padding::PSS);
}

TEST(Encoding, Base64UrlRoundTripsAndRejectsJunk)
{
	const std::vector<std::string> samples = {"", "f", "fo", "foo", "foob", "fooba", "foobar", std::string("\xff\xfe\x00\x01", 4)};
	for (const std::string& s: samples)
	{
		EXPECT_EQ(base64UrlDecode(base64UrlEncode(s)), s);
		EXPECT_EQ(base64Decode(base64Encode(s)), s);
	}
	EXPECT_EQ(base64UrlEncode("\xfb\xff"), "-_8");
	EXPECT_EQ(base64Encode("\xfb\xff"), "+/8=");
	EXPECT_THROW(base64UrlDecode("ab$d"), Poco::DataFormatException);
	EXPECT_THROW(base64UrlDecode("a"), Poco::DataFormatException);
	EXPECT_EQ(urlEncode("a b/c?d=e&f~"), "a%20b%2Fc%3Fd%3De%26f~");
}

TEST(Jwt, HardeningRefusesAmbiguousAndRemoteKeyTokens)
{
	const TestKeys& k = sharedKeys();
	PrivateKey key = PrivateKey::fromFile(k.rsaPkcs8);
	PublicKey pub = PublicKey::fromFile(k.rsaPublic);
	Poco::Int64 now = Poco::Timestamp().epochTime();
	auto signRaw = [&](const std::string& headerJson, const std::string& claimsJson) {
		std::string input = base64UrlEncode(headerJson) + "." + base64UrlEncode(claimsJson);
		return input + "." + base64UrlEncode(key.sign(Algorithm::fromName("RS256"), input));
	};
	const std::string claims = "{\"sub\":\"a\",\"exp\":" + std::to_string(now + 60) + "}";
	VerifyOptions o;
	o.algorithms = {"RS256"};
	EXPECT_EQ(verifyError(signRaw("{\"alg\":\"RS256\"}", claims), pub, o), "(accepted)");
	EXPECT_NE(verifyError(signRaw("{\"alg\":\"RS256\"}", "{\"sub\":\"a\",\"sub\":\"admin\",\"exp\":" + std::to_string(now + 60) + "}"), pub, o)
		.find("duplicate member name 'sub'"), std::string::npos);
	EXPECT_NE(verifyError(signRaw("{\"alg\":\"RS256\",\"alg\":\"none\"}", claims), pub, o).find("duplicate"), std::string::npos);
	EXPECT_NE(verifyError(signRaw("{\"alg\":\"RS256\"}", claims + "garbage"), pub, o).find("malformed"), std::string::npos);
	EXPECT_NE(verifyError(signRaw("{\"alg\":\"RS256\",\"jku\":\"https://evil.example/keys\"}", claims), pub, o).find("never follows"), std::string::npos);
	EXPECT_NE(verifyError(signRaw("{\"alg\":\"RS256\",\"x5u\":\"https://evil.example/cert\"}", claims), pub, o).find("never follows"), std::string::npos);
	EXPECT_NE(verifyError(signRaw("{\"alg\":\"RS256\",\"crit\":[\"exp\"]}", claims), pub, o).find("crit"), std::string::npos);
	VerifyOptions withCert = o;
	withCert.x5t = Certificate::fromFile(k.rsaCert).x5t();
	EXPECT_EQ(verifyError(signRaw("{\"alg\":\"RS256\",\"x5t\":\"" + *withCert.x5t + "\"}", claims), pub, withCert), "(accepted)");
	EXPECT_NE(verifyError(signRaw("{\"alg\":\"RS256\",\"x5t\":\"hOBcHZi846VCHSJbFAs26Go9VTQ\"}", claims), pub, withCert)
		.find("another certificate"), std::string::npos);
	std::string good = signRaw("{\"alg\":\"RS256\"}", claims);
	EXPECT_NE(verifyError(good + "x", pub, o), "(accepted)");
	EXPECT_NE(verifyError(good + ".x", pub, o).find("malformed"), std::string::npos);
}
