#!/usr/bin/env bash
# Builds the static POCO libraries that the single-file jwtflow (JWTFLOW_STATIC_HOST) links:
#   scripts/build-static-poco.sh DIR
# DIR/install/lib/libPoco{Foundation,Util,JSON,Net,Crypto,NetSSL,Redis}.a, compiled with -fPIC from
# Debian's own source package of the installed libpoco-dev (same version, same Debian patches, so the
# headers in /usr/include describe these archives too). The source comes through apt-get with a private
# deb-src list and state folder inside DIR: the system's apt configuration is not touched. Built once:
# DIR/install/.stamp names the version built, and a second run with the same version does nothing.
# JWTFLOW_POCO_SOURCE=/path/to/poco_<version>.dsc builds from a source package already downloaded.
set -euo pipefail
dir="${1:?usage: scripts/build-static-poco.sh DIR}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
version="$(dpkg-query -W -f='${Version}' libpoco-dev 2>/dev/null || true)"
[ -n "$version" ] || { echo "build-static-poco: libpoco-dev is not installed (scripts/deps.sh installs it)" >&2; exit 1; }
# The stamp names the version and this recipe: a change to either builds again.
recipe=2
stamp="$dir/install/.stamp"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$version recipe $recipe" ]; then
  exit 0
fi
echo "build-static-poco: building static POCO $version in $dir (once; about 4 minutes on 2 cores)"
rm -rf "$dir/src" "$dir/build" "$dir/install"

dsc="${JWTFLOW_POCO_SOURCE:-}"
if [ -z "$dsc" ]; then
  apt_dir="$dir/apt"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/download"
  codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")"
  {
    echo "deb-src http://deb.debian.org/debian $codename main"
    echo "deb-src http://deb.debian.org/debian $codename-updates main"
    echo "deb-src http://deb.debian.org/debian-security $codename-security main"
  } >"$apt_dir/sources.list"
  apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=-"
            -o "Dir::State::Lists=$apt_dir/lists" -o "APT::Get::List-Cleanup=0" -o "Debug::NoLocking=1"
            -o "APT::Sandbox::User=root")
  apt-get "${apt_opts[@]}" -qq update >/dev/null
  (cd "$apt_dir/download" && apt-get "${apt_opts[@]}" -qq source --download-only "poco=$version" >/dev/null)
  dsc="$(ls "$apt_dir"/download/poco_*.dsc | head -1)"
fi
dpkg-source --no-check -x "$dsc" "$dir/src" >/dev/null

# Only what jwtflow links; POCO's bundled pcre and zlib, so the archives need nothing but OpenSSL.
# No XML: Util is then built without XMLConfiguration (its only use of XML; the header that
# declares it is the only one that depends on that), which jwtflow never reads.
cmake -S "$dir/src" -B "$dir/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$dir/install" \
  -DBUILD_SHARED_LIBS=OFF -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DPOCO_UNBUNDLED=OFF -DENABLE_TESTS=OFF \
  -DENABLE_FOUNDATION=ON -DENABLE_UTIL=ON -DENABLE_XML=OFF -DENABLE_JSON=ON -DENABLE_NET=ON \
  -DENABLE_CRYPTO=ON -DENABLE_NETSSL=ON -DENABLE_REDIS=ON -DENABLE_JWT=OFF -DENABLE_ENCODINGS=OFF \
  -DENABLE_MONGODB=OFF -DENABLE_DATA=OFF -DENABLE_DATA_SQLITE=OFF -DENABLE_DATA_MYSQL=OFF \
  -DENABLE_DATA_POSTGRESQL=OFF -DENABLE_DATA_ODBC=OFF -DENABLE_ZIP=OFF -DENABLE_PAGECOMPILER=OFF \
  -DENABLE_PAGECOMPILER_FILE2PAGE=OFF -DENABLE_ACTIVERECORD=OFF -DENABLE_ACTIVERECORD_COMPILER=OFF \
  -DENABLE_APACHECONNECTOR=OFF -DENABLE_SEVENZIP=OFF -DENABLE_CPPPARSER=OFF -DENABLE_POCODOC=OFF \
  >"$dir/configure.log"
cmake --build "$dir/build" -j"$(nproc)" >"$dir/build.log" 2>&1 || { tail -30 "$dir/build.log" >&2; exit 1; }
cmake --install "$dir/build" >/dev/null
rm -rf "$dir/build" "$dir/src" "${apt_dir:-/nonexistent}/download" "$dir"/poco_*
echo "$version recipe $recipe" >"$stamp"
