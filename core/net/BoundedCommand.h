//
// BoundedCommand.h
//
// Library: jwtflow net (internal)
// Runs a program that a credentials file names (Google's executable-sourced
// credentials, AIP-4117): no shell, an absolute program path, an environment
// of the caller's choosing, stdin from /dev/null, its output bounded in size
// and the whole run in time (the process group is killed at the deadline).
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_NET_BOUNDEDCOMMAND_INCLUDED
#define JWTFLOW_NET_BOUNDEDCOMMAND_INCLUDED

#include <string>
#include <utility>
#include <vector>

namespace jwtflow {

struct BoundedCommandResult
{
	int exitCode = -1;       ///< the exit status, or -1 when it ended by a signal
	int signal = 0;          ///< the signal that ended it, 0 when it exited
	bool timedOut = false;   ///< killed at the deadline
	bool outputTooLarge = false; ///< printed more than the limit (then killed)
	std::string out;         ///< stdout, at most maxOutputBytes
	std::string err;         ///< the last bytes of stderr (at most 4 KiB)
};

BoundedCommandResult runBoundedCommand(const std::vector<std::string>& argv,
	const std::vector<std::pair<std::string, std::string>>& environment, int timeoutMillis, std::size_t maxOutputBytes);
	/// Runs argv[0] (an absolute path) with argv and exactly `environment`.
	/// Throws InputException when the program cannot be started.

} // namespace jwtflow

#endif
