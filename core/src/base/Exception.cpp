//
// Exception.cpp
//
// Library: jwtflow core
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/Exception.h"
#include "jwtflow/SafeText.h"
#include <typeinfo>

namespace jwtflow {

POCO_IMPLEMENT_EXCEPTION(Exception, Poco::Exception, "jwtflow error")
POCO_IMPLEMENT_EXCEPTION(UsageException, Exception, "Usage error")
POCO_IMPLEMENT_EXCEPTION(InputException, Exception, "Input error")
POCO_IMPLEMENT_EXCEPTION(NetworkException, Exception, "Network error")
POCO_IMPLEMENT_EXCEPTION(TlsException, NetworkException, "TLS refused")
POCO_IMPLEMENT_EXCEPTION(VerificationException, Exception, "Verification failed")
POCO_IMPLEMENT_EXCEPTION(PluginException, Exception, "Plugin error")

namespace {

std::string composeIdpMessage(int httpStatus, const std::string& error, const std::string& description,
	const std::string& hint)
{
	// error and error_description come from the IdP: escaped and cut here,
	// so that an answer cannot forge lines or steer the terminal.
	std::string msg = "the identity provider refused the request (HTTP " + std::to_string(httpStatus) + "): " + safeText(error, 100);
	if (!description.empty()) msg += ": " + safeText(description, 500);
	if (!hint.empty()) msg += "\nhint: " + safeText(hint, 1000);
	return msg;
}

} // namespace

IdpException::IdpException(int httpStatus, const std::string& error, const std::string& description,
	long errorCode, const std::string& hint):
	Exception(composeIdpMessage(httpStatus, error, description, hint)),
	_httpStatus(httpStatus),
	_error(error),
	_description(description),
	_errorCode(errorCode),
	_hint(hint)
{
}

IdpException::IdpException(const IdpException& other) = default;
IdpException::~IdpException() noexcept = default;
IdpException& IdpException::operator=(const IdpException& other) = default;

const char* IdpException::name() const noexcept { return "Identity provider refused"; }
const char* IdpException::className() const noexcept { return typeid(*this).name(); }
Poco::Exception* IdpException::clone() const { return new IdpException(*this); }
void IdpException::rethrow() const { throw *this; }

TlsFailure tlsFailureOf(const TlsException& exc)
{
	return static_cast<TlsFailure>(exc.code());
}

ExitCode exitCodeFor(const Poco::Exception& exc)
{
	if (dynamic_cast<const UsageException*>(&exc)) return ExitCode::Usage;
	if (dynamic_cast<const InputException*>(&exc)) return ExitCode::LocalInput;
	if (dynamic_cast<const IdpException*>(&exc)) return ExitCode::IdpRefused;
	if (dynamic_cast<const NetworkException*>(&exc)) return ExitCode::Network;
	if (dynamic_cast<const VerificationException*>(&exc)) return ExitCode::VerificationFailed;
	if (dynamic_cast<const PluginException*>(&exc)) return ExitCode::Usage;
	return ExitCode::Internal;
}

std::string messageFor(const Poco::Exception& exc)
{
	if (dynamic_cast<const Exception*>(&exc)) return exc.message();
	return exc.displayText();
}

} // namespace jwtflow
