#!/usr/bin/env bash
# Runs every fuzz target for a fixed time, JOBS at once, and fails if any
# target finds a crash, a sanitizer error, a time-out or a leak.
#
#   bash fuzz/run.sh BUILD_DIR SECONDS_PER_TARGET [JOBS] [OUT_DIR]
#
# BUILD_DIR is a -DMELDPUNT_FUZZ=ON build (see fuzz/CMakeLists.txt). The
# committed seeds (fuzz/corpus/<target>/) are read only; new inputs go to
# OUT_DIR/corpus/<target>/, crash reproducers to OUT_DIR/artifacts/, logs to
# OUT_DIR/logs/. Prints one line of figures per target and a summary table
# (OUT_DIR/summary.txt) for docs/SECURITY.md.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${1:?usage: fuzz/run.sh BUILD_DIR SECONDS [JOBS] [OUT_DIR]}
SECONDS_PER_TARGET=${2:?seconds per target}
JOBS=${3:-$(nproc)}
OUT=${4:-$BUILD/fuzz-run}
# Every target there is: one per fuzz/fuzz_NAME.cpp (a list kept by hand
# once left a built target unrun).
mapfile -t TARGETS < <(ls fuzz/fuzz_*.cpp | sed 's|^fuzz/fuzz_||; s|\.cpp$||')

mkdir -p "$OUT/logs" "$OUT/artifacts"
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

run_one() {
  local t=$1 bin="$BUILD/bin/fuzz_$1"
  [ -x "$bin" ] || { echo "$t: missing $bin" >&2; return 1; }
  mkdir -p "$OUT/corpus/$t"
  local rc=0 crash
  # Regression: every committed reproducer of this target must pass first.
  for crash in fuzz/crashes/"$t"-*; do
    [ -e "$crash" ] || continue
    "$bin" "$crash" >"$OUT/logs/$t.regression.log" 2>&1 || { echo "$t: reproducer $crash fails again" >&2; return 1; }
  done
  # -timeout: one input running 20 s is a hang; -rss_limit_mb: a leak or a
  # parser that allocates what an attacker asks for.
  "$bin" -max_total_time="$SECONDS_PER_TARGET" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$OUT/artifacts/$t-" "$OUT/corpus/$t" "fuzz/corpus/$t" >"$OUT/logs/$t.log" 2>&1 || rc=$?
  local execs cov ft corpus
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$OUT/logs/$t.log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+' "$OUT/logs/$t.log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -oE 'ft: [0-9]+' "$OUT/logs/$t.log" | tail -1 | cut -d' ' -f2)
  corpus=$(ls "$OUT/corpus/$t" | wc -l)
  local crashes
  crashes=$(ls "$OUT/artifacts" | grep -c "^$t-" || true)
  printf '%-16s rc=%-3s execs=%-10s cov=%-6s ft=%-6s corpus=%-6s crashes=%s\n' \
    "$t" "$rc" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$corpus" "$crashes" | tee "$OUT/logs/$t.summary"
  if [ "$rc" -ne 0 ]; then
    echo "=== $t FAILED; last lines of $OUT/logs/$t.log:" >&2
    tail -40 "$OUT/logs/$t.log" >&2
    return 1
  fi
}
export -f run_one
export BUILD SECONDS_PER_TARGET OUT

echo "=== fuzzing ${#TARGETS[@]} targets, ${SECONDS_PER_TARGET}s each, $JOBS at a time"
status=0
printf '%s\n' "${TARGETS[@]}" | xargs -P "$JOBS" -I{} bash -c 'run_one {}' || status=$?
cat "$OUT"/logs/*.summary | sort >"$OUT/summary.txt"
echo "=== fuzz summary ($OUT/summary.txt)"
cat "$OUT/summary.txt"
if [ "$status" -ne 0 ]; then
  echo "=== fuzzing FAILED (reproducers in $OUT/artifacts/)" >&2
  exit 1
fi
echo "=== fuzzing passed"
