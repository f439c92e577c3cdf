//
// OidcTest.cpp: the oidc plugin: the client assertion as python3-jwt reads it,
// discovery (and its cache), client credentials and the JWT bearer grant
// against the emulator's strict authorization server, each refusal with its
// fix, and discovery documents that do not fit.
//
#include "ScriptedServer.h"
#include "EmulatorSupport.h"
#include "TestSupport.h"
#include "jwtflow/Assertion.h"
#include "jwtflow/HttpClient.h"
#include "jwtflow/Json.h"
#include "jwtflow/Jwt.h"
#include "jwtflow/PluginRegistry.h"
#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <gtest/gtest.h>

using namespace jwtflow;
using namespace testing_support;

namespace {

const char* const CLIENT = "0oa8f3c2b1a5d4e4f60";
const char* const KID = "jwtflow-test-key-1";

// Prints: alg typ kid | iss | sub | aud | jti length | exp-iat
const char* PY_OIDC = R"(
import sys, jwt
token, pub, alg, aud = sys.argv[1:5]
h = jwt.get_unverified_header(token)
c = jwt.decode(token, open(pub).read(), algorithms=[alg], audience=aud,
               options={"require": ["iss", "sub", "aud", "jti", "iat", "exp"]})
print(h["alg"], h["typ"], h.get("kid", "-"), "|", c["iss"], "|", c["sub"], "|", c["aud"], "|", len(c["jti"]), "|",
      c["exp"] - c["iat"])
)";

class Oidc: public ::testing::Test
{
protected:
	void SetUp() override
	{
		const TestKeys& k = sharedKeys();
		emu = startEmulator(dir, CLIENT, {"alice@example.com"}, KID);
		dir.write("private_key.pem", readFile(k.rsaPkcs8));
		writeEnv("ISSUER=" + issuer() + "\n");
	}

	void writeEnv(const std::string& extra)
	{
		dir.write(".env", std::string("CLIENT_ID=") + CLIENT + "\nKEY_ID=" + KID + "\nSCOPE=api.read api.write\n"
			"PATH_PRIVATE_KEY=private_key.pem\nCA_FILE=" + emu->caFile() + "\n" + extra);
	}

	std::string issuer() const { return emu->baseUrl() + "/oidc"; }
	std::string tokenEndpoint() const { return issuer() + "/v1/token"; }

	RunResult cli(const std::vector<std::string>& args)
	{
		return runJwtflow(args, dir.path(), {{"XDG_CACHE_HOME", dir.file("cache")}, {"TOKEN_STORE", "none"}});
	}

	std::vector<std::string> cacheFiles() const
	{
		std::vector<std::string> files;
		const std::string folder = dir.file("cache") + "/jwtflow/oidc";
		if (!Poco::File(folder).exists()) return files;
		for (Poco::DirectoryIterator it(folder), end; it != end; ++it) files.push_back(it->path());
		return files;
	}

	static void expectClean(const RunResult& r, int code, const std::string& text)
	{
		EXPECT_EQ(r.exitCode, code) << r.err;
		EXPECT_TRUE(r.out.empty()) << r.out;
		EXPECT_NE(r.err.find(text), std::string::npos) << r.err;
		EXPECT_EQ(r.err.find("Exception"), std::string::npos) << r.err;
		EXPECT_EQ(r.err.find("eyJ"), std::string::npos) << "no assertion or token in errors";
	}

	TempDir dir;
	std::unique_ptr<emulator::Emulator> emu;
};

} // namespace

TEST_F(Oidc, ClientAssertionIsWhatRfc7523AsksAsPythonJwtReadsIt)
{
	for (const char* alg: {"RS256", "PS256", "RS512"})
	{
		RunResult r = cli({"oidc", "jwt", "--alg", alg});
		ASSERT_EQ(r.exitCode, 0) << r.err;
		EXPECT_EQ(trim(python(PY_OIDC, {trim(r.out), sharedKeys().rsaPublic, alg, tokenEndpoint()})),
			std::string(alg) + " JWT " + KID + " | " + CLIENT + " | " + CLIENT + " | " + tokenEndpoint() + " | 36 | 300");
	}
	// AUDIENCE overrides aud (Keycloak also takes its issuer); the jwt-bearer grant puts SUBJECT in sub.
	RunResult r = cli({"oidc", "jwt", "--audience", issuer(), "--grant", "jwt-bearer", "--subject", "alice@example.com",
		"--lifetime", "3600"});
	ASSERT_EQ(r.exitCode, 0) << r.err;
	EXPECT_EQ(trim(python(PY_OIDC, {trim(r.out), sharedKeys().rsaPublic, "RS256", issuer()})),
		std::string("RS256 JWT ") + KID + " | " + CLIENT + " | alice@example.com | " + issuer() + " | 36 | 3600");
	// Auth0's aud is its domain URL with the trailing slash: AUDIENCE is sent exactly as written.
	RunResult auth0 = cli({"oidc", "jwt", "--audience", "https://tenant.eu.auth0.com/"});
	ASSERT_EQ(auth0.exitCode, 0) << auth0.err;
	EXPECT_EQ(trim(python(PY_OIDC, {trim(auth0.out), sharedKeys().rsaPublic, "RS256", "https://tenant.eu.auth0.com/"})),
		std::string("RS256 JWT ") + KID + " | " + CLIENT + " | " + CLIENT + " | https://tenant.eu.auth0.com/ | 36 | 300");
}

