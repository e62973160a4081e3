"""Hostile pricing: a client that pays the relay's prices and floods it.

Bounded versions (seconds, not minutes) of the attacks of issue 13 on fetches,
storage and prekeys, with the real relay and clients on loopback. The
attacker is tests/tools/pricing_flood, which pays every price the relay
announces (the strongest anonymous client; an unpaid flood is refused before
any work is done).

- Fetch flood: the store is filled with FETCH_STORE messages and the relay
  blinds on one thread, so one fetch costs it about as much as a 13,400-message
  fetch on two cores costs relative to the flood below; as in the issue, a
  fresh connection every 0.5 s sends 3 fetches (unpaid, or paid) and never
  reads the answers. Six honest `reporter-client check` runs must all
  succeed, and for the unpaid flood with a median at most 3 times the
  unattacked median (the paid flood's ratio is measured at full size by
  bench/fetch_flood.py).
- Storage flood: two attacker processes deposit 256 KiB envelopes as fast
  as they can pay, against a relay with short windows, a small raise
  threshold and low prices (see the test). One envelope per request, not
  the 16 of the issue's flood (bench/storage_flood.py runs that at full
  size): the bytes per digest are the same, but lumps of 4 MiB, twice the
  threshold, made seven windows a measure of the luck of a few proofs (one
  CI run stored 3.1 times the bound; simulating the rule with such lumps
  gives about the bound as the median and near 3 times in one run of a
  hundred); with grains of an eighth of the threshold the simulation stays
  within 1.3 times in a thousand runs. The raise rule promises that a
  size class stores per window at most about the threshold, or, once its
  price is at the maximum raise, what the attackers' hashing buys at that
  price. The test measures the attackers' hash rate in the same run and
  asserts the bytes stored after the warm-up stay within twice that bound
  (without the raise they would be 64 times it). From the same hash rate it
  computes the time to fill 1 GiB at the default settings for an attacker
  holding all three classes at the threshold and spending the rest at the
  maximum price of the cheapest bytes, and asserts >= 60 minutes; an honest
  `reporter-client new` after six (scaled) minutes of the flood succeeds.
  (Both are ratios within one run, not wall-clock bounds: a faster machine
  hashes faster for the attacker and the bound alike.)
- Prekeys: the unit test "get-prekeys is priced..." (test_pricing.cpp)
  measures the drain cost against the 60 s goal.
"""
import os
import statistics
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import BIN, Channel, Reporter, run  # noqa: E402

FLOOD = os.path.join(BIN, "pricing_flood")
FETCH_STORE = int(os.environ.get("MELDPUNT_PRICING_STORE", "3000"))
FLOOD_EVERY = 0.5
WINDOW = 4  # seconds: the storage test's adjustment window (60 by default)
RAISE_BYTES = 2 << 20  # the storage test's raise threshold per window (2 MiB per 60 s by default)
DEFAULT_RAISE_BYTES = 2 << 20  # the default pow-raise-bytes
TEST_DIFFICULTY = 12  # the storage test's pow-difficulty (20 by default)
DEFAULT_DIFFICULTY = 20
MAX_RAISE = 6  # the default pow-max-raise, in bits
LARGE_WEIGHT = 8  # price of one 256 KiB envelope in units of 2^difficulty
LARGE = 262144
SIZE_CLASSES = 3
STORAGE_WINDOWS = 10
WARMUP_WINDOWS = 3
GIB = 1 << 30


def figures(line):
    return {k: float(v) for k, v in (item.split("=") for item in line.split())}


