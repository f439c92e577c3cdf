#!/usr/bin/python3
"""The emulator's contract, checked from outside: hand-made requests (PyJWT signs the
assertions, http.client sends them over real TLS) to a running `jwtflow emulator`, each with
the status and the error its IdP answers (docs/emulator.md lists the rules and their sources).

    audit.py --jwtflow build/jwtflow

Every case prints one line; the exit status is 1 when any answer differs from the table.
"""
import argparse
import base64
import datetime
import hashlib
import http.client
import json
import os
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

TENANT = "8f3c2b1a-5d4e-4f60-9a7b-0c1d2e3f4a5b"
USER = "alice@example.com"
SITE_USER = "site.user@example.com"
SF, SF_API, SF_WEB, SF_OLD = "3MVG9audit.full", "3MVG9audit.api", "3MVG9audit.web", "3MVG9audit.expired"
ENTRA, ENTRA_OLD = "5b7c1a2e-0000-4a6b-8c9d-0e1f2a3b4c5d", "5b7c1a2e-1111-4a6b-8c9d-0e1f2a3b4c5d"
OIDC, OIDC_KID = "0oaaudit", "audit-key-1"
SA, SA_KID = "audit@jwtflow-audit.iam.gserviceaccount.com", "0123456789abcdef0123456789abcdef01234567"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
LOGIN, TEST = "https://login.salesforce.com", "https://test.salesforce.com"
FEDERATED_SA = "deployer@jwtflow-audit.iam.gserviceaccount.com"
GITHUB_SUBJECT = "repo:jwtflow/demo:ref:refs/heads/main"
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
TOKEN_TYPE = "urn:ietf:params:oauth:token-type:"


