#!/usr/bin/env bash
# Builds the benchmarks in Release (build/bench), runs every one of them and
# writes bench/results/: results.md (Markdown tables), the raw CSV of each
# benchmark and fetch.png (fetch time against store size, gnuplot).
#
#   bash bench/run.sh            # from the repository root; a few minutes on 2 cores
#
# Environment: MELDPUNT_BENCH_BUILD (build folder, default build/bench),
# MELDPUNT_BENCH_TMP (where temporary stores go, default <build>/tmp: it must
# be a real disk, because deposit figures include fsync; /tmp may be tmpfs).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${MELDPUNT_BENCH_BUILD:-$ROOT/build/bench}
TMP=${MELDPUNT_BENCH_TMP:-$BUILD/tmp}
OUT=$ROOT/bench/results

# Load before we add our own (the build is the first thing we do).
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
OTHER_COMPILERS=$(pgrep -c -x 'cc1plus|cc1|ld' || true)

bash "$ROOT/scripts/install-deps.sh"   # includes gnuplot-nox for the plot
mkdir -p "$BUILD"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DMELDPUNT_BUILD_TESTS=OFF -DMELDPUNT_BUILD_BENCH=ON \
  >"$BUILD/configure.log" 2>&1 || { cat "$BUILD/configure.log"; exit 1; }
cmake --build "$BUILD" -j"$(nproc)" --target benchmarks relay

mkdir -p "$OUT" "$TMP"
BIN=$BUILD/bin
MD=$OUT/results.md
LOAD_BEFORE_RUN=$(cut -d' ' -f1-3 /proc/loadavg)
STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git -C "$ROOT" status --porcelain 2>/dev/null | grep -q . && echo " (with uncommitted changes)" || true)
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')

{
  echo "# meldpunt benchmarks"
  echo
  echo "Taken $STARTED by \`bash bench/run.sh\` (Release build, commit $COMMIT$DIRTY)."
  echo
  echo "| machine | |"
  echo "|---|---|"
  echo "| CPU | $CPU |"
  echo "| nproc | $(nproc) |"
  echo "| memory | $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) |"
  echo "| kernel | $(uname -r) |"
  echo "| temporary stores on | $(df -T "$TMP" | awk 'NR==2 {print $2 " (" $1 ")"}') |"
  echo "| libsodium / libzmq / lmdb | $(pkg-config --modversion libsodium) / $(pkg-config --modversion libzmq) / $(pkg-config --modversion lmdb) |"
  echo "| load average at start (1/5/15 min) | $LOAD_AT_START; compiler processes of others running: $OTHER_COMPILERS |"
  echo "| load average after our build | $LOAD_BEFORE_RUN |"
  echo
  echo "Every ratio compares the relay with a limit measured in the same run on the same machine, so"
  echo "background load affects both sides; absolute figures move with the load."
  echo
} >"$MD"

run() {
  local name=$1
  shift
  echo "== $name" >&2
  local start=$SECONDS
  "$BIN/$name" --csv "$OUT/${name#bench_}.csv" --tmp "$TMP" "$@" | tee -a "$MD"
  echo "($name took $((SECONDS - start)) s)" >&2
}

run bench_deposit
run bench_fetch
run bench_client
run bench_memory --relay "$BIN/relay"

echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)." >>"$MD"

# Fetch time against store size: the relay (handler and end to end) beside
# the measured limit and the floor computed from the single-core rate.
awk -F, 'NR > 1 && $3 != "" {print $1, $3, $4, $5}' "$OUT/fetch.csv" >"$TMP/fetch_lines.dat"
awk -F, 'NR > 1 && $8 != "" {print $1, $8}' "$OUT/fetch.csv" >"$TMP/fetch_e2e.dat"
gnuplot <<EOF
set terminal pngcairo size 900,600 font ",11"
set output "$OUT/fetch.png"
set title "Relay fetch time against stored messages ($(nproc) cores, $STARTED)"
set xlabel "stored messages (clues)"
set ylabel "time for one fetch (ms)"
set logscale xy
set xrange [500:200000]
set grid
set key top left
plot "$TMP/fetch_lines.dat" using 1:2 with linespoints lw 2 pt 7 title "relay (RequestHandler, all cores)", \
     "$TMP/fetch_lines.dat" using 1:3 with linespoints lw 2 pt 5 title "limit: 2 scalar mult. per clue over all cores", \
     "$TMP/fetch_lines.dat" using 1:4 with lines dt 2 lw 1 title "floor from the single-core rate", \
     "$TMP/fetch_e2e.dat" using 1:2 with points pt 9 ps 2 title "end to end through CurveZMQ (client-observed)"
EOF
rm -f "$TMP/fetch_lines.dat" "$TMP/fetch_e2e.dat"
rmdir "$TMP" 2>/dev/null || true
echo "Results in $OUT: results.md, deposit.csv, fetch.csv, client.csv, memory.csv, fetch.png" >&2
