#!/usr/bin/env bash
# Installs the Debian packages jwtflow needs, only those that are missing.
set -euo pipefail
packages=(g++ make cmake libpoco-dev libssl-dev openssl libgtest-dev libbenchmark-dev python3 python3-jwt python3-msal python3-azure python3-google-auth chromium time clang libclang-rt-14-dev dpkg-dev binutils xz-utils bzip2 zsh lintian redis-server softhsm2 libengine-pkcs11-openssl opensc libp11-kit-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# kubectl (the exec-credential cross-check): Debian's kubernetes-client, unless one is on PATH already
# (Google's kubectl package, for one, ships the same program and conflicts with Debian's).
command -v kubectl >/dev/null 2>&1 || missing+=(kubernetes-client)
if ((${#missing[@]})); then
  echo "jwtflow: installing missing packages: ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
