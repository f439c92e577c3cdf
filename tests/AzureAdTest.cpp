//
// AzureAdTest.cpp: the azure-ad plugin: thumbprint forms, the assertion as an
// independent library reads it, and the exchange with the Entra ID emulator.
//
#include "EmulatorSupport.h"
#include "TestSupport.h"
#include "jwtflow/Certificate.h"
#include "jwtflow/Encoding.h"
#include "jwtflow/Exception.h"
#include "jwtflow/HttpClient.h"
#include "jwtflow/Json.h"
#include "jwtflow/Jwt.h"
#include "jwtflow/PluginRegistry.h"
#include "jwtflow/Thumbprint.h"
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

using namespace jwtflow;
using namespace testing_support;

namespace {

const char* const APP_ID = "6f1d2c3b-4a59-4e8d-9c7b-1a2b3c4d5e6f";

const char* PY_ENTRA = R"(
import sys, jwt, hashlib, base64
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
token, certfile, alg, aud = sys.argv[1:5]
cert = x509.load_pem_x509_certificate(open(certfile, "rb").read())
der = cert.public_bytes(Encoding.DER)
b64u = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
h = jwt.get_unverified_header(token)
c = jwt.decode(token, cert.public_key(), algorithms=[alg], audience=aud)
assert h["typ"] == "JWT", h
if alg == "RS256":
    assert h["x5t"] == b64u(hashlib.sha1(der).digest()), h
    assert "x5t#S256" not in h
else:
    assert h["x5t#S256"] == b64u(hashlib.sha256(der).digest()), h
    assert "x5t" not in h
assert c["iss"] == c["sub"], c
assert len(c["jti"]) == 36, c
print(h["alg"], c["iss"], c["exp"] - c["nbf"], c["iat"] == c["nbf"])
)";

std::string thumbError(const std::string& text)
{
	try
	{
		parseSha1Thumbprint(text);
	}
	catch (const UsageException& e)
	{
		return e.message();
	}
	return "(accepted)";
}

class AzureAd: public ::testing::Test
{
protected:
	void SetUp() override
	{
		const TestKeys& k = sharedKeys();
		emu = startEmulator(dir, APP_ID);
		tenant = emulator::EmulatorOptions().tenant;
		dir.write("private_key.pem", readFile(k.rsaPkcs8));
		dir.write("certificate.pem", readFile(k.rsaCert));
		dir.write(".env", std::string("CLIENT_ID=") + APP_ID + "\nTENANT_ID=" + tenant + "\nPATH_PRIVATE_KEY=private_key.pem\n"
			"PATH_CERTIFICATE=certificate.pem\nAUTHORITY=" + emu->baseUrl() + "\nCA_FILE=" + emu->caFile() + "\n");
	}

	RunResult cli(const std::vector<std::string>& args) { return runJwtflow(args, dir.path()); }

	std::string tokenUrl() const { return emu->baseUrl() + "/" + tenant + "/oauth2/v2.0/token"; }

	TempDir dir;
	std::string tenant;
	std::unique_ptr<emulator::Emulator> emu;
};

} // namespace

TEST(Thumbprint, AcceptsEveryFormPeopleHave)
{
	const std::string raw = parseSha1Thumbprint("84E05C1D98BCE3A5421D225B140B36E86A3D5534");
	ASSERT_EQ(raw.size(), 20u);
	EXPECT_EQ(base64UrlEncode(raw), "hOBcHZi846VCHSJbFAs26Go9VTQ");
	EXPECT_EQ(parseSha1Thumbprint("84:e0:5c:1d:98:bc:e3:a5:42:1d:22:5b:14:0b:36:e8:6a:3d:55:34"), raw);
	EXPECT_EQ(parseSha1Thumbprint(" 84e05c1d98bce3a5421d225b140b36e86a3d5534\n"), raw);
	EXPECT_EQ(parseSha1Thumbprint(base64Encode(raw)), raw);
	EXPECT_EQ(parseSha1Thumbprint("hOBcHZi846VCHSJbFAs26Go9VTQ"), raw);
	EXPECT_EQ(parseSha1Thumbprint("hOBcHZi846VCHSJbFAs26Go9VTQ="), raw);
}

