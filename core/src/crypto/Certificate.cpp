//
// Certificate.cpp
//
// Library: jwtflow core
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/Certificate.h"
#include "FileInput.h"
#include "OpenSslSupport.h"
#include "jwtflow/Encoding.h"
#include "jwtflow/Exception.h"
#include <Poco/SHA2Engine.h>
#include <Poco/SHA1Engine.h>
#include <openssl/pem.h>
#include <ctime>

namespace jwtflow {

using namespace detail;

namespace {

Poco::Timestamp toTimestamp(const ASN1_TIME* t)
{
	struct tm tm{};
	if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return Poco::Timestamp(0);
	return Poco::Timestamp::fromEpochTime(timegm(&tm));
}

std::string nameText(const X509_NAME* name)
{
	BioPtr bio(BIO_new(BIO_s_mem()));
	X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
	return bioText(bio.get());
}

std::string digestToString(const Poco::DigestEngine::Digest& d)
{
	return std::string(d.begin(), d.end());
}

} // namespace

Certificate::Certificate(std::shared_ptr<x509_st> cert): _cert(std::move(cert)) {}

Certificate Certificate::fromFile(const std::string& path)
{
	std::string data = readInputFile(path, "certificate");
	return fromPem(data, "certificate '" + path + "'");
}

Certificate Certificate::fromPem(const std::string& data, const std::string& label)
{
	ERR_clear_error();
	if (data.find("-----BEGIN ") != std::string::npos)
	{
		if (data.find("-----BEGIN CERTIFICATE-----") == std::string::npos)
		{
			if (data.find("PRIVATE KEY-----") != std::string::npos)
				throw InputException(label + " holds a private key, not a certificate: give the X.509 certificate "
					"(PATH_CERTIFICATE), for example the certificate.pem that keygen writes");
			if (data.find("PUBLIC KEY-----") != std::string::npos)
				throw InputException(label + " holds a public key, not a certificate: give the X.509 certificate "
					"(PATH_CERTIFICATE)");
			throw InputException(label + " is PEM but holds no certificate (expected -----BEGIN CERTIFICATE-----)");
		}
		BioPtr bio = memoryBio(data);
		X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
		if (!cert)
			throw InputException(label + " is not a valid certificate (" + takeOpenSslError() + "): the PEM text may be truncated or altered");
		return Certificate(wrapCert(cert));
	}
	const auto* p = reinterpret_cast<const unsigned char*>(data.data());
	X509* cert = d2i_X509(nullptr, &p, static_cast<long>(data.size()));
	if (!cert)
	{
		ERR_clear_error();
		throw InputException(label + " is not a certificate: expected PEM (-----BEGIN CERTIFICATE-----) or DER X.509");
	}
	return Certificate(wrapCert(cert));
}

std::string Certificate::der() const
{
	unsigned char* der = nullptr;
	int len = i2d_X509(_cert.get(), &der);
	if (len <= 0) throw Exception("cannot encode the certificate: " + takeOpenSslError());
	std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
	OPENSSL_free(der);
	return out;
}

std::string Certificate::toPem() const
{
	BioPtr bio(BIO_new(BIO_s_mem()));
	if (!PEM_write_bio_X509(bio.get(), _cert.get())) throw Exception("cannot write the certificate: " + takeOpenSslError());
	return bioText(bio.get());
}

PublicKey Certificate::publicKey() const
{
	EVP_PKEY* key = X509_get_pubkey(_cert.get());
	if (!key) throw InputException("cannot read the certificate's public key: " + takeOpenSslError());
	return PublicKey(wrapKey(key));
}

std::string Certificate::subject() const { return nameText(X509_get_subject_name(_cert.get())); }
std::string Certificate::issuer() const { return nameText(X509_get_issuer_name(_cert.get())); }
Poco::Timestamp Certificate::notBefore() const { return toTimestamp(X509_get0_notBefore(_cert.get())); }
Poco::Timestamp Certificate::notAfter() const { return toTimestamp(X509_get0_notAfter(_cert.get())); }

std::string Certificate::sha1Thumbprint() const
{
	Poco::SHA1Engine sha1;
	sha1.update(der());
	return digestToString(sha1.digest());
}

std::string Certificate::sha256Thumbprint() const
{
	Poco::SHA2Engine sha256(Poco::SHA2Engine::SHA_256);
	sha256.update(der());
	return digestToString(sha256.digest());
}

std::string Certificate::x5t() const { return base64UrlEncode(sha1Thumbprint()); }
std::string Certificate::x5tS256() const { return base64UrlEncode(sha256Thumbprint()); }
x509_st* Certificate::native() const { return _cert.get(); }

} // namespace jwtflow
