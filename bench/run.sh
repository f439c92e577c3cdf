#!/usr/bin/env bash
# bench/run.sh: the full benchmark run behind docs/performance.md.
# Builds a Release tree with the benchmarks (build-bench/), runs every Google
# Benchmark pair with 7 repetitions in random interleaving (so that drift on a
# shared machine hits a pair's two sides alike) and prints the ratio table,
# then the whole-process comparison of bench/cli.sh (with node's jsonwebtoken).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-bench"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DJWTFLOW_BENCHMARKS=ON -DJWTFLOW_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
"$build/bench/jwtflow_bench" --benchmark_min_time=0.5 --benchmark_repetitions=7 \
  --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true "$@"
echo
bash "$root/bench/cli.sh" --build "$build" --runs 40
