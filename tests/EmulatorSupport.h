//
// EmulatorSupport.h: an emulator started for a test, with one registered app.
//
#ifndef JWTFLOW_EMULATORSUPPORT_INCLUDED
#define JWTFLOW_EMULATORSUPPORT_INCLUDED

#include "TestSupport.h"
#include "jwtflow/emulator/Emulator.h"
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace testing_support {

std::unique_ptr<jwtflow::emulator::Emulator> startEmulator(const TempDir& dir, const std::string& clientId,
	std::vector<std::string> users = {}, const std::string& keyId = "",
	const std::function<void(jwtflow::emulator::EmulatorOptions&)>& adjust = {});
	/// Started on loopback with its work folder in dir; the app clientId is
	/// registered with sharedKeys().rsaCert (and keyId); adjust changes the
	/// other options before it starts.

} // namespace testing_support

#endif