TEST_F(Oidc, DiscoveryFindsTheEndpointAndIsCachedOnDisk)
{
	RunResult token = cli({"oidc", "token", "--output", "json"});
	ASSERT_EQ(token.exitCode, 0) << token.err;
	EXPECT_NE(token.out.find("\"scope\": \"api.read api.write\""), std::string::npos) << token.out;
	ASSERT_EQ(cacheFiles().size(), 1u);
	const std::string cached = readFile(cacheFiles().front());
	EXPECT_NE(cached.find(tokenEndpoint()), std::string::npos) << cached;

	// The next run reads the cache: point its token_endpoint elsewhere and the request follows.
	std::string moved = cached;
	moved.replace(moved.find(tokenEndpoint()), tokenEndpoint().size(), issuer() + "/v1/moved");
	dir.write("cache/jwtflow/oidc/" + Poco::Path(cacheFiles().front()).getFileName(), moved);
	expectClean(cli({"oidc", "token"}), 5, "404");
	// With the disk cache off, it asks the IdP again.
	writeEnv("ISSUER=" + issuer() + "\nDISCOVERY_CACHE_SECONDS=0\n");
	RunResult fresh = cli({"oidc", "token"});
	EXPECT_EQ(fresh.exitCode, 0) << fresh.err;

	// TOKEN_ENDPOINT needs no discovery.
	writeEnv("TOKEN_ENDPOINT=" + tokenEndpoint() + "\n");
	RunResult direct = cli({"oidc", "token"});
	EXPECT_EQ(direct.exitCode, 0) << direct.err;
	EXPECT_EQ(emu->tokensIssued(), 3);
}

TEST_F(Oidc, JwtBearerGrantForAUser)
{
	writeEnv("TOKEN_ENDPOINT=" + tokenEndpoint() + "\nGRANT=jwt-bearer\n");
	RunResult ok = cli({"oidc", "token", "--subject", "alice@example.com"});
	EXPECT_EQ(ok.exitCode, 0) << ok.err;
	expectClean(cli({"oidc", "token", "--subject", "mallory@example.com"}), 4, "SUBJECT");
	expectClean(cli({"oidc", "token"}), 2, "missing setting SUBJECT");
}

TEST_F(Oidc, EachRefusalNamesItsFix)
{
	expectClean(cli({"oidc", "token", "--key-id", "some-other-key"}), 4, "KEY_ID (--key-id) must be the kid");
	expectClean(cli({"oidc", "token", "--client-id", "0oaUNKNOWN"}), 4, "private_key_jwt");
	expectClean(cli({"oidc", "token", "--private-key", sharedKeys().otherRsa}), 4, "register the public key");
	expectClean(cli({"oidc", "token", "--audience", "https://idp.example/elsewhere"}), 4, "aud claim must be the token endpoint");
	expectClean(cli({"oidc", "token", "--lifetime", "3601"}), 2, "3600");
	expectClean(cli({"oidc", "token", "--grant", "implicit"}), 2, "GRANT");
	expectClean(cli({"oidc", "token", "--issuer", "http://idp.example.com/oauth2/default"}), 2, "https");
	expectClean(cli({"oidc", "token", "--issuer", emu->baseUrl() + "/nothing"}), 5, "check ISSUER");
	writeEnv("");
	expectClean(cli({"oidc", "token"}), 2, "missing setting ISSUER or TOKEN_ENDPOINT");
	// Okta requires a scope for client credentials.
	dir.write(".env", std::string("CLIENT_ID=") + CLIENT + "\nKEY_ID=" + KID + "\nPATH_PRIVATE_KEY=private_key.pem\nCA_FILE="
		+ emu->caFile() + "\nISSUER=" + issuer() + "\n");
	expectClean(cli({"oidc", "token"}), 4, "set SCOPE");
}

