//
// ClientAssertion.cpp
//
// Library: jwtflow core (jwt)
// Minted assertions, and federated tokens read from the platform's file.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/ClientAssertion.h"
#include "jwtflow/Exception.h"
#include "jwtflow/Json.h"
#include "jwtflow/Jwt.h"
#include "jwtflow/SafeText.h"
#include "jwtflow/SecureFiles.h"
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Array.h>
#include <Poco/String.h>

namespace jwtflow {

ClientAssertionSource::~ClientAssertionSource() = default;

MintedAssertions::MintedAssertions(const AssertionMinter& minter): _minter(minter)
{
}

std::string MintedAssertions::next() const
{
	return _minter.mint().compact;
}

std::string MintedAssertions::describe() const
{
	return "the assertion signed with the private key";
}

WorkloadToken readWorkloadToken(const std::string& token, const std::string& where)
{
	DecodedJwt jwt;
	try
	{
		jwt = decodeJwt(token);
	}
	catch (const Poco::Exception& e)
	{
		throw InputException(where + " does not hold a JWT (" + safeText(e.message(), 80) + ")");
	}
	WorkloadToken facts;
	facts.issuer = jsonString(*jwt.claims, "iss");
	facts.subject = jsonString(*jwt.claims, "sub");
	if (jwt.claims->isArray("aud"))
	{
		Poco::JSON::Array::Ptr audiences = jwt.claims->getArray("aud");
		if (audiences && audiences->size() > 0) facts.audience = audiences->getElement<std::string>(0);
	}
	else
	{
		facts.audience = jsonString(*jwt.claims, "aud");
	}
	std::optional<Poco::Int64> exp;
	try
	{
		exp = numericClaim(*jwt.claims, "exp");
	}
	catch (const Poco::Exception&)
	{
	}
	if (!exp) throw InputException(where + " holds a JWT without exp: a federated token always has one");
	facts.expiresAt = *exp;
	return facts;
}

FederatedTokenFile::FederatedTokenFile(std::string path, std::string settingName, std::function<Poco::Timestamp()> clock):
	_path(std::move(path)), _setting(std::move(settingName)), _clock(std::move(clock))
{
}

std::string FederatedTokenFile::describe() const
{
	return "the federated token in " + _path + " (" + _setting + ")";
}

std::string FederatedTokenFile::next() const
{
	const std::string what = "the federated token file (" + _setting + ")";
	checkTrustedFile(_path, what, TrustedFileKind::Content);
	const std::string token = Poco::trim(readTextFile(_path, what, 64 * 1024));
	readUnexpiredWorkloadToken(token, "the federated token file '" + _path + "' (" + _setting + ")",
		(_clock ? _clock() : Poco::Timestamp()).epochTime(), "the platform that writes it (the Kubernetes kubelet, the AKS webhook) "
		"has stopped rotating it; check the pod's projected token volume");
	return token;
}

WorkloadToken readUnexpiredWorkloadToken(const std::string& token, const std::string& where, Poco::Int64 now, const std::string& fix)
{
	const WorkloadToken facts = readWorkloadToken(token, where);
	if (facts.expiresAt - now < FederatedTokenFile::MIN_REMAINING_SECONDS)
		throw InputException(where + " " + (facts.expiresAt <= now ? "expired" : "expires") + " at "
			+ Poco::DateTimeFormatter::format(Poco::Timestamp::fromEpochTime(static_cast<std::time_t>(facts.expiresAt)),
				Poco::DateTimeFormat::ISO8601_FORMAT) + ": " + fix);
	return facts;
}

bool takesFederatedCredential(const Provider& provider)
{
	for (const auto& spec: provider.settings())
		if (spec.name == "CLIENT_ASSERTION_FILE") return true;
	return false;
}

bool usesFederatedCredential(const Provider& provider, const Settings& settings)
{
	if (provider.subjectTokenSource(settings)) return true;
	if (!takesFederatedCredential(provider)) return false;
	if (settings.get("CLIENT_ASSERTION_FILE") || settings.get("FEDERATED_TOKEN_SOURCE")) return true;
	return !settings.get("PATH_PRIVATE_KEY") && settings.get("ACTIONS_ID_TOKEN_REQUEST_URL") && settings.get("ACTIONS_ID_TOKEN_REQUEST_TOKEN");
}

} // namespace jwtflow
