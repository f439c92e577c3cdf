#!/usr/bin/env bash
# Builds the single-file jwtflow and its release artifact:
#   scripts/build-static.sh [BUILD_DIR]        (default: build-static)
# One executable with POCO (built once from Debian's source package, kept in
# BUILD_DIR/static-poco), OpenSSL and libstdc++ linked in, the network commands,
# the emulator and the five providers inside; it needs nothing but glibc.
# Writes BUILD_DIR/jwtflow and the release file BUILD_DIR/dist/jwtflow-<version>-linux-<arch>
# (symbols stripped) with its .sha256. Installs missing Debian packages first (scripts/deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build-static}"
scripts/deps.sh
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DJWTFLOW_STATIC_HOST=ON -DJWTFLOW_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)"
version=$(sed -n 's/^project(jwtflow VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
artifact="$build/dist/jwtflow-$version-linux-$(uname -m)"
mkdir -p "$build/dist"
rm -f "$artifact" "$artifact.sha256"
strip -o "$artifact" "$build/jwtflow"
(cd "$build/dist" && sha256sum "$(basename "$artifact")" >"$(basename "$artifact").sha256")
needed=$(readelf -d "$artifact" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | paste -sd' ')
echo "$artifact ($(du -h "$artifact" | cut -f1); needs: $needed)"
