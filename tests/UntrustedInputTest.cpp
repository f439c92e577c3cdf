//
// UntrustedInputTest.cpp: tokens, URLs and text from outside (issue 19: 7, 8,
// 9, 10, 13, padded and high-s signatures, small RSA keys; issue 14's .env
// fixes).
//
#include "TestSupport.h"
#include "jwtflow/Assertion.h"
#include "jwtflow/DotEnv.h"
#include "jwtflow/Encoding.h"
#include "jwtflow/Exception.h"
#include "jwtflow/Json.h"
#include "jwtflow/Jwt.h"
#include "jwtflow/KeyFactory.h"
#include "jwtflow/Network.h"
#include "jwtflow/SafeText.h"
#include "jwtflow/Suggest.h"
#include <Poco/JSON/Array.h>
#include <gtest/gtest.h>
#include <set>
#include <sstream>

using namespace jwtflow;
using namespace testing_support;

namespace {

/// A token signed by key with these claims (raw JSON, so that any value can be planted).
std::string signedWith(const PrivateKey& key, const std::string& alg, const std::string& claimsJson, const std::string& headerExtra = "")
{
	std::string input = base64UrlEncode("{\"alg\":\"" + alg + "\"" + headerExtra + "}") + "." + base64UrlEncode(claimsJson);
	return input + "." + base64UrlEncode(key.sign(Algorithm::fromName(alg), input));
}

std::string verifyError(const std::string& token, const PublicKey& key, VerifyOptions o = {})
{
	if (o.algorithms.empty()) o.algorithms = {"RS256", "ES256"};
	try
	{
		verifyJwt(token, key, o);
	}
	catch (const jwtflow::Exception& e)
	{
		return e.message();
	}
	return "(accepted)";
}

const PrivateKey& rsaKey()
{
	static PrivateKey key = PrivateKey::fromFile(sharedKeys().rsaPkcs8);
	return key;
}

} // namespace

TEST(SafeText, EscapesEveryControlAndReorderingCharacterAndCuts)
{
	EXPECT_EQ(safeText("plain text, ünïcode ✓"), "plain text, ünïcode ✓");
	EXPECT_EQ(safeText("a\x1b[2Kb"), "a\\x1b[2Kb");
	EXPECT_EQ(safeText("line\r\nvalid: signature"), "line\\x0d\\x0avalid: signature");
	EXPECT_EQ(safeText("bell\x07\x7f"), "bell\\x07\\x7f");
	EXPECT_EQ(safeText("c1 \xc2\x9b"), "c1 \\u009b");
	EXPECT_EQ(safeText("rtl \xe2\x80\xae" "evil"), "rtl \\u202eevil");
	EXPECT_EQ(safeText("bad \xff\xfe utf8"), "bad \\xff\\xfe utf8");
	EXPECT_EQ(safeText("back\\slash"), "back\\\\slash");
	const std::string cut = safeText(std::string(1000, 'a'), 50);
	EXPECT_LT(cut.size(), 80u);
	EXPECT_NE(cut.find("(1000 bytes)"), std::string::npos);
	EXPECT_EQ(quotedText("x\ny"), "'x\\x0ay'");
}

TEST(UntrustedJwt, FarFutureAndNegativeNumericDatesAreRefusedWithoutOverflow)
{
	const PublicKey pub = rsaKey().publicKey();
	const Poco::Int64 now = Poco::Timestamp().epochTime();
	const std::string iat = std::to_string(now);
	for (const std::string value: {"1e19", "1e300", "9223372036854775807", "18446744073709551615", "253402300800", "-1", "-1e300"})
	{
		for (const std::string claim: {"nbf", "iat", "exp"})
		{
			std::string json = "{\"iss\":\"i\",\"" + claim + "\":" + value;
			if (claim != "exp") json += ",\"exp\":" + std::to_string(now + 60);
			json += "}";
			const std::string error = verifyError(signedWith(rsaKey(), "RS256", json), pub);
			EXPECT_NE(error.find("outside the dates jwtflow accepts"), std::string::npos) << claim << "=" << value << ": " << error;
		}
	}
	// The end of year 9999 itself is fine as an exp.
	EXPECT_EQ(verifyError(signedWith(rsaKey(), "RS256", "{\"exp\":253402300799}"), pub), "(accepted)");
}

