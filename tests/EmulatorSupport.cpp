//
// EmulatorSupport.cpp
//
#include "EmulatorSupport.h"

namespace testing_support {

std::unique_ptr<jwtflow::emulator::Emulator> startEmulator(const TempDir& dir, const std::string& clientId,
	std::vector<std::string> users, const std::string& keyId,
	const std::function<void(jwtflow::emulator::EmulatorOptions&)>& adjust)
{
	jwtflow::emulator::EmulatorOptions options;
	options.apps.push_back({clientId, jwtflow::Certificate::fromFile(sharedKeys().rsaCert), keyId});
	options.users = std::move(users);
	options.workDir = dir.file("emulator");
	if (adjust) adjust(options);
	std::unique_ptr<jwtflow::emulator::Emulator> emulator(new jwtflow::emulator::Emulator(options));
	emulator->start();
	return emulator;
}

} // namespace testing_support