def certificate(key, days_from, days_to):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "jwtflow emulator audit")])
    now = datetime.datetime.now(datetime.timezone.utc)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now + datetime.timedelta(days=days_from))
            .not_valid_after(now + datetime.timedelta(days=days_to))
            .sign(key, hashes.SHA256()))


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Emulator:
    def __init__(self, jwtflow_binary, folder):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.cert = certificate(self.key, -1, 30)
        self.expired = certificate(self.key, -30, -1)
        paths = {}
        for name, cert in (("cert.pem", self.cert), ("expired.pem", self.expired)):
            paths[name] = os.path.join(folder, name)
            with open(paths[name], "wb") as f:
                f.write(cert.public_bytes(serialization.Encoding.PEM))
        cert, expired = paths["cert.pem"], paths["expired.pem"]
        args = [jwtflow_binary, "emulator",
                "--app", SF + "=" + cert, "--app", SF_API + "=" + cert, "--app", SF_WEB + "=" + cert,
                "--app", SF_OLD + "=" + expired, "--app", ENTRA + "=" + cert, "--app", ENTRA_OLD + "=" + expired,
                "--app", OIDC + "=" + cert + "#" + OIDC_KID, "--app-alg", OIDC + "=RS256",
                "--app", SA + "=" + cert + "#" + SA_KID,
                "--scopes", SF_API + "=api", "--scopes", SF_WEB + "=web,id",
                "--user", USER, "--user", SITE_USER, "--community", "/customers",
                "--google-federation", FEDERATED_SA + "=" + GITHUB_SUBJECT, "--output", "env"]
        env = {"PATH": "/usr/bin:/bin", "HOME": folder, "XDG_CONFIG_HOME": folder, "XDG_CACHE_HOME": folder}
        self.out = open(os.path.join(folder, "emulator.out"), "w+")
        self.process = subprocess.Popen(args, cwd=folder, env=env, stdout=self.out, stderr=subprocess.DEVNULL)
        for _ in range(200):
            self.out.seek(0)
            text = self.out.read()
            if "GOOGLE_IAM_URL" in text:
                break
            time.sleep(0.05)
        else:
            raise SystemExit("the emulator did not start")
        # `--output env`: export NAME='value' lines.
        fields = {}
        for line in text.splitlines():
            if line.startswith("export ") and "=" in line:
                name, value = line[len("export "):].split("=", 1)
                fields[name] = value.strip("'")
        self.base = fields["EMULATOR_URL"]
        self.ca = fields["CA_FILE"]
        self.github = fields["ACTIONS_ID_TOKEN_REQUEST_TOKEN"]
        self.pool = fields["GOOGLE_WORKLOAD_AUDIENCE"]
        self.host, self.port = urllib.parse.urlsplit(self.base).hostname, urllib.parse.urlsplit(self.base).port
        self.context = ssl.create_default_context(cafile=self.ca)

    def stop(self):
        self.process.terminate()
        self.process.wait(10)

    def request(self, method, path, body=None, headers=None):
        """(status, headers, body text) of one request on a connection of its own."""
        connection = http.client.HTTPSConnection(self.host, self.port, context=self.context, timeout=10)
        headers = dict(headers or {})
        if isinstance(body, dict) or isinstance(body, list):
            body = urllib.parse.urlencode(body)
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        connection.close()
        return response.status, dict(response.getheaders()), text

    # Assertions, signed by PyJWT.
    def salesforce(self, iss=SF, sub=USER, aud=LOGIN, lifetime=120, alg="RS256", key=None, **extra):
        now = int(time.time())
        claims = dict(iss=iss, sub=sub, aud=aud, exp=now + lifetime, **extra)
        return jwt.encode(claims, key or self.key, algorithm=alg)

    def entra(self, client=ENTRA, aud=None, lifetime=300, alg="RS256", x5t=True, jti=None, key=None, cert=None):
        now = int(time.time())
        aud = aud or self.base + "/" + TENANT + "/oauth2/v2.0/token"
        claims = dict(iss=client, sub=client, aud=aud, jti=jti or str(uuid.uuid4()), nbf=now, iat=now, exp=now + lifetime)
        der = (cert or self.cert).public_bytes(serialization.Encoding.DER)
        headers = {"x5t": b64url(hashlib.sha1(der).digest())} if x5t else {}
        return jwt.encode(claims, key or self.key, algorithm=alg, headers=headers)

    def entra_form(self, **overrides):
        form = {"client_id": ENTRA, "scope": "https://graph.microsoft.com/.default", "client_assertion_type": ASSERTION_TYPE,
                "client_assertion": self.entra(), "grant_type": "client_credentials"}
        form.update(overrides)
        return [(k, v) for k, v in form.items() if v is not None]

    def token(self, client=SF, site="", aud=None, sub=USER):
        status, _, text = self.request("POST", site + "/services/oauth2/token",
                                       {"grant_type": JWT_BEARER, "assertion": self.salesforce(iss=client, sub=sub, aud=aud or LOGIN)})
        assert status == 200, text
        return json.loads(text)["access_token"]

    def entra_token(self):
        status, _, text = self.request("POST", "/" + TENANT + "/oauth2/v2.0/token", self.entra_form())
        assert status == 200, text
        return json.loads(text)["access_token"]


def oauth(status, error, description=None):
    """Expects a JSON answer {error, error_description} with this status."""
    def check(answer):
        got_status, _, text = answer
        try:
            body = json.loads(text)
        except ValueError:
            return "not JSON: " + text[:80]
        if got_status != status or body.get("error") != error:
            return "%d %s %s" % (got_status, body.get("error"), body.get("error_description", "")[:100])
        if description is not None and description not in body.get("error_description", ""):
            return "description " + repr(body.get("error_description", "")[:160])
        return None
    return check


def entra(status, error, code, words=None):
    """Expects Entra ID's error body: error, error_codes[0] (none for code 0) and the AADSTS text."""
    def check(answer):
        got_status, _, text = answer
        body = json.loads(text)
        codes = body.get("error_codes", [])
        if got_status != status or body.get("error") != error or codes != ([code] if code else []):
            return "%d %s %s" % (got_status, body.get("error"), codes)
        prefix = "AADSTS%d: " % code if code else ""
        if not body.get("error_description", "").startswith(prefix):
            return "description " + repr(body.get("error_description", "")[:100])
        if words and words not in body["error_description"]:
            return "description " + repr(body["error_description"][:160])
        for field in ("timestamp", "trace_id", "correlation_id"):
            if field not in body:
                return "no " + field
        return None
    return check


