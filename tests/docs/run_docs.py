#!/usr/bin/env python3
"""The docs test: every shell block in README.md, docs/user-guide.md,
docs/getting-set-up.md and docs/single-file.md runs as written, with the built `jwtflow` on PATH,
against the emulator (`jwtflow emulator`, loopback HTTPS, a test CA made on
the spot).

How a block is taken, from the HTML comment before it (none: "run"):
  <!-- docs-test: run -->          each line runs alone, in order, in the file's
                                   scratch folder (state carries over, as for a reader)
  <!-- docs-test: script -->       the whole block runs as one bash script
  <!-- docs-test: real-account --> needs an account at a real IdP: each jwtflow
                                   line is checked for parsing only (the same
                                   command line with --help must exit 0)
  <!-- docs-test: synopsis -->     a usage synopsis ([optional] parts): --help of the
                                   command it names must exit 0
  <!-- docs-test: ci REASON -->     run by CI itself (the README's two commands) or
                                   by another test: checked with `bash -n`
A block whose first line is "# .env" is written to .env in the scratch folder.

The emulator stands in for the identity providers: each command gets the
settings a reader would have for its provider (AUDIENCE, AUTHORITY and
TENANT_ID, ISSUER, KEY_FILE, CA_FILE) in its environment, so that the
placeholders of the .env blocks (3MVG9..., 6f1d2c3b-...) are the emulator's
registered apps. `$JWT` is a JWT minted first, token.txt holds one.
"""
import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time

DOCS = ["README.md", "docs/user-guide.md", "docs/getting-set-up.md", "docs/single-file.md"]
SF_CLIENT = "3MVG9..."
ENTRA_CLIENT = "6f1d2c3b-..."
OIDC_CLIENT = "0oa8f3c2b1a5d4e4f60"
OIDC_KID = "my-key-1"
SA_EMAIL = "docs@jwtflow-docs.iam.gserviceaccount.com"
SA_KEY_ID = "00000000000000000000000000000000000000aa"
USERS = ["integration.user@example.com", "customer.user@example.com", "alice@example.com", "admin@example.com", "me@example.com"]
TENANT = "8f3c2b1a-5d4e-4f60-9a7b-0c1d2e3f4a5b"
QUICK_START_ENV = ("CLIENT_ID=3MVG9...\nSUBJECT=integration.user@example.com\nPATH_PRIVATE_KEY={keys}private_key.pem\n"
                   "PATH_PUBLIC_KEY={keys}public_key.pem\n")


def blocks(path):
    """(line number, mode, text) of each ```sh block, with the mode from the comment before it."""
    lines = open(path, encoding="utf-8").read().split("\n")
    out, mode, i = [], None, 0
    while i < len(lines):
        m = re.match(r"<!-- docs-test: (\S+)(.*)-->", lines[i].strip())
        if m:
            mode = m.group(1)
        if lines[i].strip() == "```sh":
            start = i + 1
            j = start
            while lines[j].strip() != "```":
                j += 1
            out.append((start + 1, mode or "run", "\n".join(lines[start:j])))
            mode = None
            i = j
        elif lines[i].strip() and not m:
            mode = None
        i += 1
    return out


def command_lines(text):
    """The block's commands: comments dropped, continuation lines joined."""
    cmds, current = [], ""
    for line in text.split("\n"):
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        current += line
        cmds.append(current.strip())
        current = ""
    return cmds


def jwtflow_words(cmd):
    """The words of the jwtflow command in a line (after any VAR=value), or None."""
    try:
        words = shlex.split(cmd, comments=True)
    except ValueError:
        return None
    while words and re.match(r"^[A-Z_]+=", words[0]):
        words = words[1:]
    if not words or not words[0].endswith("jwtflow"):
        return None
    return words


