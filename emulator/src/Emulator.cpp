//
// Emulator.cpp
//
// Library: jwtflow emulator
// The server: TLS material, socket, HTTPServer, and the shared state.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/emulator/Emulator.h"
#include "EmulatorHandlers.h"
#include "jwtflow/Exception.h"
#include "jwtflow/HttpClient.h"
#include "jwtflow/KeyFactory.h"
#include "jwtflow/SecureFiles.h"
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Path.h>
#include <Poco/ThreadPool.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace jwtflow {
namespace emulator {

struct Emulator::Impl
{
	EmulatorOptions options;
	std::shared_ptr<EmulatorState> state;
	std::unique_ptr<Poco::ThreadPool> pool;
	std::unique_ptr<Poco::Net::HTTPServer> server;
	std::string caFile;
	int port = 0;
	std::unique_ptr<PrivateTempDir> ownDir;   // when options.workDir is empty
};

namespace {

/// The folder for the TLS files: made 0700 when missing; an existing one
/// must be the caller's and not writable by others (the files are then
/// replaced, never written through a planted link).
void prepareWorkDir(const std::string& dir)
{
	if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
		throw InputException("cannot make the emulator's folder '" + dir + "': " + std::strerror(errno));
	struct stat st{};
	if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
		throw InputException("the emulator's folder '" + dir + "' is not a folder (a link or a file is there)");
	checkTrustedFolder(dir, "the emulator's folder");
}

} // namespace

Emulator::Emulator(EmulatorOptions options): _impl(new Impl)
{
	_impl->options = std::move(options);
}

Emulator::~Emulator()
{
	stop();
}

void Emulator::start()
{
	if (_impl->server) return;
	const EmulatorOptions& o = _impl->options;
	std::string workDir = o.workDir;
	if (workDir.empty())
	{
		_impl->ownDir.reset(new PrivateTempDir("jwtflow-emulator"));
		workDir = _impl->ownDir->path();
	}
	else
	{
		prepareWorkDir(workDir);
	}

	// A test CA (made now, or the one kept in the state folder) and a server certificate for the loopback names.
	const std::string caPath = Poco::Path(workDir, "emulator-ca.pem").toString();
	const std::string caKeyPath = Poco::Path(workDir, "emulator-ca-key.pem").toString();
	std::optional<PrivateKey> keptKey;
	std::optional<Certificate> keptCert;
	if (o.keepCertificateAuthority && !o.workDir.empty() && Poco::File(caPath).exists() && Poco::File(caKeyPath).exists())
	{
		try
		{
			checkTrustedFile(caKeyPath, "the emulator's CA key", TrustedFileKind::Secret);
			Certificate cert = Certificate::fromFile(caPath);
			PrivateKey key = PrivateKey::fromFile(caKeyPath);
			if (cert.notAfter() - Poco::Timestamp() > Poco::Timespan(1, 0, 0, 0, 0).totalMicroseconds()
				&& cert.publicKey().toDer() == key.publicKey().toDer())
			{
				keptCert = cert;
				keptKey = std::move(key);
			}
		}
		catch (const Poco::Exception&)
		{
			// Not usable (expired, another key, altered): a new one replaces it.
		}
	}
	PrivateKey caKey = keptKey ? std::move(*keptKey) : KeyFactory::generateEc();
	CertificateRequest caReq;
	caReq.commonName = "jwtflow emulator test CA";
	caReq.days = o.keepCertificateAuthority ? 365 : 2;
	caReq.isCertificateAuthority = true;
	Certificate caCert = keptCert ? *keptCert : KeyFactory::issue(caKey, caReq);
	PrivateKey serverKey = KeyFactory::generateEc();
	CertificateRequest serverReq;
	serverReq.commonName = "localhost";
	serverReq.days = 2;
	serverReq.dnsNames = {"localhost"};
	serverReq.ipAddresses = {"127.0.0.1", "::1"};
	Certificate serverCert = KeyFactory::issue(serverKey, serverReq, &caKey, &caCert);

	const std::string certPath = Poco::Path(workDir, "emulator-server.pem").toString();
	const std::string keyPath = Poco::Path(workDir, "emulator-server-key.pem").toString();
	if (!keptCert) replaceFile(caPath, caCert.toPem(), 0644);
	if (o.keepCertificateAuthority && !keptCert) replaceFile(caKeyPath, caKey.toPem(), 0600);
	replaceFile(certPath, serverCert.toPem() + caCert.toPem(), 0644);
	replaceFile(keyPath, serverKey.toPem(), 0600);
	_impl->caFile = caPath;

	HttpClient::initializeSsl();
	Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, keyPath, certPath, "",
		Poco::Net::Context::VERIFY_NONE, 9, false);
	context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
	HttpClient::preferFastKeyExchange(*context);
	context->enableSessionCache(true, "jwtflow-emulator");
	Poco::File(keyPath).remove();

	Poco::Net::SecureServerSocket socket(context);
	try
	{
		// SO_REUSEADDR (not SO_REUSEPORT): a restarted emulator gets its port back at once, never two at a time.
		socket.bind(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(o.port)), true, false);
		socket.listen(64);
	}
	catch (const Poco::Exception& e)
	{
		throw NetworkException("the emulator cannot listen on 127.0.0.1:" + std::to_string(o.port) + ": " + e.message());
	}
	_impl->port = socket.address().port();
	_impl->state = std::make_shared<EmulatorState>(o, "https://127.0.0.1:" + std::to_string(_impl->port));

	Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
	params->setKeepAlive(true);
	params->setMaxKeepAliveRequests(1000);
	params->setKeepAliveTimeout(Poco::Timespan(15, 0));
	params->setTimeout(Poco::Timespan(10, 0));
	params->setMaxThreads(8);
	params->setMaxQueued(64);
	_impl->pool.reset(new Poco::ThreadPool(2, 8));
	_impl->server.reset(new Poco::Net::HTTPServer(new EmulatorHandlerFactory(_impl->state), *_impl->pool, socket, params));
	_impl->server->start();
}

void Emulator::stop()
{
	if (!_impl->server) return;
	_impl->server->stopAll(true);
	_impl->server.reset();
	_impl->pool->joinAll();
	_impl->pool.reset();
}

std::string Emulator::baseUrl() const { return "https://127.0.0.1:" + std::to_string(_impl->port); }
std::string Emulator::caFile() const { return _impl->caFile; }
int Emulator::port() const { return _impl->port; }
int Emulator::connectionsAccepted() const
{
	return _impl->server ? _impl->server->totalConnections() : 0;
}
int Emulator::tokensIssued() const { return _impl->state ? _impl->state->tokensIssued() : 0; }

int Emulator::loginsFor(const std::string& user) const { return _impl->state ? _impl->state->loginsFor(user) : 0; }

int Emulator::apiCallsMade() const { return _impl->state ? _impl->state->apiCallsMade() : 0; }

std::string Emulator::workloadIssuer() const { return baseUrl() + "/workload"; }

std::string Emulator::mintWorkloadToken(const std::string& subject, const std::string& audience, int lifetimeSeconds) const
{
	if (!_impl->state) throw UsageException("the emulator is not started");
	return _impl->state->mintWorkloadToken(subject, audience, lifetimeSeconds);
}

std::string Emulator::githubRequestToken() const
{
	return _impl->state ? _impl->state->githubRequestToken() : std::string();
}

void Emulator::expireTokens()
{
	if (_impl->state) _impl->state->expireTokens();
}

} // namespace emulator
} // namespace jwtflow