def ok(status=200, field=None):
    def check(answer):
        got_status, _, text = answer
        if got_status != status:
            return "%d %s" % (got_status, text[:160])
        if field and field not in json.loads(text):
            return "no " + field + " in " + text[:120]
        return None
    return check


def redirect(ending):
    """Expects a 302 whose Location ends with `ending` (frontdoor: the page, or the login page)."""
    def check(answer):
        got_status, headers, text = answer
        location = headers.get("Location", "")
        if got_status != 302 or not location.endswith(ending):
            return "%d -> %s" % (got_status, location)
        return None
    return check


def rest(status, code, words=None):
    """Expects Salesforce's REST error array [{message, errorCode}]."""
    def check(answer):
        got_status, _, text = answer
        body = json.loads(text)
        if got_status != status or not isinstance(body, list) or body[0].get("errorCode") != code:
            return "%d %s" % (got_status, text[:160])
        if words and words not in body[0].get("message", ""):
            return "message " + repr(body[0].get("message"))
        return None
    return check


def api(status, code):
    """Expects a Google API error (AIP-193): {"error": {"code", "message", "status"}}."""
    def check(answer):
        got_status, _, text = answer
        error = json.loads(text).get("error", {})
        if got_status != status or not isinstance(error, dict) or error.get("status") != code or error.get("code") != status:
            return "%d %s" % (got_status, text[:160])
        return None
    return check


