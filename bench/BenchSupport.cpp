//
// BenchSupport.cpp
//
#include "BenchSupport.h"
#include "jwtflow/KeyFactory.h"
#include <Poco/File.h>
#include <Poco/Path.h>
#include "jwtflow/SecureFiles.h"

namespace bench {

const char* const CLIENT_ID = "3MVG9bench.consumer.key";
const char* const USER = "bench.user@example.com";

namespace {

BenchKeys makeKeys()
{
	static jwtflow::PrivateTempDir folder("jwtflow-bench");   // removed at exit
	jwtflow::PrivateKey rsa = jwtflow::KeyFactory::generateRsa(2048);
	jwtflow::PrivateKey ec = jwtflow::KeyFactory::generateEc("P-256");
	jwtflow::CertificateRequest request;
	request.commonName = "jwtflow bench";
	jwtflow::Certificate certificate = jwtflow::KeyFactory::issue(rsa, request);
	BenchKeys keys{folder.path(), Poco::Path(folder.path(), "rsa.pem").toString(), Poco::Path(folder.path(), "ec.pem").toString(),
		Poco::Path(folder.path(), "certificate.pem").toString(), rsa, ec, certificate};
	jwtflow::writeNewFile(keys.rsaKeyFile, rsa.toPem(), 0600);
	jwtflow::writeNewFile(keys.ecKeyFile, ec.toPem(), 0600);
	jwtflow::writeNewFile(keys.certificateFile, certificate.toPem(), 0644);
	return keys;
}

} // namespace

const BenchKeys& benchKeys()
{
	static const BenchKeys keys = makeKeys();
	return keys;
}

jwtflow::PluginRegistry& benchRegistry()
{
	static jwtflow::PluginRegistry registry({JWTFLOW_PLUGIN_DIR});
	return registry;
}

jwtflow::Settings salesforceSettings(const std::string& algorithm, const std::string& loginUrl, const std::string& caFile)
{
	const BenchKeys& k = benchKeys();
	jwtflow::Settings s;
	std::map<std::string, std::string> values = {{"CLIENT_ID", CLIENT_ID}, {"SUBJECT", USER},
		{"PATH_PRIVATE_KEY", algorithm == "ES256" ? k.ecKeyFile : k.rsaKeyFile}, {"JWT_ALGORITHM", algorithm},
		{"LOGIN_URL", loginUrl}};
	if (!caFile.empty()) values["CA_FILE"] = caFile;
	s.addMapLayer("bench", values);
	return s;
}

jwtflow::emulator::Emulator& benchEmulator()
{
	static std::unique_ptr<jwtflow::emulator::Emulator> emulator;
	if (!emulator)
	{
		jwtflow::emulator::EmulatorOptions options;
		options.apps.push_back({CLIENT_ID, benchKeys().certificate, ""});
		options.users = {USER};
		emulator.reset(new jwtflow::emulator::Emulator(options));
		emulator->start();
	}
	return *emulator;
}

} // namespace bench
