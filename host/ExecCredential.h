//
// ExecCredential.h
//
// Program: jwtflow
// kubectl's exec credential plugin answer (client.authentication.k8s.io):
// `jwtflow PROVIDER token --output exec-credential` in a kubeconfig's
// users[].user.exec block.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_HOST_EXECCREDENTIAL_INCLUDED
#define JWTFLOW_HOST_EXECCREDENTIAL_INCLUDED

#include "HostExport.h"
#include <Poco/Types.h>
#include <string>

namespace jwtflow {
namespace host {

JWTFLOW_HOST_API std::string execCredential(const std::string& token, Poco::Int64 expiresAt, const std::string& execInfo);
	/// The ExecCredential object (one line of JSON and a newline): status.token
	/// and status.expirationTimestamp (RFC 3339, UTC; omitted when expiresAt is 0),
	/// in the apiVersion that KUBERNETES_EXEC_INFO (execInfo, may be empty) asks
	/// for: client.authentication.k8s.io/v1 (the default) or v1beta1. Throws
	/// UsageException for another version or execInfo that is not JSON.

} // namespace host
} // namespace jwtflow

#endif
