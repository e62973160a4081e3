#!/usr/bin/env bash
# A/B of the deposit benchmark on a shared machine: runs two bench_deposit
# binaries (say, built from main and from a branch) alternately, PAIRS times
# each, the order swapped every pair so drift in background load falls on
# both, and prints the median over runs of each one's relay/limit ratio per
# client count. Absolute rates swing with other people's builds; ratios taken
# in the same run, interleaved, are what can be compared.
#
#   bash bench/ab_deposit.sh OLD_BIN NEW_BIN [PAIRS] [OUT_DIR]
#
# BENCH_ARGS (environment) goes to every run, e.g. "--clients 64". The CPU
# columns (process CPU per deposit, clients and server together) barely move
# with other programs' load, so they show a change in cost when the ratios
# are too noisy to. Each run's CSV stays in OUT_DIR (default: a fresh temporary folder) as
# a-N.csv / b-N.csv; stores go under OUT_DIR/tmp (must be a real disk).
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 OLD_BIN NEW_BIN [PAIRS] [OUT_DIR]" >&2; exit 2; }
OLD=$1 NEW=$2 PAIRS=${3:-5} OUT=${4:-$(mktemp -d)}
mkdir -p "$OUT/tmp"
run() {  # which binary, run number
  local bin=$1 tag=$2 n=$3
  echo "$(date -u +%H:%M:%S) $tag-$n load $(cut -d' ' -f1 /proc/loadavg)" >>"$OUT/log.txt"
  # shellcheck disable=SC2086
  "$bin" --csv "$OUT/$tag-$n.csv" --tmp "$OUT/tmp" ${BENCH_ARGS:-} >/dev/null 2>>"$OUT/log.txt"
}
for ((i = 1; i <= PAIRS; i++)); do
  if ((i % 2)); then run "$OLD" a "$i"; run "$NEW" b "$i"; else run "$NEW" b "$i"; run "$OLD" a "$i"; fi
done
echo "$(date -u +%H:%M:%S) done, load $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/log.txt"
# Columns: clients,...,ratio_median (10th). Median of the per-run medians.
python3 - "$OUT" "$PAIRS" <<'PY'
import csv, statistics, sys
out, pairs = sys.argv[1], int(sys.argv[2])
rows = {}
for tag in "ab":
    for n in range(1, pairs + 1):
        for r in csv.DictReader(open(f"{out}/{tag}-{n}.csv")):
            for col in ("ratio_median", "door_ratio_median", "relay_cpu_us", "limit_cpu_us"):
                if r.get(col):
                    rows.setdefault((tag, int(r["clients"]), col), []).append(float(r[col]))
def med(tag, c, col):
    v = rows.get((tag, c, col), [])
    return (f"{statistics.median(v):.3g}", " ".join(f"{x:.3g}" for x in v)) if v else ("", "")
print("| clients | | A (old) median | A runs | B (new) median | B runs |")
print("|---|---|---|---|---|---|")
for c in sorted({c for _, c, _ in rows}):
    for col, what in (("ratio_median", "relay / limit"), ("door_ratio_median", "relay / limit via front door"),
                      ("relay_cpu_us", "relay side CPU us/deposit"),
                      ("limit_cpu_us", "limit side CPU us/deposit")):
        (ma, ra), (mb, rb) = med("a", c, col), med("b", c, col)
        if ma or mb:
            print(f"| {c} | {what} | {ma} | {ra} | {mb} | {rb} |")
PY
