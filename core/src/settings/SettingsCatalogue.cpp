//
// SettingsCatalogue.cpp
//
// Library: jwtflow core (settings)
// The settings DESIGN.md names, each with its option, help, and whether it is
// part of the login identity.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/SettingsCatalogue.h"

namespace jwtflow {

namespace {

enum Traits : unsigned
	/// What a catalogue entry is besides its name and help.
{
	Plain = 0,
	Secret = 1,      ///< masked by describe, never an option
	HowNotWho = 2,   ///< does not change the token a login returns: not in the login identity
	Rare = 4,        ///< help lists it only in full
	Label = 8        ///< named in the login's label (`jwtflow cache list`)
};

struct Catalogue
{
	std::vector<SettingSpec> specs;

	void add(const char* name, const char* option, const char* valueName, unsigned traits, const char* help, const char* def = "")
	{
		SettingSpec s;
		s.name = name;
		s.option = option;
		s.valueName = valueName;
		s.help = help;
		s.defaultValue = def;
		s.secret = (traits & Secret) != 0;
		s.identity = (traits & HowNotWho) == 0;
		s.rare = (traits & Rare) != 0;
		s.label = (traits & Label) != 0;
		specs.push_back(s);
	}
};

} // namespace

std::vector<SettingSpec> coreSettings()
{
	// How, not who (HowNotWho): a path whose key is identified by its public key, a lifetime, a CA file,
	// where the token is kept. The passphrase, PIN and Redis password are secrets and never in the identity.
	Catalogue c;
	c.add("PATH_PRIVATE_KEY", "private-key", "FILE", HowNotWho, "PEM private key that signs the JWT (RSA or EC; PKCS#1 or PKCS#8; may be encrypted)");
	c.add("PRIVATE_KEY_PASSPHRASE", "", "VALUE", Secret, "passphrase of an encrypted private key (environment or .env only, never an option)");
	c.add("PRIVATE_KEY_PASSPHRASE_FILE", "passphrase-file", "FILE", HowNotWho, "file whose first line is the private key's passphrase");
	c.add("PATH_PUBLIC_KEY", "public-key", "FILE", HowNotWho, "public key PEM, for verify");
	c.add("PATH_CERTIFICATE", "certificate", "FILE", HowNotWho, "X.509 certificate (PEM or DER) of the signing key");
	c.add("JWT_ALGORITHM", "alg", "ALG", Plain, "signature algorithm (the provider's default when unset)");
	c.add("JWT_LIFETIME", "lifetime", "SECONDS", HowNotWho, "assertion lifetime in seconds (the provider's default when unset)");
	c.add("CA_FILE", "ca-file", "FILE", HowNotWho, "extra trusted CA certificates (PEM) for HTTPS");
	c.add("HTTPS_PROXY", "", "VALUE", Secret | Rare, "proxy for HTTPS requests (http://[user:password@]host:port)");
	c.add("SESSION_LIFETIME", "session-lifetime", "SECONDS", HowNotWho,
		"seconds a token is cached when the IdP sends no expires_in (Salesforce: the org's session timeout)", "900");
	c.add("PKCS11_MODULE", "pkcs11-module", "FILE", HowNotWho | Rare, "the PKCS#11 library of a pkcs11: PATH_PRIVATE_KEY (HSM, smart card, SoftHSM)");
	c.add("PKCS11_PIN", "", "VALUE", Secret | Rare, "the PKCS#11 token's PIN (environment or .env only, never an option)");
	c.add("PKCS11_PIN_FILE", "pin-file", "FILE", HowNotWho | Rare, "file whose first line is the PKCS#11 token's PIN");
	c.add("SEND_X5C", "", "BOOL", HowNotWho | Rare, "true: send the certificate chain in the assertion header (x5c; --x5c), for azure-ad and oidc", "false");
	c.add("TOKEN_STORE", "token-store", "STORE", HowNotWho, "file (the encrypted cache in ~/.cache/jwtflow/tokens), memory, none, "
		"redis://host:port/database, rediss://... (TLS), or redis-sentinel://host:port[,host:port...]/database#master (rediss-sentinel:// "
		"for TLS): shared by every machine with the same key", "file");
	c.add("REDIS_PASSWORD", "", "VALUE", Secret | Rare, "password of a redis:// TOKEN_STORE (environment or .env only, never an option)");
	c.add("REDIS_PASSWORD_FILE", "redis-password-file", "FILE", HowNotWho | Rare, "file whose first line is the password of a redis:// TOKEN_STORE");
	c.add("REDIS_USERNAME", "", "USER", HowNotWho | Rare, "Redis 6 ACL user of a redis:// TOKEN_STORE");
	c.add("REDIS_CA_FILE", "", "FILE", HowNotWho | Rare, "CA certificates (PEM) trusted for a rediss:// TOKEN_STORE besides the system's");
	c.add("REDIS_CERT_FILE", "", "FILE", HowNotWho | Rare, "client certificate (PEM) for a rediss:// TOKEN_STORE that requires one (mutual TLS)");
	c.add("REDIS_KEY_FILE", "", "FILE", HowNotWho | Rare, "the private key (PEM) of REDIS_CERT_FILE");
	c.add("REDIS_SENTINEL_PASSWORD", "", "VALUE", Secret | Rare, "password of the sentinels of a redis-sentinel:// TOKEN_STORE, "
		"when theirs differs (environment or .env only)");
	c.add("REDIS_SENTINEL_PASSWORD_FILE", "", "FILE", HowNotWho | Rare, "file whose first line is the sentinels' password");
	c.add("REDIS_SENTINEL_USERNAME", "", "USER", HowNotWho | Rare, "ACL user of the sentinels");
	c.add("REDIS_MAX_VALUE_BYTES", "", "BYTES", HowNotWho | Rare, "the largest value a Redis reply may hold (default 1048576; a sealed "
		"token is a few KiB)");
	c.add("REDIS_KEY_PREFIX", "", "PREFIX", HowNotWho | Rare, "prefix of the Redis keys of a redis:// TOKEN_STORE (default jwtflow:token:)");
	c.add("REDIS_LOCK_TIMEOUT", "", "SECONDS", HowNotWho | Rare, "seconds a Redis login lock lasts (a holder that died loses it then; default 30)");
	c.add("REDIS_TIMEOUT_MS", "", "MS", HowNotWho | Rare, "Redis connect and reply time-out in milliseconds (default 1000)");
	c.add("JWTFLOW_PROFILE", "", "NAME", HowNotWho | Label | Rare, "the profile whose settings this login uses (-p/--profile NAME; "
		"$XDG_CONFIG_HOME/jwtflow/profiles/NAME.env)");
	c.add("REDIS_RETRY_AFTER_MS", "", "MS", HowNotWho | Rare, "after a Redis failure, logins skip it for this long in milliseconds (default 5000)");
	return c.specs;
}

std::vector<SettingSpec> commonSettings()
{
	Catalogue c;
	c.add("CLIENT_ID", "client-id", "ID", Plain, "consumer key / application (client) id");
	c.add("SUBJECT", "subject", "NAME", Plain, "the user to act as (verify: the required sub)");
	c.add("AUDIENCE", "audience", "URL", Plain, "the JWT's aud (verify: the required aud)");
	c.add("ISSUER", "issuer", "URL", Plain, "the IdP's issuer URL (oidc) (verify: the required iss)");
	c.add("LOGIN_URL", "login-url", "URL", Plain, "where the token request goes when it differs from AUDIENCE");
	c.add("CERTIFICATE_THUMBPRINT", "thumbprint", "THUMBPRINT", Plain, "SHA-1 certificate thumbprint (hex, base64 or base64url)");
	c.add("TENANT_ID", "tenant", "TENANT", Plain, "Entra ID tenant (GUID or domain)");
	c.add("SCOPE", "scope", "SCOPE", Plain, "requested scope");
	c.add("AUTHORITY", "authority", "URL", Plain, "Entra ID authority host");
	c.add("RET_URL", "ret-url", "PATH", Plain, "where frontdoor lands, a relative URL");
	return c.specs;
}

std::vector<std::pair<std::string, std::string>> neighbourNames(const std::string& provider)
{
	if (provider == "salesforce" || provider == "salesforce-community")
		// The Salesforce CLI's and the node JWT tools' names (sf org login jwt --username --client-id --jwt-key-file --instance-url).
		return {{"SUBJECT", "SF_USERNAME"}, {"CLIENT_ID", "SF_CLIENT_ID"}, {"LOGIN_URL", "SF_LOGIN_URL"}, {"LOGIN_URL", "SF_INSTANCE_URL"},
			{"PATH_PRIVATE_KEY", "SF_JWT_KEY_FILE"}, {"PATH_PRIVATE_KEY", "PRIVATE_KEY_PATH"}};
	if (provider != "azure-ad") return {};
	// What the Azure SDKs' EnvironmentCredential and WorkloadIdentityCredential read (and AKS's webhook injects).
	return {{"TENANT_ID", "AZURE_TENANT_ID"}, {"CLIENT_ID", "AZURE_CLIENT_ID"}, {"AUTHORITY", "AZURE_AUTHORITY_HOST"},
		{"PATH_PRIVATE_KEY", "AZURE_CLIENT_CERTIFICATE_PATH"}, {"PATH_CERTIFICATE", "AZURE_CLIENT_CERTIFICATE_PATH"},
		{"PRIVATE_KEY_PASSPHRASE", "AZURE_CLIENT_CERTIFICATE_PASSWORD"}, {"SEND_X5C", "AZURE_CLIENT_SEND_CERTIFICATE_CHAIN"},
		{"CLIENT_ASSERTION_FILE", "AZURE_FEDERATED_TOKEN_FILE"}};
}

std::vector<std::pair<std::string, std::string>> dotEnvNeighbourNames(const std::string& provider)
{
	std::vector<std::pair<std::string, std::string>> names = neighbourNames(provider);
	if (provider == "salesforce" || provider == "salesforce-community")
	{
		// In a project's .env only: USERNAME in the environment is the login user's name on many systems.
		names.insert(names.end(), {{"SUBJECT", "USERNAME"}, {"CLIENT_ID", "CONSUMER_KEY"}, {"LOGIN_URL", "INSTANCE_URL"}});
	}
	return names;
}

} // namespace jwtflow
