//
// KeygenTest.cpp: `jwtflow keygen` output, checked with the openssl command line.
//
#include "TestSupport.h"
#include <gtest/gtest.h>
#include <sys/stat.h>

using namespace testing_support;

TEST(Keygen, WritesWhatOpenSslAcceptsAndNeverOverwrites)
{
	TempDir dir;
	const std::string out = dir.file("keys");
	RunResult r = runJwtflow({"keygen", "--out", out, "--cn", "Integration App", "--days", "30", "--bits", "3072"});
	ASSERT_EQ(r.exitCode, 0) << r.err;
	EXPECT_NE(r.out.find("x5t:"), std::string::npos);
	EXPECT_NE(r.err.find("upload"), std::string::npos);
	struct stat st{};
	ASSERT_EQ(::stat((out + "/private_key.pem").c_str(), &st), 0);
	EXPECT_EQ(st.st_mode & 0777, 0600u);

	std::string text = openssl({"x509", "-in", out + "/certificate.pem", "-noout", "-text"});
	EXPECT_NE(text.find("CN = Integration App"), std::string::npos) << text;
	EXPECT_NE(text.find("3072 bit"), std::string::npos);
	EXPECT_EQ(readFile(out + "/certificate.der"), openssl({"x509", "-in", out + "/certificate.pem", "-outform", "DER"}));
	EXPECT_NE(openssl({"pkey", "-in", out + "/private_key.pem", "-check", "-noout"}).find("Key is valid"), std::string::npos);
	std::string modKey = openssl({"pkey", "-in", out + "/private_key.pem", "-pubout"});
	EXPECT_EQ(modKey, readFile(out + "/public_key.pem"));
	EXPECT_EQ(openssl({"x509", "-in", out + "/certificate.pem", "-noout", "-pubkey"}), modKey);
	std::string end = trim(openssl({"x509", "-in", out + "/certificate.pem", "-noout", "-checkend", std::to_string(29 * 86400)}));
	EXPECT_EQ(end, "Certificate will not expire");

	std::string before = readFile(out + "/private_key.pem");
	RunResult again = runJwtflow({"keygen", "--out", out});
	EXPECT_EQ(again.exitCode, 2);
	EXPECT_NE(again.err.find("--force"), std::string::npos);
	EXPECT_EQ(readFile(out + "/private_key.pem"), before);
	RunResult forced = runJwtflow({"keygen", "--out", out, "--force", "--curve", "P-256"});
	EXPECT_EQ(forced.exitCode, 0) << forced.err;
	EXPECT_NE(openssl({"pkey", "-in", out + "/private_key.pem", "-noout", "-text"}).find("prime256v1"), std::string::npos);

	// The generated key signs a JWT an independent library accepts.
	dir.write(".env", "CLIENT_ID=c\nSUBJECT=s@example.com\nPATH_PRIVATE_KEY=keys/private_key.pem\n");
	RunResult rsa = runJwtflow({"keygen", "--out", out, "--force"});
	ASSERT_EQ(rsa.exitCode, 0);
	RunResult jwt = runJwtflow({"salesforce", "jwt"}, dir.path());
	ASSERT_EQ(jwt.exitCode, 0) << jwt.err;
	EXPECT_EQ(trim(python("import sys, jwt\nprint(jwt.decode(sys.argv[1], open(sys.argv[2]).read(), algorithms=['RS256'], "
		"audience='https://login.salesforce.com')['sub'])", {trim(jwt.out), out + "/public_key.pem"})), "s@example.com");
}

TEST(Keygen, EncryptsWithThePassphraseAndRefusesBadOptions)
{
	TempDir dir;
	const std::string out = dir.file("enc");
	dir.write("pass.txt", "keygen passphrase 1\n");
	RunResult r = runJwtflow({"keygen", "--out", out, "--encrypt", "--passphrase-file", dir.file("pass.txt")});
	ASSERT_EQ(r.exitCode, 0) << r.err;
	EXPECT_NE(readFile(out + "/private_key.pem").find("ENCRYPTED PRIVATE KEY"), std::string::npos);
	EXPECT_NO_THROW(openssl({"pkey", "-in", out + "/private_key.pem", "-passin", "pass:keygen passphrase 1", "-noout"}));
	EXPECT_EQ(r.out.find("keygen passphrase"), std::string::npos);
	EXPECT_EQ(runJwtflow({"keygen", "--out", dir.file("x"), "--encrypt"}).exitCode, 2);
	EXPECT_EQ(runJwtflow({"keygen", "--out", dir.file("x"), "--bits", "1024"}).exitCode, 2);
	EXPECT_EQ(runJwtflow({"keygen", "--out", dir.file("x"), "--curve", "P-384"}).exitCode, 2);
	EXPECT_EQ(runJwtflow({"keygen", "--out", dir.file("x"), "--days", "0"}).exitCode, 2);
	EXPECT_EQ(runJwtflow({"keygen"}).exitCode, 2);
	dir.write("plain-file", "x");
	RunResult unwritable = runJwtflow({"keygen", "--out", dir.file("plain-file") + "/keys"});
	EXPECT_EQ(unwritable.exitCode, 3) << unwritable.err;
	EXPECT_NE(unwritable.err.find("cannot create"), std::string::npos) << unwritable.err;
}
