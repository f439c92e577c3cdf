//
// SecretFileTest.cpp: the one reader of passphrase, PIN and password files.
//
#include "TestSupport.h"
#include "jwtflow/Exception.h"
#include "jwtflow/SecureFiles.h"
#include <gtest/gtest.h>
#include <sys/stat.h>

using namespace testing_support;

namespace {

std::string refusal(const std::string& path)
{
	try
	{
		jwtflow::readSecretLine(path, "the test secret file (TEST_FILE)");
	}
	catch (const jwtflow::InputException& e)
	{
		return e.message();
	}
	return "(not refused)";
}

} // namespace

TEST(SecretFile, TheFirstLineWithoutItsLineEnd)
{
	TempDir dir;
	const std::string crlf = dir.write("crlf", "s3cret-value\r\nsecond line\n");
	::chmod(crlf.c_str(), 0600);
	EXPECT_EQ(jwtflow::readSecretLine(crlf, "x"), "s3cret-value");
	const std::string bare = dir.write("bare", "no-newline-at-end");
	::chmod(bare.c_str(), 0400);
	EXPECT_EQ(jwtflow::readSecretLine(bare, "x"), "no-newline-at-end");
}

TEST(SecretFile, RefusalsNameTheFileAndNeverTheSecret)
{
	TempDir dir;
	const std::string loose = dir.write("loose", "s3cret-value\n");
	::chmod(loose.c_str(), 0644);
	std::string message = refusal(loose);
	EXPECT_NE(message.find("refusing the test secret file (TEST_FILE)"), std::string::npos) << message;
	EXPECT_NE(message.find("chmod"), std::string::npos) << message;

	const std::string blank = dir.write("blank", "\ns3cret-value-on-line-two\n");
	::chmod(blank.c_str(), 0600);
	message = refusal(blank);
	EXPECT_NE(message.find("empty first line"), std::string::npos) << message;
	EXPECT_NE(message.find(blank), std::string::npos) << message;

	const std::string empty = dir.write("empty", "");
	::chmod(empty.c_str(), 0600);
	EXPECT_NE(refusal(empty).find("TEST_FILE"), std::string::npos);
	EXPECT_NE(refusal(dir.file("missing")).find("TEST_FILE"), std::string::npos);
	EXPECT_NE(refusal(dir.path()).find("TEST_FILE"), std::string::npos) << "a folder";
	for (const std::string& path: {loose, blank, empty})
		EXPECT_EQ(refusal(path).find("s3cret"), std::string::npos) << refusal(path);
}
