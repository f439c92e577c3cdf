#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing, build, run `jwtflow demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DJWTFLOW_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)"
build/jwtflow demo
