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
#include "jwtflow/Credentials.h"
#include "jwtflow/Exception.h"
#include "jwtflow/HttpClient.h"
#include "jwtflow/Json.h"
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

int JwtflowApp::actionDoctor(Provider& provider)
{
	Report report;
	Settings& s = settings();

	// 1. Required settings.
	std::vector<SettingSpec> specs = provider.settings();
	bool settingsOk = true;
	for (const auto& spec: specs)
	{
		if (spec.required && !s.get(spec.name))
		{
			settingsOk = false;
			report.add(Level::Fail, "setting " + spec.name, "missing: set " + spec.name + " in .env or the environment"
				+ (spec.option.empty() ? "" : ", or give --" + spec.option));
		}
	}
	if (settingsOk) report.add(Level::Ok, "settings", "every required setting is present");

	// 2. The signing key (the provider's own file, or PATH_PRIVATE_KEY): loads, permissions.
	std::optional<PrivateKey> key;
	try
	{
		SigningKey signing = loadSigningKey(provider, s);
		key = signing.key;
		report.add(Level::Ok, "private key", signing.label + ": " + describeKey(key->type(), key->bits(), key->curveName()));
		// A key file readable by others is refused when loaded (like ssh), so a loaded one is private.
		if (!signing.path.empty()) report.add(Level::Ok, "key file permissions", "yours, readable by you only");
	}
	catch (const Poco::Exception& e)
	{
		report.fail("private key", e);
	}

	// 3. Certificate (PATH_CERTIFICATE, else a PKCS#12 key file's): validity window, match with the key, chain.
	std::optional<std::string> certPath = s.get("PATH_CERTIFICATE");
	if (!certPath && s.get("PATH_PRIVATE_KEY") && isPkcs12Path(*s.get("PATH_PRIVATE_KEY"))) certPath = s.get("PATH_PRIVATE_KEY");
	if (certPath)
	{
		try
		{
			const std::vector<Certificate> chain = readCertificateChain(*certPath, passphraseFrom(s));
			if (chain.empty()) throw InputException(*certPath + " holds no certificate");
			Certificate cert = chain.front();
			if (chain.size() > 1)
			{
				const std::string problem = chainProblem(chain);
				if (problem.empty())
					report.add(Level::Ok, "certificate chain", std::to_string(chain.size()) + " certificates, each issued by the next"
						+ std::string(s.getOr("SEND_X5C", "false") == "true" ? " (sent as x5c)" : ""));
				else
					report.add(Level::Fail, "certificate chain", problem, jwtflow::ExitCode::LocalInput);
			}
			const Poco::Timestamp now;
			const double daysLeft = static_cast<double>(cert.notAfter() - now) / (86400.0 * 1000000.0);
			if (now < cert.notBefore())
				report.add(Level::Fail, "certificate validity", *certPath + " is not valid yet (check the clock, or the certificate)", jwtflow::ExitCode::LocalInput);
			else if (daysLeft < 0)
				report.add(Level::Fail, "certificate validity", *certPath + " expired " + std::to_string(static_cast<int>(-daysLeft))
					+ " days ago: make a new one (jwtflow keygen) and upload it", jwtflow::ExitCode::LocalInput);
			else if (daysLeft < 30)
				report.add(Level::Warn, "certificate validity", *certPath + " expires in " + std::to_string(static_cast<int>(daysLeft))
					+ " days: plan its replacement");
			else
				report.add(Level::Ok, "certificate validity", "valid for " + std::to_string(static_cast<int>(daysLeft)) + " more days");
			if (key)
			{
				if (cert.publicKey().matches(*key))
					report.add(Level::Ok, "certificate matches key", "x5t " + cert.x5t());
				else
					report.add(Level::Fail, "certificate matches key", *certPath + " is not the certificate of the private key: "
						"the IdP would refuse the signature", jwtflow::ExitCode::LocalInput);
			}
		}
		catch (const Poco::Exception& e)
		{
			report.fail("certificate", e);
		}
	}
	if (auto pubPath = s.get("PATH_PUBLIC_KEY"))
	{
		try
		{
			PublicKey pub = PublicKey::fromFile(*pubPath);
			if (key && !pub.matches(*key))
				report.add(Level::Fail, "public key matches key", *pubPath + " is not the public half of the private key", jwtflow::ExitCode::LocalInput);
			else if (key)
				report.add(Level::Ok, "public key matches key", *pubPath);
		}
		catch (const Poco::Exception& e)
		{
			report.fail("public key", e);
		}
	}

	// 4. The provider's own checks, then the assertion as it would be minted.
	for (const auto& f: provider.diagnose(s)) report.add(f.level, f.check, f.message);
	std::unique_ptr<AssertionMinter> minter;
	try
	{
		minter.reset(new AssertionMinter(provider, s));
		MintedAssertion jwt = minter->mint();
		report.add(Level::Ok, "assertion", minter->algorithm().name + ", valid for " + std::to_string(minter->lifetimeSeconds()) + " s");

		// 5. The network: one real token request (the IdP counts each as a login), then the clock
		//    against the Date header of its answer, whatever the answer was.
		const std::string tokenUrl = provider.tokenRequest(s, jwt.compact).url;
		HttpClient http(httpOptionsFrom(s, timeoutSeconds()));
		TokenClient client(provider, s, http);
		auto clockCheck = [&] {
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
		};
		bool first = true;
		try
		{
			TokenResult token = client.exchange([&] {
				if (first)
				{
					first = false;
					return jwt.compact;
				}
				return minter->mint().compact;
			});
			clockCheck();
			report.add(Level::Ok, "token request", "an access token was issued" +
				std::string(token.expiresIn ? " (expires in " + std::to_string(*token.expiresIn) + " s)" : ""));
		}
		catch (const IdpException& e)
		{
			clockCheck();
			report.add(Level::Fail, "token request", e.error() + ": " + e.description() + (e.hint().empty() ? "" : "; fix: " + e.hint()),
				jwtflow::ExitCode::IdpRefused);
		}
		catch (const NetworkException&)
		{
			clockCheck();
			throw;
		}
	}
	catch (const Poco::Exception& e)
	{
		report.fail(minter ? "token request" : "assertion", e);
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
	}
	else
	{
		for (const auto& f: report.findings)
		{
			std::string level = levelName(f.level);
			_console.result(level + std::string(6 - level.size(), ' ') + f.check + ": " + f.message);
		}
	}
	return static_cast<int>(report.firstFailure);
}

} // namespace host
} // namespace jwtflow
