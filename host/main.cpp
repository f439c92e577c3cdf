//
// main.cpp
//
// Program: jwtflow
//
// SPDX-License-Identifier: BSL-1.0
//
#include "JwtflowApp.h"
#include "jwtflow/SecretPrompt.h"
#include <openssl/crypto.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#if defined(__SANITIZE_ADDRESS__)
#define JWTFLOW_LEAK_CHECKED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define JWTFLOW_LEAK_CHECKED 1
#endif
#endif

namespace {

/// A crash must not write the key, a passphrase or a token into a core file:
/// no core dumps (soft and hard limit 0, so a child cannot raise it either) and
/// a process that is not dumpable (no core through a core_pattern pipe, no
/// ptrace attach by another process of the same user). The sanitizer build
/// keeps the process dumpable, for LeakSanitizer's tracer.
void forbidCoreDumps()
{
	const struct rlimit none{0, 0};
	::setrlimit(RLIMIT_CORE, &none);
#if !defined(JWTFLOW_LEAK_CHECKED)
	::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
}

} // namespace

int main(int argc, char** argv)
{
	forbidCoreDumps();
#if !defined(JWTFLOW_LEAK_CHECKED)
	// OpenSSL would free every table it built at exit (a twentieth of a `jwt`
	// run); the process's end returns that memory anyway. Kept in the sanitizer
	// build, where the leak check wants a clean end.
	OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr);
#endif
	// An encrypted key's passphrase or a PKCS#11 PIN that is not configured is asked for at a
	// terminal (echo off), as ssh and openssl do; never read from a standard input that is not one.
	jwtflow::setSecretPrompt(jwtflow::readSecretFromTerminal);
	jwtflow::host::JwtflowApp app;
	return app.start(argc, argv);
}
