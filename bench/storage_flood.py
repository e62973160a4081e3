#!/usr/bin/env python3
"""The storage flood of issue 13 at full size, for docs/SECURITY.md section 8.

Not a test (it takes as long as you let it): a measurement to rerun by hand.

    python3 bench/storage_flood.py --minutes 20

A relay with default settings and --max-bytes 1 GiB; two processes of
tests/tools/pricing_flood deposit 16 x 256 KiB envelopes per request as fast
as they can pay the announced price. Every minute (the relay's adjustment
window) the script prints the envelope bytes stored and the raise of each
size class from `relay status --json`. After 6 minutes an honest
`reporter-client new` must succeed. At the end it extrapolates the time to
fill 1 GiB from the bytes stored per minute after the first WARMUP minutes
(the steady state, once the price has adapted) and prints the load average.
Binaries: build/werror/bin unless MELDPUNT_BIN_DIR says otherwise.
"""
import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("MELDPUNT_BIN_DIR", os.path.join(ROOT, "build", "werror", "bin"))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from harness import BIN, Channel, Reporter, run  # noqa: E402

FLOOD = os.path.join(BIN, "pricing_flood")
RELAY = os.path.join(BIN, "relay")
GIB = 1 << 30


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def status(ch):
    return json.loads(run([RELAY, "status", "--data", ch.data, "--json"])[1])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=20)
    ap.add_argument("--warmup", type=float, default=5, help="minutes left out of the steady state")
    ap.add_argument("--processes", type=int, default=2)
    args = ap.parse_args()

    print(f"{time.strftime('%Y-%m-%d %H:%M:%S %Z')}, load average {load_average()} at start; "
          f"{args.processes} processes for {args.minutes} min against --max-bytes 1 GiB", flush=True)
    rate = run([FLOOD, "rate"])[1].strip()
    print(f"one core: {rate}", flush=True)
    ch = Channel(adviser_names=(("Anna de Vries", "internal"),), serve_args=["--max-bytes", str(GIB)])
    try:
        seconds = args.minutes * 60
        floods = [subprocess.Popen([FLOOD, "deposit", ch.address, str(seconds), str(args.warmup * 60)],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(args.processes)]
        started = time.time()
        samples = []
        honest = None
        minute = 0
        while any(f.poll() is None for f in floods):
            minute += 1
            while time.time() < started + 60 * minute and any(f.poll() is None for f in floods):
                time.sleep(1)
            s = status(ch)
            samples.append((time.time() - started, s["envelope_bytes"]["stored"]))
            raises = s["proof_of_work"]["raise_per_size_class"]
            print(f"  {samples[-1][0] / 60:5.1f} min: {s['envelope_bytes']['stored'] / 2**20:8.1f} MiB stored, "
                  f"raise per class {raises}, envelope prices {s['prices']['envelope']}; load {load_average()}",
                  flush=True)
            if honest is None and time.time() - started >= 6 * 60:
                t = time.time()
                try:
                    Reporter(ch).new("STORAGEFLOOD honest report", to=[1])
                    honest = f"succeeded in {time.time() - t:.1f} s"
                except AssertionError as e:
                    honest = f"FAILED: {e}"
                print(f"  honest reporter-client new after {(t - started) / 60:.1f} min: {honest}", flush=True)
        results = [f.communicate() for f in floods]
        for out, err in results:
            print(f"  flood: {out.decode().strip()} {err.decode().strip()}")
        steady = [(t, b) for t, b in samples if t >= args.warmup * 60]
        if len(steady) >= 2:
            (t0, b0), (t1, b1) = steady[0], steady[-1]
            per_minute = (b1 - b0) / ((t1 - t0) / 60)
            total_per_minute = samples[-1][1] / (samples[-1][0] / 60)
            fill = (GIB / per_minute) if per_minute > 0 else float("inf")
            print(f"steady state ({t0 / 60:.1f}-{t1 / 60:.1f} min): {per_minute / 2**20:.2f} MiB per minute, "
                  f"1 GiB filled in {fill:.0f} min at that rate; over the whole run "
                  f"{total_per_minute / 2**20:.2f} MiB per minute")
        print(f"honest report: {honest}; load average at the end {load_average()}")
    finally:
        ch.close()


if __name__ == "__main__":
    main()