TEST(UntrustedJwt, IssuerAndSubjectMatchStringsOnly)
{
	const PublicKey pub = rsaKey().publicKey();
	const std::string exp = std::to_string(Poco::Timestamp().epochTime() + 60);
	for (const std::string value: {"1", "true", "[\"me\"]", "{\"a\":1}", "null"})
	{
		VerifyOptions o;
		o.issuer = value == "[\"me\"]" ? "me" : value;
		const std::string error = verifyError(signedWith(rsaKey(), "RS256", "{\"iss\":" + value + ",\"exp\":" + exp + "}"), pub, o);
		EXPECT_NE(error, "(accepted)") << "iss " << value << " must not match '" << *o.issuer << "'";
		VerifyOptions s;
		s.subject = o.issuer;
		EXPECT_NE(verifyError(signedWith(rsaKey(), "RS256", "{\"sub\":" + value + ",\"exp\":" + exp + "}"), pub, s), "(accepted)");
	}
	VerifyOptions o;
	o.issuer = "1";
	EXPECT_EQ(verifyError(signedWith(rsaKey(), "RS256", "{\"iss\":\"1\",\"exp\":" + exp + "}"), pub, o), "(accepted)");
}

TEST(UntrustedJwt, HugeTokensAndMemberCountsAreRefusedBeforeAnyWork)
{
	// 1.4 MB of claims took 34-53 s in POCO's order-keeping objects; now refused at once by size.
	std::string claims = "{";
	for (int i = 0; i < 100000; ++i) claims += "\"c" + std::to_string(i) + "\":1,";
	claims += "\"x\":1}";
	const std::string huge = base64UrlEncode("{\"alg\":\"RS256\"}") + "." + base64UrlEncode(claims) + ".c2ln";
	try
	{
		decodeJwt(huge);
		FAIL();
	}
	catch (const UsageException& e)
	{
		EXPECT_NE(e.message().find("more than the 64 KiB"), std::string::npos) << e.message();
	}
	// Under the size cap, the member cap: a 40 KiB token of tiny members.
	std::string many = "{";
	for (int i = 0; i < 5000; ++i) many += "\"" + std::to_string(i) + "\":0,";
	many += "\"x\":1}";
	try
	{
		decodeJwt(base64UrlEncode("{\"alg\":\"RS256\"}") + "." + base64UrlEncode(many) + ".c2ln");
		FAIL();
	}
	catch (const UsageException& e)
	{
		EXPECT_NE(e.message().find("too many members"), std::string::npos) << e.message();
	}
	// Deep nesting is refused too.
	EXPECT_THROW(parseJsonObject(std::string(1000, '[') + std::string(1000, ']')), Poco::DataFormatException);
	EXPECT_THROW(parseJsonObject("{\"a\":" + std::string(100, '[') + std::string(100, ']') + "}"), Poco::DataFormatException);
}

TEST(UntrustedJwt, PaddedSignaturesAreRefused)
{
	const std::string token = signedWith(rsaKey(), "RS256", "{\"exp\":253402300799}");
	EXPECT_EQ(verifyError(token, rsaKey().publicKey()), "(accepted)");
	EXPECT_NE(verifyError(token + "=", rsaKey().publicKey()).find("padding"), std::string::npos);
	EXPECT_NE(verifyError(token + "==", rsaKey().publicKey()).find("padding"), std::string::npos);
}

TEST(UntrustedJwt, Es256SignaturesAreLowSAndPythonJwtAcceptsThem)
{
	PrivateKey ec = PrivateKey::fromFile(sharedKeys().ecPkcs8);
	int checked = 0;
	for (int i = 0; i < 64; ++i)
	{
		const std::string token = signedWith(ec, "ES256", "{\"n\":" + std::to_string(i) + "}");
		const std::string sig = base64UrlDecode(token.substr(token.rfind('.') + 1));
		EXPECT_TRUE(isLowSEcdsaSignature(sig, 32)) << "signature " << i;
		++checked;
		if (i == 0)
		{
			EXPECT_EQ(trim(python("import sys, jwt\nprint(jwt.decode(sys.argv[1], open(sys.argv[2]).read(), algorithms=['ES256'])['n'])",
				{token, sharedKeys().ecPublic})), "0");
		}
	}
	EXPECT_EQ(checked, 64);
}

TEST(UntrustedJwt, RsaVerificationKeysUnder2048BitsAreRefused)
{
	TempDir dir;
	openssl({"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", dir.file("small.pem")});
	openssl({"pkey", "-in", dir.file("small.pem"), "-pubout", "-out", dir.file("small.pub")});
	PublicKey small = PublicKey::fromFile(dir.file("small.pub"));
	// A token "signed" by it: the key is refused before the signature is looked at.
	const std::string token = base64UrlEncode("{\"alg\":\"RS256\"}") + "." + base64UrlEncode("{}") + "." + base64UrlEncode("x");
	const std::string error = verifyError(token, small);
	EXPECT_NE(error.find("under 2048 bits"), std::string::npos) << error;
}

