//
// DoctorAction.cpp
//
// Program: jwtflow
// `jwtflow <provider> doctor`: every check that can be made, one line each
// (ok / warn / fail, with the fix), ending with a real token request.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "JwtflowApp.h"
#include "jwtflow/ClientAssertion.h"
#include "jwtflow/Credentials.h"
#include "jwtflow/FederatedSources.h"
#include "jwtflow/Exception.h"
#include "jwtflow/HttpClient.h"
#include "jwtflow/Json.h"
#include "jwtflow/SafeText.h"
#include "jwtflow/TokenClient.h"
#include <Poco/DateTimeParser.h>
#include <Poco/JSON/Array.h>
#include <Poco/Timestamp.h>
#include <cmath>
#include <sys/stat.h>

namespace jwtflow {
namespace host {

namespace {

using Level = DoctorFinding::Level;

struct Report
{
	std::vector<DoctorFinding> findings;
	ExitCode firstFailure = jwtflow::ExitCode::Ok;

	void add(Level level, const std::string& check, const std::string& message, ExitCode code = jwtflow::ExitCode::Usage)
	{
		findings.push_back({level, check, message});
		if (level == Level::Fail && firstFailure == jwtflow::ExitCode::Ok) firstFailure = code;
	}
	void fail(const std::string& check, const Poco::Exception& e)
	{
		add(Level::Fail, check, messageFor(e), exitCodeFor(e));
	}
};

const char* levelName(Level l)
{
	return l == Level::Ok ? "ok" : l == Level::Warn ? "warn" : "fail";
}

} // namespace

namespace {

/// 1. Required settings.
void checkSettings(Report& report, const Provider& provider, const Settings& s)
{
	bool settingsOk = true;
	for (const auto& spec: provider.settings())
	{
		if (spec.required && !s.get(spec.name))
		{
			settingsOk = false;
			report.add(Level::Fail, "setting " + spec.name, "missing: set " + spec.name + " in .env or the environment"
				+ (spec.option.empty() ? "" : ", or give --" + spec.option));
		}
	}
	if (settingsOk) report.add(Level::Ok, "settings", "every required setting is present");
}

/// 2. The signing key (the provider's own file, or PATH_PRIVATE_KEY): loads, permissions. Loaded once, for every later check.
std::optional<SigningKey> checkKey(Report& report, const Provider& provider, const Settings& s)
{
	try
	{
		SigningKey signing = loadSigningKey(provider, s);
		const PrivateKey& key = signing.key;
		report.add(Level::Ok, "private key", signing.label + ": " + describeKey(key.type(), key.bits(), key.curveName()));
		// A key file readable by others is refused when loaded (like ssh), so a loaded one is private.
		if (!signing.path.empty()) report.add(Level::Ok, "key file permissions", "yours, readable by you only");
		return signing;
	}
	catch (const Poco::Exception& e)
	{
		report.fail("private key", e);
		return std::nullopt;
	}
}

void checkValidity(Report& report, const std::string& certPath, const Certificate& cert)
{
	const Poco::Timestamp now;
	const double daysLeft = static_cast<double>(cert.notAfter() - now) / (86400.0 * 1000000.0);
	if (now < cert.notBefore())
		report.add(Level::Fail, "certificate validity", certPath + " is not valid yet (check the clock, or the certificate)", jwtflow::ExitCode::LocalInput);
	else if (daysLeft < 0)
		report.add(Level::Fail, "certificate validity", certPath + " expired " + std::to_string(static_cast<int>(-daysLeft))
			+ " days ago: make a new one (jwtflow keygen) and upload it", jwtflow::ExitCode::LocalInput);
	else if (daysLeft < 30)
		report.add(Level::Warn, "certificate validity", certPath + " expires in " + std::to_string(static_cast<int>(daysLeft))
			+ " days: plan its replacement");
	else
		report.add(Level::Ok, "certificate validity", "valid for " + std::to_string(static_cast<int>(daysLeft)) + " more days");
}

/// 3. Certificate (PATH_CERTIFICATE, else a PKCS#12 key file's): validity window, match with the key, chain.
void checkCertificate(Report& report, const Settings& s, const std::optional<SigningKey>& signing)
{
	std::optional<std::string> certPath = s.get("PATH_CERTIFICATE");
	if (!certPath && s.get("PATH_PRIVATE_KEY") && isPkcs12Path(*s.get("PATH_PRIVATE_KEY"))) certPath = s.get("PATH_PRIVATE_KEY");
	if (!certPath) return;
	try
	{
		const std::vector<Certificate> chain = signing && !signing->chain.empty() && signing->path == *certPath ? signing->chain
			: readCertificateChain(*certPath, isPkcs12Path(*certPath) ? passphraseFrom(s) : std::nullopt);
		if (chain.empty()) throw InputException(*certPath + " holds no certificate");
		const Certificate& cert = chain.front();
		if (chain.size() > 1)
		{
			const std::string problem = chainProblem(chain);
			if (problem.empty())
				report.add(Level::Ok, "certificate chain", std::to_string(chain.size()) + " certificates, each issued by the next"
					+ std::string(s.getOr("SEND_X5C", "false") == "true" ? " (sent as x5c)" : ""));
			else
				report.add(Level::Fail, "certificate chain", problem, jwtflow::ExitCode::LocalInput);
		}
		checkValidity(report, *certPath, cert);
		if (!signing) return;
		if (cert.publicKey().matches(signing->key))
			report.add(Level::Ok, "certificate matches key", "x5t " + cert.x5t());
		else
			report.add(Level::Fail, "certificate matches key", *certPath + " is not the certificate of the private key: "
				"the IdP would refuse the signature", jwtflow::ExitCode::LocalInput);
	}
	catch (const Poco::Exception& e)
	{
		report.fail("certificate", e);
	}
}

void checkPublicKey(Report& report, const Settings& s, const std::optional<SigningKey>& signing)
{
	auto pubPath = s.get("PATH_PUBLIC_KEY");
	if (!pubPath) return;
	try
	{
		PublicKey pub = PublicKey::fromFile(*pubPath);
		if (signing && !pub.matches(signing->key))
			report.add(Level::Fail, "public key matches key", *pubPath + " is not the public half of the private key", jwtflow::ExitCode::LocalInput);
		else if (signing)
			report.add(Level::Ok, "public key matches key", *pubPath);
	}
	catch (const Poco::Exception& e)
	{
		report.fail("public key", e);
	}
}

/// The clock against the Date header of the token endpoint's answer, whatever the answer was.
void checkClock(Report& report, const HttpClient& http, const std::string& tokenUrl)
{
	if (http.lastStatus() == 0) return;
	report.add(Level::Ok, "reach token endpoint", tokenUrl + " answered HTTP " + std::to_string(http.lastStatus()));
	int tz = 0;
	Poco::DateTime when;
	if (http.lastDate().empty() || !Poco::DateTimeParser::tryParse(http.lastDate(), when, tz)) return;
	const double skew = static_cast<double>(Poco::Timestamp() - when.timestamp()) / 1000000.0;
	if (std::fabs(skew) > 60)
		report.add(Level::Fail, "clock", "this machine's clock is " + std::to_string(static_cast<int>(std::lround(std::fabs(skew))))
			+ " s " + (skew < 0 ? "behind" : "ahead of") + " the IdP's: JWTs will be refused; synchronise the clock (NTP)",
			jwtflow::ExitCode::LocalInput);
	else
		report.add(Level::Ok, "clock", "within " + std::to_string(static_cast<int>(std::ceil(std::fabs(skew)))) + " s of the IdP's");
}

/// The IdP's refusal of the token request, with the provider's fix.
void reportRefusal(Report& report, const IdpException& e)
{
	report.add(Level::Fail, "token request", e.error() + ": " + e.description() + (e.hint().empty() ? "" : "; fix: " + e.hint()),
		jwtflow::ExitCode::IdpRefused);
}

/// 4-5. The assertion as it would be minted, then one real token request (the IdP counts each as a login).
void checkTokenRequest(Report& report, const Provider& provider, const Settings& s, const std::optional<SigningKey>& signing, int timeout)
{
	std::unique_ptr<AssertionMinter> minter;
	try
	{
		minter.reset(signing ? new AssertionMinter(provider, s, *signing) : new AssertionMinter(provider, s));
		MintedAssertion jwt = minter->mint();
		report.add(Level::Ok, "assertion", minter->algorithm().name + ", valid for " + std::to_string(minter->lifetimeSeconds()) + " s");
		const std::string tokenUrl = provider.tokenRequest(s, jwt.compact).url;
		HttpClient http(httpOptionsFrom(s, timeout));
		TokenClient client(provider, s, http);
		bool first = true;
		try
		{
			TokenResult token = client.exchange([&] {
				if (!first) return minter->mint().compact;
				first = false;
				return jwt.compact;
			});
			checkClock(report, http, tokenUrl);
			report.add(Level::Ok, "token request", "an access token was issued" +
				std::string(token.expiresIn ? " (expires in " + std::to_string(*token.expiresIn) + " s)" : ""));
		}
		catch (const IdpException& e)
		{
			checkClock(report, http, tokenUrl);
			reportRefusal(report, e);
		}
		catch (const NetworkException&)
		{
			checkClock(report, http, tokenUrl);
			throw;
		}
	}
	catch (const Poco::Exception& e)
	{
		report.fail(minter ? "token request" : "assertion", e);
	}
}

/// 2-5 for a federated credential: the token it reads now (what it says of itself, never the token), then one real login.
void checkFederatedLogin(Report& report, const Provider& provider, const Settings& s, int timeout)
{
	bool read = false;
	try
	{
		HttpClient http(httpOptionsFrom(s, timeout));
		const std::unique_ptr<ClientAssertionSource> source = federatedAssertionSource(provider, s, http);
		const std::string token = source->next();
		read = true;
		std::string facts;
		try
		{
			const WorkloadToken workload = readWorkloadToken(token, source->describe());
			facts = ": issuer " + safeText(workload.issuer, 120) + ", subject " + safeText(workload.subject, 120) + ", audience "
				+ safeText(workload.audience, 120) + ", expires in " + std::to_string(workload.expiresAt - Poco::Timestamp().epochTime()) + " s";
		}
		catch (const Poco::Exception&)
		{
			facts = " (not a JWT)";
		}
		report.add(Level::Ok, "federated token", source->describe() + facts);
		TokenClient client(provider, s, http);
		TokenResult result = client.exchange([&] { return source->next(); });
		report.add(Level::Ok, "token request", "an access token was issued" +
			std::string(result.expiresIn ? " (expires in " + std::to_string(*result.expiresIn) + " s)" : ""));
	}
	catch (const IdpException& e)
	{
		reportRefusal(report, e);
	}
	catch (const Poco::Exception& e)
	{
		report.fail(read ? "token request" : "federated token", e);
	}
}

} // namespace

int JwtflowApp::actionDoctor(Provider& provider)
{
	Report report;
	Settings& s = settings();
	checkSettings(report, provider, s);
	if (usesFederatedCredential(provider, s))
	{
		for (const auto& f: provider.diagnose(s)) report.add(f.level, f.check, f.message);
		checkFederatedLogin(report, provider, s, timeoutSeconds());
	}
	else
	{
		const std::optional<SigningKey> signing = checkKey(report, provider, s);
		checkCertificate(report, s, signing);
		checkPublicKey(report, s, signing);
		for (const auto& f: provider.diagnose(s)) report.add(f.level, f.check, f.message);
		checkTokenRequest(report, provider, s, signing, timeoutSeconds());
	}

	if (outputFormat() == OutputFormat::Json)
	{
		Poco::JSON::Object out(Poco::JSON_PRESERVE_KEY_ORDER);
		Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
		for (const auto& f: report.findings)
		{
			Poco::JSON::Object::Ptr item = newJsonObject();
			item->set("level", std::string(levelName(f.level)));
			item->set("check", f.check);
			item->set("message", f.message);
			list->add(item);
		}
		out.set("provider", provider.name());
		out.set("ok", report.firstFailure == jwtflow::ExitCode::Ok);
		out.set("checks", list);
		_console.json(out);
		return static_cast<int>(report.firstFailure);
	}
	for (const auto& f: report.findings)
	{
		const std::string level = levelName(f.level);
		_console.result(level + std::string(6 - level.size(), ' ') + f.check + ": " + f.message);
	}
	return static_cast<int>(report.firstFailure);
}

} // namespace host
} // namespace jwtflow
