//
// ServiceAccountKey.cpp
//
// Plugin: google
// Key file fields: type, project_id, private_key_id, private_key, client_email,
// client_id, auth_uri, token_uri, ... (FACTS.md section 5).
//
// SPDX-License-Identifier: BSL-1.0
//
#include "ServiceAccountKey.h"
#include "FileCache.h"
#include "jwtflow/Exception.h"
#include "jwtflow/SecureFiles.h"
#include "jwtflow/Json.h"
#include "jwtflow/Network.h"
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/URI.h>
#include <sstream>

namespace jwtflow {
namespace google {

namespace {

const std::size_t MAX_KEY_FILE_BYTES = 64 * 1024;

struct FileText
{
	std::string text;
	Poco::Timestamp modified;
	Poco::File::FileSize size = 0;
};

FileText readKeyFile(const std::string& path)
{
	const std::string what = "service-account key file '" + path + "'";
	FileText file;
	try
	{
		Poco::File f(path);
		if (!f.exists()) throw InputException("cannot read " + what + ": no such file (download a JSON key: IAM, Service accounts, Keys)");
		if (f.isDirectory()) throw InputException("cannot read " + what + ": it is a folder, not the JSON key file");
		checkTrustedFile(path, "service-account key file", TrustedFileKind::Secret);
		file.size = f.getSize();
		file.modified = f.getLastModified();
		if (file.size > MAX_KEY_FILE_BYTES) throw InputException(what + " is larger than 64 KiB: it is not a service-account key");
		Poco::FileInputStream in(path);
		std::ostringstream out;
		out << in.rdbuf();
		file.text = out.str();
	}
	catch (const jwtflow::Exception&)
	{
		throw;
	}
	catch (const Poco::Exception& e)
	{
		throw InputException("cannot read " + what + ": " + e.message());
	}
	if (file.text.empty()) throw InputException(what + " is empty");
	return file;
}

Poco::JSON::Object::Ptr parseKeyFile(const std::string& path, const std::string& text)
{
	try
	{
		return parseStrictJsonObject(text);
	}
	catch (const Poco::Exception&)
	{
		// Never the parser's message: it could quote the private key.
		throw InputException("service-account key file '" + path + "' is not a JSON object: download the key again (JSON, not P12)");
	}
}

std::string field(const Poco::JSON::Object& json, const std::string& path, const std::string& name, bool required)
{
	if (!json.has(name))
	{
		if (!required) return {};
		throw InputException("service-account key file '" + path + "' has no \"" + name + "\": download the key again");
	}
	Poco::Dynamic::Var v = json.get(name);
	if (!v.isString())
		throw InputException("service-account key file '" + path + "': \"" + name + "\" is not a string");
	std::string s = v.extract<std::string>();
	if (required && s.empty())
		throw InputException("service-account key file '" + path + "': \"" + name + "\" is empty");
	return s;
}

void checkType(const Poco::JSON::Object& json, const std::string& path)
{
	const std::string type = field(json, path, "type", true);
	if (type == "service_account") return;
	if (type == "authorized_user")
		throw InputException("'" + path + "' holds a user's credentials (gcloud auth application-default login), not a "
			"service-account key: create a key for a service account (IAM, Service accounts, Keys, Add key, JSON)");
	if (type == "external_account")
		throw InputException("'" + path + "' is a workload identity federation configuration, not a service-account key: "
			"jwtflow signs with a service account's own key");
	throw InputException("service-account key file '" + path + "' has type \"" + type + "\", not \"service_account\"");
}

} // namespace

const std::string& defaultTokenUri()
{
	static const std::string uri = "https://oauth2.googleapis.com/token";
	return uri;
}

namespace {

struct ParsedKeyFile
{
	std::shared_ptr<const ServiceAccountKey> key;
	std::string pem;
};

FileCache<ServiceAccountKey> cache;

ParsedKeyFile readServiceAccountKeyFile(const std::string& path)
	/// Reads the file once and checks every field; caches the fields (never the key).
{
	FileText file = readKeyFile(path);
	Poco::JSON::Object::Ptr json = parseKeyFile(path, file.text);
	std::fill(file.text.begin(), file.text.end(), '\0');
	checkType(*json, path);
	auto key = std::make_shared<ServiceAccountKey>();
	key->path = path;
	key->clientEmail = field(*json, path, "client_email", true);
	if (key->clientEmail.find('@') == std::string::npos)
		throw InputException("service-account key file '" + path + "': \"client_email\" is not an e-mail address");
	key->privateKeyId = field(*json, path, "private_key_id", true);
	key->projectId = field(*json, path, "project_id", false);
	key->tokenUri = field(*json, path, "token_uri", false);
	if (key->tokenUri.empty()) key->tokenUri = defaultTokenUri();
	Poco::URI uri;
	try
	{
		uri = Poco::URI(key->tokenUri);
	}
	catch (const Poco::Exception&)
	{
		throw InputException("service-account key file '" + path + "': \"token_uri\" is not a URL");
	}
	if (uri.getHost().empty() || (uri.getScheme() != "https" && !(uri.getScheme() == "http" && isLoopbackHost(uri.getHost()))))
		throw InputException("service-account key file '" + path + "': \"token_uri\" must be an https URL (" + defaultTokenUri() + ")");
	ParsedKeyFile parsed{key, field(*json, path, "private_key", true)};
	if (parsed.pem.find("-----BEGIN") == std::string::npos)
		throw InputException("service-account key file '" + path + "': \"private_key\" is not a PEM key");
	cache.put(path, file.modified, file.size, key);
	return parsed;
}

} // namespace

std::shared_ptr<const ServiceAccountKey> loadServiceAccountKey(const std::string& path)
{
	if (auto kept = cache.find(path)) return *kept;
	ParsedKeyFile parsed = readServiceAccountKeyFile(path);
	std::fill(parsed.pem.begin(), parsed.pem.end(), '\0');
	return parsed.key;
}

std::string readPrivateKeyPem(const std::string& path)
{
	return readServiceAccountKeyFile(path).pem;
}

} // namespace google
} // namespace jwtflow
