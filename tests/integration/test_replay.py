"""Replays through the real binaries: the relay's operator deposits stored
envelopes again, byte for byte (read from the relay's LMDB, as a copy of its
disk holds them), under new message ids.

- A replayed reply is shown once to the reporter and counted once as new.
- A replayed report is stored once by the adviser, and the reporter's own
  message is shown once.
- A replayed hand-over letter (kind 9) to an adviser who has since handed
  the case on changes nothing: the case stays handed over and closed.
Each is recognised by the letter's delete token (inside the encryption),
not by relay id.
"""
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import BIN, Reporter, SharedChannelTest, run  # noqa: E402

FORGE_TOOL = os.path.join(BIN, "forge_tool")


def stored_envelopes(channel):
    """Every stored message as (clue, delete verifier, envelope), from the relay's LMDB."""
    store = os.path.join(channel.data, "store")

    def table(name):
        out = subprocess.run(["mdb_dump", "-s", name, store], capture_output=True, check=True).stdout.decode()
        rows = [bytes.fromhex(line.strip()) for line in out.splitlines() if line.startswith(" ")]
        return dict(zip(rows[0::2], rows[1::2]))

    messages, clues = table("messages"), table("clues")
    return [(clues[i][:64], v[4:36], v[36:]) for i, v in messages.items() if i in clues]


def redeposit(channel, envelopes):
    lines = "".join(f"{c.hex()} {v.hex()} {e.hex()}\n" for c, v, e in envelopes)
    _, out, _ = run([FORGE_TOOL, "redeposit", channel.address], stdin=lines)
    return out


class ReplayTest(SharedChannelTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.anna, cls.extern, cls.commissie = cls.advisers

    def test_replayed_report_and_reply_are_shown_once(self):
        ch = self.channel
        r = Reporter(ch)
        r.new("RP1 report about the canteen", to=[1])
        # Replayed before the adviser collects it: both copies open.
        self.assertIn("deposited", redeposit(ch, stored_envelopes(ch)))
        err = self.anna._run("inbox", "--channel", ch.address)[2]
        case = self.anna.only_case("RP1 report")
        self.assertEqual(self.anna.read(case).count("RP1 report about the canteen"), 1)
        self.assertIn("replayed by the relay", err)

        self.anna.reply(case, "RP1 the adviser answers")
        redeposit(ch, stored_envelopes(ch))
        redeposit(ch, stored_envelopes(ch))
        _, out, _ = r.check()
        self.assertEqual(out.count("RP1 the adviser answers"), 1, out)
        self.assertEqual(out.count("RP1 report about the canteen"), 1, out)
        self.assertIn("1 new reply since", out)

    def test_replayed_handover_letter_changes_nothing(self):
        ch = self.channel
        r = Reporter(ch)
        r.new("RP2 report about a committee member", to=[1])
        self.anna.inbox()
        case = self.anna.only_case("RP2 report")
        self.anna.reply(case, "RP2 Anna answers")
        self.anna._run("handover", case, "--to", "Bureau Extern", "--channel", ch.address)
        _, out, _ = r.check(answers="yes\n")
        self.assertIn("Accepted.", out)
        kept = stored_envelopes(ch)  # the hand-over letter to Extern among them

        self.assertIn("handed to you", self.extern.inbox())
        new_case = self.extern.only_case("RP2 report")
        self.extern._run("handover", new_case, "--to", "Commissie Klachten", "--channel", ch.address)
        r.check(answers="yes\n")
        self.assertIn("the reporter accepted your hand-over", self.extern.inbox())
        before = self.extern.read(new_case)
        self.assertIn("status: closed", before)
        self.assertIn("Handed over to Commissie Klachten", before)

        redeposit(ch, kept)
        out = self.extern.inbox()
        self.assertNotIn("handed to you", out)
        after = self.extern.read(new_case)
        self.assertIn("status: closed", after)
        self.assertIn("Handed over to Commissie Klachten", after)
        self.assertEqual(after.count("RP2 Anna answers"), 1)
        self.assertEqual(self.extern._run("history", new_case)[1].count("case received by hand-over"), 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
