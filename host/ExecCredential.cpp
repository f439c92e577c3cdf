//
// ExecCredential.cpp
//
// Program: jwtflow
//
// SPDX-License-Identifier: BSL-1.0
//
#include "ExecCredential.h"
#include "jwtflow/Exception.h"
#include "jwtflow/Json.h"
#include "jwtflow/SafeText.h"
#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Object.h>
#include <Poco/Timestamp.h>

namespace jwtflow {
namespace host {

namespace {

const std::string GROUP = "client.authentication.k8s.io/";

std::string requestedVersion(const std::string& execInfo)
{
	if (execInfo.empty()) return GROUP + "v1";
	std::string version;
	try
	{
		version = jsonString(*parseJsonObject(execInfo), "apiVersion");
	}
	catch (const Poco::Exception&)
	{
		throw UsageException("KUBERNETES_EXEC_INFO is not the JSON object kubectl sets for an exec credential plugin");
	}
	if (version.empty()) return GROUP + "v1";
	if (version != GROUP + "v1" && version != GROUP + "v1beta1")
		throw UsageException("kubectl asks for ExecCredential " + quotedText(version, 80) + ": jwtflow answers "
			"client.authentication.k8s.io/v1 and v1beta1 (set apiVersion in the kubeconfig's exec block)");
	return version;
}

} // namespace

std::string execCredential(const std::string& token, Poco::Int64 expiresAt, const std::string& execInfo)
{
	Poco::JSON::Object out(Poco::JSON_PRESERVE_KEY_ORDER);
	out.set("apiVersion", requestedVersion(execInfo));
	out.set("kind", "ExecCredential");
	Poco::JSON::Object::Ptr status = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
	status->set("token", token);
	if (expiresAt > 0)
		status->set("expirationTimestamp", Poco::DateTimeFormatter::format(Poco::Timestamp::fromEpochTime(static_cast<std::time_t>(expiresAt)),
			"%Y-%m-%dT%H:%M:%SZ"));
	out.set("status", status);
	return toJson(out) + "\n";
}

} // namespace host
} // namespace jwtflow
