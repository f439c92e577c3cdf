//
// OpenSslSupport.h
//
// Library: jwtflow core (internal)
// Small RAII helpers and error text for the places where jwtflow calls OpenSSL
// directly (what POCO 1.11 lacks: PS256, DER certificates, precise key errors,
// certificate creation).
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_OPENSSLSUPPORT_INCLUDED
#define JWTFLOW_OPENSSLSUPPORT_INCLUDED

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/crypto.h>
#include <memory>
#include <string>

namespace jwtflow {
namespace detail {

struct BioFree { void operator()(BIO* b) const { BIO_free_all(b); } };
struct MdCtxFree { void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); } };
struct PkeyCtxFree { void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); } };

using BioPtr = std::unique_ptr<BIO, BioFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;

inline std::shared_ptr<EVP_PKEY> wrapKey(EVP_PKEY* k) { return std::shared_ptr<EVP_PKEY>(k, EVP_PKEY_free); }
inline std::shared_ptr<X509> wrapCert(X509* c) { return std::shared_ptr<X509>(c, X509_free); }

inline BioPtr memoryBio(const std::string& data)
{
	return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

inline std::string bioText(BIO* bio)
{
	char* p = nullptr;
	long n = BIO_get_mem_data(bio, &p);
	return std::string(p, static_cast<std::size_t>(n > 0 ? n : 0));
}

struct WipeOnExit
	/// Overwrites a string holding secret text (key PEM, passphrase) when the scope ends.
{
	std::string& text;
	~WipeOnExit() { if (!text.empty()) OPENSSL_cleanse(&text[0], text.size()); }
};

std::string takeOpenSslError();
	/// The reason text of the last OpenSSL error (never data), and clears the queue.

const EVP_MD* digestFor(int bits);
	/// EVP_sha256/384/512.

} // namespace detail
} // namespace jwtflow

#endif