class Docs:
    def __init__(self, jwtflow, source):
        self.jwtflow = os.path.abspath(jwtflow)
        self.source = source
        self.bin = tempfile.mkdtemp(prefix="jwtflow-docs-bin-")
        os.symlink(self.jwtflow, os.path.join(self.bin, "jwtflow"))
        self.ran = self.parsed = self.failed = 0
        self.keys = tempfile.mkdtemp(prefix="jwtflow-docs-keys-")
        self.base_env = {"PATH": self.bin + ":/usr/bin:/bin", "HOME": self.keys, "LANG": "C.UTF-8"}
        subprocess.run([self.jwtflow, "keygen", "--out", self.keys + "/k", "-q"], check=True, env=self.base_env,
                       stdout=subprocess.DEVNULL)
        self.key = self.keys + "/k/private_key.pem"
        self.cert = self.keys + "/k/certificate.pem"
        self.start_emulator()
        self.write_service_account()

    def start_emulator(self):
        args = [self.jwtflow, "emulator", "--community", "/customers"]
        for app in [SF_CLIENT, ENTRA_CLIENT]:
            args += ["--app", app + "=" + self.cert]
        args += ["--app", OIDC_CLIENT + "=" + self.cert + "#" + OIDC_KID, "--app", SA_EMAIL + "=" + self.cert + "#" + SA_KEY_ID]
        for user in USERS:
            args += ["--user", user]
        self.emulator = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=self.base_env, text=True)
        self.base_url = self.ca = None
        deadline = time.time() + 30
        while time.time() < deadline and not (self.base_url and self.ca):
            line = self.emulator.stdout.readline()
            if not line:
                break
            if line.startswith("base URL:"):
                self.base_url = line.split(":", 1)[1].strip()
            if line.startswith("CA file:"):
                self.ca = line.split(":", 1)[1].strip()
        if not (self.base_url and self.ca):
            sys.exit("docs test: the emulator did not start")

    def write_service_account(self):
        self.sa_file = self.keys + "/service-account.json"
        fd = os.open(self.sa_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump({"type": "service_account", "project_id": "jwtflow-docs", "private_key_id": SA_KEY_ID,
                       "private_key": open(self.key).read(), "client_email": SA_EMAIL, "client_id": "1",
                       "token_uri": self.base_url + "/google/token"}, f)

    def profile(self, words):
        """The settings a reader of that section has, for the provider the command names."""
        env = dict(self.base_env, CA_FILE=self.ca)
        provider = words[1] if words and len(words) > 1 else ""
        if provider == "salesforce":
            env["LOGIN_URL"] = self.base_url   # My Domain; aud stays https://login.salesforce.com
        elif provider == "salesforce-community":
            env["AUDIENCE"] = self.base_url + "/customers"
        elif provider == "azure-ad":
            env.update(AUTHORITY=self.base_url, TENANT_ID=TENANT, CLIENT_ID=ENTRA_CLIENT, PATH_CERTIFICATE="certificate.pem")
        elif provider == "oidc":
            env.update(ISSUER=self.base_url + "/oidc", CLIENT_ID=OIDC_CLIENT, KEY_ID=OIDC_KID, SCOPE="api.read")
        elif provider == "google":
            env["KEY_FILE"] = self.sa_file
        return env

    def prepare(self, name):
        """A reader's folder: the Quick start's key, certificate and .env, and a JWT."""
        folder = tempfile.mkdtemp(prefix="jwtflow-docs-" + re.sub(r"\W", "-", name) + "-")
        # The reader's key, registered with the emulator's apps: where the README's `jwtflow keygen --out keys`
        # put it (the Quick start), else in the folder itself (getting-set-up.md makes keys/ anew as it goes).
        places = [folder]
        if name == "README.md":
            os.mkdir(os.path.join(folder, "keys"), 0o700)
            places.append(os.path.join(folder, "keys"))
        for where in places:
            for f in ["private_key.pem", "certificate.pem", "public_key.pem"]:
                data = open(self.keys + "/k/" + f).read()
                fd = os.open(os.path.join(where, f), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if "private" in f else 0o644)
                with os.fdopen(fd, "w") as out:
                    out.write(data)
        open(os.path.join(folder, ".env"), "w").write(QUICK_START_ENV.format(keys="keys/" if name == "README.md" else ""))
        # The reader trusted the Quick start's .env (jwtflow trust), as the Quick start shows.
        subprocess.run(["jwtflow", "trust", "-q"], cwd=folder, env=self.base_env, check=True, stdout=subprocess.DEVNULL)
        os.symlink(os.path.dirname(self.jwtflow), os.path.join(folder, "build"))
        jwt = subprocess.run(["jwtflow", "salesforce", "jwt"], cwd=folder, env=self.profile(["jwtflow", "salesforce"]),
                             capture_output=True, text=True, check=True).stdout.strip()
        open(os.path.join(folder, "token.txt"), "w").write(jwt + "\n")
        return folder, jwt

    def check(self, ok, where, what, result):
        if ok:
            return
        self.failed += 1
        print("FAIL %s: %s\n  exit %s\n  stdout: %s\n  stderr: %s" % (where, what, result.returncode,
              result.stdout.strip()[:800], result.stderr.strip()[:800]))

    def run_line(self, folder, jwt, where, cmd):
        words = jwtflow_words(cmd)
        env = self.profile(words or [])
        env["JWT"] = jwt
        result = subprocess.run(["bash", "-c", "set -o pipefail\n" + cmd], cwd=folder, env=env, capture_output=True,
                                text=True, timeout=120)
        self.ran += 1
        self.check(result.returncode == 0, where, cmd, result)

    def parse_line(self, folder, where, cmd):
        words = jwtflow_words(cmd)
        if words is None:
            result = subprocess.run(["bash", "-n", "-c", cmd], capture_output=True, text=True)
            self.parsed += 1
            self.check(result.returncode == 0, where, "bash -n: " + cmd, result)
            return
        # The command and the words that name it (provider, action), then --help.
        named = [w for w in words[1:3] if not w.startswith("-") and not w.startswith("<") and not w.startswith("[")]
        result = subprocess.run(["jwtflow"] + named + ["--help"], cwd=folder, env=self.profile(words), capture_output=True,
                                text=True, timeout=60)
        self.parsed += 1
        self.check(result.returncode == 0 and "usage: jwtflow" in result.stdout, where, "--help of: " + cmd, result)

    def run_file(self, name):
        path = os.path.join(self.source, name)
        folder, jwt = self.prepare(name)
        for line, mode, text in blocks(path):
            where = "%s:%d" % (name, line)
            if text.lstrip().startswith("# .env"):
                open(os.path.join(folder, ".env"), "w").write(text)
                continue
            if mode == "script":
                env = self.profile(["jwtflow", "salesforce"])
                env["JWT"] = jwt
                result = subprocess.run(["bash", "-c", "set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null' EXIT\n" + text],
                                        cwd=folder, env=env, capture_output=True, text=True, timeout=180)
                self.ran += 1
                self.check(result.returncode == 0, where, "the block as one script", result)
            elif mode in ("real-account", "synopsis", "ci"):
                for cmd in command_lines(text):
                    self.parse_line(folder, where, cmd)
            else:
                for cmd in command_lines(text):
                    self.run_line(folder, jwt, where, cmd)

    def close(self):
        self.emulator.terminate()
        self.emulator.wait(timeout=10)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--jwtflow", required=True)
    parser.add_argument("--source", required=True)
    args = parser.parse_args()
    docs = Docs(args.jwtflow, args.source)
    try:
        for name in DOCS:
            docs.run_file(name)
    finally:
        docs.close()
    print("docs: %d commands run against the emulator, %d checked for parsing, %d failed" % (docs.ran, docs.parsed, docs.failed))
    sys.exit(1 if docs.failed else 0)


if __name__ == "__main__":
    main()
