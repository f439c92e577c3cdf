//
// SecretPrompt.h
//
// Library: jwtflow core
// Asking a person for a secret (an encrypted key's passphrase, a PKCS#11
// PIN) at the terminal, as ssh and openssl do. The core never asks on its
// own: a program opts in with setSecretPrompt (the jwtflow command line does);
// an embedding program that does not gets a clear error instead.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_SECRETPROMPT_INCLUDED
#define JWTFLOW_SECRETPROMPT_INCLUDED

#include "jwtflow/Export.h"
#include <functional>
#include <optional>
#include <string>

namespace jwtflow {

using SecretPrompt = std::function<std::optional<std::string>(const std::string& prompt)>;
	/// Returns the secret typed for prompt, or nullopt when nobody can be asked.

JWTFLOW_API void setSecretPrompt(SecretPrompt prompt);
	/// Sets the process's prompt (empty: none, the default). Call it before
	/// keys are loaded; not synchronized with askSecret.

JWTFLOW_API std::optional<std::string> askSecret(const std::string& prompt);
	/// The prompt's answer, or nullopt when no prompt is set or it declined.

JWTFLOW_API std::optional<std::string> readSecretFromTerminal(const std::string& prompt);
	/// A SecretPrompt for command-line programs: when standard input and
	/// standard error are terminals, writes prompt on standard error, reads one
	/// line from standard input with echo off (restored afterwards, also on
	/// Ctrl-C's EINTR), and returns it without its line end; nullopt when either
	/// is not a terminal (a pipe, a file, CI), so that nothing is ever read
	/// from a stream that carries data, and for an empty answer. At most 1,023
	/// characters are read.

} // namespace jwtflow

#endif // JWTFLOW_SECRETPROMPT_INCLUDED
