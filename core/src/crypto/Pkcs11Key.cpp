//
// Pkcs11Key.cpp
//
// Library: jwtflow core
// Keys in an HSM or a smart card, through OpenSSL 3's engine interface and
// Debian's libengine-pkcs11-openssl (engine id "pkcs11"): the one place the
// core uses an OpenSSL engine. The key never leaves the token; EVP_DigestSign
// with the engine's key makes the token sign.
//
// SPDX-License-Identifier: BSL-1.0
//
#define OPENSSL_SUPPRESS_DEPRECATED   // the ENGINE API: deprecated in OpenSSL 3, and the only way to libp11's engine
#include "jwtflow/Keys.h"
#include "OpenSslSupport.h"
#include "jwtflow/Exception.h"
#include "jwtflow/SafeText.h"
#include "jwtflow/SecretPrompt.h"
#include "jwtflow/SecureFiles.h"
#include <Poco/File.h>
#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/ui.h>
#include <algorithm>
#include <mutex>

namespace jwtflow {

namespace {

std::mutex engineMutex;   // the engine's controls (MODULE_PATH, PIN) are process-wide

/// Every reason in OpenSSL's error queue (libp11 puts the token's own, such as "PIN incorrect",
/// under the engine's general one), escaped; libp11 never echoes a PIN.
std::string engineError()
{
	std::string why;
	while (unsigned long code = ERR_get_error())
	{
		const char* reason = ERR_reason_error_string(code);
		if (!reason) continue;
		if (!why.empty()) why += "; ";
		why += reason;
	}
	return why.empty() ? "no reason given" : safeText(why, 300);
}

bool pinAsked = false;   // set by the UI reader below; under engineMutex

/// libp11 asks its UI method for a PIN it was not given. OpenSSL's default one
/// reads standard input (a pipe's data taken for a PIN, each wrong try counting
/// toward a smart card's lock-out) and writes "Enter PKCS#11 token PIN" on
/// stderr. This one asks jwtflow's own prompt (a terminal, echo off, only where
/// the program allows it) and otherwise fails: libp11 then does not log in at all.
int readPin(UI* ui, UI_STRING* uis)
{
	const enum UI_string_types type = UI_get_string_type(uis);
	if (type != UIT_PROMPT && type != UIT_VERIFY) return 1;   // nothing to read
	pinAsked = true;
	std::optional<std::string> pin = askSecret("Enter the PIN of the PKCS#11 token: ");
	if (!pin) return 0;
	const int ok = UI_set_result(ui, uis, pin->c_str());
	std::fill(pin->begin(), pin->end(), '\0');
	return ok == 0 ? 1 : 0;
}

int writeNothing(UI*, UI_STRING*)
{
	return 1;   // libp11's own prompts and notes: not written
}

UI_METHOD* pinMethod()
{
	static UI_METHOD* method = [] {
		UI_METHOD* m = UI_create_method("jwtflow PIN");
		UI_method_set_reader(m, readPin);
		UI_method_set_writer(m, writeNothing);
		return m;   // kept for the process
	}();
	return method;
}

} // namespace

PrivateKey PrivateKey::fromPkcs11(const std::string& uri, const std::string& module, const std::optional<std::string>& pin)
{
	if (uri.compare(0, 7, "pkcs11:") != 0)
		throw UsageException("'" + safeText(uri, 120) + "' is not a PKCS#11 URI (RFC 7512): pkcs11:token=LABEL;object=KEY_LABEL");
	if (uri.find("pin-value=") != std::string::npos)
		throw UsageException("put no PIN in the PKCS#11 URI (it would show wherever the URI does): give it in PKCS11_PIN or PKCS11_PIN_FILE");
	if (module.empty())
		throw UsageException("a pkcs11: PATH_PRIVATE_KEY needs PKCS11_MODULE, the token's PKCS#11 library "
			"(SoftHSM: /usr/lib/softhsm/libsofthsm2.so; OpenSC: /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so)");
	if (!Poco::File(module).exists())
		throw InputException("the PKCS#11 module '" + safeText(module, 200) + "' (PKCS11_MODULE) does not exist");
	// Code jwtflow loads passes the plugin rules, whichever layer named it.
	const std::string library = checkTrustedLibrary(module, "the PKCS#11 module (PKCS11_MODULE)");
	std::lock_guard<std::mutex> lock(engineMutex);
	ERR_clear_error();
	ENGINE_load_builtin_engines();
	ENGINE* engine = ENGINE_by_id("pkcs11");
	if (!engine)
	{
		ERR_clear_error();
		throw InputException("OpenSSL's pkcs11 engine is not installed: apt-get install libengine-pkcs11-openssl");
	}
	struct Release
	{
		ENGINE* e;
		bool initialised = false;
		~Release()
		{
			if (initialised) ENGINE_finish(e);
			ENGINE_free(e);
		}
	} release{engine};
	// libp11 prints its own failures on stderr unless told to keep quiet (0.4.11 and later); the message here says it all.
	ENGINE_ctrl_cmd_string(engine, "QUIET", nullptr, 1);
	ERR_clear_error();
	if (!ENGINE_ctrl_cmd_string(engine, "MODULE_PATH", library.c_str(), 0))
		throw InputException("the pkcs11 engine refused the module '" + safeText(module, 200) + "': " + engineError());
	if (!ENGINE_init(engine))
		throw InputException("the PKCS#11 module '" + safeText(module, 200) + "' cannot be loaded (" + engineError()
			+ "): check PKCS11_MODULE, and the module's own configuration (SoftHSM: SOFTHSM2_CONF)");
	release.initialised = true;
	if (pin && !ENGINE_ctrl_cmd_string(engine, "PIN", pin->c_str(), 0))
		throw InputException("the pkcs11 engine refused the PIN setting: " + engineError());
	pinAsked = false;
	EVP_PKEY* key = ENGINE_load_private_key(engine, uri.c_str(), pinMethod(), nullptr);
	if (!key)
	{
		const std::string why = engineError();
		if (!pin && pinAsked)
			throw InputException("the PKCS#11 token needs its PIN: give it in PKCS11_PIN_FILE or PKCS11_PIN "
				"(jwtflow asks for it only at a terminal, and never reads it from standard input otherwise)");
		if (why.find("PIN incorrect") != std::string::npos || why.find("PIN_INCORRECT") != std::string::npos
			|| why.find("Login failed") != std::string::npos)
			throw InputException("the PKCS#11 token refused the PIN: check PKCS11_PIN_FILE or PKCS11_PIN");
		if (why.find("PIN_LOCKED") != std::string::npos || why.find("PIN locked") != std::string::npos)
			throw InputException("the PKCS#11 token's PIN is locked after too many wrong tries: unlock it with the SO PIN");
		throw InputException("no private key '" + safeText(uri, 200) + "' in the PKCS#11 token (" + why + "): check the URI's token= "
			"and object= (pkcs11-tool --list-objects --login shows them)" + std::string(pin ? "" : ", and give the PIN (PKCS11_PIN)"));
	}
	PrivateKey result(detail::wrapKey(key));
	result._hardware = true;
	return result;
}

bool PrivateKey::isHardwareKey() const
{
	return _hardware;
}

} // namespace jwtflow
