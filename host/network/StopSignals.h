//
// StopSignals.h
//
// Module: jwtflow-network
// For the commands that serve until stopped (emulator, serve): SIGINT and
// SIGTERM blocked in every thread started afterwards, and waited for here.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_HOST_STOPSIGNALS_INCLUDED
#define JWTFLOW_HOST_STOPSIGNALS_INCLUDED

#include <csignal>
#include <pthread.h>
#include <string>

namespace jwtflow {
namespace host {

class StopSignals
	/// Make one before starting the server's threads: they inherit the mask.
{
public:
	StopSignals()
	{
		sigemptyset(&_set);
		sigaddset(&_set, SIGINT);
		sigaddset(&_set, SIGTERM);
		pthread_sigmask(SIG_BLOCK, &_set, nullptr);
	}

	std::string wait()
		/// Until SIGINT or SIGTERM arrives; its name.
	{
		int sig = 0;
		sigwait(&_set, &sig);
		return sig == SIGINT ? "SIGINT" : "SIGTERM";
	}

private:
	sigset_t _set;
};

} // namespace host
} // namespace jwtflow

#endif