def cases(e):
    """(name, request, expected): the contract, endpoint by endpoint."""
    token = "/services/oauth2/token"
    site_token = "/customers/services/oauth2/token"
    entra_url = "/" + TENANT + "/oauth2/v2.0/token"
    form = lambda assertion: {"grant_type": JWT_BEARER, "assertion": assertion}
    now = int(time.time())
    yield ("salesforce: aud is the production login host, the request goes to My Domain",
           lambda: e.request("POST", token, form(e.salesforce())), ok(200, "access_token"))
    yield ("salesforce: the sandbox host for a production org (FACTS 1.4)",
           lambda: e.request("POST", token, form(e.salesforce(aud=TEST))), oauth(400, "invalid_grant", "user hasn't approved this consumer"))
    yield ("salesforce: the URL the request went to is no audience (FACTS 1.2)",
           lambda: e.request("POST", token, form(e.salesforce(aud=e.base))), oauth(400, "invalid_grant", "audience is invalid"))
    yield ("salesforce: a trailing slash on aud",
           lambda: e.request("POST", token, form(e.salesforce(aud=LOGIN + "/"))), oauth(400, "invalid_grant", "audience is invalid"))
    yield ("salesforce: exp beyond 3 minutes (FACTS 1.1)",
           lambda: e.request("POST", token, form(e.salesforce(lifetime=300))), oauth(400, "invalid_grant", "invalid assertion"))
    yield ("salesforce: exp in the past",
           lambda: e.request("POST", token, form(e.salesforce(lifetime=-120))), oauth(400, "invalid_grant", "expired authorization code"))
    yield ("salesforce: nbf an hour ahead (RFC 7523 3)",
           lambda: e.request("POST", token, form(e.salesforce(nbf=now + 3600))), oauth(400, "invalid_grant", "invalid assertion"))
    yield ("salesforce: iat an hour ahead",
           lambda: e.request("POST", token, form(e.salesforce(iat=now + 3600))), oauth(400, "invalid_grant", "invalid assertion"))
    yield ("salesforce: RS384 (RS256 only, FACTS 1.1)",
           lambda: e.request("POST", token, form(e.salesforce(alg="RS384"))), oauth(400, "invalid_grant", "invalid assertion"))
    yield ("salesforce: signed by another key",
           lambda: e.request("POST", token, form(e.salesforce(key=e.other))), oauth(400, "invalid_grant", "invalid assertion"))
    yield ("salesforce: an app whose certificate expired",
           lambda: e.request("POST", token, form(e.salesforce(iss=SF_OLD))), oauth(400, "invalid_grant", "invalid assertion"))
    yield ("salesforce: an unknown consumer key",
           lambda: e.request("POST", token, form(e.salesforce(iss="3MVG9unknown"))), oauth(400, "invalid_client_id", "client identifier invalid"))
    yield ("salesforce: an unknown user",
           lambda: e.request("POST", token, form(e.salesforce(sub="nobody@example.com"))),
           oauth(400, "invalid_grant", "user hasn't approved this consumer"))
    yield ("salesforce: another grant type",
           lambda: e.request("POST", token, {"grant_type": "password", "assertion": e.salesforce()}),
           oauth(400, "unsupported_grant_type", "grant type not supported"))
    yield ("salesforce: a JSON body (FACTS 1.4)",
           lambda: e.request("POST", token, json.dumps(form(e.salesforce())), {"Content-Type": "application/json"}),
           oauth(400, "unsupported_grant_type"))
    yield ("salesforce: the assertion twice (RFC 6749 3.1)",
           lambda: e.request("POST", token, [("grant_type", JWT_BEARER), ("assertion", e.salesforce()), ("assertion", e.salesforce())]),
           oauth(400, "invalid_request", "more than once"))
    yield ("community: aud is the site's URL",
           lambda: e.request("POST", site_token, form(e.salesforce(sub=SITE_USER, aud=e.base + "/customers"))), ok(200, "sfdc_community_url"))
    yield ("community: the org's login host is not the site's audience",
           lambda: e.request("POST", site_token, form(e.salesforce(sub=SITE_USER))), oauth(400, "invalid_grant", "audience is invalid"))

    # frontdoor.jsp, singleaccess, REST and revoke: tokens of their kind, site and scopes.
    org, site = e.token(), e.token(site="/customers", aud=e.base + "/customers", sub=SITE_USER)
    api_only, web_only = e.token(SF_API), e.token(SF_WEB)
    yield ("frontdoor: an org token with web, by GET",
           lambda: e.request("GET", "/secur/frontdoor.jsp?sid=" + urllib.parse.quote(org) + "&retURL=/lightning/page/home"),
           redirect("/lightning/page/home"))
    yield ("frontdoor: the same fields POSTed as a form (what Salesforce recommends, FACTS 2.1)",
           lambda: e.request("POST", "/secur/frontdoor.jsp", {"sid": org, "retURL": "/lightning/page/home"}), redirect("/lightning/page/home"))
    yield ("frontdoor: a POST that is not a form lands on the login page",
           lambda: e.request("POST", "/secur/frontdoor.jsp", json.dumps({"sid": org}), {"Content-Type": "application/json"}),
           redirect("/login?ec=302"))
    yield ("frontdoor: an api-only token bounces to login (FACTS 2.1)",
           lambda: e.request("GET", "/secur/frontdoor.jsp?sid=" + urllib.parse.quote(api_only)), redirect("/login?ec=302"))
    yield ("frontdoor: an org token at the site's frontdoor",
           lambda: e.request("GET", "/customers/secur/frontdoor.jsp?sid=" + urllib.parse.quote(org)), redirect("/customers/login?ec=302"))
    yield ("frontdoor: a site token at the org's frontdoor",
           lambda: e.request("GET", "/secur/frontdoor.jsp?sid=" + urllib.parse.quote(site)), redirect("/login?ec=302"))
    yield ("frontdoor: an Entra ID token as sid",
           lambda: e.request("GET", "/secur/frontdoor.jsp?sid=" + urllib.parse.quote(e.entra_token())), redirect("/login?ec=302"))

    def otp_at(issuer_path, redeem_path, bearer):
        status, _, text = e.request("POST", issuer_path, "", {"Authorization": "Bearer " + bearer})
        if status != 200:
            return status, {}, text
        link = urllib.parse.urlsplit(json.loads(text)["frontdoor_uri"])
        return e.request("GET", redeem_path + "?" + link.query)
    yield ("singleaccess: the org's one-time link opens the org",
           lambda: otp_at("/services/oauth2/singleaccess", "/secur/frontdoor.jsp", e.token()), redirect("/home/home.jsp"))
    yield ("singleaccess: the org's one-time link at the site",
           lambda: otp_at("/services/oauth2/singleaccess", "/customers/secur/frontdoor.jsp", e.token()), redirect("/customers/login?ec=302"))
    yield ("singleaccess: a site token at the org's singleaccess",
           lambda: e.request("POST", "/services/oauth2/singleaccess", "", {"Authorization": "Bearer " + site}),
           rest(401, "INVALID_SESSION_ID"))
    yield ("rest: the OAuth scheme Salesforce also takes",
           lambda: e.request("GET", "/services/data/", None, {"Authorization": "OAuth " + org}), ok(200))
    yield ("rest: an api-only token",
           lambda: e.request("GET", "/services/data/", None, {"Authorization": "Bearer " + api_only}), ok(200))
    yield ("rest: a web-only token",
           lambda: e.request("GET", "/services/data/", None, {"Authorization": "Bearer " + web_only}),
           rest(401, "INVALID_SESSION_ID", "not valid for use with the REST API"))
    yield ("rest: a site token at the org's REST API",
           lambda: e.request("GET", "/services/data/", None, {"Authorization": "Bearer " + site}), rest(401, "INVALID_SESSION_ID"))
    revoked = e.token()
    yield ("revoke: by GET with the token in the query",
           lambda: e.request("GET", "/services/oauth2/revoke?token=" + urllib.parse.quote(revoked)), ok(200))
    yield ("revoke: the revoked token is refused by REST",
           lambda: e.request("GET", "/services/data/", None, {"Authorization": "Bearer " + revoked}), rest(401, "INVALID_SESSION_ID"))
    yield ("revoke: an Entra ID token is no Salesforce session",
           lambda: e.request("POST", "/services/oauth2/revoke", {"token": e.entra_token()}), oauth(400, "invalid_token"))

    # Entra ID.
    yield ("entra: a certificate assertion for Graph",
           lambda: e.request("POST", entra_url, e.entra_form()), ok(200, "access_token"))
    yield ("entra: the tenant GUID in upper case",
           lambda: e.request("POST", "/" + TENANT.upper() + "/oauth2/v2.0/token", e.entra_form()), ok(200))
    yield ("entra: Azure Resource Manager, whose identifier ends in a slash",
           lambda: e.request("POST", entra_url, e.entra_form(scope="https://management.azure.com//.default")), ok(200))
    yield ("entra: an hour's lifetime (no restriction documented, FACTS 3.2)",
           lambda: e.request("POST", entra_url, e.entra_form(client_assertion=e.entra(lifetime=3600))), ok(200))
    yield ("entra: GET", lambda: e.request("GET", entra_url), entra(400, "invalid_request", 900561, "only accepts POST"))
    yield ("entra: a JSON body",
           lambda: e.request("POST", entra_url, json.dumps(dict(e.entra_form())), {"Content-Type": "application/json"}),
           entra(400, "invalid_request", 900561))
    yield ("entra: no client_id",
           lambda: e.request("POST", entra_url, e.entra_form(client_id=None)), entra(400, "invalid_request", 900144, "'client_id'"))
    yield ("entra: scope twice",
           lambda: e.request("POST", entra_url, e.entra_form() + [("scope", "https://graph.microsoft.com/.default")]),
           entra(400, "invalid_request", 9000411, "'scope' is duplicated"))
    yield ("entra: another client_assertion_type",
           lambda: e.request("POST", entra_url, e.entra_form(client_assertion_type="urn:example:other")),
           entra(400, "invalid_request", 90011))
    yield ("entra: an unknown client",
           lambda: e.request("POST", entra_url, e.entra_form(client_id="00000000-0000-0000-0000-000000000000")),
           entra(400, "unauthorized_client", 700016))
    for scope in ("https://no-such-api.example/.default", "https://graph.microsoft.com//.default", "/.default"):
        yield ("entra: scope " + scope,
               lambda scope=scope: e.request("POST", entra_url, e.entra_form(scope=scope)),
               entra(400, "invalid_resource", 500011, "was not found in the tenant"))
    yield ("entra: a scope without /.default",
           lambda: e.request("POST", entra_url, e.entra_form(scope="https://graph.microsoft.com/User.Read")),
           entra(400, "invalid_scope", 1002012))
    yield ("entra: an app whose registered certificate expired",
           lambda: e.request("POST", entra_url, e.entra_form(client_id=ENTRA_OLD, client_assertion=e.entra(client=ENTRA_OLD, cert=e.expired))),
           entra(401, "invalid_client", 700027, "The key used is expired"))
    yield ("entra: exp in the past",
           lambda: e.request("POST", entra_url, e.entra_form(client_assertion=e.entra(lifetime=-120))),
           entra(401, "invalid_client", 700024, "not within its valid time range"))
    yield ("entra: the token URL of another tenant as aud",
           lambda: e.request("POST", entra_url, e.entra_form(client_assertion=e.entra(aud=e.base + "/other/oauth2/v2.0/token"))),
           entra(401, "invalid_client", 700023))
    yield ("entra: ES256",
           lambda: e.request("POST", entra_url, e.entra_form(client_assertion=e.entra(
               alg="ES256", key=ec.generate_private_key(ec.SECP256R1())))), entra(401, "invalid_client", 5002738))
    yield ("entra: no x5t",
           lambda: e.request("POST", entra_url, e.entra_form(client_assertion=e.entra(x5t=False))), entra(401, "invalid_client", 5002723))
    yield ("entra: /common",
           lambda: e.request("POST", "/common/oauth2/v2.0/token", e.entra_form()), entra(400, "invalid_request", 90010))
    replayed = e.entra(jti="audit-replayed-jti")
    e.request("POST", entra_url, e.entra_form(client_assertion=replayed))
    yield ("entra: a replayed jti (the emulator's own answer, not 700024)",
           lambda: e.request("POST", entra_url, e.entra_form(client_assertion=replayed)), entra(401, "invalid_client", 0, "used before"))

    # OIDC and Google.
    oidc_url = "/oidc/v1/token"

    def oidc(alg):
        now = int(time.time())
        claims = dict(iss=OIDC, sub=OIDC, aud=e.base + "/oidc/v1/token", jti=str(uuid.uuid4()), iat=now, exp=now + 120)
        assertion = jwt.encode(claims, e.key, algorithm=alg, headers={"kid": OIDC_KID})
        return e.request("POST", oidc_url, {"grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE,
                                            "client_assertion": assertion, "scope": "api.read"})
    yield ("oidc: the alg the JWK is registered with", lambda: oidc("RS256"), ok(200))
    yield ("oidc: another alg with the same key (RFC 7517 4.4)", lambda: oidc("RS384"), oauth(401, "invalid_client"))

    def google(aud):
        now = int(time.time())
        claims = dict(iss=SA, aud=aud, scope="https://www.googleapis.com/auth/cloud-platform", iat=now, exp=now + 3600)
        return e.request("POST", "/google/token", form(jwt.encode(claims, e.key, algorithm="RS256", headers={"kid": SA_KID})))
    for aud in ("https://oauth2.googleapis.com/token", "https://accounts.google.com/o/oauth2/token"):
        yield ("google: aud " + aud, lambda aud=aud: google(aud), ok(200, "access_token"))
    yield ("google: another aud", lambda: google("https://example.com/token"), oauth(400, "invalid_grant", "audience"))

    # Google workload identity federation: STS (RFC 8693) and IAM generateAccessToken.
    def workload(audience):
        status, _, text = e.request("GET", "/github/idtoken?audience=" + urllib.parse.quote(audience, safe=""),
                                    headers={"Authorization": "bearer " + e.github})
        assert status == 200, text
        return json.loads(text)["value"]
    pool_aud = "https:" + e.pool

    def sts(subject_token=None, **overrides):
        fields = {"grant_type": TOKEN_EXCHANGE, "audience": e.pool, "scope": "https://www.googleapis.com/auth/cloud-platform",
                  "requested_token_type": TOKEN_TYPE + "access_token", "subject_token": subject_token or workload(pool_aud),
                  "subject_token_type": TOKEN_TYPE + "jwt"}
        fields.update(overrides)
        return e.request("POST", "/sts/v1/token", [(k, v) for k, v in fields.items() if v is not None])
    yield ("sts: a workload token of the pool's issuer", lambda: sts(), ok(200, "access_token"))
    yield ("sts: an audience that is no provider name", lambda: sts(audience="projects/1/pool"),
           oauth(400, "invalid_request", 'Invalid value for "audience"'))
    yield ("sts: a provider that does not exist",
           lambda: sts(audience="//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/x/providers/y"),
           oauth(400, "invalid_target"))
    yield ("sts: another grant", lambda: sts(grant_type=JWT_BEARER), oauth(400, "unsupported_grant_type"))
    yield ("sts: a token for another audience", lambda: sts(subject_token=workload("api://AzureADTokenExchange")),
           oauth(400, "invalid_grant", "does not match the expected audience"))
    forged = jwt.encode(dict(iss=e.base + "/workload", sub=GITHUB_SUBJECT, aud=pool_aud, iat=int(time.time()), exp=int(time.time()) + 300),
                        e.other, algorithm="RS256")
    yield ("sts: the issuer's name on a token another key signed", lambda: sts(subject_token=forged),
           oauth(400, "invalid_grant", "signature"))
    yield ("sts: a SAML token type for an OIDC provider", lambda: sts(subject_token_type=TOKEN_TYPE + "saml2"),
           oauth(400, "invalid_request"))

    def generate(account=FEDERATED_SA, bearer=None, body=None):
        if bearer is None:
            status, _, text = sts()
            bearer = json.loads(text)["access_token"]
        return e.request("POST", "/iamcredentials/v1/projects/-/serviceAccounts/" + account + ":generateAccessToken",
                         json.dumps(body or {"scope": ["https://www.googleapis.com/auth/cloud-platform"], "lifetime": "3600s"}),
                         {"Authorization": "Bearer " + bearer, "Content-Type": "application/json"})
    yield ("iam: generateAccessToken for the granted service account", lambda: generate(), ok(200, "accessToken"))
    yield ("iam: another service account", lambda: generate(account="other@jwtflow-audit.iam.gserviceaccount.com"),
           api(403, "PERMISSION_DENIED"))
    yield ("iam: a bearer that is no token", lambda: generate(bearer="ya29.not-a-token"), api(401, "UNAUTHENTICATED"))
    yield ("iam: a lifetime over an hour", lambda: generate(body={"scope": ["https://www.googleapis.com/auth/cloud-platform"],
                                                                    "lifetime": "7200s"}), api(400, "INVALID_ARGUMENT"))
    yield ("iam: no scope", lambda: generate(body={"lifetime": "600s"}), api(400, "INVALID_ARGUMENT"))

    # The org's pages: a browser without the frontdoor session lands on the login page.
    yield ("ui: a page without a session", lambda: e.request("GET", "/lightning/o/Account/home"), redirect("startURL=/lightning/o/Account/home"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--jwtflow", required=True)
    args = parser.parse_args()
    failures = 0
    with tempfile.TemporaryDirectory(prefix="jwtflow-audit-") as folder:
        emulator = Emulator(os.path.abspath(args.jwtflow), folder)
        try:
            for name, make, check in cases(emulator):
                try:
                    problem = check(make())
                except Exception as exc:   # a broken answer is a failure of its case, not of the audit
                    problem = "%s: %s" % (type(exc).__name__, exc)
                print(("ok    " if problem is None else "FAIL  ") + name + ("" if problem is None else ": " + problem))
                failures += problem is not None
        finally:
            emulator.stop()
    print("%d failure(s)" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
