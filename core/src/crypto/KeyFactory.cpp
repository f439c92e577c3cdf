//
// KeyFactory.cpp
//
// Library: jwtflow core
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/KeyFactory.h"
#include "OpenSslSupport.h"
#include "jwtflow/Exception.h"
#include <openssl/rand.h>
#include <openssl/x509v3.h>

namespace jwtflow {

using namespace detail;

namespace {

void addExtension(X509* cert, X509* issuer, int nid, const std::string& value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
	X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
	if (!ext) throw Exception("cannot make certificate extension: " + takeOpenSslError());
	X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
}

} // namespace

PrivateKey KeyFactory::generateRsa(int bits)
{
	if (bits != 2048 && bits != 3072 && bits != 4096)
		throw UsageException("RSA key size " + std::to_string(bits) + " is not offered: use 2048, 3072 or 4096");
	EVP_PKEY* key = EVP_RSA_gen(static_cast<unsigned>(bits));
	if (!key) throw Exception("cannot generate an RSA key: " + takeOpenSslError());
	return PrivateKey(wrapKey(key));
}

PrivateKey KeyFactory::generateEc(const std::string& curve)
{
	if (curve != "P-256" && curve != "prime256v1")
		throw UsageException("curve '" + curve + "' is not offered: use P-256 (the curve of ES256)");
	EVP_PKEY* key = EVP_EC_gen("P-256");
	if (!key) throw Exception("cannot generate an EC key: " + takeOpenSslError());
	return PrivateKey(wrapKey(key));
}

Certificate KeyFactory::issue(const PrivateKey& subjectKey, const CertificateRequest& request,
	const PrivateKey* issuerKey, const Certificate* issuerCert)
{
	auto cert = wrapCert(X509_new());
	X509* x = cert.get();
	X509_set_version(x, 2);

	unsigned char serial[16];
	RAND_bytes(serial, sizeof serial);
	serial[0] &= 0x7F;
	BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
	BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
	BN_free(bn);

	X509_gmtime_adj(X509_getm_notBefore(x), request.startOffsetSeconds);
	X509_time_adj_ex(X509_getm_notAfter(x), request.days, request.startOffsetSeconds < 0 ? 0 : request.startOffsetSeconds, nullptr);
	X509_set_pubkey(x, subjectKey.native());

	X509_NAME* name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
		reinterpret_cast<const unsigned char*>(request.commonName.c_str()), -1, -1, 0);
	X509* issuerX = issuerCert ? issuerCert->native() : x;
	X509_set_issuer_name(x, X509_get_subject_name(issuerX));

	if (request.isCertificateAuthority)
	{
		addExtension(x, issuerX, NID_basic_constraints, "critical,CA:TRUE");
		addExtension(x, issuerX, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
	}
	else
	{
		addExtension(x, issuerX, NID_basic_constraints, "critical,CA:FALSE");
		addExtension(x, issuerX, NID_key_usage, "critical,digitalSignature,keyEncipherment");
	}
	addExtension(x, issuerX, NID_subject_key_identifier, "hash");
	if (issuerCert) addExtension(x, issuerX, NID_authority_key_identifier, "keyid:always");
	std::string san;
	for (const auto& dns: request.dnsNames) san += (san.empty() ? "" : ",") + std::string("DNS:") + dns;
	for (const auto& ip: request.ipAddresses) san += (san.empty() ? "" : ",") + std::string("IP:") + ip;
	if (!san.empty())
	{
		addExtension(x, issuerX, NID_subject_alt_name, san);
		addExtension(x, issuerX, NID_ext_key_usage, "serverAuth,clientAuth");
	}

	const PrivateKey& signer = issuerKey ? *issuerKey : subjectKey;
	if (X509_sign(x, signer.native(), EVP_sha256()) <= 0)
		throw Exception("cannot sign the certificate: " + takeOpenSslError());
	return Certificate(cert);
}

} // namespace jwtflow
