//
// CommandTable.cpp
//
// Program: jwtflow
// The commands, the provider actions and the option vocabulary.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "CommandTable.h"
#include "JwtflowApp.h"
#include "jwtflow/Provider.h"
#include <algorithm>

namespace jwtflow {
namespace host {

namespace {

OptionSpec option(const char* name, const char* shortName, const char* argument, const char* help, bool repeatable,
	ArgumentKind kind = ArgumentKind::None, std::vector<std::string> choices = {})
{
	OptionSpec o;
	o.name = name;
	o.shortName = shortName;
	o.argument = argument;
	o.help = help;
	o.repeatable = repeatable;
	o.kind = kind;
	o.choices = std::move(choices);
	return o;
}

} // namespace

CommandSpec action(const std::string& name, const std::string& summary)
{
	CommandSpec spec;
	spec.isAction = true;
	spec.name = name;
	spec.summary = summary;
	return spec;
}

CommandSpec command(const std::string& name, const std::string& summary)
{
	CommandSpec spec = action(name, summary);
	spec.isAction = false;
	return spec;
}

const std::vector<OptionSpec>& optionVocabulary()
{
	static const std::vector<OptionSpec> options = {
		option("help", "h", "", "show help for the command, provider or action", true),
		option("version", "", "", "print the version and exit", true),
		option("quiet", "q", "", "no notes on stderr", true),
		option("verbose", "v", "", "more notes on stderr (where settings came from, retries)", true),
		option("env-file", "", "FILE", "read settings from this .env file instead of ./.env (relative paths in it: from its folder)", false,
			ArgumentKind::File),
		option("profile", "p", "NAME", "use the settings of profile NAME (JWTFLOW_PROFILE); login --profile NAME saves them", false,
			ArgumentKind::Text),
		option("alias", "", "NAME", "the same as --profile (the Salesforce CLI's word)", false, ArgumentKind::Text),
		option("provider", "", "NAME", "profile add: the provider the profile is for", false, ArgumentKind::Text),
		option("target-org", "", "NAME", "the same as --profile (the Salesforce CLI's word)", false, ArgumentKind::Text),
		option("config", "", "FILE", "read settings from a .properties file", false, ArgumentKind::File),
		option("plugins", "", "DIR", "look for provider plugins in DIR first (repeatable)", true, ArgumentKind::Folder),
		option("timeout", "", "SECONDS", "time limit for connecting and for each whole request (default 30)", false, ArgumentKind::Text),
		option("output", "o", "FORMAT", "text (default), json or env; token: exec-credential too (kubectl)", false, ArgumentKind::Word,
			{"text", "json", "env", "exec-credential"}),
		option("listen", "", "ADDR:PORT", "serve: the loopback address and port (default 127.0.0.1 and a free port)", false, ArgumentKind::Text),
		option("socket", "", "PATH", "serve: a Unix socket instead (made 0600)", false, ArgumentKind::File),
		option("env", "", "NAME", "exec: the variable that holds the token (default ACCESS_TOKEN) (repeatable)", true, ArgumentKind::Text),
		option("json", "", "", "the same as --output json", true),
		option("claim", "", "NAME=VALUE", "add a claim; NAME:=JSON for a number, boolean, null, array or object (repeatable)", true, ArgumentKind::Text),
		option("single-use", "", "", "the single-use link from /services/oauth2/singleaccess", true),
		option("open", "", "", "frontdoor: open the single-use link in a browser ($BROWSER, else xdg-open)", true),
		option("url-only", "", "", "open: print the single-use link instead of opening it", true),
		option("path", "", "PATH", "open: where the browser lands, e.g. /lightning/o/Account/home (RET_URL)", false, ArgumentKind::Text),
		option("no-cache", "", "", "neither read nor write the token cache (TOKEN_STORE=none)", true),
		option("refresh", "", "", "log in anew even when the cache holds a valid token, and cache the new one", true),
		option("method", "X", "METHOD", "the HTTP method (default GET, or POST with --data)", false, ArgumentKind::Word,
			{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}),
		option("header", "H", "'NAME: VALUE'", "add a request header (repeatable)", true, ArgumentKind::Text),
		option("data", "", "@FILE|-|TEXT", "the request body: @FILE reads a file, - standard input (JSON by default)", false, ArgumentKind::Text),
		option("x5c", "", "", "send the certificate chain in the assertion header (SEND_X5C=true); jwk: add it to the JWK", true),
		option("jwks", "", "", "print a JWK Set ({\"keys\": [...]}) rather than one JWK", true),
		option("kid", "", "KID", "the JWK's kid (default: its RFC 7638 thumbprint)", false, ArgumentKind::Text),
		option("rfc7638", "", "", "print only the key's RFC 7638 thumbprint (jwk --thumbprint does the same)", true),
		option("pkcs11", "", "URI", "keygen: make the key pair inside this PKCS#11 token (pkcs11:token=...;object=...)", false, ArgumentKind::Text),
		option("list", "", "", "trust: list the trusted .env files", true),
		option("revoke", "", "", "trust: stop trusting the file", true),
		option("local", "", "", "only forget the cached token; do not revoke it at the identity provider", true),
		option("token", "", "JWT", "the JWT ('-' reads standard input); the JWT may also be given as a word", false, ArgumentKind::Text),
		option("out", "", "DIR", "the folder to write to", false, ArgumentKind::Folder),
		option("bits", "", "BITS", "RSA key size", false, ArgumentKind::Word, {"2048", "3072", "4096"}),
		option("curve", "", "CURVE", "EC curve instead of RSA", false, ArgumentKind::Word, {"P-256"}),
		option("days", "", "DAYS", "certificate validity in days", false, ArgumentKind::Text),
		option("cn", "", "NAME", "certificate common name", false, ArgumentKind::Text),
		option("encrypt", "", "", "encrypt the private key (passphrase from PRIVATE_KEY_PASSPHRASE or --passphrase-file)", true),
		option("force", "", "", "replace existing files", true),
		option("port", "", "PORT", "the loopback port (default: a free one)", false, ArgumentKind::Text),
		option("app", "", "CLIENT_ID=CERT.pem[#KEY_ID]", "register an app (or service account) and its certificate (repeatable)", true, ArgumentKind::Text),
		option("user", "", "NAME", "a user the emulator knows (repeatable)", true, ArgumentKind::Text),
		option("app-alg", "", "CLIENT_ID=ALG", "emulator: the alg an OIDC client's JWK is registered with, which binds its key to it (repeatable)",
			true, ArgumentKind::Text),
		option("federated", "", "CLIENT_ID=SUBJECT", "emulator: an Entra ID app's federated credential: tokens of the emulator's "
			"workload issuer with that subject (audience api://AzureADTokenExchange) stand for the app (repeatable)", true, ArgumentKind::Text),
		option("state-dir", "", "DIR", "emulator: keep its test CA in DIR across restarts (a CA_FILE that stays valid; made 0700)", false,
			ArgumentKind::Folder),
		option("google-federation", "", "SERVICE_ACCOUNT=SUBJECT", "emulator: Google workload identity federation: tokens of the "
			"emulator's workload issuer with that subject may act as the service account (roles/iam.workloadIdentityUser) (repeatable)",
			true, ArgumentKind::Text),
		option("sandbox", "", "", "emulator: the Salesforce org is a sandbox (aud https://test.salesforce.com, not https://login.salesforce.com)", true),
		option("scopes", "", "CLIENT_ID=SCOPE,...", "emulator: a Salesforce app's OAuth scopes (default web,api,id; frontdoor needs web, REST api) (repeatable)",
			true, ArgumentKind::Text),
		option("resource", "", "URI", "serve: a resource clients may ask for (default: SCOPE's); emulator: an Entra ID resource the tenant "
			"knows besides Graph, Key Vault, ARM, AKS and its own (repeatable)",
			true, ArgumentKind::Text),
		option("community", "", "PATH", "a community site path (repeatable)", true, ArgumentKind::Text),
		option("session-seconds", "", "SECONDS", "Salesforce tokens end this long after their last use (default 7200; 0: at once)", false, ArgumentKind::Text),
		option("login-rate-limit", "", "N", "answer \"login rate exceeded\" after N logins of a user in an hour (default: no limit)", false, ArgumentKind::Text),
	};
	return options;
}

const std::vector<std::string>& globalOptions()
{
	static const std::vector<std::string> names = {"help", "version", "quiet", "verbose", "env-file", "config", "plugins", "profile"};
	return names;
}

const OptionSpec* findOption(const std::string& name)
{
	for (const auto& o: optionVocabulary())
		if (o.name == name) return &o;
	return nullptr;
}

const std::vector<CommandSpec>& commandTable()
{
	using App = JwtflowApp;
	static const std::vector<CommandSpec> table = {
		// provider actions
		action("jwt", "print the signed JWT assertion")
			.description("Mints the JWT assertion the provider asks for (claims, header extras such as x5t, lifetime)\n"
				"and prints it alone on stdout.")
			.options({"claim", "output"})
			.readsProviderSettings()
			.examples({"jwtflow PROVIDER jwt", "jwtflow PROVIDER jwt --output json", "jwtflow PROVIDER jwt --claim scope=api --claim n:=42"})
			.runs([](App& a, Provider* p) { return a.actionJwt(*p); }),
		action("token", "exchange the JWT for an access token and print it")
			.description("Mints the assertion, sends it to the provider's token endpoint and prints the access token\n"
				"alone on stdout (so that $(jwtflow PROVIDER token) works). A retry carries a fresh assertion.")
			.options({"claim", "output", "timeout", "no-cache", "refresh"})
			.readsProviderSettings()
			.examples({"jwtflow PROVIDER token", "jwtflow PROVIDER token --output json", "eval \"$(jwtflow PROVIDER token --output env)\"",
				"jwtflow PROVIDER token --output exec-credential"})
			.runs([](App& a, Provider* p) { return a.tokenFromCacheOrNetwork(*p); }),
		action("exec", "run a program with the token in its environment (-- CMD [ARGS...])")
			.synopsis("[--env NAME] -- CMD [ARGS...]")
			.description("Gets the token as token does (from the cache while it lasts) and becomes CMD, run without a shell,\n"
				"with the token in its environment: ACCESS_TOKEN (or each --env NAME), and the names the neighbours'\n"
				"tools read: SF_ACCESS_TOKEN and INSTANCE_URL for Salesforce (sf org login access-token), and\n"
				"GOOGLE_OAUTH_ACCESS_TOKEN for Google (Terraform). CMD's exit status is jwtflow's; 127 when CMD\n"
				"is not found, 126 when it cannot run. The token is never on a command line.")
			.options({"env", "claim", "timeout", "no-cache", "refresh"})
			.readsProviderSettings()
			.examples({"jwtflow PROVIDER exec -- ./deploy.sh", "jwtflow salesforce exec -- sf org login access-token --instance-url "
				"https://example.my.salesforce.com --no-prompt"})
			.runs([](App& a, Provider* p) { return a.tokenFromCacheOrNetwork(*p); }),
		action("serve", "serve tokens on loopback to programs that are not jwtflow (managed identity, metadata server)")
			.synopsis("[--listen ADDR:PORT | --socket PATH] [--resource URI]...")
			.description("Serves tokens until SIGTERM or Ctrl-C, one login per token lifetime whatever the number of clients,\n"
				"in the cache the CLI shares (TOKEN_STORE). It prints what a client needs as environment lines\n"
				"(--output json: an object). azure-ad: Azure App Service managed identity (IDENTITY_ENDPOINT,\n"
				"IDENTITY_HEADER; api-version 2019-08-01) and IMDS (/metadata/identity/oauth2/token, Metadata: true)\n"
				"for the resources --resource allows (default: SCOPE's). google: the metadata server\n"
				"(GCE_METADATA_HOST; Metadata-Flavor: Google) for SCOPE's scopes. Every provider: GET /token with\n"
				"X-IDENTITY-HEADER: $JWTFLOW_TOKEN_HEADER. Requests must name a loopback Host and carry no\n"
				"X-Forwarded-For; answers are Cache-Control: no-store; -v logs each request, never a token.")
			.options({"listen", "socket", "resource", "output", "timeout", "claim"})
			.readsProviderSettings()
			.examples({"jwtflow azure-ad serve --resource https://vault.azure.net > serve.env &", "jwtflow google serve --output json"})
			.runs([](App& a, Provider* p) { return a.runNetwork(p, "serve"); }),
		action("login", "log in once: the JWT, the token, who it is, the frontdoor link; cached")
			.description("Mints the assertion, exchanges it (always a new login), stores the token in the encrypted\n"
				"cache that token, whoami and frontdoor then reuse, calls the identity URL where the provider\n"
				"has one and builds the frontdoor link where it has one, and prints who, where and until when.\n"
				"--output json|env prints every field, the JWT and the token included.")
			.options({"claim", "output", "timeout"})
			.readsProviderSettings()
			.examples({"jwtflow PROVIDER login", "jwtflow PROVIDER login --output json"})
			.runs([](App& a, Provider* p) { return a.runNetwork(p, "login"); }),
		action("logout", "revoke the cached token and forget the login")
			.description("Revokes the cached token at the identity provider where it can (Salesforce: /services/oauth2/revoke)\n"
				"and removes the cache entry of this login (provider, settings, key). Where the provider has no\n"
				"revocation (Entra ID, Google, OIDC), the token stays valid until it expires. --local only forgets it.")
			.options({"local", "timeout"})
			.readsProviderSettings()
			.examples({"jwtflow PROVIDER logout", "jwtflow PROVIDER logout --local"})
			.runs([](App& a, Provider* p) { return a.runNetwork(p, "logout"); }),
		action("call", "an API request with the cached token (like sf api request rest, az rest)")
			.synopsis("PATH|URL")
			.description("Sends a request with the cached token as Bearer and prints the body. A PATH resolves against the\n"
				"provider's API base (Salesforce: the token's instance_url; Entra ID: the resource of SCOPE); other\n"
				"providers need an absolute URL. On HTTP 401 it logs in again once and retries once. An HTTP error\n"
				"exits 4 with the status and the error; -v shows the status line; --output json wraps status,\n"
				"headers and body.")
			.options({"method", "header", "data", "output", "timeout", "no-cache", "refresh", "claim"})
			.readsProviderSettings()
			.examples({"jwtflow salesforce call /services/data/", "jwtflow salesforce call -X PATCH /services/data/v60.0/sobjects/Account/001000000000001AAA --data '{\"Name\":\"New name\"}'",
				"jwtflow azure-ad call /v1.0/organization --output json"})
			.takesOneWord()
			.runs([](App& a, Provider* p) { return a.runNetwork(p, "call"); }),
		action("frontdoor", "print a link that opens the UI as the user")
			.description("Gets a token and prints the frontdoor.jsp link (the sid link holds the token), or with\n"
				"--single-use the one-time link from /services/oauth2/singleaccess. RET_URL is where it lands.")
			.options({"single-use", "open", "output", "timeout", "no-cache", "refresh"})
			.readsProviderSettings()
			.examples({"jwtflow PROVIDER frontdoor", "jwtflow PROVIDER frontdoor --single-use --ret-url /lightning/page/home",
				"jwtflow PROVIDER frontdoor --open"})
			.runs([](App& a, Provider* p) { return a.runNetwork(p, "frontdoor"); }),
		action("open", "open the org in a browser, logged in (like sf org open)")
			.synopsis("[--path /lightning/...] [--url-only]")
			.description("Gets a token, asks /services/oauth2/singleaccess for a one-time frontdoor link, and opens it with\n"
				"$BROWSER (its first command; %s stands for the link) or else xdg-open. The link logs a browser in once:\n"
				"a second use lands on the login page. --url-only prints it instead; --path is where it lands.")
			.options({"path", "url-only", "output", "timeout", "no-cache", "refresh"})
			.readsProviderSettings()
			.examples({"jwtflow salesforce open", "jwtflow salesforce open --path /lightning/o/Account/home", "jwtflow salesforce open --url-only -p prod"})
			.runs([](App& a, Provider* p) { return a.runNetwork(p, "open"); }),
		action("whoami", "call the identity URL with the token")
			.description("Gets a token and calls the provider's identity (or userinfo) URL with it: who the token is for.")
			.options({"output", "timeout", "no-cache", "refresh"})
			.readsProviderSettings()
			.examples({"jwtflow PROVIDER whoami", "jwtflow PROVIDER whoami --output json"})
			.runs([](App& a, Provider* p) { return a.runNetwork(p, "whoami"); }),
		action("describe", "list the settings, their values and where each came from")
			.description("Every setting the provider reads, its effective value (secrets masked) and the layer it came\n"
				"from: option, environment, .env, --config, the descriptor, or the built-in default.")
			.options({"output"})
			.readsProviderSettings()
			.examples({"jwtflow PROVIDER describe", "jwtflow PROVIDER describe --output json"})
			.runs([](App& a, Provider* p) { return a.actionDescribe(*p); }),
		action("doctor", "check settings, key, certificate, clock and a real token request")
			.description("One line per check, ending with a real token request; exit 0 when every check passes.")
			.options({"output", "timeout"})
			.readsProviderSettings()
			.examples({"jwtflow PROVIDER doctor", "jwtflow PROVIDER doctor --output json"})
			.runs([](App& a, Provider* p) { return a.runNetwork(p, "doctor"); }),
		// commands
		command("providers", "list the providers found in the plugin folders")
			.description("Lists the providers described in the plugin folders, and the plugin files that were refused\n"
				"and why. Libraries are checked in a child process, never loaded into jwtflow itself.")
			.options({"output"})
			.examples({"jwtflow providers", "jwtflow providers --plugins ./plugins.d --output json"})
			.runs([](App& a, Provider*) { return a.commandProviders(); }),
		command("verify", "verify a JWT's signature and claims")
			.synopsis("(JWT | -) (--public-key FILE | --certificate FILE) [--issuer ISS] [--subject SUB] [--audience AUD] [--alg ALG]")
			.description("Checks the signature (RS256/384/512, PS256/384/512, ES256; never none or HMAC), exp, nbf and\n"
				"iat (60 s leeway), and iss/sub/aud when given (strings only). Exit 0 when valid, 6 when not.\n"
				"Without --public-key or --certificate, the key is PATH_PUBLIC_KEY (or PATH_CERTIFICATE) from the\n"
				"environment or ./.env (-v says which). RSA keys under 2048 bits are refused.")
			.options({"token", "public-key", "certificate", "issuer", "subject", "audience", "alg", "output"})
			.examples({"jwtflow verify \"$JWT\" --public-key public_key.pem", "jwtflow verify - --certificate certificate.pem --audience https://login.salesforce.com < token.txt"})
			.takesOneWord()
			.runs([](App& a, Provider*) { return a.commandVerify(); }),
		command("decode", "show a JWT's header and claims, NOT verified")
			.synopsis("(JWT | -)")
			.description("Shows a JWT's header and claims (and its dates) WITHOUT verifying its signature.")
			.options({"token", "output"})
			.examples({"jwtflow decode \"$JWT\"", "jwtflow decode - --output json < token.txt"})
			.takesOneWord()
			.runs([](App& a, Provider*) { return a.commandDecode(); }),
		command("keygen", "make a key pair and a certificate to register at the IdP")
			.synopsis("--out DIR [--bits 2048|3072|4096 | --curve P-256] [--days N] [--cn NAME] [--encrypt | --pkcs11 URI] [--force]")
			.description("Writes private_key.pem (0600, PKCS#8), certificate.pem and .der, public_key.pem and\n"
				"public_key.jwk (with its RFC 7638 thumbprint as kid, and no alg unless --alg pins one), each\n"
				"created new, and a .gitignore in a\n"
				"folder it makes; prints the thumbprints and where to upload the certificate.")
			.options({"out", "bits", "curve", "days", "cn", "encrypt", "force", "passphrase-file", "alg", "pkcs11", "pkcs11-module", "pin-file"})
			.examples({"jwtflow keygen --out keys", "jwtflow keygen --out keys --curve P-256 --days 730",
				"jwtflow keygen --out keys --pkcs11 'pkcs11:token=prod;object=jwt-signer' --pkcs11-module /usr/lib/softhsm/libsofthsm2.so"})
			.runs([](App& a, Provider*) { return a.commandKeygen(); }),
		command("thumbprint", "print a certificate's thumbprints in every form")
			.synopsis("(--certificate FILE | --thumbprint ANY)")
			.description("Prints x5t, x5t#S256 (with a certificate), the SHA-1 hex form the Azure portal shows, the\n"
				"padded base64 form and the SHA-256 hex form.")
			.options({"certificate", "thumbprint", "output"})
			.examples({"jwtflow thumbprint --certificate certificate.pem", "jwtflow thumbprint --thumbprint AE:B5:F6:9D:... --output json"})
			.runs([](App& a, Provider*) { return a.commandThumbprint(); }),
		command("jwk", "print the public JWK (or JWK Set) of a key, certificate, PKCS#12 file or PKCS#11 key")
			.synopsis("[--certificate FILE | --private-key FILE|pkcs11:URI | --public-key FILE] [--alg ALG] [--kid KID] [--x5c] [--jwks] [--thumbprint]")
			.description("Prints the public JWK an OIDC provider (Okta, Keycloak, Auth0) registers for private_key_jwt:\n"
				"kid is the key's RFC 7638 thumbprint unless --kid says otherwise; no alg unless --alg pins one\n"
				"(a registered alg binds the key to that one algorithm); with a certificate, x5t and x5t#S256,\n"
				"and with --x5c the chain. --jwks wraps it in {\"keys\": [...]}; --thumbprint (or --rfc7638)\n"
				"prints the RFC 7638 thumbprint alone. Without an option it reads PATH_CERTIFICATE and\n"
				"PATH_PRIVATE_KEY from the settings (.env).")
			.options({"certificate", "private-key", "public-key", "passphrase-file", "pkcs11-module", "pin-file", "alg", "kid", "x5c", "jwks", "rfc7638", "output"})
			.examples({"jwtflow jwk --private-key private_key.pem", "jwtflow jwk --certificate certificate.pem --x5c --jwks",
				"jwtflow jwk --public-key public_key.pem --thumbprint"})
			.runs([](App& a, Provider*) { return a.commandJwk(); }),
		command("emulator", "run the IdP emulator on loopback HTTPS")
			.synopsis("[--port N] [--app CLIENT_ID=CERT.pem[#KEY_ID]]... [--user NAME]... [--community PATH]...")
			.description("Runs the emulator until interrupted and prints its base URL and the CA file to trust.\n"
				"Endpoints: Salesforce (/services/oauth2/token, /revoke, the REST API under /services/data),\n"
				"Entra ID (/<tenant>/oauth2/v2.0/token; give AUTHORITY=<base URL>; Graph-like /v1.0/organization),\n"
				"OIDC (issuer <base>/oidc), Google (/google/token; STS /sts/v1/token and IAM generateAccessToken for\n"
				"workload identity federation). --login-rate-limit N answers like Salesforce's\n"
				"login rate limit; --session-seconds sets how long a Salesforce token lives after its last use.")
			.options({"port", "state-dir", "app", "app-alg", "federated", "google-federation", "user", "community", "sandbox", "scopes", "resource", "days", "client-id", "certificate", "subject",
				"session-seconds", "login-rate-limit"})
			.examples({"jwtflow emulator --app 3MVG9.example=keys/certificate.pem --user integration.user@example.com"})
			.runs([](App& a, Provider*) { return a.runNetwork(nullptr, "emulator"); }),
		command("demo", "run every provider's whole flow against the built-in emulator")
			.description("Makes keys in a fresh temporary folder, starts the emulator and runs each provider's flow:\n"
				"the JWT, the token exchange, the identity call, the frontdoor links. No account needed.")
			.options({"timeout"})
			.examples({"jwtflow demo"})
			.runs([](App& a, Provider*) { return a.runNetwork(nullptr, "demo"); }),
		command("cache", "list or clear the cached logins")
			.synopsis("(list | clear [PROVIDER] [--profile NAME])")
			.description("list: each cached login (provider, client id, subject, login URL or authority, profile) and until\n"
				"when it is used, never the token; clear: removes them all, or a provider's, or a profile's.\n"
				"The cache is $XDG_CACHE_HOME/jwtflow/tokens (else ~/.cache/jwtflow/tokens), sealed with a key\n"
				"derived from each login's signing key.")
			.options({"output", "profile"})
			.examples({"jwtflow cache list", "jwtflow cache clear", "jwtflow cache clear azure-ad", "jwtflow cache clear --profile prod"})
			.completes({"list", "clear"})
			.runs([](App& a, Provider*) { return a.commandCache(); }),
		command("profile", "add, list, show, remove or mark as default the saved profiles")
			.synopsis("(add NAME --provider P [settings] | list | show NAME | remove NAME | default NAME)")
			.description("A profile is the settings a login used, saved by `jwtflow PROVIDER login --profile NAME` in\n"
				"$XDG_CONFIG_HOME/jwtflow/profiles/NAME.env (0600; paths made absolute; never a token, a\n"
				"passphrase or a PIN). -p NAME (or --alias, --target-org, JWTFLOW_PROFILE) uses it from any folder,\n"
				"above the environment and ./.env; a provider's default profile is read below them. `profile add\n"
				"NAME --provider P` saves P's settings as they are read now (options, environment, ./.env) without a login.")
			.options({"output", "provider"})
			.readsProviderSettings()
			.examples({"jwtflow salesforce login --profile prod", "jwtflow salesforce whoami -p prod", "jwtflow profile list",
				"jwtflow profile add staging --provider salesforce --client-id 3MVG9... --username me@example.com --private-key keys/private_key.pem",
				"jwtflow profile default prod"})
			.completes({"add", "list", "show", "remove", "default"})
			.runs([](App& a, Provider*) { return a.commandProfile(); }),
		command("trust", "trust a folder's .env, so that jwtflow reads it")
			.synopsis("[FILE] [--list | --revoke]")
			.description("A .env in the current folder may come from a cloned repository: jwtflow reads it only once you\n"
				"trusted it, as direnv asks for direnv allow. trust records the file's absolute path and SHA-256 in\n"
				"$XDG_CONFIG_HOME/jwtflow/trusted-env (else ~/.config/jwtflow/trusted-env); a changed file must be\n"
				"trusted again. A file named with --env-file is trusted as named. --list shows the trusted files,\n"
				"--revoke forgets one. FILE defaults to ./.env.")
			.options({"list", "revoke", "output"})
			.examples({"jwtflow trust", "jwtflow trust --list", "jwtflow trust --revoke .env"})
			.completes({".env"})
			.runs([](App& a, Provider*) { return a.commandTrust(); }),
		command("completion", "print a shell completion script")
			.synopsis("(bash | zsh)")
			.description("Prints the completion script for bash or zsh: commands, the providers in the plugin folders,\n"
				"actions, options and file arguments. The package installs both.")
			.examples({"source <(jwtflow completion bash)", "jwtflow completion zsh > ~/.zfunc/_jwtflow"})
			.completes({"bash", "zsh"})
			.runs([](App& a, Provider*) { return a.commandCompletion(); }),
		command("version", "print the version")
			.description("Prints jwtflow's version (with -v: POCO's and OpenSSL's too, and the plugin ABI).")
			.examples({"jwtflow version -v"})
			.runs([](App& a, Provider*) { return a.commandVersion(); }),
		command("help", "show help for a command, a provider or an action")
			.synopsis("[COMMAND | PROVIDER [ACTION]]")
			.description("The same as --help at that level.")
			.examples({"jwtflow help verify", "jwtflow help salesforce token"})
			.runs([](App&, Provider*) { return 0; }),
	};
	return table;
}

const std::map<std::string, std::string>& flagAliases(const std::string& command)
{
	// `jwk --thumbprint` is a flag (--rfc7638), where everywhere else --thumbprint names CERTIFICATE_THUMBPRINT.
	static const std::map<std::string, std::map<std::string, std::string>> aliases = {{"jwk", {{"thumbprint", "rfc7638"}}}};
	static const std::map<std::string, std::string> none;
	auto it = aliases.find(command);
	return it == aliases.end() ? none : it->second;
}

const CommandSpec* findCommand(const std::string& name, bool action)
{
	for (const auto& c: commandTable())
		if (c.isAction == action && c.name == name) return &c;
	return nullptr;
}

std::vector<std::string> commandNames()
{
	std::vector<std::string> names;
	for (const auto& c: commandTable())
		if (!c.isAction) names.push_back(c.name);
	return names;
}

std::vector<std::string> offeredActions(const Provider& provider)
{
	std::vector<std::string> actions = provider.actions();
	if (std::find(actions.begin(), actions.end(), "token") != actions.end()
		&& std::find(actions.begin(), actions.end(), "login") == actions.end())
	{
		// After token, in the order help lists them.
		auto at = actions.insert(std::find(actions.begin(), actions.end(), "token") + 1, "login");
		at = actions.insert(at + 1, "logout");
		at = actions.insert(at + 1, "call");
		at = actions.insert(at + 1, "exec");
		actions.insert(at + 1, "serve");
	}
	// A provider with a frontdoor link opens its UI in a browser.
	auto frontdoor = std::find(actions.begin(), actions.end(), "frontdoor");
	if (frontdoor != actions.end() && std::find(actions.begin(), actions.end(), "open") == actions.end())
	{
		actions.insert(frontdoor + 1, "open");
	}
	return actions;
}

} // namespace host
} // namespace jwtflow
