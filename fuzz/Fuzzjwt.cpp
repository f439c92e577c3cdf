// Fuzz target: JWT decoding and verification (must never crash; may only throw jwtflow exceptions).
// The input is tried as a whole compact token, and as the claims of a token
// signed with a test key, so that the mutations reach the claim checks
// (NumericDates, iss/sub/aud types and values) behind the signature check.
#include "jwtflow/Encoding.h"
#include "jwtflow/Exception.h"
#include "jwtflow/Json.h"
#include "jwtflow/Jwt.h"
#include "jwtflow/KeyFactory.h"
#include "jwtflow/SafeText.h"
#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

void verifyQuietly(const std::string& token, const jwtflow::PublicKey& key, const jwtflow::VerifyOptions& o)
{
	try
	{
		jwtflow::DecodedJwt jwt = jwtflow::verifyJwt(token, key, o);
		// Accepted: the claims that were checked must really be what was asked for.
		if (o.issuer && jwtflow::jsonString(*jwt.claims, "iss") != *o.issuer) std::abort();
		if (o.issuer && !jwt.claims->get("iss").isString()) std::abort();
		if (auto exp = jwtflow::numericClaim(*jwt.claims, "exp"))
			if (*exp < 0 || *exp > jwtflow::MAX_NUMERIC_DATE) std::abort();
	}
	catch (const jwtflow::Exception& e)
	{
		// Messages never carry raw control characters.
		for (unsigned char c: e.message())
			if ((c < 0x20 && c != '\n') || c == 0x7f) std::abort();
	}
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	static const jwtflow::PrivateKey rsaPrivate = jwtflow::KeyFactory::generateRsa(2048);
	static const jwtflow::PublicKey rsa = rsaPrivate.publicKey();
	static const jwtflow::PublicKey ec = jwtflow::KeyFactory::generateEc().publicKey();
	const std::string input(reinterpret_cast<const char*>(data), size);
	try
	{
		jwtflow::decodeJwt(input);
	}
	catch (const jwtflow::Exception&)
	{
	}
	jwtflow::VerifyOptions o;
	o.algorithms = {"RS256", "PS256", "ES256"};
	o.audience = "aud";
	for (const auto* key: {&rsa, &ec}) verifyQuietly(input, *key, o);

	// The input as the claims of a correctly signed token.
	const std::string signingInput = jwtflow::base64UrlEncode("{\"alg\":\"RS256\"}") + "." + jwtflow::base64UrlEncode(input);
	const std::string token = signingInput + "." + jwtflow::base64UrlEncode(rsaPrivate.sign(jwtflow::Algorithm::fromName("RS256"), signingInput));
	jwtflow::VerifyOptions claims;
	claims.algorithms = {"RS256"};
	claims.requireExpiration = false;
	verifyQuietly(token, rsa, claims);
	claims.issuer = "1";
	claims.subject = "me";
	claims.audience = "aud";
	verifyQuietly(token, rsa, claims);
	return 0;
}
