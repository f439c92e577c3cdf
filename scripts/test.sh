#!/usr/bin/env bash
# Builds and runs every test:
#   1. the normal build and the whole GoogleTest suite (CTest), with the install test (examples/
#      built against a moved install) and brief benchmark runs (bench/, no timing asserted);
#   2. the same suite under AddressSanitizer + UndefinedBehaviorSanitizer  (JWTFLOW_SKIP_SANITIZERS=1 skips it);
#   3. short libFuzzer runs of each fuzz target, when clang is there      (JWTFLOW_FUZZ_SECONDS, default 15; 0 skips).
# Ends with the counts: tests, bad-input matrix cases, fuzz executions.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
jobs="$(nproc)"
summary=()

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DJWTFLOW_TESTS=ON -DJWTFLOW_BENCHMARKS=ON >/dev/null
cmake --build build -j"$jobs"
rm -f build-asan/ctest.log
ctest --test-dir build -j"$jobs" --output-on-failure --no-tests=error | tee build/ctest.log
summary+=("tests:           $(grep -E 'tests passed' build/ctest.log | tail -1)")
[ -f build/tests/bad-input-matrix.txt ] && summary+=("$(cat build/tests/bad-input-matrix.txt)")

if [ "${JWTFLOW_SKIP_SANITIZERS:-0}" != "1" ]; then
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DJWTFLOW_SANITIZE=ON -DJWTFLOW_TESTS=ON -DJWTFLOW_BENCHMARKS=OFF >/dev/null
  cmake --build build-asan -j"$jobs"
  ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
  LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp" \
    ctest --test-dir build-asan -j"$jobs" --output-on-failure --no-tests=error | tee build-asan/ctest.log
  summary+=("ASan+UBSan tests: $(grep -E 'tests passed' build-asan/ctest.log | tail -1)")
fi

seconds="${JWTFLOW_FUZZ_SECONDS:-15}"
if [ "$seconds" != "0" ] && command -v clang++ >/dev/null; then
  CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DJWTFLOW_FUZZ=ON -DJWTFLOW_TESTS=OFF >/dev/null
  fuzz_targets=(jwt env thumbprint token_response emulator_request)
  # Only the fuzz targets and what they load (the token_response target loads the plugins).
  cmake --build build-fuzz -j"$jobs" --target "${fuzz_targets[@]/#/jwtflow_fuzz_}"
  for target in "${fuzz_targets[@]}"; do
    corpus="$(mktemp -d)"
    cp tests/fuzz-corpus/"${target//_/-}"/* "$corpus"/
    log="build-fuzz/fuzz-$target.log"
    if ! ASAN_OPTIONS="detect_leaks=0" build-fuzz/fuzz/jwtflow_fuzz_"$target" -seed=1 -max_total_time="$seconds" \
        -rss_limit_mb=4096 -artifact_prefix=build-fuzz/crash-"$target"- "$corpus" >"$log" 2>&1; then
      tail -40 "$log"
      echo "fuzz target $target failed: the crashing input is in build-fuzz/ (make it a regular test)" >&2
      exit 1
    fi
    rm -rf "$corpus"
    summary+=("fuzz $target: $(grep -E '^Done' "$log" | tail -1)")
  done
elif [ "$seconds" != "0" ]; then
  summary+=("fuzz: skipped (clang++ not found)")
fi

echo
echo "== jwtflow test summary =="
printf '%s\n' "${summary[@]}"

# One closing line for CI: every CTest run added up.
total=0; failed=0
for log in build/ctest.log build-asan/ctest.log; do
  [ -f "$log" ] || continue
  line="$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -1)"
  f="$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$line")"
  n="$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/' <<<"$line")"
  total=$((total + n)); failed=$((failed + f))
done
echo "tests: $((total - failed)) passed, $failed failed"