TEST(UntrustedJwt, ControlCharactersInTokenTextAreEscapedInMessages)
{
	const PublicKey pub = rsaKey().publicKey();
	const std::string forged = "RS256\x1b[2K\rvalid: signature (RS256) and time claims check out";
	const std::string header = base64UrlEncode("{\"alg\":\"" + std::string("RS256\\u001b[2K\\rvalid: signature") + "\"}");
	const std::string token = header + "." + base64UrlEncode("{}") + ".c2ln";
	const std::string error = verifyError(token, pub);
	EXPECT_EQ(error.find('\x1b'), std::string::npos) << error;
	EXPECT_EQ(error.find('\r'), std::string::npos) << error;
	EXPECT_NE(error.find("\\x1b"), std::string::npos) << error;
	const std::string dup = base64UrlEncode("{\"alg\":\"RS256\"}") + "." + base64UrlEncode("{\"a\\u001b\":1,\"a\\u001b\":2}") + ".c2ln";
	try
	{
		decodeJwt(dup);
		FAIL();
	}
	catch (const UsageException& e)
	{
		EXPECT_EQ(e.message().find('\x1b'), std::string::npos) << e.message();
		EXPECT_NE(e.message().find("duplicate member name"), std::string::npos);
	}
	VerifyOptions o;
	o.issuer = "expected";
	const std::string exp = std::to_string(Poco::Timestamp().epochTime() + 60);
	const std::string claimError = verifyError(signedWith(rsaKey(), "RS256", "{\"iss\":\"x\\u0007\\nvalid: yes\",\"exp\":" + exp + "}"), pub, o);
	EXPECT_EQ(claimError.find('\n'), std::string::npos) << claimError;
	EXPECT_EQ(claimError.find('\a'), std::string::npos) << claimError;
	// JSON output escapes what a terminal would act on, and stays valid JSON.
	Poco::JSON::Object::Ptr obj = newJsonObject();
	obj->set("t", std::string("a\x1b\x7f\xc2\x9b\xe2\x80\xae\xff"));
	EXPECT_EQ(objectToJson(*obj), "{\"t\":\"a\\u001b\\u007f\\u009b\\u202e\\ufffd\"}");
	(void) forged;
}

TEST(RetUrl, OnlyPathsOnTheSameHostAsABrowserReadsThem)
{
	for (const std::string ok: {"/", "/lightning/page/home", "/home?next=//evil.example", "/a/../b", "/a/./b#//x", "/%2e/ok"})
		EXPECT_EQ(sameHostPath(ok, "RET_URL"), ok);
	for (const std::string bad: {"", "lightning", "https://evil.example/", "//evil.example", "/\\evil.example", "/\t/evil.example",
			 "/\n/evil.example", "/\r/evil.example", "/.//evil.example", "/..//evil.example", "/%2e%2e//evil.example",
			 "/a/../..//evil.example", "//../evil.example", "/%2F/evil.example", "/%5c/evil.example", " /x", "/x y", "/\x7f"})
	{
		try
		{
			sameHostPath(bad, "RET_URL");
			ADD_FAILURE() << "accepted: " << safeText(bad);
		}
		catch (const UsageException& e)
		{
			EXPECT_EQ(e.message().find_first_of("\t\r\n"), std::string::npos) << e.message();
			EXPECT_NE(e.message().find("RET_URL"), std::string::npos);
		}
	}
}

TEST(DotEnvIssue14, HashAfterBlanksIsACommentAndCrlfInQuotesIsLf)
{
	auto value = [](const std::string& text, const std::string& name) {
		for (const auto& e: parseDotEnv(text, "t.env"))
			if (e.first == name) return e.second;
		return std::string("(missing)");
	};
	EXPECT_EQ(value("SUBJECT=   # later\n", "SUBJECT"), "");
	EXPECT_EQ(value("SUBJECT=# later\n", "SUBJECT"), "");
	EXPECT_EQ(value("SUBJECT=a # later\n", "SUBJECT"), "a");
	EXPECT_EQ(value("SUBJECT=abc#def\n", "SUBJECT"), "abc#def");
	EXPECT_EQ(value("KEY=\"line1\r\nline2\r\n\"\r\nB=2\r\n", "KEY"), "line1\nline2\n");
	EXPECT_EQ(value("KEY=\"line1\r\nline2\r\n\"\r\nB=2\r\n", "B"), "2");
}

