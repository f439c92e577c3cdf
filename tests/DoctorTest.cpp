//
// DoctorTest.cpp: `jwtflow <provider> doctor` against the emulator.
//
#include "EmulatorSupport.h"
#include "TestSupport.h"
#include "jwtflow/KeyFactory.h"
#include <gtest/gtest.h>
#include <sys/stat.h>

using namespace jwtflow;
using namespace testing_support;

namespace {

class Doctor: public ::testing::Test
{
protected:
	void SetUp() override
	{
		const TestKeys& k = sharedKeys();
		emu = startEmulator(dir, "3MVG9doctor", {"doc@example.com"});
		dir.write("private_key.pem", readFile(k.rsaPkcs8));
		::chmod(dir.file("private_key.pem").c_str(), 0600);
		dir.write("certificate.pem", readFile(k.rsaCert));
		base = "CLIENT_ID=3MVG9doctor\nPATH_PRIVATE_KEY=private_key.pem\nPATH_CERTIFICATE=certificate.pem\n"
			"LOGIN_URL=" + emu->baseUrl() + "\nCA_FILE=" + emu->caFile() + "\n";
		dir.write(".env", base + "SUBJECT=doc@example.com\n");
	}

	RunResult doctor() { return runJwtflow({"salesforce", "doctor"}, dir.path()); }

	TempDir dir;
	std::string base;
	std::unique_ptr<emulator::Emulator> emu;
};

} // namespace

TEST_F(Doctor, AllGreenExitsZero)
{
	RunResult r = doctor();
	EXPECT_EQ(r.exitCode, 0) << r.out << r.err;
	EXPECT_EQ(r.out.find("fail"), std::string::npos) << r.out;
	EXPECT_NE(r.out.find("certificate validity: " + dir.file("certificate.pem") + " expires in 1 days"), std::string::npos)
		<< "the test certificate lives 2 days: a warning, naming the file by its absolute path (the .env's folder): " << r.out;
	for (const char* line: {"ok    private key:", "ok    certificate matches key:", "ok    clock:",
		"ok    token request: an access token was issued"})
		EXPECT_NE(r.out.find(line), std::string::npos) << line << "\n" << r.out;
}

TEST_F(Doctor, RefusalIsMappedToItsFix)
{
	dir.write(".env", base + "SUBJECT=stranger@example.com\n");
	RunResult r = doctor();
	EXPECT_EQ(r.exitCode, 4) << r.out;
	EXPECT_NE(r.out.find("fail  token request: invalid_grant: user hasn't approved this consumer; fix:"), std::string::npos) << r.out;
	EXPECT_NE(r.out.find("pre-authorized"), std::string::npos);
}

TEST_F(Doctor, LocalProblemsAreReportedOneLineEach)
{
	dir.write("certificate.pem", readFile(sharedKeys().otherRsaCert));
	dir.write(".env", "PATH_PRIVATE_KEY=private_key.pem\nPATH_CERTIFICATE=certificate.pem\nAUDIENCE=https://acme.my.salesforce.com\n");
	RunResult r = doctor();
	EXPECT_EQ(r.exitCode, 2) << r.out;
	EXPECT_NE(r.out.find("fail  setting CLIENT_ID: missing"), std::string::npos) << r.out;
	EXPECT_NE(r.out.find("fail  setting SUBJECT: missing"), std::string::npos) << r.out;
	EXPECT_NE(r.out.find("ok    key file permissions:"), std::string::npos) << r.out;
	EXPECT_NE(r.out.find("fail  certificate matches key:"), std::string::npos) << r.out;
	EXPECT_NE(r.out.find("warn  audience: AUDIENCE https://acme.my.salesforce.com is an org (My Domain) URL"), std::string::npos) << r.out;
	EXPECT_EQ(r.out.find("-----BEGIN"), std::string::npos);
}

TEST_F(Doctor, AKeyFileOthersCanReadIsRefusedWithTheChmodThatFixesIt)
{
	::chmod(dir.file("private_key.pem").c_str(), 0644);
	RunResult r = doctor();
	EXPECT_NE(r.exitCode, 0) << r.out;
	EXPECT_NE(r.out.find("fail  private key: refusing private key"), std::string::npos) << r.out;
	EXPECT_NE(r.out.find("chmod 600"), std::string::npos) << r.out;
	EXPECT_EQ(r.out.find("-----BEGIN"), std::string::npos);
}

TEST_F(Doctor, ExpiredCertificateFails)
{
	PrivateKey key = PrivateKey::fromFile(sharedKeys().rsaPkcs8);
	CertificateRequest req;
	req.days = -2;
	req.startOffsetSeconds = -10 * 86400;
	dir.write("certificate.pem", KeyFactory::issue(key, req).toPem());
	RunResult r = doctor();
	EXPECT_NE(r.exitCode, 0);
	EXPECT_NE(r.out.find("fail  certificate validity:"), std::string::npos) << r.out;
	EXPECT_NE(r.out.find("expired"), std::string::npos) << r.out;
}

TEST(DoctorClock, SkewedIdpClockFailsTheClockCheck)
{
	const TestKeys& k = sharedKeys();
	TempDir dir;
	auto emu = startEmulator(dir, "3MVG9doctor", {"doc@example.com"}, "",
		[](emulator::EmulatorOptions& o) { o.clockOffsetSeconds = 600; });
	dir.write("private_key.pem", readFile(k.rsaPkcs8));
	::chmod(dir.file("private_key.pem").c_str(), 0600);
	dir.write(".env", "CLIENT_ID=3MVG9doctor\nSUBJECT=doc@example.com\nPATH_PRIVATE_KEY=private_key.pem\nLOGIN_URL=" + emu->baseUrl()
		+ "\nCA_FILE=" + emu->caFile() + "\n");
	RunResult r = runJwtflow({"salesforce", "doctor"}, dir.path());
	EXPECT_EQ(r.exitCode, 3) << r.out;
	EXPECT_NE(r.out.find("fail  clock: this machine's clock is "), std::string::npos) << r.out;
	EXPECT_NE(r.out.find(" s behind the IdP's: JWTs will be refused; synchronise the clock"), std::string::npos) << r.out;
	EXPECT_NE(r.out.find("fail  token request: invalid_grant: expired authorization code"), std::string::npos) << r.out;
}

TEST_F(Doctor, WrongAudienceFailsTheTokenRequestWithItsFix)
{
	dir.write(".env", base + "SUBJECT=doc@example.com\nLOGIN_URL=" + emu->baseUrl() + "\nAUDIENCE=https://wrong.example.com\n");
	RunResult r = doctor();
	EXPECT_EQ(r.exitCode, 4) << r.out;
	EXPECT_NE(r.out.find("fail  token request: invalid_grant: audience is invalid; fix: AUDIENCE must be"), std::string::npos) << r.out;
}
