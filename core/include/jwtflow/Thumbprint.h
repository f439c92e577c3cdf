//
// Thumbprint.h
//
// Library: jwtflow core
// Certificate thumbprints in every form people paste them in.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_THUMBPRINT_INCLUDED
#define JWTFLOW_THUMBPRINT_INCLUDED

#include "jwtflow/Export.h"
#include <string>

namespace jwtflow {

JWTFLOW_API std::string parseSha1Thumbprint(const std::string& text);
	/// The 20 raw bytes of a SHA-1 certificate thumbprint given as hex (as the
	/// Azure portal shows it; with or without colons or spaces; any case),
	/// padded standard base64 (what `openssl ... | base64` gives), or base64url
	/// (x5t). Throws UsageException naming the accepted forms for anything that
	/// is not 20 bytes. The value is not a secret, but is not echoed in full.

} // namespace jwtflow

#endif // JWTFLOW_THUMBPRINT_INCLUDED
