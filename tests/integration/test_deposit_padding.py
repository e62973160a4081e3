"""Padded deposits through the real binaries: what the relay stores for one
reporter deposit (how many envelopes, of which size classes) is the same
whether the report goes to one adviser or to three, the same for a reply to
one or to three and for moving either conversation to a new code, and the
same for accepting or declining a hand-over. The
relay's LMDB is dumped (mdb_dump) before and after each deposit; a stored
value is expiry day (4) || delete verifier (32) || envelope, so its length
gives the envelope's size class. The chosen advisers still get the report,
the others nothing, and the reporter's check still lists it.
"""
import collections
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import Reporter, SharedChannelTest  # noqa: E402

VALUE_PREFIX = 4 + 32


def stored(channel):
    """{message id: stored value} of the relay's messages table."""
    out = subprocess.run(["mdb_dump", "-s", "messages", os.path.join(channel.data, "store")],
                         capture_output=True, check=True).stdout.decode()
    lines = [bytes.fromhex(l.strip()) for l in out.splitlines() if l.startswith(" ")]
    return dict(zip(lines[0::2], lines[1::2]))


def deposited(channel, action):
    """Runs `action`; returns {envelope size: count} of what it stored."""
    before = stored(channel)
    action()
    after = stored(channel)
    added = [v for k, v in after.items() if k not in before]
    return collections.Counter(len(v) - VALUE_PREFIX for v in added)


class DepositPaddingTest(SharedChannelTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.anna, cls.extern, cls.commissie = cls.advisers

    def test_reports_and_replies_to_one_or_three_advisers_look_alike(self):
        ch = self.channel
        one, three = Reporter(ch), Reporter(ch)
        # The same text length for both, so only the choice differs.
        to_one = deposited(ch, lambda: one.new("P1 the archive keys go missing" + " ." * 600, to=[1]))
        to_three = deposited(ch, lambda: three.new("P3 the archive keys go missing" + " ." * 600, to=[1, 2, 3]))
        self.assertEqual(to_one, to_three)
        # n = 3 letters to advisers (real or decoy) and the sent copy, one class.
        self.assertEqual(sum(to_one.values()), 4)
        self.assertEqual(len(to_one), 1)

        # The chosen advisers get the report; the others nothing.
        for a in ch.advisers:
            a.inbox()
        self.anna.only_case("P1 the archive")
        for a in ch.advisers:
            a.only_case("P3 the archive")
        for a in (self.extern, self.commissie):
            self.assertFalse(a.cases_with("P1 the archive"))
        self.assertIn("P1 the archive keys", one.check()[1])
        self.assertIn("P3 the archive keys", three.check()[1])

        # Replies (continuations) to one and to three readers: the same again.
        reply_one = deposited(ch, lambda: one.reply("P1 a follow-up" + " ." * 40))
        reply_three = deposited(ch, lambda: three.reply("P3 a follow-up" + " ." * 40))
        self.assertEqual(reply_one, reply_three)
        self.assertEqual(sum(reply_one.values()), 4)
        self.anna.inbox()
        self.assertIn("P1 a follow-up", self.anna.read(self.anna.only_case("P1 the archive")))

        # Moving to a new code: n notices (real or decoy), the history and the
        # move marker, whether one adviser reads or three.
        rotate_one = deposited(ch, lambda: one.rotate())
        rotate_three = deposited(ch, lambda: three.rotate())
        self.assertEqual(rotate_one, rotate_three)
        self.assertEqual(sum(rotate_one.values()), 5)
        self.assertIn("P1 a follow-up", one.check()[1])

    def test_reports_with_files_to_one_or_three_advisers_look_alike(self):
        # Every piece is sealed once, to the file's own key: the pieces are
        # as many for one reader as for three, and the letters that carry
        # the file keys keep one class with their decoys.
        ch = self.channel
        folder = tempfile.mkdtemp(prefix="meldpunt-padding-files-")
        paths = []
        for name, size in (("minutes.pdf", 300_000), ("photo.jpg", 1000)):
            path = os.path.join(folder, name)
            with open(path, "wb") as f:
                f.write(os.urandom(size))
            paths.append(path)
        attach = [arg for p in paths for arg in ("--attach", p)]
        one, three = Reporter(ch), Reporter(ch)
        to_one = deposited(ch, lambda: one.new("F1 files about the budget" + " ." * 300, to=[1], extra=attach))
        to_three = deposited(ch, lambda: three.new("F3 files about the budget" + " ." * 300, to=[1, 2, 3],
                                                   extra=attach))
        self.assertEqual(to_one, to_three)
        # 2 + 1 pieces, once each (256 KiB), n = 3 letters and the sent copy.
        self.assertEqual(to_one[262144], 3)
        self.assertEqual(sum(to_one.values()), 3 + 4)

        # Every chosen adviser assembles both files from the same pieces.
        for a in ch.advisers:
            a.inbox()
        for a in ch.advisers:
            case = a.only_case("F3 files about")
            text = a.read(case)
            self.assertIn("from the reporter: minutes.pdf", text)
            self.assertEqual(text.count(", intact"), 2, text)
        anna_case = self.anna.only_case("F1 files about")
        self.assertEqual(self.anna.read(anna_case).count(", intact"), 2)
        for a in (self.extern, self.commissie):
            self.assertFalse(a.cases_with("F1 files"))
        out = one.check()[1]
        self.assertIn("you sent minutes.pdf", out)
        self.assertIn("you sent photo.jpg", out)

    def test_accepting_and_declining_a_handover_look_alike(self):
        ch = self.channel
        answers = []
        for word, marker in (("yes", "H-yes"), ("no", "H-no")):
            r = Reporter(ch)
            # A long report, so the history accepting passes on is of a
            # larger class than the answer.
            r.new(f"{marker} report about the print room " + "x" * 6000, to=[1])
            self.anna.inbox()
            case = self.anna.only_case(f"{marker} report")
            self.anna._run("handover", case, "--to", "Commissie Klachten", "--channel", ch.address)
            out = []
            answers.append(deposited(ch, lambda: out.append(r.check(answers=word + "\n")[1])))
            self.assertIn("accepted" if word == "yes" else "declined", out[0].lower())
        self.assertEqual(answers[0], answers[1])
        self.assertEqual(sum(answers[0].values()), 3)
        self.assertIn(32768, answers[0])  # the history's class, also when declining
        self.commissie.inbox()
        self.commissie.only_case("H-yes report")
        self.assertFalse(self.commissie.cases_with("H-no report"))


if __name__ == "__main__":
    unittest.main()
