//
// BenchSupport.h: keys, settings and the emulator shared by the benchmarks.
//
#ifndef JWTFLOW_BENCHSUPPORT_INCLUDED
#define JWTFLOW_BENCHSUPPORT_INCLUDED

#include "jwtflow/Certificate.h"
#include "jwtflow/Keys.h"
#include "jwtflow/PluginRegistry.h"
#include "jwtflow/Settings.h"
#include "jwtflow/emulator/Emulator.h"
#include <memory>
#include <string>

namespace bench {

extern const char* const CLIENT_ID;
extern const char* const USER;

struct BenchKeys
	/// Keys made when the benchmarks start, written to a temporary folder.
{
	std::string folder;
	std::string rsaKeyFile, ecKeyFile, certificateFile;
	jwtflow::PrivateKey rsa, ec;
	jwtflow::Certificate certificate;
};

const BenchKeys& benchKeys();

jwtflow::PluginRegistry& benchRegistry();
	/// The built plugins.d folder.

jwtflow::Settings salesforceSettings(const std::string& algorithm, const std::string& loginUrl = "https://login.salesforce.com",
	const std::string& caFile = "");
	/// CLIENT_ID, SUBJECT, the key for the algorithm (EC for ES256), LOGIN_URL (the emulator stands for
	/// My Domain; aud stays https://login.salesforce.com), CA_FILE.

jwtflow::emulator::Emulator& benchEmulator();
	/// Started on first use, with the benchmark app and user registered.

} // namespace bench

#endif
