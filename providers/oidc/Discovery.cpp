//
// Discovery.cpp
//
// Plugin: oidc
//
// SPDX-License-Identifier: BSL-1.0
//
#include "Discovery.h"
#include "jwtflow/Encoding.h"
#include "jwtflow/Exception.h"
#include "jwtflow/HttpClient.h"
#include "jwtflow/Json.h"
#include "jwtflow/Network.h"
#include "jwtflow/TokenClient.h"
#include <Poco/Environment.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/JSON/Array.h>
#include <Poco/NumberParser.h>
#include <Poco/Path.h>
#include <Poco/SHA2Engine.h>
#include <Poco/String.h>
#include "jwtflow/SecureFiles.h"
#include <sys/stat.h>
#include <Poco/Timestamp.h>
#include <Poco/URI.h>
#include <algorithm>
#include <map>
#include <mutex>
#include <sstream>

namespace jwtflow {
namespace oidc {

namespace {

std::vector<std::string> stringList(const Poco::JSON::Object& json, const std::string& name)
{
	std::vector<std::string> list;
	if (!json.has(name)) return list;
	Poco::JSON::Array::Ptr array = json.getArray(name);
	if (!array) return list;
	for (std::size_t i = 0; i < array->size(); ++i)
		if (array->get(i).isString()) list.push_back(array->get(i).extract<std::string>());
	return list;
}

DiscoveryDocument documentFrom(const Poco::JSON::Object& json)
{
	DiscoveryDocument doc;
	doc.issuer = jsonString(json, "issuer");
	doc.tokenEndpoint = jsonString(json, "token_endpoint");
	doc.authMethods = stringList(json, "token_endpoint_auth_methods_supported");
	doc.signingAlgs = stringList(json, "token_endpoint_auth_signing_alg_values_supported");
	doc.grantTypes = stringList(json, "grant_types_supported");
	return doc;
}

Poco::JSON::Object::Ptr toJson(const DiscoveryDocument& doc, Poco::Int64 fetchedAt)
{
	auto list = [](const std::vector<std::string>& items) {
		Poco::JSON::Array::Ptr a = new Poco::JSON::Array;
		for (const auto& i: items) a->add(i);
		return a;
	};
	Poco::JSON::Object::Ptr json = newJsonObject();
	json->set("issuer", doc.issuer);
	json->set("token_endpoint", doc.tokenEndpoint);
	json->set("token_endpoint_auth_methods_supported", list(doc.authMethods));
	json->set("token_endpoint_auth_signing_alg_values_supported", list(doc.signingAlgs));
	json->set("grant_types_supported", list(doc.grantTypes));
	json->set("fetched_at", fetchedAt);
	return json;
}

std::string trimSlash(std::string url)
{
	while (!url.empty() && url.back() == '/') url.pop_back();
	return url;
}

void check(const DiscoveryDocument& doc, const std::string& issuer, const std::string& url)
{
	if (trimSlash(doc.issuer) != issuer)
		throw UsageException("the discovery document at " + url + " names issuer '" + doc.issuer + "', not ISSUER '" + issuer +
			"': set ISSUER to exactly the issuer the IdP names (OpenID Connect Discovery 4.3)");
	if (doc.tokenEndpoint.empty())
		throw NetworkException("the discovery document at " + url + " has no token_endpoint: set TOKEN_ENDPOINT instead");
	checkedUrl(doc.tokenEndpoint, "the discovery document's token_endpoint");
	if (!doc.authMethods.empty() &&
		std::find(doc.authMethods.begin(), doc.authMethods.end(), "private_key_jwt") == doc.authMethods.end())
		throw UsageException("the IdP at " + issuer + " does not offer private_key_jwt client authentication "
			"(token_endpoint_auth_methods_supported): enable it for the authorization server, or use another IdP");
}

int cacheSeconds(const Settings& s)
{
	const std::string text = s.getOr("DISCOVERY_CACHE_SECONDS", "3600");
	int seconds = 0;
	if (!Poco::NumberParser::tryParse(text, seconds) || seconds < 0)
		throw UsageException("DISCOVERY_CACHE_SECONDS '" + text + "' is not a number of seconds (0: no cache on disk)");
	return seconds;
}

std::string cacheFile(const std::string& issuer)
{
	const std::string folder = userCacheFolder("oidc");
	if (folder.empty()) return {};
	Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
	sha.update(issuer);
	const auto& d = sha.digest();
	return folder + "/" + hexEncode(std::string(d.begin(), d.end())).substr(0, 32) + ".json";
}

bool readCache(const std::string& path, const std::string& issuer, int maxAge, DiscoveryDocument& doc)
{
	if (path.empty() || maxAge == 0) return false;
	try
	{
		Poco::File f(path);
		if (!f.exists() || !f.isFile() || f.getSize() > 64 * 1024) return false;
		// A cache another user could have written is not trusted: it names the token endpoint.
		if (!trustProblem(path, TrustedFileKind::Content, false).empty()
			|| !trustProblem(Poco::Path(path).parent().toString(), TrustedFileKind::Content, true).empty())
			return false;
		Poco::FileInputStream in(path);
		std::ostringstream text;
		text << in.rdbuf();
		Poco::JSON::Object::Ptr json = parseStrictJsonObject(text.str());
		const Poco::Int64 fetched = json->getValue<Poco::Int64>("fetched_at");
		const Poco::Int64 now = Poco::Timestamp().epochTime();
		if (fetched > now + 60 || now - fetched > maxAge) return false;
		doc = documentFrom(*json);
		return trimSlash(doc.issuer) == issuer && !doc.tokenEndpoint.empty();
	}
	catch (const Poco::Exception&)
	{
		return false;   // a broken cache file is fetched again
	}
}

void writeCache(const std::string& path, const DiscoveryDocument& doc)
{
	if (path.empty()) return;
	try
	{
		// <cache>/jwtflow/oidc, each level made 0700 when missing.
		const std::string folder = path.substr(0, path.rfind('/'));
		makePrivateFolders(folder);
		if (!trustProblem(folder, TrustedFileKind::Content, true).empty()) return;
		replaceFile(path, objectToJson(*toJson(doc, Poco::Timestamp().epochTime())), 0600);
	}
	catch (const std::exception&)
	{
		// The cache is an optimisation: an unwritable folder only costs a fetch next time.
	}
}

DiscoveryDocument fetch(const Settings& s, const std::string& issuer)
{
	const std::string url = issuer + "/.well-known/openid-configuration";
	HttpClient http(httpOptionsFrom(s, 30));
	HttpResponse response = http.get(url);
	if (response.status != 200)
		throw NetworkException("the discovery document " + url + " answered HTTP " + std::to_string(response.status) +
			(response.status == 404 ? ": check ISSUER (for Okta: https://{org}.okta.com/oauth2/default; for Keycloak: "
				"https://{host}/realms/{realm})" : ""));
	Poco::JSON::Object::Ptr json;
	try
	{
		json = parseStrictJsonObject(response.body);
	}
	catch (const Poco::Exception&)
	{
		throw NetworkException("the discovery document " + url + " is not JSON (" + firstLine(response.body, 80) + ")");
	}
	DiscoveryDocument doc = documentFrom(*json);
	check(doc, issuer, url);
	return doc;
}

} // namespace

std::string checkedUrl(const std::string& value, const std::string& settingName)
{
	const std::string url = trimSlash(Poco::trim(value));
	Poco::URI uri;
	try
	{
		uri = Poco::URI(url);
	}
	catch (const Poco::Exception&)
	{
		throw UsageException(settingName + " '" + url + "' is not a URL");
	}
	if (uri.getHost().empty() || (uri.getScheme() != "https" && !(uri.getScheme() == "http" && isLoopbackHost(uri.getHost()))))
		throw UsageException(settingName + " '" + url + "' must be an https URL");
	if (!uri.getQuery().empty() || !uri.getFragment().empty())
		throw UsageException(settingName + " '" + url + "' must not have a query or fragment");
	return url;
}

DiscoveryDocument discover(const Settings& s)
{
	const std::string issuer = checkedUrl(s.require("ISSUER"), "ISSUER");
	static std::mutex mutex;
	static std::map<std::string, DiscoveryDocument> memory;
	std::lock_guard<std::mutex> lock(mutex);   // one fetch per issuer, even from several threads
	auto it = memory.find(issuer);
	if (it != memory.end()) return it->second;
	const int maxAge = cacheSeconds(s);
	const std::string file = cacheFile(issuer);
	DiscoveryDocument doc;
	if (!readCache(file, issuer, maxAge, doc))
	{
		doc = fetch(s, issuer);
		if (maxAge > 0) writeCache(file, doc);
	}
	memory[issuer] = doc;
	return doc;
}

} // namespace oidc
} // namespace jwtflow
