"""Crash consistency: SIGKILL the relay while many clients deposit.

Each round starts CLIENTS deposit_tool processes (each deposits one envelope
after another through client::deposit_all and prints every acknowledged id
with a tag of its envelope), kills the relay with SIGKILL after a random
moment, runs `relay check` on the data folder and restarts the relay. At the
end every acknowledged deposit must be readable by id with its own content,
and present exactly once in the store (mdb_dump of the messages table), and
`relay check` must have passed after every kill.

Bounded: ROUNDS kills (MELDPUNT_CRASH_ROUNDS, default 20), each round under
about two seconds.
"""
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import BIN, Channel, RELAY, run  # noqa: E402

DEPOSIT_TOOL = os.path.join(BIN, "deposit_tool")
ROUNDS = int(os.environ.get("MELDPUNT_CRASH_ROUNDS", "20"))
CLIENTS = 6


def messages_table(data):
    """{id: value} of the relay's messages table (relay stopped or not: mdb_dump reads a snapshot)."""
    out = subprocess.run(["mdb_dump", "-s", "messages", os.path.join(data, "store")],
                         capture_output=True, check=True).stdout.decode()
    lines = [bytes.fromhex(l.strip()) for l in out.splitlines() if l.startswith(" ")]
    return dict(zip(lines[0::2], lines[1::2]))


class CrashConsistencyTest(unittest.TestCase):
    def test_sigkill_during_concurrent_deposits(self):
        # No proof of work and no flood limit: this test is about durability, not cost.
        ch = Channel(adviser_names=(("Anna de Vries", "internal"),),
                     serve_args=["--pow-difficulty", "0", "--rate-per-connection", "0"])
        self.addCleanup(ch.close)
        rng = random.Random(7)
        out_dir = tempfile.mkdtemp(dir=ch.root, prefix="deposits-")
        acknowledged = []  # (id hex, tag hex)
        rounds_with_acks = 0
        started = time.time()
        for rnd in range(ROUNDS):
            procs = []
            for c in range(CLIENTS):
                out = open(os.path.join(out_dir, f"r{rnd}-c{c}.txt"), "wb")
                procs.append((subprocess.Popen([DEPOSIT_TOOL, "deposit", ch.address, "100000"],
                                               stdout=out, stderr=subprocess.DEVNULL), out))
            time.sleep(rng.uniform(0.3, 1.0))
            ch.relay.send_signal(signal.SIGKILL)
            ch.relay.wait(timeout=30)
            self.assertEqual(ch.relay.returncode, -signal.SIGKILL)
            for proc, out in procs:
                # An acknowledgement the relay sent before it died may still be
                # unread; only printed (complete) lines count as acknowledged.
                proc.kill()
                proc.wait(timeout=30)
                out.close()
            before = len(acknowledged)
            for c in range(CLIENTS):
                with open(os.path.join(out_dir, f"r{rnd}-c{c}.txt")) as f:
                    for line in f.read().split("\n")[:-1]:  # a cut last line has no newline
                        id_hex, tag_hex = line.split()
                        acknowledged.append((id_hex, tag_hex))
            rounds_with_acks += len(acknowledged) > before

            code, out, err = run([RELAY, "check", "--data", ch.data], check=False)
            self.assertEqual(code, 0, f"relay check failed after kill {rnd + 1}:\n{out}\n{err}")
            ch.start_relay()

        self.assertGreaterEqual(rounds_with_acks, ROUNDS * 3 // 4, "too few rounds deposited anything")
        self.assertGreater(len(acknowledged), 10 * ROUNDS)

        # Every acknowledged deposit is served by id with its own content...
        _, out, _ = run([DEPOSIT_TOOL, "get", ch.address],
                        stdin="".join(f"{i} {t}\n" for i, t in acknowledged), timeout=300)
        self.assertEqual(out.split(), ["present", str(len(acknowledged)), "missing", "0", "wrong", "0"])

        # ...and is stored exactly once: its tag occurs in one record, the one with its id.
        ch.stop_relay()
        table = messages_table(ch.data)
        envelope_offset = 4 + 32  # expiry day, delete verifier (docs/PROTOCOL.md, Part 4)
        owner = {}
        for key, value in table.items():
            tag = value[envelope_offset + 1:envelope_offset + 33].hex()
            owner.setdefault(tag, []).append(key.hex())
        self.assertEqual(len({i for i, _ in acknowledged}), len(acknowledged), "an id was acknowledged twice")
        for id_hex, tag_hex in acknowledged:
            self.assertEqual(owner.get(tag_hex), [id_hex], "an acknowledged deposit is missing or duplicated")
        # Deposits committed but not acknowledged (killed before the reply) may exist; nothing else.
        self.assertGreaterEqual(len(table), len(acknowledged))
        code, out, err = run([RELAY, "check", "--data", ch.data], check=False)
        self.assertEqual(code, 0, out + err)
        print(f"crash consistency: {ROUNDS} SIGKILLs, {len(acknowledged)} acknowledged deposits all present once, "
              f"{len(table)} stored, {time.time() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
