//
// main.cpp
//
// Program: jwtflow
//
// SPDX-License-Identifier: BSL-1.0
//
#include "JwtflowApp.h"
#include <openssl/crypto.h>

#if defined(__SANITIZE_ADDRESS__)
#define JWTFLOW_LEAK_CHECKED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define JWTFLOW_LEAK_CHECKED 1
#endif
#endif

int main(int argc, char** argv)
{
#if !defined(JWTFLOW_LEAK_CHECKED)
	// OpenSSL would free every table it built at exit (a twentieth of a `jwt`
	// run); the process's end returns that memory anyway. Kept in the sanitizer
	// build, where the leak check wants a clean end.
	OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr);
#endif
	jwtflow::host::JwtflowApp app;
	return app.start(argc, argv);
}
