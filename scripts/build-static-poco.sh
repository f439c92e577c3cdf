#!/usr/bin/env bash
# Builds the static POCO libraries that the single-file jwtflow (JWTFLOW_STATIC_HOST) links:
#   scripts/build-static-poco.sh DIR
# DIR/install/lib/libPoco{Foundation,Util,JSON,Net,Crypto,NetSSL,Redis}.a, compiled with -fPIC from
# Debian's own source package of the installed libpoco-dev (same version, same Debian patches, so the
# headers in /usr/include describe these archives too). The source comes through apt-get with a private
# deb-src list and state folder inside DIR: the system's apt configuration is not touched. Built once:
# DIR/install/.stamp names the version built, and a second run with the same version does nothing.
# JWTFLOW_POCO_SOURCE=/path/to/poco_<version>.dsc builds from a source package already downloaded.
# Exit status 3: the source package could not be fetched (scripts/test.sh then skips the single
# file's pass and says so); any other failure is a failed build.
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
  # deb-src entries for the Debian archives this machine already installs from (its mirror,
  # if it has one), else deb.debian.org.
  uris=$( { sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null
            sed -n 's/^deb \(\[[^]]*\] \)\?\([^ ]*\) .*/\2/p' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null; } \
          | tr ' ' '\n' | grep -E '/debian(-security)?/?$' | sort -u || true)
  [ -n "$uris" ] || uris="http://deb.debian.org/debian http://deb.debian.org/debian-security"
  : >"$apt_dir/sources.list"
  for uri in $uris; do
    if [[ "$uri" == *-security* ]]; then
      echo "deb-src $uri $codename-security main" >>"$apt_dir/sources.list"
    else
      printf 'deb-src %s %s main\ndeb-src %s %s-updates main\n' "$uri" "$codename" "$uri" "$codename" >>"$apt_dir/sources.list"
    fi
  done
  apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=-"
            -o "Dir::State::Lists=$apt_dir/lists" -o "APT::Get::List-Cleanup=0" -o "Debug::NoLocking=1"
            -o "APT::Sandbox::User=root")
  apt-get "${apt_opts[@]}" -qq update >"$apt_dir/update.log" 2>&1 || true   # a mirror without sources is tried below
  # The installed version; else the suite's current one of the same upstream release (a
  # Debian update keeps the ABI, and the archive keeps only the newest of a suite).
  upstream="${version%%-*}"
  if ! (cd "$apt_dir/download" && apt-get "${apt_opts[@]}" -qq source --download-only "poco=$version" >/dev/null 2>&1); then
    available=$(apt-cache "${apt_opts[@]}" showsrc poco 2>/dev/null | sed -n 's/^Version: //p' | head -1)
    if [ -z "$available" ] || [ "${available%%-*}" != "$upstream" ] \
       || ! (cd "$apt_dir/download" && apt-get "${apt_opts[@]}" -qq source --download-only "poco=$available" >/dev/null 2>&1); then
      echo "build-static-poco: cannot fetch Debian's source package of poco $version (nor another $upstream)" \
        "from: $uris (see $apt_dir/update.log); give one with JWTFLOW_POCO_SOURCE=/path/poco_<version>.dsc" >&2
      exit 3
    fi
    echo "build-static-poco: poco $version is no longer in the archive; building $available (same upstream release)"
  fi
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