TEST_F(Oidc, AReplayedAssertionIsRefused)
{
	PluginRegistry registry({JWTFLOW_PLUGIN_DIR});
	const Provider& oidc = registry.get("oidc");
	Settings settings;
	settings.addMapLayer("test", {{"CLIENT_ID", CLIENT}, {"KEY_ID", KID}, {"TOKEN_ENDPOINT", tokenEndpoint()},
		{"PATH_PRIVATE_KEY", sharedKeys().rsaPkcs8}, {"SCOPE", "api.read"}});
	AssertionMinter minter(oidc, settings);
	const std::string assertion = minter.mint().compact;
	HttpOptions options;
	options.caFile = emu->caFile();
	HttpClient http(options);
	const TokenRequest request = oidc.tokenRequest(settings, assertion);
	EXPECT_EQ(http.postForm(request.url, request.form).status, 200);
	HttpResponse again = http.postForm(request.url, request.form);
	EXPECT_EQ(again.status, 401);
	EXPECT_NE(again.body.find("already been used"), std::string::npos) << again.body;
	EXPECT_NE(oidc.errorHint({401, "invalid_client", "The client_assertion token has already been used.", 0, nullptr})
		.find("used once"), std::string::npos);
}

TEST_F(Oidc, DiscoveryDocumentsThatDoNotFitAreRefused)
{
	TestTls tls = makeTestTls(dir.path(), "127.0.0.1", true);
	std::string body;
	ScriptedServer server([&body](int, Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& resp) {
		sendBody(resp, 200, "application/json", body);
	}, tls.context);
	const std::string iss = server.baseUrl() + "/oauth2/default";
	writeEnv("ISSUER=" + iss + "\nCA_FILE=" + tls.caFile + "\nDISCOVERY_CACHE_SECONDS=0\n");

	body = "{\"issuer\":\"" + iss + "\",\"token_endpoint\":\"" + iss + "/v1/token\","
		"\"token_endpoint_auth_methods_supported\":[\"client_secret_basic\",\"client_secret_post\"]}";
	expectClean(cli({"oidc", "jwt"}), 2, "does not offer private_key_jwt");
	body = "{\"issuer\":\"https://someone-else.example\",\"token_endpoint\":\"" + iss + "/v1/token\"}";
	expectClean(cli({"oidc", "jwt"}), 2, "names issuer 'https://someone-else.example'");
	body = "{\"issuer\":\"" + iss + "\",\"token_endpoint\":\"" + iss + "/v1/token\","
		"\"token_endpoint_auth_signing_alg_values_supported\":[\"ES256\"]}";
	expectClean(cli({"oidc", "jwt"}), 2, "does not take RS256");
	body = "{\"issuer\":\"" + iss + "\"}";
	expectClean(cli({"oidc", "jwt"}), 5, "no token_endpoint");
	body = "<html>sign in</html>";
	expectClean(cli({"oidc", "jwt"}), 5, "not JSON");
	body = "{\"issuer\":\"" + iss + "\",\"token_endpoint\":\"" + iss + "/v1/token\"}";
	RunResult fits = cli({"oidc", "jwt"});
	EXPECT_EQ(fits.exitCode, 0) << fits.err;
}

namespace {

// Loads the JWK with python3-jwt, verifies the JWT with it, and recomputes the
// RFC 7638 thumbprint independently; prints "<alg> <kid matches>".
const char* PY_JWK = R"(
import sys, json, jwt, hashlib, base64
token, jwk_file = sys.argv[1:3]
jwk = json.load(open(jwk_file))
assert "alg" not in jwk, "keygen pins no alg unless asked"
alg = jwt.get_unverified_header(token)["alg"]
key = jwt.PyJWK(jwk, alg)
claims = jwt.decode(token, key.key, algorithms=[alg], options={"verify_aud": False})
required = {"RSA": ["e", "kty", "n"], "EC": ["crv", "kty", "x", "y"]}[jwk["kty"]]
canonical = json.dumps({k: jwk[k] for k in required}, separators=(",", ":"), sort_keys=True)
thumb = base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()
print(alg, thumb == jwk["kid"] == jwt.get_unverified_header(token)["kid"])
)";

} // namespace

