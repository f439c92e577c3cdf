//
// Pkcs11Test.cpp: keys that never leave a token (issue 17), with Debian's
// softhsm2 in a temporary token folder and OpenSSL's pkcs11 engine: RS256 and
// ES256 signed in the token for salesforce, azure-ad and oidc, each JWT
// checked by python3-jwt against the public key pkcs11-tool reads out of the
// token, tokens from the emulator, the login cache with such keys, and the
// errors (wrong PIN, no such key, no module) without the PIN in them.
//
#include "EmulatorSupport.h"
#include "TestSupport.h"
#include "jwtflow/KeyFactory.h"
#include "jwtflow/Keys.h"
#include <algorithm>
#include <gtest/gtest.h>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

using namespace testing_support;

namespace {

const char* const MODULE = "/usr/lib/softhsm/libsofthsm2.so";
const char* const PIN = "271828";
const char* const RSA_URI = "pkcs11:token=jwtflow-test;object=rsa-signer;type=private";
const char* const EC_URI = "pkcs11:token=jwtflow-test;object=ec-signer;type=private";
const char* const CLIENT_ID = "3MVG9hsm.consumer.key";
const char* const USER = "hsm.user@example.com";

const char* const PY_VERIFY = R"(
import jwt, sys
token, public_der, alg, aud = sys.argv[1:5]
from cryptography.hazmat.primitives.serialization import load_der_public_key
key = load_der_public_key(open(public_der, "rb").read())
claims = jwt.decode(token, key, algorithms=[alg], audience=aud, options={"verify_aud": aud != "-"})
print(jwt.get_unverified_header(token)["alg"], claims["iss"])
)";

/// One SoftHSM token for the whole run: the module reads SOFTHSM2_CONF once per process (C_Initialize).
struct SoftToken
{
	TempDir dir;
	std::string conf, rsaCert, ecCert;

	static void hsm(const std::string& conf, const std::vector<std::string>& argv)
	{
		RunResult r = run(argv, "", {{"SOFTHSM2_CONF", conf}});
		if (r.exitCode != 0) throw std::runtime_error(argv[0] + ": " + r.err + r.out);
	}

	SoftToken()
	{
		::mkdir(dir.file("tokens").c_str(), 0700);
		conf = dir.write("softhsm2.conf", "directories.tokendir = " + dir.file("tokens") + "\nobjectstore.backend = file\nlog.level = ERROR\n");
		hsm(conf, {"/usr/bin/softhsm2-util", "--init-token", "--free", "--label", "jwtflow-test", "--pin", PIN, "--so-pin", "314159"});
		hsm(conf, {"/usr/bin/pkcs11-tool", "--module", MODULE, "--token-label", "jwtflow-test", "--login", "--pin", PIN, "--keypairgen",
			"--key-type", "rsa:2048", "--label", "rsa-signer", "--id", "01"});
		hsm(conf, {"/usr/bin/pkcs11-tool", "--module", MODULE, "--token-label", "jwtflow-test", "--login", "--pin", PIN, "--keypairgen",
			"--key-type", "EC:prime256v1", "--label", "ec-signer", "--id", "02"});
		// The public keys as the token gives them out (DER SubjectPublicKeyInfo): what every JWT is checked against.
		for (const char* label: {"rsa-signer", "ec-signer"})
			hsm(conf, {"/usr/bin/pkcs11-tool", "--module", MODULE, "--token-label", "jwtflow-test", "--read-object", "--type", "pubkey",
				"--label", label, "-o", dir.file(std::string(label) + ".pub.der")});
		::setenv("SOFTHSM2_CONF", conf.c_str(), 1);
		// Certificates for the token's keys, signed in the token (self-signed), to register at the emulator.
		rsaCert = dir.write("rsa-cert.pem", jwtflow::KeyFactory::issue(jwtflow::PrivateKey::fromPkcs11(RSA_URI, MODULE, std::string(PIN)),
			jwtflow::CertificateRequest{}).toPem());
		ecCert = dir.write("ec-cert.pem", jwtflow::KeyFactory::issue(jwtflow::PrivateKey::fromPkcs11(EC_URI, MODULE, std::string(PIN)),
			jwtflow::CertificateRequest{}).toPem());
	}
};

