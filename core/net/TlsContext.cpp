//
// TlsContext.cpp
//
// Library: jwtflow net
// One client TLS context per CA file for the process: strict verification, the system store read lazily, X25519 first.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "HttpParts.h"
#include "jwtflow/Exception.h"
#include "jwtflow/SafeText.h"
#include <Poco/File.h>
#include <Poco/Net/InvalidCertificateHandler.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/VerificationErrorArgs.h>
#include <Poco/Net/SSLManager.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <cstdlib>
#include <map>
#include <mutex>

namespace jwtflow {

using namespace Poco::Net;

void HttpClient::initializeSsl()
{
	static std::once_flag once;
	std::call_once(once, [] {
		initializeSSL();
		// Never the interactive ConsoleCertificateHandler: an untrusted
		// certificate is refused, always. This default context is never used
		// for a connection (each HttpClient has its own), so it loads no CAs.
		Context::Ptr ctx = new Context(Context::TLS_CLIENT_USE, "", Context::VERIFY_STRICT, 9, false);
		ctx->requireMinimumProtocol(Context::PROTO_TLSV1_2);
		ctx->enableExtendedCertificateVerification(true);
		SSLManager::instance().initializeClient(nullptr, new RejectCertificateHandler(false), ctx);
	});
}

void HttpClient::preferFastKeyExchange(Context& context)
{
	SSL_CTX_set1_groups_list(context.sslContext(), "X25519:P-256:X448:P-384:P-521");
	ERR_clear_error();
}

namespace {

void trustSystemCertificates(SSL_CTX* ctx, bool haveCaFile)
	/// The system's trusted CAs, looked up by subject hash in the certificate
	/// folder (/etc/ssl/certs, or SSL_CERT_DIR) when a chain needs one, rather
	/// than parsing a whole bundle up front (~140 certificates, 20 ms for a
	/// 220 KB bundle). A bundle named by SSL_CERT_FILE is read only when no
	/// CA_FILE was given: with one, CA_FILE and the folder decide the trust.
{
	const char* file = std::getenv(X509_get_default_cert_file_env());
	const char* dir = std::getenv(X509_get_default_cert_dir_env());
	if (haveCaFile) file = nullptr;
	if (file && *file) SSL_CTX_load_verify_file(ctx, file);
	if (!dir || !*dir) dir = X509_get_default_cert_dir();
	bool haveDir = false;
	try
	{
		haveDir = Poco::File(dir).isDirectory();
	}
	catch (const Poco::Exception&)
	{
	}
	if (!(haveDir && SSL_CTX_load_verify_dir(ctx, dir) == 1) && !(file && *file) && !haveCaFile) SSL_CTX_set_default_verify_paths(ctx);
	ERR_clear_error();
}

} // namespace

namespace detail {

CertificateRefusal& lastCertificateRefusal()
{
	thread_local CertificateRefusal refusal;
	return refusal;
}

namespace {

class RecordingCertificateHandler: public InvalidCertificateHandler
	/// Refuses every certificate OpenSSL did not verify, as RejectCertificateHandler
	/// does, and records why on this thread, so that a failed handshake is told
	/// apart by what OpenSSL said rather than by the wording of an exception.
{
public:
	RecordingCertificateHandler(): InvalidCertificateHandler(false) {}

	void onInvalidCertificate(const void*, VerificationErrorArgs& args) override
	{
		CertificateRefusal& refusal = lastCertificateRefusal();
		if (refusal.code == 0)   // the first error of a chain says most
		{
			refusal.code = args.errorNumber() == 0 ? -1 : args.errorNumber();
			refusal.depth = args.errorDepth();
			refusal.reason = args.errorMessage();
		}
		args.setIgnoreError(false);
	}
};

} // namespace

namespace {

/// One client TLS context per set of files (CA, client certificate and key) for the whole
/// process: made (and its trust loaded) when the first connection needs it, then shared. A
/// context is read-only once made, so connections on several threads may use it at once.
/// `what` names the files in the message of a file that cannot be used.
Context::Ptr clientContext(const std::string& caFile, const std::string& certFile, const std::string& keyFile, const std::string& what)
{
	static std::mutex mutex;
	static std::map<std::string, Context::Ptr>* contexts = new std::map<std::string, Context::Ptr>;   // kept to the end
	const std::string id = caFile + '\n' + certFile + '\n' + keyFile;
	std::lock_guard<std::mutex> lock(mutex);
	auto found = contexts->find(id);
	if (found != contexts->end()) return found->second;
	HttpClient::initializeSsl();
	Context::Ptr context;
	try
	{
		context = new Context(Context::TLS_CLIENT_USE, keyFile, certFile, caFile, Context::VERIFY_STRICT, 9, false);
	}
	catch (const Poco::Exception& e)
	{
		throw InputException("cannot use " + what + ": " + safeText(e.message(), 160));
	}
	trustSystemCertificates(context->sslContext(), !caFile.empty());
	HttpClient::preferFastKeyExchange(*context);
	context->requireMinimumProtocol(Context::PROTO_TLSV1_2);
	context->enableExtendedCertificateVerification(true);
	context->setInvalidCertificateHandler(new RecordingCertificateHandler);
	contexts->emplace(id, context);
	return context;
}

} // namespace

Context::Ptr sharedClientContext(const std::string& caFile)
{
	return clientContext(caFile, "", "", "CA file '" + caFile + "'");
}

Context::Ptr redisClientContext(const std::string& caFile, const std::string& certFile, const std::string& keyFile)
{
	return clientContext(caFile, certFile, keyFile, "the Redis TLS files (REDIS_CA_FILE '" + caFile + "', REDIS_CERT_FILE '"
		+ certFile + "', REDIS_KEY_FILE '" + keyFile + "')");
}

} // namespace detail

} // namespace jwtflow