TEST_F(Oidc, KeygenWritesTheJwkToRegisterAndItsThumbprintIsTheKid)
{
	for (const std::string curve: {"", "P-256"})
	{
		const std::string out = dir.file(curve.empty() ? "rsa" : "ec");
		std::vector<std::string> args = {"keygen", "--out", out};
		if (!curve.empty()) args.insert(args.end(), {"--curve", curve});
		RunResult keygen = cli(args);
		ASSERT_EQ(keygen.exitCode, 0) << keygen.err;
		const std::string marker = "JWK kid:      ";
		const auto at = keygen.out.find(marker);
		ASSERT_NE(at, std::string::npos) << keygen.out;
		const std::string kid = keygen.out.substr(at + marker.size(), 43);
		const std::string alg = curve.empty() ? "RS256" : "ES256";
		RunResult mint = cli({"oidc", "jwt", "--token-endpoint", tokenEndpoint(), "--private-key", out + "/private_key.pem",
			"--key-id", kid, "--alg", alg});
		ASSERT_EQ(mint.exitCode, 0) << mint.err;
		EXPECT_EQ(trim(python(PY_JWK, {trim(mint.out), out + "/public_key.jwk"})), alg + " True");
	}
	// End to end: an OIDC client registered with that key and kid gets a token.
	emulator::EmulatorOptions options;
	RunResult keygen = cli({"keygen", "--out", dir.file("e2e")});
	const std::string kid = keygen.out.substr(keygen.out.find("JWK kid:      ") + 14, 43);
	options.apps.push_back({"0oaFROMKEYGEN", Certificate::fromFile(dir.file("e2e/certificate.pem")), kid});
	options.workDir = dir.file("emulator2");
	emulator::Emulator second(options);
	second.start();
	RunResult token = runJwtflow({"oidc", "token", "--token-endpoint", second.baseUrl() + "/oidc/v1/token", "--client-id",
		"0oaFROMKEYGEN", "--key-id", kid, "--scope", "api.read", "--private-key", dir.file("e2e/private_key.pem"),
		"--ca-file", second.caFile()}, dir.path());
	EXPECT_EQ(token.exitCode, 0) << token.err;
}

TEST_F(Oidc, AnOptionValueThatStartsWithADashIsAValueNotAFlag)
{
	// A kid is base64url: it may start with '-' and hold an 'h' (once taken for -h, printing help instead of a JWT).
	for (const std::string kid: {"-h", "-Xh3q", "-qv"})
	{
		RunResult r = cli({"oidc", "jwt", "--token-endpoint", tokenEndpoint(), "--key-id", kid});
		ASSERT_EQ(r.exitCode, 0) << kid << ": " << r.err;
		EXPECT_EQ(jwtflow::jsonString(*jwtflow::decodeJwt(trim(r.out)).header, "kid"), kid);
	}
}

TEST_F(Oidc, AnEcKeySignsEs256WithoutBeingToldAndAWrongAlgSaysWhatTheProviderTakes)
{
	dir.write("ec.pem", readFile(sharedKeys().ecPkcs8));
	RunResult r = runJwtflow({"oidc", "jwt", "--private-key", "ec.pem"}, dir.path(), {{"TOKEN_STORE", "none"}});
	ASSERT_EQ(r.exitCode, 0) << r.err;
	// python3-jwt verifies it with the EC public key, as ES256.
	const std::string alg = python(R"(
import jwt, sys
token = sys.argv[1]
jwt.decode(token, open(sys.argv[2]).read(), algorithms=["ES256"], audience=sys.argv[3])
print(jwt.get_unverified_header(token)["alg"])
)", {trim(r.out), sharedKeys().ecPublic, tokenEndpoint()});
	EXPECT_EQ(trim(alg), "ES256");
	RunResult wrong = runJwtflow({"oidc", "jwt", "--private-key", "ec.pem", "--alg", "RS256"}, dir.path(), {{"TOKEN_STORE", "none"}});
	EXPECT_EQ(wrong.exitCode, 3);
	EXPECT_NE(wrong.err.find("oidc takes RS256, RS384, RS512, PS256, PS384, PS512, ES256"), std::string::npos) << wrong.err;
}

TEST_F(Oidc, DoctorAsksForOneTokenAndInvalidClientNamesTheUsualCausesInOrder)
{
	const int before = emu->tokensIssued();
	RunResult doctor = cli({"oidc", "doctor"});
	EXPECT_EQ(doctor.exitCode, 0) << doctor.out << doctor.err;
	EXPECT_EQ(emu->tokensIssued() - before, 1) << "one token request, not two";
	EXPECT_NE(doctor.out.find("reach token endpoint"), std::string::npos) << doctor.out;
	EXPECT_NE(doctor.out.find("clock"), std::string::npos) << doctor.out;
	RunResult refused = cli({"oidc", "token", "--client-id", "0oaUNKNOWN"});
	EXPECT_EQ(refused.exitCode, 4);
	const auto kid = refused.err.find("(1) KEY_ID (--key-id) is not the kid"), alg = refused.err.find("(2) the registered JWK carries an alg"),
		aud = refused.err.find("(3) the aud"), clock = refused.err.find("(4) this machine's clock");
	ASSERT_NE(kid, std::string::npos) << refused.err;
	EXPECT_LT(kid, alg);
	EXPECT_LT(alg, aud);
	EXPECT_LT(aud, clock);
}