class HostilePricingTest(unittest.TestCase):
    def timed_check(self, reporter, marker):
        started = time.time()
        rc, out, err = reporter.check(check=False)
        seconds = time.time() - started
        self.assertEqual(rc, 0, f"honest check failed under the flood:\n{out}\n{err}")
        self.assertIn(marker, out)
        return seconds

    def fetch_flood(self, unpaid):
        ch = Channel(adviser_names=(("Anna de Vries", "internal"),), serve_args=["--fetch-threads", "1"])
        self.addCleanup(ch.close)
        reporter = Reporter(ch)
        reporter.new("FETCHFLOOD report before the flood", to=[1])
        ch.stop_relay()
        run([FLOOD, "fill", os.path.join(ch.data, "store"), str(FETCH_STORE)])
        ch.start_relay()

        quiet = [self.timed_check(reporter, "FETCHFLOOD report") for _ in range(3)]
        flood = subprocess.Popen([FLOOD, "fetch", ch.address, "300", str(FLOOD_EVERY), "3"] + (["unpaid"] if unpaid else []),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            time.sleep(3)  # the flood is under way
            self.assertIsNone(flood.poll(), "the flood ended early")
            attacked = [self.timed_check(reporter, "FETCHFLOOD report") for _ in range(6)]
        finally:
            flood.terminate()
            flood.wait(timeout=30)
            flood.stdout.close()
            flood.stderr.close()
        status = run([os.path.join(BIN, "relay"), "status", "--data", ch.data])[1]
        print(f"\nfetch flood ({'unpaid' if unpaid else 'paid'}): quiet {['%.2f' % t for t in quiet]} s, "
              f"attacked {['%.2f' % t for t in attacked]} s", file=sys.stderr)
        print("\n".join(line for line in status.splitlines() if "fetch" in line or "proof" in line), file=sys.stderr)
        return quiet, attacked

    def test_fetch_flood_as_in_the_issue_honest_checks_succeed(self):
        # The flood of issue 13 (no proofs): 6 of 6 honest checks succeed,
        # median at most 3 times the unattacked one.
        quiet, attacked = self.fetch_flood(unpaid=True)
        self.assertLessEqual(statistics.median(attacked), 3 * statistics.median(quiet))

    def test_fetch_flood_that_pays_honest_checks_still_succeed(self):
        # The same flood paying every fetch: it is held to what its CPU buys,
        # and all six honest checks succeed. Their median against the quiet
        # one is printed, not asserted: at this bounded size a quiet check is
        # well under a second, and an attacked one pays about the price of a
        # fetch, waits for the running one and then its own, on two cores
        # the attacker's hashing shares: 2.1-4.2 times here, so no bound with
        # headroom would catch a regression. The 3-times goal is measured at
        # full size by bench/fetch_flood.py (docs/SECURITY.md section 8).
        self.fetch_flood(unpaid=False)

    def test_storage_flood_priced_by_bytes_letters_still_get_in(self):
        # Scaled down: windows of 4 s (60 by default), a raise threshold of
        # RAISE_BYTES per window (2 MiB by default) and prices 256 times lower
        # (difficulty 12, 20 by default), so that the attackers' budget at the
        # base price is far above the threshold, as it is at the defaults, and
        # the raise is what holds them back. At these low prices a fast
        # machine buys more than the threshold even at the maximum raise, so
        # the bound checked is the rule's: the threshold or what the
        # measured hashing buys at the maximum price, whichever is more.
        ch = Channel(adviser_names=(("Anna de Vries", "internal"),),
                     serve_args=["--pow-adjust-seconds", str(WINDOW), "--pow-difficulty", str(TEST_DIFFICULTY),
                                 "--pow-raise-bytes", str(RAISE_BYTES), "--max-bytes", str(GIB),
                                 "--prekeys-weight", "1"])
        self.addCleanup(ch.close)
        floods = [subprocess.Popen([FLOOD, "deposit", ch.address, str(STORAGE_WINDOWS * WINDOW), str(WARMUP_WINDOWS * WINDOW),
                                    "1"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
        try:
            # An honest report after six (scaled) minutes of the flood.
            time.sleep(6 * WINDOW)
            reporter = Reporter(ch)
            started = time.time()
            reporter.new("STORAGEFLOOD honest report", to=[1])
            honest_seconds = time.time() - started
            results = [f.communicate(timeout=600) for f in floods]
        finally:
            for f in floods:
                if f.poll() is None:
                    f.kill()
                    f.wait()
        got = [figures(out.decode()) for out, _ in results]
        for g, (_, err) in zip(got, results):
            self.assertGreater(g["deposits_ok"], 0, err.decode())
        # The steady state, after the first windows at the base price (a
        # minute or two of a fill that takes hours at the defaults).
        stored = sum(g["bytes_after_warmup"] for g in got)
        seconds = max(g["seconds"] for g in got) - WARMUP_WINDOWS * WINDOW
        per_window = stored / (seconds / WINDOW)
        # The attackers' hashing in this run (both at once, digests per
        # second): the digests they computed, their unfinished last proofs
        # included, over the time they spent computing them.
        rate = sum(g["digests"] / g["solve_seconds"] for g in got if g["solve_seconds"] > 0)

        def digests_per_byte_at_max(difficulty):
            return LARGE_WEIGHT * 2 ** (difficulty + MAX_RAISE) / LARGE

        # The raise rule's bound for the one class flooded here: the
        # threshold, or what the hashing buys at the maximum price.
        held = max(RAISE_BYTES, rate * WINDOW / digests_per_byte_at_max(TEST_DIFFICULTY))
        # At the defaults, an attacker with this hashing holding every class
        # at the threshold and spending the rest on the cheapest bytes.
        default_per_minute = SIZE_CLASSES * DEFAULT_RAISE_BYTES + rate * 60 / digests_per_byte_at_max(DEFAULT_DIFFICULTY)
        minutes_to_fill = GIB / default_per_minute
        print(f"\nstorage flood, two processes: {got}; hashing {rate / 1e6:.1f} M digests/s; "
              f"{per_window / 2**20:.2f} MiB per window against a bound of {held / 2**20:.2f} MiB; "
              f"at the defaults at most {default_per_minute / 2**20:.2f} MiB a minute, "
              f"{minutes_to_fill:.0f} min to fill 1 GiB; honest report {honest_seconds:.1f} s", file=sys.stderr)
        self.assertLessEqual(per_window, 2 * held, "the raise did not hold the flood to its bound")
        self.assertGreaterEqual(minutes_to_fill, 60)
        ch.advisers[0].inbox()
        cases = ch.advisers[0].case_ids()
        self.assertTrue(any("STORAGEFLOOD honest report" in ch.advisers[0].read(c) for c in cases))


if __name__ == "__main__":
    unittest.main(verbosity=2)
