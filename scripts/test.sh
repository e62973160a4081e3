#!/usr/bin/env bash
# The README's test command: installs what is missing, then builds and runs
# the whole suite twice: a -Werror release build and an AddressSanitizer +
# UndefinedBehaviorSanitizer build; then builds the libFuzzer targets with
# clang and runs each briefly.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

JOBS=$(nproc)
run_suite() {
  local dir=$1; shift
  echo "=== build $dir ($*)"
  cmake -S . -B "$dir" "$@" >/dev/null
  cmake --build "$dir" -j"$JOBS"
  echo "=== test $dir"
  (cd "$dir" && ctest --output-on-failure -j"$JOBS" --timeout 900)
}

run_suite build/werror -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMELDPUNT_WERROR=ON
# detect_leaks stays on: every test binary must free what it allocates.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_suite build/sanitize -DCMAKE_BUILD_TYPE=Debug -DMELDPUNT_WERROR=ON -DMELDPUNT_SANITIZE=ON

# Fuzzing (docs/SECURITY.md): a third, clang build with libFuzzer, ASan and
# UBSan; every target runs MELDPUNT_FUZZ_SECONDS (default: at most 4 minutes of
# wall-clock fuzzing, at most 45 s per target) on JOBS cores; any crash fails.
# A smoke run: the longer one before a release is in docs/SECURITY.md.
echo "=== build build/fuzz (clang-14, libFuzzer)"
cmake -S . -B build/fuzz -DMELDPUNT_FUZZ=ON -DMELDPUNT_BUILD_TESTS=OFF -DCMAKE_CXX_COMPILER=clang++-14 \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/fuzz -j"$JOBS" --target fuzzers
FUZZ_TARGETS=$(ls fuzz/fuzz_*.cpp | wc -l)  # one target per file
FUZZ_SECONDS=${MELDPUNT_FUZZ_SECONDS:-$(( 240 * JOBS / FUZZ_TARGETS < 45 ? 240 * JOBS / FUZZ_TARGETS : 45 ))}
rm -rf build/fuzz/run
bash fuzz/run.sh build/fuzz "$FUZZ_SECONDS" "$JOBS" build/fuzz/run
echo "=== all suites passed"