const SoftToken& softToken()
{
	static SoftToken token;
	return token;
}

class Pkcs11: public ::testing::Test
{
protected:
	void SetUp() override
	{
		if (::access("/usr/bin/softhsm2-util", X_OK) != 0 || ::access(MODULE, R_OK) != 0)
			GTEST_FAIL() << "softhsm2 is not installed (scripts/deps.sh installs softhsm2, libengine-pkcs11-openssl and opensc)";
		conf = softToken().conf;
		rsaCert = softToken().rsaCert;
		ecCert = softToken().ecCert;
		::mkdir(dir.file("cache").c_str(), 0700);
	}


	RunResult cli(std::vector<std::string> args, std::map<std::string, std::string> env = {})
	{
		env["SOFTHSM2_CONF"] = conf;
		env["PKCS11_MODULE"] = MODULE;
		if (!env.count("PKCS11_PIN")) env["PKCS11_PIN"] = PIN;
		if (env["PKCS11_PIN"].empty()) env.erase("PKCS11_PIN");
		env["XDG_CACHE_HOME"] = dir.file("cache");
		return runJwtflow(args, dir.path(), env);
	}

	std::string verified(const std::string& jwt, const std::string& label, const std::string& alg, const std::string& aud)
	{
		return trim(python(PY_VERIFY, {trim(jwt), softToken().dir.file(label + ".pub.der"), alg, aud}));
	}

	TempDir dir;
	std::string conf, rsaCert, ecCert;
};

} // namespace

