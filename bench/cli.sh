#!/usr/bin/env bash
# bench/cli.sh [--build DIR] [--static DIR] [--runs N] [--no-node]
#
# Whole-process minting, one run of each tool interleaved N times (default 30):
#   static    build-static/jwtflow salesforce jwt: the single-file jwtflow (JWTFLOW_STATIC_HOST;
#             --static DIR, default <source>/build-static; left out when not built)
#   jwtflow   build/jwtflow salesforce jwt, the shared build (host start, descriptor scan, one
#             plugin loaded, settings, key parsed, assertion minted and printed)
#   minimal-static  build/jwtflow_minimal_sign_static: parse the key and sign the same claims,
#             nothing else, libcrypto and libstdc++ linked in (the limit of the single file)
#   minimal   build/jwtflow_minimal_sign: the same, dynamically linked
#   libraries build/jwtflow_load_floor: an empty program linked with the libraries the
#             host loads for `jwt` (POCO Foundation, Util, XML, JSON; libcrypto): the floor
#   node      the node tool's way: jsonwebtoken's jwt.sign (installed from the npm
#             registry into a temporary folder; skipped with --no-node or without node/npm)
# Reports the median wall time and the peak memory (max RSS, /usr/bin/time -v)
# of each, and the ratios. Every JWT is checked with python3-jwt.
#
# Then whole-process token exchanges against the emulator (`jwtflow emulator` on
# loopback HTTPS, started here), interleaved N times:
#   cached    jwtflow salesforce token, served from the encrypted login cache
#   login     jwtflow salesforce token --no-cache: mint, TLS, POST, read the answer
#   static-cached, static-login   the same two with the single-file jwtflow
#   node      the node tool's way: jsonwebtoken + an https POST (the emulator's CA
#             given as `ca`, as jwtflow gets CA_FILE)
# Every program runs under env -i with PATH and HOME only (no SSL_CERT_FILE,
# no NODE_EXTRA_CA_CERTS). Timing is reported, never asserted.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build="$here/../build"
static="$here/../build-static"
runs=30
node=1
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --static) static=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --no-node) node=0; shift ;;
    *) echo "usage: $0 [--build DIR] [--static DIR] [--runs N] [--no-node]" >&2; exit 2 ;;
  esac
