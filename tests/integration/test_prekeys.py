"""Prekeys under a client that drains them (issue 13, outcome 4), through the
real binaries: without a medium-term prekey nobody can write to an adviser
and `relay status` says so; a client that drains every one-time prekey with
raw get-prekeys calls leaves reports sealed to the signed medium-term prekey,
and the stock reporter-client says so plainly while the adviser still reads
the report; the medium-term prekey rotates on schedule and, once nothing can
still be sealed to it, its secret leaves the key file, after which a
replayed report no longer opens. Time moves through the relay's
--test-days-ahead and adviser-client's MELDPUNT_TEST_NOW.
"""
import json
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import BIN, RELAY, REPORTER, Channel, Reporter, run  # noqa: E402

DEPOSIT_TOOL = os.path.join(BIN, "deposit_tool")
SECRET_KEYS = os.path.join(BIN, "secret_keys")
LOW_POW = ["--pow-difficulty", "8"]
DAY = 86400


def status(channel, json_output=False):
    out = run([RELAY, "status", "--data", channel.data] + (["--json"] if json_output else []))[1]
    return json.loads(out) if json_output else out


def medium_secrets(adviser):
    out = run([SECRET_KEYS, "adviser", os.path.join(adviser.home, "identity.key")], stdin=adviser.passphrase + "\n")[1]
    return [line.split()[1] for line in out.splitlines() if line.startswith("medium_sk ")]


def stored_triples(channel):
    """(clue, verifier, envelope) of every stored message, read from the relay's
    LMDB as anyone with a copy of its data could."""
    store = os.path.join(channel.data, "store")

    def table(name):
        out = subprocess.run(["mdb_dump", "-s", name, store], capture_output=True, check=True).stdout.decode()
        lines = [line.strip() for line in out.splitlines() if line.startswith(" ")]
        return {bytes.fromhex(k): bytes.fromhex(v) for k, v in zip(lines[0::2], lines[1::2])}

    messages, clues = table("messages"), table("clues")
    return [(clues[i][:64], m[4:36], m[36:]) for i, m in messages.items()]


def replay(channel, triples):
    lines = "".join(f"{c.hex()} {v.hex()} {e.hex()}\n" for c, v, e in triples)
    out = run([DEPOSIT_TOOL, "replay", channel.address], stdin=lines)[1]
    return int(out.split()[1])


class PrekeysTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # No inbox run yet: the advisers have not published a medium-term prekey.
        cls.ch = Channel(serve_args=LOW_POW, first_inbox=False)
        cls.anna, cls.extern = cls.ch.advisers
        cls.start = time.time()

    @classmethod
    def tearDownClass(cls):
        cls.ch.close()

    def restart_relay(self, days_ahead):
        self.ch.stop_relay()
        self.ch.serve_args = LOW_POW + ["--test-days-ahead", str(days_ahead)]
        self.ch.start_relay()

    def test_1_no_medium_term_prekey_no_report_and_status_warns(self):
        text = status(self.ch)
        self.assertEqual(text.count("no medium-term prekey at the relay"), 2, text)
        js = status(self.ch, json_output=True)
        self.assertTrue(all(a["medium_warning"] and a["medium_days_left"] is None for a in js["prekeys"]["advisers"]))
        # The stock reporter-client refuses rather than seal to the long-term key alone.
        reporter = Reporter(self.ch)
        with self.assertRaises(AssertionError) as refused:
            reporter.new("A report nobody can read yet.")
        self.assertIn("reporter new failed (2)", str(refused.exception))
        self.assertIn("Nothing was sent: the relay has no current signed key for Anna de Vries, Bureau Extern",
                      str(refused.exception))
        self.assertEqual(len(stored_triples(self.ch)), 0)

        # Dutch too.
        reporter = Reporter(self.ch)
        with self.assertRaises(AssertionError) as refused_nl:
            reporter.new("Een melding.", extra=["--lang", "nl"])
        self.assertIn("Er is niets verstuurd", str(refused_nl.exception))

        # Each adviser's first inbox publishes one; the warning goes.
        self.anna.inbox()
        self.extern.inbox()
        self.assertNotIn("no medium-term prekey", status(self.ch))
        js = status(self.ch, json_output=True)
        for a in js["prekeys"]["advisers"]:
            self.assertEqual(a["medium_days_left"], 14)
            self.assertFalse(a["medium_warning"])
            self.assertFalse(a["low"])
        self.assertEqual(len(medium_secrets(self.anna)), 1)

    def test_2_drained_one_time_prekeys_report_still_forward_secret_and_said(self):
        # 51 raw get-prekeys calls on one connection take both advisers' 50.
        out = run([DEPOSIT_TOOL, "get-prekeys", self.ch.address, "51"])[1].split()
        self.assertEqual(out, ["calls", "51", "one_time", "100", "medium", "2"])
        js = status(self.ch, json_output=True)
        self.assertTrue(all(a["left"] == 0 and a["low"] and not a["medium_warning"]
                            for a in js["prekeys"]["advisers"]))
        self.assertIn("LOW", status(self.ch))

        reporter = Reporter(self.ch)
        shown = reporter.new("The cash box is short every Friday.")
        self.assertIn("the relay had no one-time key left for Anna de Vries, Bureau Extern", shown)
        self.assertIn("medium-term key", shown)
        self.__class__.report = stored_triples(self.ch)
        self.assertEqual(len(self.report), 3)  # one per adviser and the reporter's own copy

        # Dutch: the same notice in Dutch.
        dutch = Reporter(self.ch)
        shown_nl = dutch.new("Tweede melding.", to=[1], extra=["--lang", "nl"])
        self.assertIn("geen eenmalige sleutel meer voor Anna de Vries", shown_nl)

        # The adviser reads both (sealed to the medium-term prekey alone).
        out = self.anna.inbox()
        self.assertIn("2 new messages", out)
        cases = self.anna.case_ids()
        self.assertEqual(len(cases), 2)
        texts = "".join(self.anna.read(c) for c in cases)
        self.assertIn("The cash box is short every Friday.", texts)
        self.assertIn("Tweede melding.", texts)
        # ...and topped the pool up again.
        js = status(self.ch, json_output=True)
        self.assertEqual(js["prekeys"]["advisers"][0]["left"], 50)

    def test_3_rotation_erasure_and_a_replay_that_no_longer_opens(self):
        first = medium_secrets(self.anna)
        self.assertEqual(len(first), 1)

        # A week and a day later: fewer than 7 days left, so a new one; the old
        # one stays (reports sealed to it may still be on their way).
        self.restart_relay(8)
        self.anna.inbox(now=self.start + 8 * DAY)
        after_rotation = medium_secrets(self.anna)
        self.assertEqual(len(after_rotation), 2)
        self.assertEqual(after_rotation[0], first[0])
        js = status(self.ch, json_output=True)
        levels = {a["name"]: a for a in js["prekeys"]["advisers"]}
        self.assertEqual(levels["Anna de Vries"]["medium_days_left"], 14)
        self.assertEqual(levels["Bureau Extern"]["medium_days_left"], 6)

        # Bureau Extern has not opened the inbox: two days before expiry the relay warns.
        self.restart_relay(12)
        text = status(self.ch)
        self.assertIn("medium-term prekey expires in 2 day(s)", text)
        self.assertEqual(text.count("medium-term prekey expires"), 1, text)
        self.assertTrue(status(self.ch, json_output=True)["warnings"])

        # Past the first one's cut-off day (expiry 14 + 2): an inbox run that
        # stored everything erases its secret from the key file.
        self.restart_relay(17)
        out = self.anna.inbox(now=self.start + 17 * DAY)
        self.assertRegex(out, r"\b1 medium-term key erased|[2-9] medium-term keys erased")
        remaining = medium_secrets(self.anna)
        self.assertNotIn(first[0], remaining)
        self.assertIn(after_rotation[1], remaining)
        self.assertIn("medium-term prekey has expired", status(self.ch))  # Bureau Extern's

        # Someone with a copy of the relay's data replays the report: with the
        # key file alone it no longer opens.
        self.assertEqual(replay(self.ch, self.report), 3)
        rc, out, err = run([os.path.join(BIN, "adviser-client"), "inbox", "--channel", self.ch.address,
                            "--home", self.anna.home], stdin=self.anna.passphrase + "\n",
                           env=dict(os.environ, MELDPUNT_TEST_NOW=str(int(self.start + 17 * DAY))))
        self.assertIn("0 new messages", out)
        self.assertIn("1 message addressed to you could not be opened", err)


if __name__ == "__main__":
    unittest.main()
