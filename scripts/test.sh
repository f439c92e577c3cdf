#!/usr/bin/env bash
# Builds and runs every test:
#   1. the normal build and the whole GoogleTest suite (CTest), with the install test (examples/
#      built against a moved install) and brief benchmark runs (bench/, no timing asserted);
#   1b. the single-file jwtflow (JWTFLOW_STATIC_HOST; its static POCO built once from Debian's source
#      package and kept in build-static/static-poco), and every test that runs the program, with the
#      install test, again against it                                  (JWTFLOW_SKIP_STATIC=1 skips it);
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
rm -f build-asan/ctest.log build-static/ctest.log
static_poco=""
if [ "${JWTFLOW_SKIP_STATIC:-0}" != "1" ]; then
  # The single file's static POCO (built once, kept in build-static/static-poco) builds while the
  # plain suite runs, at a lower priority: the suite waits on processes and sockets much of the time.
  mkdir -p build-static
  nice -n 10 scripts/build-static-poco.sh build-static/static-poco >build-static/static-poco.log 2>&1 &
  static_poco=$!
fi
ctest --test-dir build -j"$jobs" --output-on-failure --no-tests=error | tee build/ctest.log
summary+=("plain suite:     $(grep -E 'tests passed' build/ctest.log | tail -1)")
[ -f build/tests/bad-input-matrix.txt ] && summary+=("$(cat build/tests/bad-input-matrix.txt)")

static_poco_status=0
if [ -n "$static_poco" ]; then
  wait "$static_poco" || static_poco_status=$?
  if [ "$static_poco_status" = 3 ]; then
    # No Debian source package to build POCO from (a mirror without deb-src): said, not hidden.
    tail -3 build-static/static-poco.log >&2
    summary+=("single-file jwtflow: NOT TESTED: $(tail -1 build-static/static-poco.log)")
    static_poco=""
  elif [ "$static_poco_status" != 0 ]; then
    cat build-static/static-poco.log >&2; echo "building the static POCO failed" >&2; exit 1
  fi
fi
if [ -n "$static_poco" ]; then
  cmake -S . -B build-static -DCMAKE_BUILD_TYPE=Release -DJWTFLOW_STATIC_HOST=ON -DJWTFLOW_TESTS=OFF >/dev/null
  cmake --build build-static -j"$jobs"
  # The suites of the test files that run the program (the others test the libraries, already run above).
  suites=$(grep -l 'runJwtflow\|jwtflowBinary()' tests/*.cpp | xargs grep -ohE '^TEST(_F)?\([A-Za-z0-9_]+,' \
    | sed -E 's/^TEST(_F)?\(//; s/,$//' | sort -u | paste -sd'|')
  JWTFLOW_TEST_HOST="$PWD/build-static/jwtflow" \
    ctest --test-dir build -j"$jobs" --output-on-failure --no-tests=error -R "^((${suites})\.|install\.examples$)" \
    | tee build-static/ctest.log
  summary+=("single-file jwtflow ($(du -h build-static/jwtflow | cut -f1), needs $(readelf -d build-static/jwtflow | grep -c NEEDED) glibc libraries): $(grep -E 'tests passed' build-static/ctest.log | tail -1)")
fi

if [ "${JWTFLOW_SKIP_SANITIZERS:-0}" != "1" ]; then
  # clang where available: its UBSan also checks float-to-integer casts that overflow.
  sanitizer_cxx=""
  command -v clang++ >/dev/null && sanitizer_cxx="-DCMAKE_CXX_COMPILER=clang++"
  if [ -f build-asan/CMakeCache.txt ] && ! grep -q "CMAKE_CXX_COMPILER:.*${sanitizer_cxx#*=}" build-asan/CMakeCache.txt; then
    rm -rf build-asan   # made with another compiler
  fi
  cmake -S . -B build-asan $sanitizer_cxx -DCMAKE_BUILD_TYPE=Debug -DJWTFLOW_SANITIZE=ON -DJWTFLOW_TESTS=ON -DJWTFLOW_BENCHMARKS=OFF >/dev/null
  cmake --build build-asan -j"$jobs"
  ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
  LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0" \
    ctest --test-dir build-asan -j"$jobs" --output-on-failure --no-tests=error | tee build-asan/ctest.log
  summary+=("ASan+UBSan suite (${sanitizer_cxx:+clang, }halts on the first report): $(grep -E 'tests passed' build-asan/ctest.log | tail -1)")
fi

seconds="${JWTFLOW_FUZZ_SECONDS:-15}"
if [ "$seconds" != "0" ] && command -v clang++ >/dev/null; then
  CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DJWTFLOW_FUZZ=ON -DJWTFLOW_TESTS=OFF >/dev/null
  fuzz_targets=(jwt env thumbprint token_response emulator_request url descriptor)
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

# One closing line for CI: the plain suite, counted once (the sanitizer run of
# the same tests is its own line above, not added in).
line="$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' build/ctest.log | tail -1)"
failed="$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$line")"
total="$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/' <<<"$line")"
if [ -f build-asan/ctest.log ]; then
  asan_line="$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' build-asan/ctest.log | tail -1)"
  asan_failed="$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$asan_line")"
  [ "$asan_failed" = "0" ] || { echo "the ASan+UBSan suite failed: $asan_line" >&2; exit 1; }
fi
if [ -f build-static/ctest.log ]; then
  static_line="$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' build-static/ctest.log | tail -1)"
  [ "$(sed -E 's/.* ([0-9]+) tests failed out of.*/\1/' <<<"$static_line")" = "0" ] || { echo "the single-file suite failed: $static_line" >&2; exit 1; }
fi
echo "tests: $((total - failed)) passed, $failed failed"
