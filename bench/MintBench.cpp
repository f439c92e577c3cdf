//
// MintBench.cpp: minting and verifying through the core, each against raw
// OpenSSL doing only the signature operation on the same bytes with the same key.
//
//   BM_Mint/<alg>      a complete Salesforce assertion: claims from the settings,
//                      jti, JSON, base64url, signature (AssertionMinter::mint)
//   BM_RawSign/<alg>   EVP_DigestSignInit + EVP_DigestSign of the same signing input
//   BM_Verify/<alg>    verifyJwt: parse, strict JSON, allow-list, signature, exp/iat/aud
//   BM_RawVerify/<alg> EVP_DigestVerifyInit + EVP_DigestVerify of the same bytes
//
#include "BenchSupport.h"
#include "jwtflow/Algorithm.h"
#include "jwtflow/Assertion.h"
#include "jwtflow/Encoding.h"
#include "jwtflow/Jwt.h"
#include <benchmark/benchmark.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <memory>

namespace bench {

namespace {

class AnyAlgorithmSalesforce: public jwtflow::Provider
	/// Salesforce's assertion (the real plugin's declareAssertion), with every
	/// algorithm allowed so that ES256 and PS256 mint the same claims.
{
public:
	explicit AnyAlgorithmSalesforce(const jwtflow::Provider& salesforce): _salesforce(salesforce) {}
	std::string name() const override { return "salesforce"; }
	std::string description() const override { return _salesforce.description(); }
	std::vector<jwtflow::SettingSpec> settings() const override { return _salesforce.settings(); }
	jwtflow::AssertionPolicy assertionPolicy() const override
	{
		jwtflow::AssertionPolicy p = _salesforce.assertionPolicy();
		p.algorithms = {"RS256", "PS256", "ES256"};
		return p;
	}
	void declareAssertion(const jwtflow::AssertionContext& c, Poco::JSON::Object& h, Poco::JSON::Object& claims) const override
	{
		_salesforce.declareAssertion(c, h, claims);
	}
	jwtflow::TokenRequest tokenRequest(const jwtflow::Settings& s, const std::string& a) const override
	{
		return _salesforce.tokenRequest(s, a);
	}

private:
	const jwtflow::Provider& _salesforce;
};

const jwtflow::Provider& provider()
{
	static AnyAlgorithmSalesforce p(benchRegistry().get("salesforce"));
	return p;
}

const jwtflow::PrivateKey& keyFor(const std::string& alg)
{
	return alg == "ES256" ? benchKeys().ec : benchKeys().rsa;
}

void configureRaw(EVP_PKEY_CTX* pctx, const std::string& alg)
{
	if (alg == "PS256")
	{
		EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
		EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
	}
}

struct MdCtxFree
{
	void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

std::string rawSign(EVP_PKEY* key, const std::string& alg, const std::string& input)
{
	std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
	EVP_PKEY_CTX* pctx = nullptr;
	EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key);
	configureRaw(pctx, alg);
	std::string sig(static_cast<std::size_t>(EVP_PKEY_get_size(key)), '\0');
	std::size_t len = sig.size();
	EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(&sig[0]), &len,
		reinterpret_cast<const unsigned char*>(input.data()), input.size());
	sig.resize(len);
	return sig;
}

bool rawVerify(EVP_PKEY* key, const std::string& alg, const std::string& input, const std::string& derOrRaw)
{
	std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
	EVP_PKEY_CTX* pctx = nullptr;
	EVP_DigestVerifyInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key);
	configureRaw(pctx, alg);
	return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(derOrRaw.data()), derOrRaw.size(),
		reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
}

void BM_Mint(benchmark::State& state, const char* alg)
{
	jwtflow::Settings settings = salesforceSettings(alg);
	jwtflow::AssertionMinter minter(provider(), settings);
	for (auto _: state) benchmark::DoNotOptimize(minter.mint());
	state.SetItemsProcessed(state.iterations());
}

void BM_RawSign(benchmark::State& state, const char* alg)
{
	jwtflow::Settings settings = salesforceSettings(alg);
	jwtflow::AssertionMinter minter(provider(), settings);
	const std::string jwt = minter.mint().compact;
	const std::string input = jwt.substr(0, jwt.rfind('.'));
	EVP_PKEY* key = keyFor(alg).native();
	for (auto _: state) benchmark::DoNotOptimize(rawSign(key, alg, input));
	state.SetItemsProcessed(state.iterations());
}

void BM_Verify(benchmark::State& state, const char* alg)
{
	jwtflow::Settings settings = salesforceSettings(alg);
	jwtflow::AssertionMinter minter(provider(), settings);
	const std::string jwt = minter.mint().compact;
	const jwtflow::PublicKey key = keyFor(alg).publicKey();
	jwtflow::VerifyOptions options;
	options.algorithms = {alg};
	options.issuer = CLIENT_ID;
	options.audience = "https://login.salesforce.com";
	for (auto _: state) benchmark::DoNotOptimize(jwtflow::verifyJwt(jwt, key, options));
	state.SetItemsProcessed(state.iterations());
}

void BM_RawVerify(benchmark::State& state, const char* alg)
{
	jwtflow::Settings settings = salesforceSettings(alg);
	jwtflow::AssertionMinter minter(provider(), settings);
	const std::string jwt = minter.mint().compact;
	const std::string input = jwt.substr(0, jwt.rfind('.'));
	const jwtflow::PublicKey publicKey = keyFor(alg).publicKey();
	EVP_PKEY* key = publicKey.native();
	// The same signature in OpenSSL's form (DER for ECDSA), made outside the loop.
	const std::string signature = rawSign(keyFor(alg).native(), alg, input);
	for (auto _: state)
		if (!rawVerify(key, alg, input, signature)) state.SkipWithError("raw verify failed");
	state.SetItemsProcessed(state.iterations());
}

} // namespace

BENCHMARK_CAPTURE(BM_Mint, RS256, "RS256");
BENCHMARK_CAPTURE(BM_RawSign, RS256, "RS256");
BENCHMARK_CAPTURE(BM_Mint, PS256, "PS256");
BENCHMARK_CAPTURE(BM_RawSign, PS256, "PS256");
BENCHMARK_CAPTURE(BM_Mint, ES256, "ES256");
BENCHMARK_CAPTURE(BM_RawSign, ES256, "ES256");
BENCHMARK_CAPTURE(BM_Verify, RS256, "RS256");
BENCHMARK_CAPTURE(BM_RawVerify, RS256, "RS256");
BENCHMARK_CAPTURE(BM_Verify, PS256, "PS256");
BENCHMARK_CAPTURE(BM_RawVerify, PS256, "PS256");
BENCHMARK_CAPTURE(BM_Verify, ES256, "ES256");
BENCHMARK_CAPTURE(BM_RawVerify, ES256, "ES256");

} // namespace bench
