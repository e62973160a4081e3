"""Hostile clients: the relay survives malformed traffic and keeps serving.

tests/tools/hostile_client sends REQUESTS (default 100,000) malformed requests
over 64 CurveZMQ connections (so they reach the relay's parser; each
connection stays within the default per-connection burst), plus half-open and
garbage TCP connections, CURVE handshakes with a wrong key, a slow reader that
never reads its replies and oversize frames. While the half-open connections
and the slow reader are still held open, an honest reporter and adviser hold
a full exchange through the real clients. Afterwards the relay's resident
memory (VmRSS) may have grown by at most RSS_BOUND_MIB over its level after a
first honest exchange, and `relay check` passes.
"""
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import BIN, Channel, RELAY, Reporter, run  # noqa: E402

HOSTILE = os.path.join(BIN, "hostile_client")
REQUESTS = int(os.environ.get("MELDPUNT_HOSTILE_REQUESTS", "100000"))
# Under AddressSanitizer freed memory waits in a quarantine (256 MiB by
# default) before reuse, which would look like growth: keep it small here.
os.environ["ASAN_OPTIONS"] = os.environ.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=8"
# Relay memory may grow by at most this much (MiB) during the attack: libzmq
# buffers for ~500 connections, the spent-proof set, allocator slack. A leak
# per request (100,000 of them) would exceed it.
RSS_BOUND_MIB = 64
# Counts of the status codes in the relay's replies (common/result.hpp ErrorCode).
STATUS_NAMES = {1: "malformed", 2: "unknown-op", 3: "too-large", 4: "not-found", 5: "unauthorised",
                9: "unsupported-version", 13: "rate-limited"}


def vm_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


class HostileClientsTest(unittest.TestCase):
    def honest_exchange(self, ch, marker):
        a = ch.advisers[0]
        reporter = Reporter(ch)
        reporter.new(f"{marker} report from an honest reporter", to=[1])
        a.inbox()
        case = next(c for c in a.case_ids() if marker in a.read(c))
        a.reply(case, f"{marker} answer from the adviser")
        _, out, _ = reporter.check()
        self.assertIn(f"{marker} report", out)
        self.assertIn(f"{marker} answer from the adviser", out)

    def test_malformed_flood_then_honest_exchange(self):
        ch = Channel(adviser_names=(("Anna de Vries", "internal"),), serve_args=["--pow-difficulty", "8"])
        self.addCleanup(ch.close)
        self.honest_exchange(ch, "BEFORE")
        rss_before = vm_rss_kib(ch.relay.pid)

        started = time.time()
        hostile = subprocess.Popen([HOSTILE, ch.address, "--requests", str(REQUESTS), "--connections", "64"],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        summary = hostile.stdout.readline().decode()
        if not summary:
            hostile.wait(timeout=30)
            self.fail("hostile_client failed: " + hostile.stderr.read().decode())
        figures = dict(item.split("=") for item in summary.split())
        figures = {k: int(v) for k, v in figures.items()}
        attack_seconds = time.time() - started

        # Still held open: half-open TCP connections and the slow reader.
        self.assertIsNone(ch.relay.poll(), "relay died under malformed traffic")
        self.honest_exchange(ch, "DURING")
        hostile.stdin.close()
        self.assertEqual(hostile.wait(timeout=60), 0, hostile.stderr.read().decode())
        hostile.stdout.close()
        hostile.stderr.close()
        self.honest_exchange(ch, "AFTER")
        time.sleep(0.5)
        rss_after = vm_rss_kib(ch.relay.pid)

        # Every malformed request was sent, answered, and refused.
        self.assertEqual(figures["sent"], REQUESTS)
        self.assertGreaterEqual(figures["replied"], REQUESTS * 99 // 100, summary)
        self.assertEqual(figures["ok"], 0, "the relay accepted a malformed request: " + summary)
        self.assertNotIn("oversize_answered", figures, "an oversize frame reached the relay: " + summary)
        self.assertNotIn("status_255", figures, "a reply without a proper header: " + summary)
        parsed = sum(v for k, v in figures.items()
                     if k.startswith("status_") and k not in ("status_13",))
        self.assertGreaterEqual(parsed, REQUESTS * 9 // 10, "flood control stopped the requests before the parser")
        self.assertGreaterEqual(figures["half_open"], 90)
        self.assertGreaterEqual(figures["garbage"], 390)
        self.assertEqual(figures["oversize"], 20)

        growth_mib = (rss_after - rss_before) / 1024
        self.assertLess(growth_mib, RSS_BOUND_MIB, f"relay memory grew by {growth_mib:.1f} MiB")
        ch.stop_relay()
        code, out, err = run([RELAY, "check", "--data", ch.data], check=False)
        self.assertEqual(code, 0, out + err)
        refused = ", ".join(f"{STATUS_NAMES.get(int(k[7:]), k[7:])} {v}"
                            for k, v in sorted(figures.items()) if k.startswith("status_"))
        print(f"hostile clients: {figures['sent']} malformed requests in {attack_seconds:.1f} s, "
              f"{figures['replied']} refused ({refused}), lost {figures['lost']}; "
              f"{figures['half_open']} half-open and {figures['garbage']} garbage TCP connections, "
              f"{figures['oversize']} oversize frames, slow reader sent {figures['slow_reader_sent']}; "
              f"relay VmRSS {rss_before // 1024} -> {rss_after // 1024} MiB (bound +{RSS_BOUND_MIB} MiB)",
              file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
