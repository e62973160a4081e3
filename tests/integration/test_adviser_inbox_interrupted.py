"""An inbox run stopped at any moment loses no message and stores none twice.

The adviser's inbox stores every letter of a run in one commit, and deletes
them at the relay only afterwards (adviser-client/src/inbox.hpp). Here the
real adviser-client is stopped again and again, by SIGKILL (a crash, a power
cut) and by SIGINT (Ctrl-C), each time a little later into its run, until a
run ends by itself; whatever each stopped run left behind (nothing stored,
stored but not deleted, deleted in part), the next one completes it. Then
every message is in its case exactly once, three reporters make three
cases, and a further run finds nothing new and nothing left to delete.

Bounded: at most 14 runs of a few seconds each, on loopback.
"""
import os
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import ADVISER, Channel, Reporter  # noqa: E402


class InterruptedInboxTest(unittest.TestCase):
    def setUp(self):
        self.ch = Channel(adviser_names=(("Anna de Vries", "internal"),), serve_args=["--pow-difficulty", "0"])

    def tearDown(self):
        self.ch.close()

    def test_stopped_runs_lose_nothing_and_store_nothing_twice(self):
        anna = self.ch.advisers[0]
        reporters = [Reporter(self.ch) for _ in range(3)]
        texts = []
        for i, r in enumerate(reporters):
            texts.append(f"IR report {i} about the meeting room")
            r.new(texts[-1])
        for j in range(6):
            texts.append(f"IR follow-up {j} with more detail")
            reporters[j % 3].reply(texts[-1])

        args = [ADVISER, "inbox", "--channel", self.ch.address, "--home", anna.home]
        stopped = 0
        for attempt in range(14):
            proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            proc.stdin.write((anna.passphrase + "\n").encode())
            proc.stdin.close()
            time.sleep(0.05 + 0.15 * attempt)
            if proc.poll() is not None:
                self.assertEqual(proc.returncode, 0, "an inbox run that was not stopped failed")
                break
            proc.send_signal(signal.SIGKILL if attempt % 2 == 0 else signal.SIGINT)
            proc.wait(timeout=60)
            stopped += 1
        self.assertGreater(stopped, 0, "no run was stopped: the test proved nothing")

        anna.inbox()  # completes whatever the last stopped run left
        cases = anna.case_ids()
        self.assertEqual(len(cases), 3, "one case per reporter")
        conversations = "".join(anna.read(c) for c in cases)
        for text in texts:
            self.assertEqual(conversations.count(text), 1, f"{text!r} lost or stored twice")
        _, out, err = anna._run("inbox", "--channel", self.ch.address)
        self.assertIn("0 new messages", out)
        self.assertNotIn("could not be deleted", err)


if __name__ == "__main__":
    unittest.main()
