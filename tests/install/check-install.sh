#!/usr/bin/env bash
# check-install.sh BUILD_DIR SOURCE_DIR
#
# The installed package as a user gets it: installs the build into a temporary
# prefix, moves the prefix elsewhere, then with the moved install alone
#  - runs the host and checks it finds its plugins;
#  - builds examples/plugin (DocuSign) with find_package(JwtFlow), loads it with
#    `jwtflow --plugins DIR`, mints a JWT and checks it with python3-jwt;
#  - builds the same plugin for another ABI version and checks it is refused
#    with a message while the other providers still work;
#  - builds examples/embed and gets a token through its Session from the
#    installed `jwtflow emulator`, and a clear error for a bad configuration.
# With JWTFLOW_TEST_HOST naming the single-file jwtflow (scripts/test.sh sets it), the
# install of that build instead: the one file alone, moved, finds its five providers,
# and the same examples/plugin (built once against the shared install) loads into it;
# the ABI 999 build is refused there too, and the emulator inside it issues tokens.
set -euo pipefail
build=$(cd "$1" && pwd)
source=$(cd "$2" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/jwtflow-install.XXXXXX")
emulator_pid=
cleanup() {
  [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null && wait "$emulator_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }
expect_in() { grep -q -- "$1" <<<"$2" || fail "expected '$1' in: $2"; }
gen=(); command -v ninja >/dev/null && gen=(-G Ninja)
jobs=$(nproc 2>/dev/null || echo 2)

step "install, then move the install tree"
cmake --install "$build" --prefix "$work/staging" >/dev/null
mv "$work/staging" "$work/moved"
prefix="$work/moved"
jwtflow="$prefix/bin/jwtflow"
[ -f "$prefix/lib/cmake/JwtFlow/JwtFlowConfig.cmake" ] || fail "no JwtFlowConfig.cmake in the install"
[ -f "$prefix/include/jwtflow/Session.h" ] || fail "no public headers in the install"

step "the moved host finds its plugins"
out=$(env -u JWTFLOW_PLUGIN_PATH "$jwtflow" providers 2>&1)
for p in salesforce salesforce-community azure-ad google oidc; do expect_in "$p" "$out"; done

step "examples/plugin builds against the install"
cmake -S "$source/examples/plugin" -B "$work/plugin" "${gen[@]}" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_BUILD_TYPE=Release >"$work/plugin.log" 2>&1 || { cat "$work/plugin.log"; fail "configure examples/plugin"; }
cmake --build "$work/plugin" -j"$jobs" >>"$work/plugin.log" 2>&1 || { cat "$work/plugin.log"; fail "build examples/plugin"; }
[ -f "$work/plugin/plugins.d/jwtflow-provider-docusign.so" ] || fail "no plugin library"
[ -f "$work/plugin/plugins.d/docusign.properties" ] || fail "no descriptor beside the plugin"

step "it loads through --plugins and mints a JWT that python3-jwt accepts"
out=$("$jwtflow" --plugins "$work/plugin/plugins.d" providers 2>&1)
expect_in "docusign" "$out"
expect_in "salesforce" "$out"
"$jwtflow" keygen --out "$work/keys" --cn token-printer >/dev/null 2>&1 || fail "keygen"
jwt=$("$jwtflow" --plugins "$work/plugin/plugins.d" docusign jwt --client-id 7c2b8d4e-0000-4000-8000-00000000abcd \
  --subject 1f1e2d3c-0000-4000-8000-000000001234 --private-key "$work/keys/private_key.pem")
/usr/bin/python3 - "$jwt" "$work/keys/public_key.pem" <<'PY' || fail "python3-jwt refused the example plugin's JWT"
import sys, jwt
token, key = sys.argv[1], open(sys.argv[2]).read()
claims = jwt.decode(token, key, algorithms=["RS256"], audience="account-d.docusign.com",
                    options={"require": ["iss", "sub", "aud", "iat", "exp"]})
assert claims["iss"] == "7c2b8d4e-0000-4000-8000-00000000abcd", claims
assert claims["sub"] == "1f1e2d3c-0000-4000-8000-000000001234", claims
assert claims["scope"] == "signature impersonation", claims
assert claims["exp"] - claims["iat"] == 300, claims
assert jwt.get_unverified_header(token)["typ"] == "JWT"
PY
set +e
out=$("$jwtflow" --plugins "$work/plugin/plugins.d" docusign jwt --client-id x --subject y \
  --private-key "$work/keys/private_key.pem" --scope signature 2>&1); rc=$?
set -e
[ "$rc" = 2 ] || fail "a scope without impersonation: exit $rc, expected 2 ($out)"
expect_in "impersonation" "$out"

step "the same plugin built for ABI 999 is refused, the others still work"
cmake -S "$source/examples/plugin" -B "$work/plugin-abi" "${gen[@]}" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_CXX_FLAGS=-DJWTFLOW_PLUGIN_ABI_VERSION=999 >"$work/abi.log" 2>&1 || { cat "$work/abi.log"; fail "configure ABI 999"; }
cmake --build "$work/plugin-abi" -j"$jobs" >>"$work/abi.log" 2>&1 || { cat "$work/abi.log"; fail "build ABI 999"; }
out=$("$jwtflow" --plugins "$work/plugin-abi/plugins.d" providers 2>&1)
expect_in "ABI" "$out"
expect_in "999" "$out"
expect_in "azure-ad" "$out"
set +e
out=$("$jwtflow" --plugins "$work/plugin-abi/plugins.d" docusign jwt --client-id x --subject y \
  --private-key "$work/keys/private_key.pem" 2>&1); rc=$?
set -e
[ "$rc" = 2 ] || fail "the refused plugin's provider: exit $rc, expected 2 ($out)"
expect_in "999" "$out"
grep -q "Exception\|terminate" <<<"$out" && fail "raw exception text: $out"

if [ -n "${JWTFLOW_TEST_HOST:-}" ]; then
  static_build=$(cd "$(dirname "$JWTFLOW_TEST_HOST")" && pwd)
  step "the single-file jwtflow: installed, moved, alone"
  cmake --install "$static_build" --prefix "$work/static-staging" >/dev/null
  mv "$work/static-staging" "$work/static"
  single="$work/static/bin/jwtflow"
  [ "$(find "$work/static" -name '*.so*' | wc -l)" = 0 ] || fail "the single-file install holds shared libraries: $(find "$work/static" -name '*.so*')"
  needed=$(readelf -d "$single" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
  for lib in $needed; do
    case "$lib" in libc.so.*|libm.so.*|ld-linux*|libpthread.so.*|libdl.so.*|librt.so.*) ;; *) fail "the single file needs $lib ($needed)" ;; esac
  done
  out=$(env -u JWTFLOW_PLUGIN_PATH "$single" providers 2>&1)
  for p in salesforce salesforce-community azure-ad google oidc; do expect_in "$p" "$out"; done

  step "the same examples/plugin loads into the single file and mints a JWT that python3-jwt accepts"
  jwt=$("$single" --plugins "$work/plugin/plugins.d" docusign jwt --client-id 7c2b8d4e-0000-4000-8000-00000000abcd \
    --subject 1f1e2d3c-0000-4000-8000-000000001234 --private-key "$work/keys/private_key.pem")
  /usr/bin/python3 - "$jwt" "$work/keys/public_key.pem" <<'PY' || fail "python3-jwt refused the plugin's JWT from the single file"
import sys, jwt
token, key = sys.argv[1], open(sys.argv[2]).read()
claims = jwt.decode(token, key, algorithms=["RS256"], audience="account-d.docusign.com")
assert claims["iss"] == "7c2b8d4e-0000-4000-8000-00000000abcd" and claims["scope"] == "signature impersonation", claims
PY
  set +e
  out=$("$single" --plugins "$work/plugin/plugins.d" docusign jwt --client-id x --subject y \
    --private-key "$work/keys/private_key.pem" --scope signature 2>&1); rc=$?
  set -e
  [ "$rc" = 2 ] || fail "single file, a scope without impersonation: exit $rc, expected 2 ($out)"
  expect_in "impersonation" "$out"

  step "the ABI 999 build is refused by the single file too, the others still work"
  out=$("$single" --plugins "$work/plugin-abi/plugins.d" providers 2>&1)
  expect_in "999" "$out"
  expect_in "azure-ad" "$out"

  step "the emulator inside the single file issues a token to the single file"
  "$single" emulator --app "3MVG9single=$work/keys/certificate.pem" --user single@example.com >"$work/s-emulator.out" 2>"$work/s-emulator.err" &
  emulator_pid=$!
  for _ in $(seq 1 100); do grep -q "CA file" "$work/s-emulator.out" 2>/dev/null && break; sleep 0.1; done
  base=$(sed -n 's/^base URL: //p' "$work/s-emulator.out")
  ca=$(sed -n 's/^CA file: *//p' "$work/s-emulator.out")
  [ -n "$base" ] && [ -n "$ca" ] || { cat "$work/s-emulator.err"; fail "the single file's emulator did not start"; }
  token=$(HOME="$work" "$single" salesforce token --client-id 3MVG9single --subject single@example.com \
    --private-key "$work/keys/private_key.pem" --login-url "$base" --ca-file "$ca") || fail "single file: token"
  [[ "$token" == *"!"* ]] || fail "not a Salesforce-style token: $token"
  kill "$emulator_pid"; wait "$emulator_pid" 2>/dev/null || true; emulator_pid=
  echo "install and examples (single file): ok"
  exit 0
fi

step "examples/embed builds against the install"
cmake -S "$source/examples/embed" -B "$work/embed" "${gen[@]}" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_BUILD_TYPE=Release >"$work/embed.log" 2>&1 || { cat "$work/embed.log"; fail "configure examples/embed"; }
cmake --build "$work/embed" -j"$jobs" >>"$work/embed.log" 2>&1 || { cat "$work/embed.log"; fail "build examples/embed"; }

step "and gets a token from the installed emulator through its Session"
client=3MVG9embed.example.key
user=embed.user@example.com
"$jwtflow" emulator --app "$client=$work/keys/certificate.pem" --user "$user" >"$work/emulator.out" 2>"$work/emulator.err" &
emulator_pid=$!
for _ in $(seq 1 100); do grep -q "CA file" "$work/emulator.out" 2>/dev/null && break; sleep 0.1; done
base=$(sed -n 's/^base URL: //p' "$work/emulator.out")
ca=$(sed -n 's/^CA file: *//p' "$work/emulator.out")
[ -n "$base" ] && [ -n "$ca" ] || { cat "$work/emulator.err"; fail "the emulator did not start"; }
cat >"$work/printer.properties" <<PROPS
jwtflow.session.crm.provider = salesforce
jwtflow.session.crm.CLIENT_ID = $client
jwtflow.session.crm.SUBJECT = $user
jwtflow.session.crm.PATH_PRIVATE_KEY = $work/keys/private_key.pem
jwtflow.session.crm.LOGIN_URL = $base
jwtflow.session.crm.CA_FILE = $ca
PROPS
token=$(env -u JWTFLOW_PLUGIN_PATH "$work/embed/token-printer" --config="$work/printer.properties" --threads=6 2>"$work/printer.err") \
  || { cat "$work/printer.err"; fail "token-printer failed"; }
[[ "$token" == *"!"* ]] || fail "not a Salesforce-style token: $token"
expect_in "6 callers, 1 distinct token, 1 fetch" "$(cat "$work/printer.err")"

sed -i '/SUBJECT/d' "$work/printer.properties"
set +e
out=$("$work/embed/token-printer" --config="$work/printer.properties" 2>&1); rc=$?
set -e
[ "$rc" = 2 ] || fail "a missing setting: exit $rc, expected 2 ($out)"
expect_in "session 'crm'" "$out"
expect_in "SUBJECT" "$out"
grep -q "$work/keys/private_key.pem.*BEGIN\|PRIVATE KEY" <<<"$out" && fail "key material in an error: $out"

step "examples/fleet builds against the install and shares one login through Redis"
if [ -x /usr/bin/redis-server ]; then
  cmake -S "$source/examples/fleet" -B "$work/fleet" "${gen[@]}" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_BUILD_TYPE=Release >"$work/fleet.log" 2>&1 || { cat "$work/fleet.log"; fail "configure examples/fleet"; }
  cmake --build "$work/fleet" -j"$jobs" >>"$work/fleet.log" 2>&1 || { cat "$work/fleet.log"; fail "build examples/fleet"; }
  redis_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  redis_password=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
  mkdir -m 0700 "$work/redis"
  printf 'port %s\nbind 127.0.0.1\nrequirepass %s\ndir %s\nsave ""\nappendonly no\nlogfile %s\n' \
    "$redis_port" "$redis_password" "$work/redis" "$work/redis/redis.log" >"$work/redis/redis.conf"
  /usr/bin/redis-server "$work/redis/redis.conf" >/dev/null &
  redis_pid=$!
  (umask 077; echo "$redis_password" >"$work/redis/password")
  for _ in $(seq 1 100); do REDISCLI_AUTH="$redis_password" redis-cli -p "$redis_port" PING 2>/dev/null | grep -q PONG && break; sleep 0.1; done
  cat >"$work/fleet.properties" <<PROPS
jwtflow.session.fleet.provider = salesforce
jwtflow.session.fleet.CLIENT_ID = $client
jwtflow.session.fleet.SUBJECT = $user
jwtflow.session.fleet.PATH_PRIVATE_KEY = $work/keys/private_key.pem
jwtflow.session.fleet.LOGIN_URL = $base
jwtflow.session.fleet.CA_FILE = $ca
jwtflow.session.fleet.store = redis://127.0.0.1:$redis_port/0
jwtflow.session.fleet.storePasswordFile = $work/redis/password
PROPS
  for i in 1 2 3; do
    env -u JWTFLOW_PLUGIN_PATH "$work/fleet/fleet" --config="$work/fleet.properties" --threads=2 --seconds=0 >"$work/fleet.$i" 2>&1 \
      || { cat "$work/fleet.$i"; kill $redis_pid; fail "fleet member $i failed"; }
  done
  kill $redis_pid
  expect_in "fetches=1 failures=0" "$(cat "$work/fleet.1")"
  expect_in "fetches=0 failures=0" "$(cat "$work/fleet.2")"
  expect_in "fetches=0 failures=0" "$(cat "$work/fleet.3")"
else
  echo "  (skipped: redis-server is not installed; scripts/deps.sh installs it)"
fi

echo "install and examples: ok"