done
build=$(cd "$build" && pwd)
single=""
[ -x "$static/jwtflow" ] && single="$(cd "$static" && pwd)/jwtflow"
[ -x "$build/jwtflow" ] && [ -x "$build/jwtflow_minimal_sign" ] && [ -x "$build/jwtflow_load_floor" ] \
  || { echo "build jwtflow with -DJWTFLOW_BENCHMARKS=ON first ($build)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/jwtflow-cli-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/key.pem" 2>/dev/null
openssl pkey -in "$work/key.pem" -pubout -out "$work/public.pem"
client=3MVG9bench.consumer.key
user=bench.user@example.com
aud=https://login.salesforce.com

commands=()
[ -n "$single" ] && commands+=("static|$single salesforce jwt --client-id $client --subject $user --private-key $work/key.pem")
commands+=("jwtflow|$build/jwtflow salesforce jwt --client-id $client --subject $user --private-key $work/key.pem")
[ -x "$build/jwtflow_minimal_sign_static" ] && commands+=("minimal-static|$build/jwtflow_minimal_sign_static $work/key.pem $client $user $aud")
commands+=("minimal|$build/jwtflow_minimal_sign $work/key.pem $client $user $aud"
          "libraries|$build/jwtflow_load_floor")
if [ "$node" = 1 ]; then
  if command -v node >/dev/null && command -v npm >/dev/null; then
    mkdir -p "$work/node"
    if (cd "$work/node" && npm install --silent --no-audit --no-fund jsonwebtoken@9 >/dev/null 2>&1); then
      cat >"$work/node/mint.js" <<'JS'
const fs = require('fs');
const jwt = require('jsonwebtoken');
const [key, iss, sub, aud] = process.argv.slice(2);
const now = Math.floor(Date.now() / 1000);
process.stdout.write(jwt.sign({iss, sub, aud, exp: now + 180, iat: now}, fs.readFileSync(key), {algorithm: 'RS256'}) + '\n');
JS
      commands+=("node|node $work/node/mint.js $work/key.pem $client $user $aud")
      cat >"$work/node/exchange.js" <<'JS'
const fs = require('fs');
const https = require('https');
const jwt = require('jsonwebtoken');
const [key, iss, sub, loginUrl, ca] = process.argv.slice(2);
const now = Math.floor(Date.now() / 1000);
// aud is the login host; the request goes to the org's My Domain (the emulator), as jwtflow's LOGIN_URL.
const assertion = jwt.sign({iss, sub, aud: 'https://login.salesforce.com', exp: now + 180}, fs.readFileSync(key), {algorithm: 'RS256'});
const body = new URLSearchParams({grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion}).toString();
const url = new URL(loginUrl + '/services/oauth2/token');
const req = https.request({hostname: url.hostname, port: url.port, path: url.pathname, method: 'POST', ca: fs.readFileSync(ca),
  headers: {'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body)}}, (res) => {
  let data = '';
  res.on('data', (chunk) => { data += chunk; });
  res.on('end', () => {
    if (res.statusCode !== 200) { process.stderr.write(data + '\n'); process.exit(4); }
    process.stdout.write(JSON.parse(data).access_token + '\n');
  });
});
req.on('error', (e) => { process.stderr.write(e.message + '\n'); process.exit(5); });
req.end(body);
JS
      node_version=$(node --version)
    else
      echo "note: npm could not install jsonwebtoken; the node comparison is skipped" >&2
    fi
  else
    echo "note: node/npm not found (apt-get install nodejs npm); the node comparison is skipped" >&2
  fi
fi

# Peak memory (maximum resident set size) as /usr/bin/time -v reports it: the
# largest of 5 runs of each. (wait4's ru_maxrss is not used: a child started
# with vfork/posix_spawn reports its parent's high-water mark.)
declare -A time_rss
for entry in "${commands[@]}"; do
  name=${entry%%|*}; cmd=${entry#*|}
  peak=0
  for _ in 1 2 3 4 5; do
    (cd "$work" && env -i PATH="$PATH" HOME="$work" /usr/bin/time -v $cmd >/dev/null 2>"$work/time.$name") \
      || { cat "$work/time.$name" >&2; echo "$name failed" >&2; exit 1; }
    kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.$name")
    [ "$kb" -gt "$peak" ] && peak=$kb
  done
  time_rss[$name]=$peak
  echo "$name=$peak" >>"$work/peaks"
done

cd "$work"
printf '%s\n' "${commands[@]}" >"$work/commands"
env -i PATH="$PATH" HOME="$work" BENCH_DIR="$here" PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 - "$work/commands" "$runs" "$work/public.pem" "$client" "$aud" "$work/peaks" "${node_version:-}" <<'PY'
import os, sys, statistics, subprocess, jwt, platform
sys.path.insert(0, os.environ["BENCH_DIR"]); from interleave import interleave
commands, runs, public, client, aud = sys.argv[1], int(sys.argv[2]), open(sys.argv[3]).read(), sys.argv[4], sys.argv[5]
time_rss = dict(line.split("=", 1) for line in open(sys.argv[6]).read().split())
node_version = sys.argv[7] if len(sys.argv) > 7 else ""
tools = [line.split("|", 1) for line in open(commands).read().splitlines() if line]
for name, cmd in tools:   # warm the page cache, and check each one's JWT
    out = subprocess.run(cmd.split(), capture_output=True, text=True, check=True).stdout.strip()
    if name == "libraries": continue
    claims = jwt.decode(out, public, algorithms=["RS256"], audience=aud)
    assert claims["iss"] == client and claims["exp"] - claims["iat"] == 180, (name, claims)
wall = interleave(tools, runs)
med = {n: statistics.median(v) for n, v in wall.items()}
mem = {n: int(time_rss[n]) / 1024 for n in wall}
print(f"whole-process minting, {runs} runs each, interleaved; {platform.machine()}, {os.cpu_count()} cores"
      + (f"; node {node_version}" if node_version else ""))
print(f"  {'tool':15} {'median ms':>10} {'min ms':>8} {'peak RSS MiB':>13}")
for n in wall:
    print(f"  {n:15} {med[n]:10.2f} {min(wall[n]):8.2f} {mem[n]:13.1f}")
print("ratios:")
if "static" in med:
    if "minimal-static" in med:
        r = med["static"] / med["minimal-static"]
        print(f"  static / minimal-static wall time {r:6.2f}x   goal <= 1.3x  {'met' if r <= 1.3 else 'NOT MET'}")
    if "node" in med:
        s = med["node"] / med["static"]
        print(f"  node / static wall time           {s:6.1f}x   target >= 12x  {'met' if s >= 12 else 'NOT MET'}")
        if "minimal-static" in med:
            print(f"  node / minimal-static              {med['node'] / med['minimal-static']:6.1f}x   (the most any program that parses the key and signs can reach here)")
        m = mem["static"] / mem["node"]
        print(f"  static / node peak memory         {m:6.2f}x   target <= 0.2x  {'met' if m <= 0.2 else 'NOT MET'}")
r = med["jwtflow"] / med["minimal"]
print(f"  jwtflow / minimal C++ wall time   {r:6.2f}x   (the shared build)")
print(f"  libraries floor / minimal C++      {med['libraries'] / med['minimal']:6.2f}x   (loading POCO + libcrypto alone, before any work)")
print(f"  jwtflow - libraries floor         {med['jwtflow'] - med['libraries']:6.2f} ms  (jwtflow's own work: plugin, settings, key, signature)")
if "node" in med:
    s = med["node"] / med["jwtflow"]
    print(f"  node / jwtflow wall time          {s:6.1f}x   (the shared build; its floor is loading the shared libraries)")
    m = mem["jwtflow"] / mem["node"]
    print(f"  jwtflow / node peak memory        {m:6.2f}x   target < 0.25x  {'met' if m < 0.25 else 'NOT MET'}")
PY

# ---- token exchange against the emulator -------------------------------------
openssl req -x509 -new -key "$work/key.pem" -subj "/CN=jwtflow bench" -days 2 -out "$work/cert.pem" 2>/dev/null
mkfifo "$work/emulator.out"
env -i PATH="$PATH" HOME="$work" "$build/jwtflow" emulator --app "$client=$work/cert.pem" --user "$user" -q \
  >"$work/emulator.out" 2>"$work/emulator.err" &
emulator_pid=$!
trap 'kill $emulator_pid 2>/dev/null; wait $emulator_pid 2>/dev/null; rm -rf "$work"' EXIT
exec 3<"$work/emulator.out"
read -r -t 20 line1 <&3 && read -r -t 20 line2 <&3 || { cat "$work/emulator.err" >&2; echo "the emulator did not start" >&2; exit 1; }
base=${line1#base URL: }
ca=${line2#CA file:  }
printf 'CLIENT_ID=%s\nSUBJECT=%s\nPATH_PRIVATE_KEY=%s\nLOGIN_URL=%s\nCA_FILE=%s\n' "$client" "$user" "$work/key.pem" "$base" "$ca" >"$work/.env"
# The user trusts the folder's .env once (jwtflow trust), as they would: its check is part of what is measured.
(cd "$work" && env -i PATH="$PATH" HOME="$work" "$build/jwtflow" trust -q >/dev/null)

token_commands=()
[ -n "$single" ] && token_commands+=("static-cached|$single salesforce token" "static-login|$single salesforce token --no-cache")
token_commands+=("cached|$build/jwtflow salesforce token"
                "login|$build/jwtflow salesforce token --no-cache")
if [ -f "$work/node/exchange.js" ]; then
  token_commands+=("node|node $work/node/exchange.js $work/key.pem $client $user $base $ca")
fi
printf '%s\n' "${token_commands[@]}" >"$work/token-commands"
: >"$work/token-peaks"
for entry in "${token_commands[@]}"; do
  name=${entry%%|*}; cmd=${entry#*|}
  (cd "$work" && env -i PATH="$PATH" HOME="$work" $cmd >/dev/null)   # the cache holds a login before "cached" is measured
  peak=0
  for _ in 1 2 3; do
    (cd "$work" && env -i PATH="$PATH" HOME="$work" /usr/bin/time -v $cmd >/dev/null 2>"$work/time.$name") \
      || { cat "$work/time.$name" >&2; echo "$name failed" >&2; exit 1; }
    kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.$name")
    [ "$kb" -gt "$peak" ] && peak=$kb
  done
  echo "$name=$peak" >>"$work/token-peaks"
done
env -i PATH="$PATH" HOME="$work" BENCH_DIR="$here" PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 - "$work/token-commands" "$runs" "$work/token-peaks" <<'PY'
import os, sys, statistics, subprocess
sys.path.insert(0, os.environ["BENCH_DIR"]); from interleave import interleave
tools = [line.split("|", 1) for line in open(sys.argv[1]).read().splitlines() if line]
runs = int(sys.argv[2])
peaks = dict(line.split("=", 1) for line in open(sys.argv[3]).read().split())
for name, cmd in tools:   # warm up; each prints an access token the emulator issued
    out = subprocess.run(cmd.split(), capture_output=True, text=True, check=True).stdout.strip()
    assert out.startswith("00D") and "!" in out, (name, out[:20])
wall = interleave(tools, runs)
med = {n: statistics.median(v) for n, v in wall.items()}
print(f"whole-process token exchange against the emulator, {runs} runs each, interleaved")
print(f"  {'tool':15} {'median ms':>10} {'min ms':>8} {'peak RSS MiB':>13}")
for n in wall:
    print(f"  {n:15} {med[n]:10.2f} {min(wall[n]):8.2f} {int(peaks[n]) / 1024:13.1f}")
print("ratios:")
print(f"  login / cached wall time          {med['login'] / med['cached']:6.1f}x   (what the cache saves per command)")
if "node" in med:
    if "static-cached" in med:
        s = med["node"] / med["static-cached"]
        print(f"  node exchange / static token      {s:6.1f}x   target >= 10x  {'met' if s >= 10 else 'NOT MET'}   (jwtflow salesforce token, its login cached)")
        s = med["node"] / med["static-login"]
        print(f"  node exchange / static --no-cache {s:6.1f}x   (a new login every run: mint, TLS, POST)")
    s = med["node"] / med["cached"]
    print(f"  node exchange / cached token      {s:6.1f}x   (the shared build)")
    print(f"  node exchange / jwtflow login     {med['node'] / med['login']:6.1f}x   (the shared build, --no-cache)")
PY
