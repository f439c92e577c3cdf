//
// Credentials.cpp
//
// Library: jwtflow core
// PKCS#12 files and certificate chains, with OpenSSL (POCO's Crypto has no
// PKCS#12 reader that reports a wrong password apart from a legacy cipher).
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/Credentials.h"
#include "FileInput.h"
#include "OpenSslSupport.h"
#include "jwtflow/Encoding.h"
#include "jwtflow/Exception.h"
#include <Poco/String.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <cstdlib>
#include <mutex>

namespace jwtflow {

using detail::memoryBio;
using detail::takeOpenSslError;
using detail::wrapCert;
using detail::wrapKey;

namespace {

const std::size_t MAX_PKCS12_BYTES = 1024 * 1024;

/// OpenSSL 3 reads RC2-40 (and other legacy PBEs) only with its legacy provider,
/// loaded once, on demand; the default provider is loaded with it (loading one
/// provider explicitly stops OpenSSL from loading the default one on its own).
bool loadLegacyProvider()
{
	static std::once_flag once;
	static bool loaded = false;
	static OSSL_PROVIDER* legacy = nullptr;
	static OSSL_PROVIDER* fallback = nullptr;
	std::call_once(once, [] {
		legacy = OSSL_PROVIDER_load(nullptr, "legacy");
		fallback = OSSL_PROVIDER_load(nullptr, "default");
		loaded = legacy != nullptr && fallback != nullptr;
		ERR_clear_error();
		// Kept for the life of the process (as OpenSSL keeps its default provider); tests/lsan.supp knows.
	});
	return loaded;
}

struct Pkcs12Free
{
	void operator()(PKCS12* p) const { PKCS12_free(p); }
};

struct Parsed
{
	EVP_PKEY* key = nullptr;
	X509* cert = nullptr;
	STACK_OF(X509)* ca = nullptr;
};

/// Orders certificates leaf first: the key's own, then each one's issuer found among the rest.
std::vector<Certificate> orderChain(const Certificate& leaf, std::vector<Certificate> rest)
{
	std::vector<Certificate> chain = {leaf};
	while (!rest.empty())
	{
		bool found = false;
		for (auto it = rest.begin(); it != rest.end(); ++it)
		{
			if (X509_check_issued(it->native(), chain.back().native()) == X509_V_OK
				&& X509_cmp(it->native(), chain.back().native()) != 0)
			{
				chain.push_back(*it);
				rest.erase(it);
				found = true;
				break;
			}
		}
		if (!found) break;   // the others are not in this chain: left out
	}
	return chain;
}

} // namespace

bool isPkcs12Path(const std::string& path)
{
	const std::string lower = Poco::toLower(path);
	return Poco::endsWith(lower, std::string(".p12")) || Poco::endsWith(lower, std::string(".pfx"));
}

Credentials readPkcs12(const std::string& path, const std::optional<std::string>& password)
{
	const std::string data = detail::readInputFile(path, "PKCS#12 file", MAX_PKCS12_BYTES);
	const std::string label = "PKCS#12 file '" + path + "'";
	ERR_clear_error();
	const auto* p = reinterpret_cast<const unsigned char*>(data.data());
	std::unique_ptr<PKCS12, Pkcs12Free> p12(d2i_PKCS12(nullptr, &p, static_cast<long>(data.size())));
	if (!p12)
	{
		ERR_clear_error();
		throw InputException(label + " is not a PKCS#12 file (expected the DER .p12/.pfx that the Azure portal, Key Vault or "
			"Windows export; a PEM file needs no .p12/.pfx name)");
	}
	const std::string pass = password.value_or("");
	// The MAC tells a wrong password apart from a cipher this OpenSSL cannot use.
	if (PKCS12_mac_present(p12.get()))
	{
		int macOk = PKCS12_verify_mac(p12.get(), pass.c_str(), static_cast<int>(pass.size()));
		if (!macOk && pass.empty()) macOk = PKCS12_verify_mac(p12.get(), nullptr, 0);   // "no password" written as NULL
		if (!macOk && loadLegacyProvider())
		{
			ERR_clear_error();
			macOk = PKCS12_verify_mac(p12.get(), pass.c_str(), static_cast<int>(pass.size()));
		}
		if (!macOk)
		{
			ERR_clear_error();
			throw InputException(label + (password ? ": wrong password" : " is protected by a password")
				+ ": give it in PRIVATE_KEY_PASSPHRASE_FILE or PRIVATE_KEY_PASSPHRASE (environment or .env)");
		}
	}
	Parsed parsed;
	bool ok = PKCS12_parse(p12.get(), pass.c_str(), &parsed.key, &parsed.cert, &parsed.ca) == 1;
	if (!ok && loadLegacyProvider())
	{
		ERR_clear_error();
		ok = PKCS12_parse(p12.get(), pass.c_str(), &parsed.key, &parsed.cert, &parsed.ca) == 1;
	}
	if (!ok)
	{
		const std::string why = takeOpenSslError();
		throw InputException(label + " cannot be read here (" + why + "): it may use a legacy cipher (RC2-40) that this "
			"OpenSSL lacks; convert it with: openssl pkcs12 -legacy -in OLD.pfx -nodes | openssl pkcs12 -export -out NEW.pfx");
	}
	std::shared_ptr<EVP_PKEY> key = parsed.key ? wrapKey(parsed.key) : nullptr;
	std::vector<Certificate> certificates;
	if (parsed.cert) certificates.emplace_back(wrapCert(parsed.cert));
	if (parsed.ca)
	{
		for (int i = 0; i < sk_X509_num(parsed.ca); ++i)
		{
			X509* c = sk_X509_value(parsed.ca, i);
			X509_up_ref(c);
			certificates.emplace_back(wrapCert(c));
		}
		sk_X509_pop_free(parsed.ca, X509_free);
	}
	if (!key)
		throw InputException(label + " holds no private key (only " + std::to_string(certificates.size())
			+ " certificate(s)): export it with its private key (Windows: \"Yes, export the private key\")");
	Credentials credentials{PrivateKey(key), {}};
	// The certificate that belongs to the key, wherever it sits in the file.
	for (std::size_t i = 0; i < certificates.size(); ++i)
	{
		if (!certificates[i].publicKey().matches(credentials.key)) continue;
		std::vector<Certificate> rest = certificates;
		rest.erase(rest.begin() + static_cast<long>(i));
		credentials.chain = orderChain(certificates[i], rest);
		return credentials;
	}
	if (!certificates.empty())
		throw InputException(label + ": none of its " + std::to_string(certificates.size())
			+ " certificate(s) belongs to its private key: export the key together with its own certificate");
	return credentials;   // a key alone: usable where no certificate is needed
}

std::vector<Certificate> readCertificateChain(const std::string& path, const std::optional<std::string>& password)
{
	if (isPkcs12Path(path)) return readPkcs12(path, password).chain;
	const std::string data = detail::readInputFile(path, "certificate");
	if (data.find("-----BEGIN CERTIFICATE-----") == std::string::npos) return {Certificate::fromPem(data, "certificate '" + path + "'")};
	std::vector<Certificate> chain;
	detail::BioPtr bio = memoryBio(data);
	ERR_clear_error();
	while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) chain.emplace_back(wrapCert(cert));
	ERR_clear_error();
	if (chain.empty()) return {Certificate::fromPem(data, "certificate '" + path + "'")};   // its message says what is wrong
	return chain;
}

std::vector<std::string> x5cOf(const std::vector<Certificate>& chain)
{
	std::vector<std::string> out;
	for (const auto& c: chain) out.push_back(base64Encode(c.der()));
	return out;
}

std::string chainProblem(const std::vector<Certificate>& chain)
{
	for (std::size_t i = 0; i + 1 < chain.size(); ++i)
	{
		if (X509_check_issued(chain[i + 1].native(), chain[i].native()) != X509_V_OK
			|| X509_verify(chain[i].native(), X509_get0_pubkey(chain[i + 1].native())) != 1)
		{
			ERR_clear_error();
			return "certificate " + std::to_string(i + 1) + " (" + chain[i].subject() + ") is not issued by certificate "
				+ std::to_string(i + 2) + " (" + chain[i + 1].subject() + "): put the chain leaf first, each followed by its issuer";
		}
	}
	return {};
}

} // namespace jwtflow
