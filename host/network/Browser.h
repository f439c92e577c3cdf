//
// Browser.h
//
// Module: jwtflow-network
// Opening a link in the user's browser (`open`, `frontdoor --open`).
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_HOST_BROWSER_INCLUDED
#define JWTFLOW_HOST_BROWSER_INCLUDED

#include <string>

namespace jwtflow {
namespace host {

std::string openInBrowser(const std::string& url);
	/// Starts $BROWSER's first command (colon-separated list; "%s" stands for the
	/// link, else it is the last argument), else xdg-open, without a shell, in a
	/// session of its own with its output discarded, and does not wait for it.
	/// Returns the program started; throws UsageException naming BROWSER and
	/// --url-only when none can be started.

} // namespace host
} // namespace jwtflow

#endif