TEST(Thumbprint, RefusesWhatIsNotTwentyBytesAndSaysWhichFormsWork)
{
	EXPECT_NE(thumbError(base64Encode("84E05C1D98BCE3A5421D225B140B36E86A3D5534")).find("decodes to 40 bytes"), std::string::npos);
	EXPECT_NE(thumbError(std::string(64, 'a')).find("SHA-256"), std::string::npos);
	EXPECT_NE(thumbError("not a thumbprint!").find("neither hex nor base64"), std::string::npos);
	EXPECT_NE(thumbError("84E05C").find("accepted: 40 hex digits"), std::string::npos);
	EXPECT_NE(thumbError("").find("empty"), std::string::npos);
}

TEST_F(AzureAd, AssertionsReadRightByPythonJwt)
{
	for (const char* alg: {"RS256", "PS256"})
	{
		RunResult r = cli({"azure-ad", "jwt", "--alg", alg});
		ASSERT_EQ(r.exitCode, 0) << r.err;
		EXPECT_EQ(trim(python(PY_ENTRA, {trim(r.out), dir.file("certificate.pem"), alg, tokenUrl()})),
			std::string(alg) + " " + APP_ID + " 300 True");
	}
	RunResult a = cli({"azure-ad", "jwt", "--output", "json"});
	RunResult b = cli({"azure-ad", "jwt", "--output", "json"});
	Poco::JSON::Parser p1, p2;
	auto ca = p1.parse(a.out).extract<Poco::JSON::Object::Ptr>()->getObject("claims");
	auto cb = p2.parse(b.out).extract<Poco::JSON::Object::Ptr>()->getObject("claims");
	EXPECT_NE(ca->getValue<std::string>("jti"), cb->getValue<std::string>("jti")) << "a fresh jti for every assertion";
	// The thumbprint alone, in the portal's hex form, gives the same x5t.
	std::string hex = hexEncode(Certificate::fromFile(sharedKeys().rsaCert).sha1Thumbprint(), true);
	dir.write(".env", std::string("CLIENT_ID=") + APP_ID + "\nTENANT_ID=" + tenant + "\nPATH_PRIVATE_KEY=private_key.pem\n"
		"CERTIFICATE_THUMBPRINT=" + hex + "\nAUTHORITY=" + emu->baseUrl() + "\n");
	RunResult viaThumb = cli({"azure-ad", "jwt"});
	ASSERT_EQ(viaThumb.exitCode, 0) << viaThumb.err;
	EXPECT_NO_THROW(python(PY_ENTRA, {trim(viaThumb.out), dir.file("certificate.pem"), "RS256", tokenUrl()}));
}

TEST_F(AzureAd, X5tEqualsOpenSslsDigestAndEveryThumbprintFormGetsAToken)
{
	const TestKeys& k = sharedKeys();
	openssl({"x509", "-in", k.rsaCert, "-outform", "DER", "-out", dir.file("cert.der")});
	openssl({"dgst", "-sha1", "-binary", "-out", dir.file("sha1.bin"), dir.file("cert.der")});
	const std::string sha1 = readFile(dir.file("sha1.bin"));
	ASSERT_EQ(sha1.size(), 20u);
	EXPECT_EQ(Certificate::fromFile(k.rsaCert).x5t(), base64UrlEncode(sha1));
	const std::string seedBase64 = trim(openssl({"base64", "-in", dir.file("sha1.bin")}));   // the seed's pipeline
	const std::string portalHex = hexEncode(sha1, true);
	for (const std::string& thumb: {portalHex, seedBase64, base64UrlEncode(sha1), hexEncode(sha1, false)})
	{
		dir.write(".env", std::string("CLIENT_ID=") + APP_ID + "\nTENANT_ID=" + tenant + "\nPATH_PRIVATE_KEY=private_key.pem\n"
			"CERTIFICATE_THUMBPRINT=" + thumb + "\nAUTHORITY=" + emu->baseUrl() + "\nCA_FILE=" + emu->caFile() + "\n");
		RunResult r = cli({"azure-ad", "token"});
		EXPECT_EQ(r.exitCode, 0) << thumb << ": " << r.err;
	}
	EXPECT_EQ(emu->tokensIssued(), 4);
}

