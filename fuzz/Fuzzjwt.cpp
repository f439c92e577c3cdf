// Fuzz target: JWT decoding and verification (must never crash; may only throw jwtflow exceptions).
#include "jwtflow/Exception.h"
#include "jwtflow/Jwt.h"
#include "jwtflow/KeyFactory.h"
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	static const jwtflow::PublicKey rsa = jwtflow::KeyFactory::generateRsa(2048).publicKey();
	static const jwtflow::PublicKey ec = jwtflow::KeyFactory::generateEc().publicKey();
	const std::string token(reinterpret_cast<const char*>(data), size);
	try
	{
		jwtflow::decodeJwt(token);
	}
	catch (const jwtflow::Exception&)
	{
	}
	jwtflow::VerifyOptions o;
	o.algorithms = {"RS256", "PS256", "ES256"};
	o.audience = "aud";
	for (const auto* key: {&rsa, &ec})
	{
		try
		{
			jwtflow::verifyJwt(token, *key, o);
		}
		catch (const jwtflow::Exception&)
		{
		}
	}
	return 0;
}
