//
// MinimalSign.cpp: the floor for whole-process minting. Reads a PEM private
// key, signs the same Salesforce assertion jwtflow mints (RS256; iss, sub,
// aud, exp, iat) with OpenSSL and prints it. No settings, no checks beyond
// failing, no plugins: what any program that mints a JWT must at least do.
//
//   jwtflow_minimal_sign KEY.pem CLIENT_ID SUBJECT AUDIENCE
//
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <cstdio>
#include <ctime>
#include <string>

namespace {

std::string base64Url(const std::string& in)
{
	static const char* const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	std::string out;
	std::size_t i = 0;
	for (; i + 2 < in.size(); i += 3)
	{
		unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) | static_cast<unsigned char>(in[i + 2]);
		out += alphabet[(v >> 18) & 63];
		out += alphabet[(v >> 12) & 63];
		out += alphabet[(v >> 6) & 63];
		out += alphabet[v & 63];
	}
	if (i + 1 == in.size())
	{
		unsigned v = static_cast<unsigned char>(in[i]) << 16;
		out += alphabet[(v >> 18) & 63];
		out += alphabet[(v >> 12) & 63];
	}
	else if (i + 2 == in.size())
	{
		unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
		out += alphabet[(v >> 18) & 63];
		out += alphabet[(v >> 12) & 63];
		out += alphabet[(v >> 6) & 63];
	}
	return out;
}

} // namespace

int main(int argc, char** argv)
{
	if (argc != 5)
	{
		std::fprintf(stderr, "usage: %s KEY.pem CLIENT_ID SUBJECT AUDIENCE\n", argv[0]);
		return 2;
	}
	FILE* f = std::fopen(argv[1], "r");
	EVP_PKEY* key = f ? PEM_read_PrivateKey(f, nullptr, nullptr, nullptr) : nullptr;
	if (f) std::fclose(f);
	if (!key)
	{
		std::fprintf(stderr, "cannot read the key\n");
		return 3;
	}
	const long long now = static_cast<long long>(std::time(nullptr));
	const std::string claims = std::string("{\"iss\":\"") + argv[2] + "\",\"sub\":\"" + argv[3] + "\",\"aud\":\"" + argv[4] +
		"\",\"exp\":" + std::to_string(now + 180) + ",\"iat\":" + std::to_string(now) + "}";
	std::string input = base64Url("{\"alg\":\"RS256\"}") + "." + base64Url(claims);

	EVP_MD_CTX* ctx = EVP_MD_CTX_new();
	std::string sig(static_cast<std::size_t>(EVP_PKEY_get_size(key)), '\0');
	std::size_t len = sig.size();
	if (EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key) != 1 ||
		EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(&sig[0]), &len,
			reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1)
	{
		std::fprintf(stderr, "signing failed\n");
		return 1;
	}
	sig.resize(len);
	std::printf("%s.%s\n", input.c_str(), base64Url(sig).c_str());
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	return 0;
}
