#!/usr/bin/env bash
# The README's test command: installs what is missing, then builds and runs
# the whole suite twice: a -Werror release build and an AddressSanitizer +
# UndefinedBehaviorSanitizer build.
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
echo "=== all suites passed"
