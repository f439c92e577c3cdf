#!/usr/bin/env bash
# The Debian packages (jwtflow and jwtflow-dev), as a user gets them: `cpack -G DEB` in the build folder,
# unpacked with dpkg-deb -x into a fresh root (no root rights, nothing
# installed on this machine), and the unpacked jwtflow run from there: all
# five providers found in /usr/lib/jwtflow/plugins.d, `jwtflow demo` passes,
# Depends computed by dpkg-shlibdeps. lintian runs when it is installed.
# usage: check-deb.sh <build dir>
set -euo pipefail
build="$(cd "$1" && pwd)"
fail() { echo "check-deb: FAIL: $*" >&2; exit 1; }
step() { echo "check-deb: $*"; }

step "cpack -G DEB"
(cd "$build" && cpack -G DEB -Wno-dev >"$build/cpack.log" 2>&1) || { tail -30 "$build/cpack.log"; fail "cpack"; }
deb="$(ls "$build"/package/jwtflow_*_amd64.deb)"
dev="$(ls "$build"/package/jwtflow-dev_*_amd64.deb)"
[ -f "$deb" ] || fail "no jwtflow_<version>_amd64.deb in $build/package"
[ -f "$dev" ] || fail "no jwtflow-dev_<version>_amd64.deb in $build/package"
grep -q "^ Depends: jwtflow (= " <<<"$(dpkg-deb -I "$dev")" || fail "jwtflow-dev does not depend on jwtflow"
dpkg-deb -c "$deb" | grep -q "usr/include/" && fail "headers belong in jwtflow-dev"

step "control: Depends computed"
control="$(dpkg-deb -I "$deb")"
grep -q "^ Depends: .*libpocofoundation" <<<"$control" || fail "Depends has no POCO: $control"
grep -q "^ Depends: .*libssl" <<<"$control" || fail "Depends has no libssl: $control"

step "unpack jwtflow alone into a fresh root"
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
dpkg-deb -x "$deb" "$root"
for f in usr/bin/jwtflow usr/lib/jwtflow/jwtflow-network.so usr/lib/jwtflow/plugins.d/salesforce.properties \
         usr/lib/libjwtflow_core.so.0 usr/share/doc/jwtflow/security.md usr/share/doc/jwtflow/copyright \
         usr/share/man/man1/jwtflow.1.gz usr/share/bash-completion/completions/jwtflow usr/share/zsh/vendor-completions/_jwtflow; do
  [ -e "$root/$f" ] || fail "missing /$f"
done

step "the man page renders"
MANWIDTH=80 man -P cat -l "$root/usr/share/man/man1/jwtflow.1.gz" | grep -q "EXIT STATUS" || fail "man -l jwtflow.1.gz"

step "the unpacked jwtflow finds its five providers"
out="$(env -i PATH=/usr/bin:/bin HOME="$root" "$root/usr/bin/jwtflow" providers 2>&1)"
for p in salesforce salesforce-community azure-ad oidc google; do
  grep -q "^$p " <<<"$out" || fail "provider $p not listed: $out"
done
grep -q "warning" <<<"$out" && fail "warnings: $out"

step "and runs the demo"
env -i PATH=/usr/bin:/bin HOME="$root" "$root/usr/bin/jwtflow" demo >"$root/demo.log" 2>&1 || { tail -30 "$root/demo.log"; fail "demo"; }
grep -q "demo finished: every flow worked" "$root/demo.log" || { tail -5 "$root/demo.log"; fail "the demo did not say it passed"; }

step "jwtflow-dev adds the headers, the CMake package and the .so links"
dpkg-deb -x "$dev" "$root"
for f in usr/include/jwtflow/Session.h usr/lib/cmake/JwtFlow/JwtFlowConfig.cmake usr/lib/libjwtflow_core.so \
         usr/share/doc/jwtflow-dev/copyright; do
  [ -e "$root/$f" ] || fail "missing /$f in jwtflow-dev"
done

if command -v lintian >/dev/null; then
  step "lintian"
  rc=0
  report="$(lintian --tag-display-limit 0 "$deb" "$dev" 2>&1)" || rc=$?
  grep -v "running with root privileges" <<<"$report" || true
  [ "$rc" = 0 ] || fail "lintian reported errors (E:)"
else
  step "lintian not installed: skipped"
fi
step "ok: $(basename "$deb") $(basename "$dev")"
