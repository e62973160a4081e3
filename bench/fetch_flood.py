#!/usr/bin/env python3
"""The fetch flood of issue 13 at full size, for docs/SECURITY.md section 8.

Not a test (it takes minutes): a measurement to rerun by hand when the
machine is quiet.

    python3 bench/fetch_flood.py                 # 13,400 stored, paid flood
    python3 bench/fetch_flood.py --unpaid        # the issue's unpaid flood
    python3 bench/fetch_flood.py --probe         # also time the phases of one honest fetch

A relay with default settings holds STORED messages (written straight into
its store by tests/tools/pricing_flood fill). The script times QUIET honest
`reporter-client check` runs, then starts the flood (a fresh connection every
0.5 s sending 3 fetches, paying the announced price unless --unpaid, never
reading the answers) and times ATTACKED checks under it, and prints the
medians, their ratio (the goal: at most 3), the load average before and after
and the relay's fetch figures sampled every second from `relay status --json`.
With --probe each check is followed by `pricing_flood probe`, an honest fetch
without the recognising, split into get-policy, proof and the fetch's wait.
Binaries: build/werror/bin unless MELDPUNT_BIN_DIR says otherwise.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("MELDPUNT_BIN_DIR", os.path.join(ROOT, "build", "werror", "bin"))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from harness import BIN, Channel, Reporter, run  # noqa: E402

FLOOD = os.path.join(BIN, "pricing_flood")
RELAY = os.path.join(BIN, "relay")


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def figures(line):
    return {k: float(v) for k, v in (item.split("=") for item in line.split())}


class Sampler(threading.Thread):
    """`relay status --json` once a second: the fetch queue and the price."""

    def __init__(self, data):
        super().__init__(daemon=True)
        self.data = data
        self.samples = []
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.wait(1.0):
            rc, out, _ = run([RELAY, "status", "--data", self.data, "--json"], check=False)
            if rc == 0:
                try:
                    self.samples.append(json.loads(out))
                except ValueError:
                    pass


def timed_check(reporter, probe, channel):
    started = time.time()
    rc, out, err = reporter.check(check=False)
    seconds = time.time() - started
    retries = err.count("trying again")
    phases = None
    if probe:
        phases = figures(run([FLOOD, "probe", channel.address], timeout=300)[1])
    ok = rc == 0 and "FETCHFLOOD report" in out
    line = f"  check {'ok' if ok else 'FAILED'} {seconds:.2f} s, {retries} retries"
    if phases:
        line += (f"; probe: price {phases['price'] / 1e6:.1f} M digests, policy {phases['policy_s']:.2f} s, "
                 f"proof {phases['solve_s']:.2f} s, fetch {phases['fetch_s']:.2f} s, pauses {phases['pause_s']:.1f} s, "
                 f"attempts {phases['attempts']:.0f}")
    print(line, flush=True)
    if not ok:
        print(err, flush=True)
    return ok, seconds


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stored", type=int, default=13400)
    ap.add_argument("--quiet", type=int, default=5)
    ap.add_argument("--attacked", type=int, default=6)
    ap.add_argument("--every", type=float, default=0.5)
    ap.add_argument("--per-connection", type=int, default=3)
    ap.add_argument("--unpaid", action="store_true")
    ap.add_argument("--probe", action="store_true")
    ap.add_argument("--serve-arg", action="append", default=[], help="extra `relay serve` argument (repeat)")
    args = ap.parse_args()

    print(f"{time.strftime('%Y-%m-%d %H:%M:%S %Z')}, load average {load_average()} at start; "
          f"{args.stored} stored, {'unpaid' if args.unpaid else 'paid'} flood", flush=True)
    ch = Channel(adviser_names=(("Anna de Vries", "internal"),), serve_args=args.serve_arg)
    try:
        reporter = Reporter(ch)
        reporter.new("FETCHFLOOD report before the flood", to=[1])
        ch.stop_relay()
        run([FLOOD, "fill", os.path.join(ch.data, "store"), str(args.stored)], timeout=600)
        ch.start_relay()
        print(f"digest rate of one core: {figures(run([FLOOD, 'rate'])[1])['digests_per_second'] / 1e6:.2f} M/s")

        print("quiet:", flush=True)
        quiet = [timed_check(reporter, args.probe, ch) for _ in range(args.quiet)]
        load_quiet = load_average()
        sampler = Sampler(ch.data)
        sampler.start()
        budget = 60 + 40 * args.attacked
        flood = subprocess.Popen([FLOOD, "fetch", ch.address, str(budget), str(args.every), str(args.per_connection)] +
                                 (["unpaid"] if args.unpaid else []), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            time.sleep(5)
            print("under the flood:", flush=True)
            attacked = [timed_check(reporter, args.probe, ch) for _ in range(args.attacked)]
            load_attacked = load_average()
        finally:
            flood.terminate()
            out, err = flood.communicate(timeout=60)
            sampler.stopping.set()
            sampler.join()
        flood_figures = out.decode().strip() or err.decode().strip()

        quiet_s = [s for ok, s in quiet if ok]
        attacked_s = [s for ok, s in attacked if ok]
        waiting = [s["fetches"]["waiting"] for s in sampler.samples]
        prices = [s["prices"]["fetch"] for s in sampler.samples if "prices" in s]
        last = sampler.samples[-1] if sampler.samples else {}
        print(f"\nquiet checks: {len(quiet_s)} of {len(quiet)} ok, {' '.join('%.2f' % s for s in quiet_s)} s; "
              f"load average {load_quiet}")
        print(f"attacked checks: {len(attacked_s)} of {len(attacked)} ok, {' '.join('%.2f' % s for s in attacked_s)} s; "
              f"load average {load_attacked}")
        if quiet_s and attacked_s:
            ratio = statistics.median(attacked_s) / statistics.median(quiet_s)
            print(f"median quiet {statistics.median(quiet_s):.2f} s, attacked {statistics.median(attacked_s):.2f} s: "
                  f"{ratio:.1f}x (goal <= 3x)")
        if waiting:
            print(f"fetches waiting (sampled each second): median {statistics.median(waiting)}, max {max(waiting)}")
        if prices:
            print(f"fetch price: median {statistics.median(prices) / 1e6:.1f} M digests, max {max(prices) / 1e6:.1f} M")
        if last:
            print(f"relay after the flood: fetches {json.dumps(last.get('fetches'))}, "
                  f"front door {json.dumps(last.get('front_door'))}")
        print(f"flood: {flood_figures}")
        print(f"load average at the end {load_average()}")
    finally:
        ch.close()


if __name__ == "__main__":
    main()