TEST_F(Pkcs11, TheTokenSignsForThreeProvidersAndTheEmulatorIssuesTokens)
{
	auto emu = startEmulator(dir, CLIENT_ID, {USER}, "hsm-ec-key", [&](jwtflow::emulator::EmulatorOptions& o) {
		o.apps.front().certificate = jwtflow::Certificate::fromFile(rsaCert);
		o.apps.emplace_back("hsm-oidc-client", jwtflow::Certificate::fromFile(ecCert), "hsm-ec-key");
	});
	const std::string tenant = jwtflow::emulator::EmulatorOptions().tenant;
	const std::map<std::string, std::string> salesforce = {{"CLIENT_ID", CLIENT_ID}, {"SUBJECT", USER}, {"LOGIN_URL", emu->baseUrl()},
		{"CA_FILE", emu->caFile()}, {"PATH_PRIVATE_KEY", RSA_URI}};
	RunResult sfJwt = cli({"salesforce", "jwt"}, salesforce);
	ASSERT_EQ(sfJwt.exitCode, 0) << sfJwt.err;
	EXPECT_EQ(verified(sfJwt.out, "rsa-signer", "RS256", "https://login.salesforce.com"), std::string("RS256 ") + CLIENT_ID);
	RunResult sfToken = cli({"salesforce", "token"}, salesforce);
	EXPECT_EQ(sfToken.exitCode, 0) << sfToken.err;
	EXPECT_EQ(cli({"salesforce", "token"}, salesforce).out, sfToken.out) << "cached, sealed with a key derived in the token";
	EXPECT_EQ(emu->loginsFor(USER), 1);

	const std::map<std::string, std::string> azure = {{"CLIENT_ID", CLIENT_ID}, {"TENANT_ID", tenant}, {"AUTHORITY", emu->baseUrl()},
		{"CA_FILE", emu->caFile()}, {"PATH_PRIVATE_KEY", RSA_URI}, {"PATH_CERTIFICATE", rsaCert}};
	for (const char* alg: {"RS256", "PS256"})
	{
		RunResult jwt = cli({"azure-ad", "jwt", "--alg", alg}, azure);
		ASSERT_EQ(jwt.exitCode, 0) << jwt.err;
		EXPECT_EQ(verified(jwt.out, "rsa-signer", alg, emu->baseUrl() + "/" + tenant + "/oauth2/v2.0/token"), std::string(alg) + " " + CLIENT_ID);
	}
	RunResult azureToken = cli({"azure-ad", "token", "--no-cache"}, azure);
	EXPECT_EQ(azureToken.exitCode, 0) << azureToken.err;

	const std::map<std::string, std::string> oidc = {{"CLIENT_ID", "hsm-oidc-client"}, {"ISSUER", emu->baseUrl() + "/oidc"},
		{"KEY_ID", "hsm-ec-key"}, {"SCOPE", "api.read"}, {"CA_FILE", emu->caFile()}, {"PATH_PRIVATE_KEY", EC_URI}};
	RunResult oidcJwt = cli({"oidc", "jwt"}, oidc);
	ASSERT_EQ(oidcJwt.exitCode, 0) << oidcJwt.err;
	EXPECT_EQ(verified(oidcJwt.out, "ec-signer", "ES256", "-"), "ES256 hsm-oidc-client") << "an EC key in the token signs ES256";
	RunResult oidcToken = cli({"oidc", "token"}, oidc);
	EXPECT_EQ(oidcToken.exitCode, 0) << oidcToken.err;
	EXPECT_EQ(cli({"oidc", "token"}, oidc).out, oidcToken.out) << "cached: an EC key's sealing key is a 0600 file of the user's";
	// jwtflow jwk reads the key's public half out of the token: the same thumbprint as its certificate's.
	for (const auto& pair: {std::make_pair(std::string(RSA_URI), rsaCert), std::make_pair(std::string(EC_URI), ecCert)})
	{
		RunResult fromToken = cli({"jwk", "--private-key", pair.first, "--thumbprint"});
		ASSERT_EQ(fromToken.exitCode, 0) << fromToken.err;
		EXPECT_EQ(fromToken.out, cli({"jwk", "--certificate", pair.second, "--thumbprint"}).out);
	}
	struct stat st{};
	ASSERT_EQ(::stat(dir.file("cache/jwtflow/sealing-keys").c_str(), &st), 0);
	EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(Pkcs11, AWrongPinNoSuchKeyAndNoModuleAreClearErrorsWithoutThePin)
{
	const std::map<std::string, std::string> base = {{"CLIENT_ID", CLIENT_ID}, {"SUBJECT", USER}};
	auto with = [&](std::map<std::string, std::string> more) {
		for (const auto& b: base) more.insert(b);
		return more;
	};
	RunResult wrongPin = cli({"salesforce", "jwt"}, with({{"PATH_PRIVATE_KEY", RSA_URI}, {"PKCS11_PIN", "999999"}}));
	EXPECT_EQ(wrongPin.exitCode, 3);
	EXPECT_NE(wrongPin.err.find("refused the PIN"), std::string::npos) << wrongPin.err;
	EXPECT_EQ(wrongPin.err.find("999999"), std::string::npos) << "never the PIN";
	EXPECT_EQ(std::count(wrongPin.err.begin(), wrongPin.err.end(), '\n'), 1) << "one line, nothing from the engine: " << wrongPin.err;
	RunResult noKey = cli({"salesforce", "jwt"}, with({{"PATH_PRIVATE_KEY", "pkcs11:token=jwtflow-test;object=missing;type=private"}}));
	EXPECT_EQ(noKey.exitCode, 3);
	EXPECT_NE(noKey.err.find("no private key"), std::string::npos) << noKey.err;
	RunResult noModule = cli({"salesforce", "jwt", "--pkcs11-module", dir.file("nothing.so")}, with({{"PATH_PRIVATE_KEY", RSA_URI}}));
	EXPECT_EQ(noModule.exitCode, 3);
	EXPECT_NE(noModule.err.find("PKCS11_MODULE"), std::string::npos) << noModule.err;
	RunResult pinInUri = cli({"salesforce", "jwt"}, with({{"PATH_PRIVATE_KEY", std::string(RSA_URI) + ";pin-value=271828"}}));
	EXPECT_EQ(pinInUri.exitCode, 2);
	EXPECT_EQ(pinInUri.err.find(PIN), std::string::npos) << pinInUri.err;
	// A PIN file others can read is refused before it is used.
	const std::string pinFile = dir.write("pin.txt", std::string(PIN) + "\n");
	::chmod(pinFile.c_str(), 0644);
	RunResult loose = cli({"salesforce", "jwt", "--pin-file", pinFile}, with({{"PATH_PRIVATE_KEY", RSA_URI}, {"PKCS11_PIN", ""}}));
	EXPECT_EQ(loose.exitCode, 3) << loose.err;
	EXPECT_NE(loose.err.find("PIN file"), std::string::npos) << loose.err;
	::chmod(pinFile.c_str(), 0600);
	RunResult fromFile = runJwtflow({"salesforce", "jwt", "--pin-file", pinFile}, dir.path(), {{"SOFTHSM2_CONF", conf},
		{"PKCS11_MODULE", MODULE}, {"CLIENT_ID", CLIENT_ID}, {"SUBJECT", USER}, {"PATH_PRIVATE_KEY", RSA_URI}});
	EXPECT_EQ(fromFile.exitCode, 0) << fromFile.err;
}

TEST_F(Pkcs11, WithoutAPinNothingIsReadFromStandardInputNorTriedAtTheToken)
{
	// The right PIN waiting on standard input (a pipe, not a terminal): OpenSSL's default UI read it,
	// tried it at the token and wrote "Enter PKCS#11 token PIN" on stderr. Now nothing is read.
	RunResult r = runJwtflow({"salesforce", "jwt"}, dir.path(), {{"SOFTHSM2_CONF", conf}, {"PKCS11_MODULE", MODULE},
		{"CLIENT_ID", CLIENT_ID}, {"SUBJECT", USER}, {"PATH_PRIVATE_KEY", RSA_URI}}, std::string(PIN) + "\n");
	EXPECT_EQ(r.exitCode, 3) << r.out << r.err;
	EXPECT_TRUE(r.out.empty()) << "no JWT signed with a PIN read from standard input";
	EXPECT_NE(r.err.find("needs its PIN: give it in PKCS11_PIN_FILE (--pin-file) or PKCS11_PIN"), std::string::npos) << r.err;
	EXPECT_EQ(r.err.find("Enter PKCS#11"), std::string::npos) << r.err;
	EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
	// No wrong try was counted: the right PIN still works (SoftHSM locks after a few).
	EXPECT_EQ(cli({"salesforce", "jwt"}, {{"CLIENT_ID", CLIENT_ID}, {"SUBJECT", USER}, {"PATH_PRIVATE_KEY", RSA_URI}}).exitCode, 0);
}

TEST_F(Pkcs11, AtATerminalJwtflowAsksForThePinItselfWithEchoOff)
{
	RunResult r = runAtTerminal({jwtflowBinary(), "salesforce", "jwt"}, dir.path(), {{"SOFTHSM2_CONF", conf}, {"PKCS11_MODULE", MODULE},
		{"CLIENT_ID", CLIENT_ID}, {"SUBJECT", USER}, {"PATH_PRIVATE_KEY", RSA_URI}}, "Enter the PIN of the PKCS#11 token: ", PIN);
	EXPECT_EQ(r.exitCode, 0) << r.out;
	EXPECT_NE(r.out.find("eyJ"), std::string::npos) << r.out;
	EXPECT_EQ(r.out.find(PIN), std::string::npos) << "echo was off: " << r.out;
	EXPECT_EQ(r.out.find("Enter PKCS#11 token PIN"), std::string::npos) << "not libp11's own prompt: " << r.out;
}

TEST_F(Pkcs11, OnePinReadAndOneLoginAtTheTokenPerRun)
{
	auto emu = startEmulator(dir, CLIENT_ID, {USER}, "", [&](jwtflow::emulator::EmulatorOptions& o) {
		o.apps.front().certificate = jwtflow::Certificate::fromFile(rsaCert);
	});
	const std::string pinFile = dir.write("pin.txt", std::string(PIN) + "\n");
	OpenCounter counter({pinFile});
	// A token that misses the cache: the cache lookup, the minter and the sealer share one key, one PIN login.
	RunResult r = cli({"salesforce", "token", "--pin-file", pinFile}, {{"CLIENT_ID", CLIENT_ID}, {"SUBJECT", USER},
		{"LOGIN_URL", emu->baseUrl()}, {"CA_FILE", emu->caFile()}, {"PATH_PRIVATE_KEY", RSA_URI}, {"PKCS11_PIN", ""}});
	ASSERT_EQ(r.exitCode, 0) << r.err;
	EXPECT_EQ(counter.opens(pinFile), 1);
	EXPECT_EQ(emu->loginsFor(USER), 1);
}

TEST_F(Pkcs11, KeygenMakesTheKeyPairInsideTheTokenAndWritesOnlyPublicFiles)
{
	const std::string uri = "pkcs11:token=jwtflow-test;object=keygen-made";
	RunResult keygen = cli({"keygen", "--out", dir.file("made"), "--pkcs11", uri});
	ASSERT_EQ(keygen.exitCode, 0) << keygen.err;
	EXPECT_NE(keygen.out.find("in the token"), std::string::npos) << keygen.out;
	EXPECT_EQ(::access(dir.file("made/private_key.pem").c_str(), F_OK), -1) << "no private key file";
	// The token holds it, made there, sensitive and never extractable (as pkcs11-tool reads its attributes).
	RunResult objects = run({"/usr/bin/pkcs11-tool", "--module", MODULE, "--token-label", "jwtflow-test", "--login", "--pin", PIN,
		"--list-objects", "--type", "privkey"}, "", {{"SOFTHSM2_CONF", conf}});
	const auto at = objects.out.find("label:      keygen-made");
	ASSERT_NE(at, std::string::npos) << objects.out;
	const std::string entry = objects.out.substr(at, 300);
	EXPECT_NE(entry.find("sensitive, always sensitive, never extractable, local"), std::string::npos) << entry;
	// The certificate is signed by the key in the token: openssl checks it against itself.
	EXPECT_NE(openssl({"verify", "-CAfile", dir.file("made/certificate.pem"), dir.file("made/certificate.pem")}).find("OK"), std::string::npos);
	// And the key signs: python3-jwt verifies with the public key keygen wrote.
	RunResult jwt = cli({"salesforce", "jwt"}, {{"CLIENT_ID", CLIENT_ID}, {"SUBJECT", USER}, {"PATH_PRIVATE_KEY", uri}});
	ASSERT_EQ(jwt.exitCode, 0) << jwt.err;
	openssl({"pkey", "-pubin", "-in", dir.file("made/public_key.pem"), "-outform", "DER", "-out", dir.file("made.pub.der")});
	EXPECT_EQ(trim(python(PY_VERIFY, {trim(jwt.out), dir.file("made.pub.der"), "RS256", "https://login.salesforce.com"})),
		std::string("RS256 ") + CLIENT_ID);
	RunResult noPin = cli({"keygen", "--out", dir.file("nopin"), "--pkcs11", uri + "-2"}, {{"PKCS11_PIN", ""}});
	EXPECT_EQ(noPin.exitCode, 2) << noPin.err;
	EXPECT_NE(noPin.err.find("PIN"), std::string::npos) << noPin.err;
}
