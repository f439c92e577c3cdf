//
// OptionHints.h
//
// Program: jwtflow
// The core's messages name settings (an embedding program has no command
// line); the jwtflow program adds the option that sets each one.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_HOST_OPTIONHINTS_INCLUDED
#define JWTFLOW_HOST_OPTIONHINTS_INCLUDED

#include "HostExport.h"
#include "jwtflow/Provider.h"
#include <string>
#include <vector>

namespace jwtflow {
namespace host {

JWTFLOW_HOST_API std::string withOptionHints(const std::string& message, const std::vector<SettingSpec>& settings);
	/// message with the option of each setting it names, at its first mention:
	/// "(PATH_CERTIFICATE)" becomes "(PATH_CERTIFICATE / --certificate)", a bare
	/// "SUBJECT" becomes "SUBJECT (--subject)". Settings without an option, and
	/// messages that name the option already, are left as they are; so is a
	/// name inside a longer word (PKCS11_PIN in PKCS11_PIN_FILE).

} // namespace host
} // namespace jwtflow

#endif // JWTFLOW_HOST_OPTIONHINTS_INCLUDED