TEST(ClaimOptionIssue14, ScalarJsonValuesWork)
{
	EXPECT_EQ(parseClaimOption("n:=42").second.convert<int>(), 42);
	EXPECT_TRUE(parseClaimOption("ok:=true").second.extract<bool>());
	EXPECT_EQ(parseClaimOption("s:=\"x\"").second.extract<std::string>(), "x");
	EXPECT_TRUE(parseClaimOption("z:=null").second.isEmpty());
	EXPECT_EQ(parseClaimOption("f:=1.5").second.convert<double>(), 1.5);
	EXPECT_EQ(parseClaimOption("plain=42").second.extract<std::string>(), "42") << "NAME=VALUE stays a string";
	EXPECT_TRUE(parseClaimOption("a:=[1,2]").second.type() == typeid(Poco::JSON::Array::Ptr));
	for (const std::string bad: {"n:={oops", "n:=", "n:=1,2", "n:=1],[2", "n:=tru"})
		EXPECT_THROW(parseClaimOption(bad), UsageException) << bad;
	// Through the CLI, into the signed JWT as JSON scalars.
	TempDir dir;
	dir.write("key.pem", readFile(sharedKeys().rsaPkcs8));
	RunResult r = runJwtflow({"salesforce", "jwt", "--client-id", "c", "--subject", "s", "--private-key", "key.pem",
		"--claim", "n:=42", "--claim", "ok:=true", "--claim", "s:=\"x\"", "--claim", "z:=null"}, dir.path());
	ASSERT_EQ(r.exitCode, 0) << r.err;
	DecodedJwt jwt = decodeJwt(trim(r.out));
	EXPECT_EQ(objectToJson(*jwt.claims).find("\"n\":42,\"ok\":true,\"s\":\"x\",\"z\":null") != std::string::npos, true) << objectToJson(*jwt.claims);
}

TEST(DidYouMeanIssue14, MistypedProvidersAndOptionsGetASuggestion)
{
	EXPECT_EQ(closestName("salesfroce", {"salesforce", "salesforce-community", "azure-ad"}), "salesforce");
	EXPECT_EQ(closestName("azure", {"salesforce", "azure-ad"}), "azure-ad");
	EXPECT_EQ(closestName("audiance", {"audience", "authority", "alg"}), "audience");
	EXPECT_EQ(closestName("zzzzzz", {"salesforce", "azure-ad"}), "");
	RunResult typo = runJwtflow({"salesfroce", "jwt"});
	EXPECT_EQ(typo.exitCode, 2);
	EXPECT_NE(typo.err.find("did you mean 'salesforce'?"), std::string::npos) << typo.err;
	RunResult entra = runJwtflow({"entra", "token"});
	EXPECT_NE(entra.err.find("did you mean 'azure-ad'?"), std::string::npos) << entra.err;
	RunResult option = runJwtflow({"salesforce", "jwt", "--audiance", "x"});
	EXPECT_EQ(option.exitCode, 2);
	EXPECT_NE(option.err.find("did you mean --audience?"), std::string::npos) << option.err;
}

TEST(PositionalTokenIssue14, DecodeAndVerifyTakeTheJwtAsAWordOrFromStandardInput)
{
	TempDir dir;
	dir.write("key.pem", readFile(sharedKeys().rsaPkcs8));
	RunResult jwt = runJwtflow({"salesforce", "jwt", "--client-id", "c", "--subject", "s", "--private-key", "key.pem"}, dir.path());
	ASSERT_EQ(jwt.exitCode, 0) << jwt.err;
	const std::string token = trim(jwt.out);
	RunResult word = runJwtflow({"decode", token});
	EXPECT_EQ(word.exitCode, 0) << word.err;
	EXPECT_NE(word.out.find("\"sub\": \"s\""), std::string::npos) << word.out;
	RunResult stdinToken = runJwtflow({"decode", "-"}, "", {}, token + "\n");
	EXPECT_EQ(stdinToken.exitCode, 0) << stdinToken.err;
	EXPECT_EQ(stdinToken.out, word.out);
	RunResult verified = runJwtflow({"verify", token, "--public-key", sharedKeys().rsaPublic});
	EXPECT_EQ(verified.exitCode, 0) << verified.err;
	RunResult both = runJwtflow({"decode", token, "--token", token});
	EXPECT_EQ(both.exitCode, 2);
	EXPECT_NE(both.err.find("give the JWT once"), std::string::npos) << both.err;
}

TEST(ThumbprintIssue14, ValuesStandInOneColumn)
{
	RunResult r = runJwtflow({"thumbprint", "--certificate", sharedKeys().rsaCert});
	ASSERT_EQ(r.exitCode, 0) << r.err;
	std::set<std::size_t> columns;
	std::size_t lines = 0;
	std::istringstream in(r.out);
	for (std::string line; std::getline(in, line);)
	{
		if (line.empty()) continue;
		++lines;
		const std::size_t gap = line.find("  ");
		ASSERT_NE(gap, std::string::npos) << line;
		columns.insert(line.find_first_not_of(' ', gap));
	}
	EXPECT_EQ(lines, 5u) << r.out;
	EXPECT_EQ(columns.size(), 1u) << r.out;
}
