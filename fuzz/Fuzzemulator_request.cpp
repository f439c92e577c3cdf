// Fuzz target: what the emulator does with a token request body: the form
// decoding, then the assertion's decoding and signature check, as its
// Salesforce and Entra ID endpoints do.
#include "EndpointSupport.h"
#include "jwtflow/Exception.h"
#include "jwtflow/Json.h"
#include "jwtflow/Jwt.h"
#include "jwtflow/KeyFactory.h"
#include <Poco/Net/NameValueCollection.h>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	static const jwtflow::PublicKey key = jwtflow::KeyFactory::generateRsa(2048).publicKey();
	Poco::Net::NameValueCollection form;
	if (!jwtflow::emulator::parseFormBody(std::string(reinterpret_cast<const char*>(data), size), form)) return 0;
	for (const char* field: {"assertion", "client_assertion"})
	{
		std::string jwt = form.get(field, "");
		if (jwt.empty()) continue;
		try
		{
			jwtflow::DecodedJwt decoded = jwtflow::decodeJwt(jwt);
			const std::string alg = decoded.algorithm();
			if (jwtflow::Algorithm::isSupported(alg))
				key.verify(jwtflow::Algorithm::fromName(alg), decoded.signingInput, decoded.signature);
			jwtflow::jsonString(*decoded.claims, "aud");
			jwtflow::numericClaim(*decoded.claims, "exp");
		}
		catch (const jwtflow::Exception&)
		{
		}
	}
	return 0;
}