TEST_F(AzureAd, EmulatorRefusesAudienceLifetimeAndScopeWithEntraCodes)
{
	const TestKeys& k = sharedKeys();
	auto assertion = [&](const std::string& aud, Poco::Int64 lifetime) {
		Poco::Int64 now = Poco::Timestamp().epochTime();
		Poco::JSON::Object header;
		header.set("x5t", Certificate::fromFile(k.rsaCert).x5t());
		Poco::JSON::Object claims;
		claims.set("aud", aud);
		claims.set("iss", APP_ID);
		claims.set("sub", APP_ID);
		claims.set("jti", std::to_string(now) + aud + std::to_string(lifetime));
		claims.set("nbf", now);
		claims.set("exp", now + lifetime);
		return signJwt(header, claims, PrivateKey::fromFile(k.rsaPkcs8), Algorithm::fromName("RS256"));
	};
	HttpOptions o;
	o.caFile = emu->caFile();
	HttpClient http(o);
	auto post = [&](const std::string& jwt, const std::string& scope) {
		FormFields form = {{"client_id", APP_ID}, {"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
			{"client_assertion", jwt}, {"grant_type", "client_credentials"}};
		if (!scope.empty()) form.push_back({"scope", scope});
		HttpResponse r = http.postForm(tokenUrl(), form);
		auto body = parseJsonObject(r.body);
		return std::to_string(r.status) + " " + jsonString(*body, "error") + " " + jsonString(*body, "error_codes");
	};
	const std::string graph = "https://graph.microsoft.com/.default";
	EXPECT_EQ(post(assertion(emu->baseUrl() + "/other-tenant/oauth2/v2.0/token", 300), graph), "401 invalid_client [700023]");
	// Entra ID "doesn't place restrictions on the exp time currently" (FACTS.md 3.2): an hour is taken; an
	// exp in the past is 700024, the code for time alone.
	EXPECT_EQ(post(assertion(tokenUrl(), 3600), graph).substr(0, 3), "200");
	EXPECT_EQ(post(assertion(tokenUrl(), -120), graph), "401 invalid_client [700024]");
	EXPECT_EQ(post(assertion(tokenUrl(), 300), ""), "400 invalid_request [900144]");
	EXPECT_EQ(post(assertion(tokenUrl(), 301), "https://graph.microsoft.com"), "400 invalid_scope [1002012]");
	EXPECT_EQ(post(assertion(tokenUrl(), 302), "https://no-such-api.example/.default"), "400 invalid_resource [500011]");
	EXPECT_EQ(post(assertion(tokenUrl(), 300), graph).substr(0, 3), "200");

	// The CLI's hints for those codes, through the loaded plugin.
	PluginRegistry registry({JWTFLOW_PLUGIN_DIR});
	Provider& azure = registry.get("azure-ad");
	auto hint = [&](long code) {
		OAuthError e;
		e.code = code;
		e.error = "invalid_client";
		return azure.errorHint(e);
	};
	EXPECT_NE(hint(700023).find("audience is wrong"), std::string::npos);
	EXPECT_NE(hint(700024).find("clock"), std::string::npos);
	EXPECT_NE(hint(1002012).find("/.default"), std::string::npos);
	EXPECT_NE(hint(700027).find("upload this certificate"), std::string::npos);
}

TEST_F(AzureAd, TokenFromTheEmulatorWithBothAlgorithms)
{
	for (const char* alg: {"RS256", "PS256"})
	{
		RunResult r = cli({"azure-ad", "token", "--alg", alg, "--output", "json"});
		ASSERT_EQ(r.exitCode, 0) << r.err;
		Poco::JSON::Parser parser;
		auto obj = parser.parse(r.out).extract<Poco::JSON::Object::Ptr>();
		EXPECT_EQ(obj->getValue<int>("expires_in"), 3599);
		EXPECT_EQ(obj->getValue<std::string>("token_type"), "Bearer");
	}
	RunResult plain = cli({"azure-ad", "token"});
	ASSERT_EQ(plain.exitCode, 0) << plain.err;
	EXPECT_EQ(std::count(plain.out.begin(), plain.out.end(), '.'), 2) << plain.out;
	EXPECT_EQ(emu->tokensIssued(), 3);
}

TEST_F(AzureAd, RefusalsAreExplainedByAadstsCode)
{
	auto refused = [&](const std::vector<std::string>& args, int code, const std::string& text, const std::string& hint) {
		RunResult r = cli(args);
		EXPECT_EQ(r.exitCode, code) << r.err;
		EXPECT_TRUE(r.out.empty()) << r.out;
		EXPECT_NE(r.err.find(text), std::string::npos) << r.err;
		EXPECT_NE(r.err.find(hint), std::string::npos) << r.err;
	};
	refused({"azure-ad", "token", "--client-id", "00000000-0000-0000-0000-000000000000"}, 4, "AADSTS700016", "no application with this CLIENT_ID");
	refused({"azure-ad", "token", "--tenant", "contoso.onmicrosoft.com"}, 4, "AADSTS90002", "tenant not found");
	dir.write("other.pem", readFile(sharedKeys().otherRsa));
	dir.write("other-cert.pem", readFile(sharedKeys().otherRsaCert));
	refused({"azure-ad", "token", "--private-key", "other.pem", "--certificate", "other-cert.pem"}, 4, "AADSTS700027", "upload this certificate");
	refused({"azure-ad", "token", "--alg", "RS512"}, 2, "not accepted by azure-ad", "RS256, PS256");
	refused({"azure-ad", "token", "--lifetime", "601"}, 2, "maximum of 600 s", "600");
	refused({"azure-ad", "token", "--tenant", "common"}, 2, "AADSTS90010", "GUID or domain");
	refused({"azure-ad", "token", "--scope", "User.Read"}, 2, "/.default", "graph.microsoft.com");
	refused({"azure-ad", "token", "--authority", emu->baseUrl() + "/x/oauth2/v2.0/token"}, 2, "host only", "");
	refused({"azure-ad", "token", "--thumbprint", "84E05C1D98BCE3A5421D225B140B36E86A3D5534"}, 3, "does not match PATH_CERTIFICATE", "");
	refused({"azure-ad", "token", "--private-key", "other.pem"}, 3, "does not belong to the private key", "");
	EXPECT_EQ(emu->tokensIssued(), 0);
}

TEST_F(AzureAd, EmulatorRefusesReplayedAssertions)
{
	RunResult jwt = cli({"azure-ad", "jwt"});
	ASSERT_EQ(jwt.exitCode, 0) << jwt.err;
	HttpOptions o;
	o.caFile = emu->caFile();
	HttpClient http(o);
	FormFields form = {{"client_id", APP_ID}, {"scope", "https://graph.microsoft.com/.default"},
		{"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		{"client_assertion", trim(jwt.out)}, {"grant_type", "client_credentials"}};
	EXPECT_EQ(http.postForm(tokenUrl(), form).status, 200);
	HttpResponse again = http.postForm(tokenUrl(), form);
	EXPECT_EQ(again.status, 401);
	auto body = parseJsonObject(again.body);
	EXPECT_EQ(jsonString(*body, "error"), "invalid_client");
	EXPECT_NE(jsonString(*body, "error_description").find("used before"), std::string::npos);
	EXPECT_EQ(jsonString(*body, "error_codes"), "[]") << "not 700024: a replay is no clock problem";
	form[4].second = "authorization_code";
	EXPECT_EQ(http.postForm(tokenUrl(), form).status, 400);
}
