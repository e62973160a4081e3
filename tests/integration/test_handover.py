"""Case hand-over through the real binaries: an adviser proposes to hand a
case to another adviser of the directory, and only the reporter decides.

- Nothing reaches the other adviser before the reporter accepts.
- On acceptance the reporter's client sends the conversation (not the
  proposing adviser's private notes) to the new adviser, whose case opens
  with it; the reporter's next messages go to the new adviser only; the
  proposing adviser's case is closed and refuses replies.
- On refusal nothing changes and the other adviser receives nothing.
- The reporter's `check` says who can read the conversation at every step.
"""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import Reporter, SharedChannelTest  # noqa: E402


def who_can_read(check_out):
    return check_out[check_out.index("Who can read this conversation:"):]


class HandoverTest(SharedChannelTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.anna, cls.extern, cls.commissie = cls.advisers

    def propose(self, adviser, case, to, note=None):
        args = ["handover", case, "--to", to, "--channel", self.channel.address]
        if note is not None:
            with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, dir=self.channel.root) as f:
                f.write(note)
            args += ["--file", f.name]
        return adviser._run(*args)

    def test_accepted_handover_moves_the_conversation_with_consent(self):
        ch = self.channel
        r = Reporter(ch)
        r.new("H1 report about intimidation in the print room", to=[1])
        self.anna.inbox()
        case = self.anna.only_case("H1 report")
        self.anna.reply(case, "H1 Anna's first answer")
        self.anna._run("note", case, stdin="H1 PRIVATE note never to travel")

        _, out, _ = self.propose(self.anna, case, "commissie klachten", note="H1 the committee handles formal complaints")
        self.assertIn("proposed to the reporter", out)
        self.assertIn("Nothing is sent to Commissie Klachten unless the reporter accepts", out)
        self.assertIn("waiting for the reporter's answer", self.anna.read(case))

        # Before the reporter answers, the committee has nothing.
        self.commissie.inbox()
        self.assertEqual(self.commissie.cases_with("H1"), [])

        # Seen, not answered yet: nothing changes.
        _, out, _ = r.check()
        self.assertIn("Anna de Vries (internal confidential adviser) proposes to hand your conversation over to "
                      "Commissie Klachten", out)
        self.assertIn("H1 the committee handles formal complaints", out)
        self.assertIn("If you decline: nothing changes", out)
        self.assertIn("Not answered", out)
        self.assertIn("  - receive your next message: Anna de Vries\n", who_can_read(out))

        # Accepted.
        _, out, _ = r.check(answers="yes\n")
        self.assertIn("Accepted. Commissie Klachten (complaints committee) now has the conversation", out)
        self.assertIn("  - receive your next message: Commissie Klachten\n", out[out.index("Accepted."):])

        out = self.commissie.inbox()
        self.assertIn("1 case handed to you with the reporter's consent", out)
        new_case = self.commissie.only_case("H1 report")
        text = self.commissie.read(new_case)
        self.assertIn("Handed to you by Anna de Vries on", text)
        self.assertIn("H1 report about intimidation in the print room", text)
        # Anna's reply carried her signature: verified, and named as hers.
        self.assertIn("Anna de Vries (before the hand-over, as forwarded by the reporter; signature verified) ---\n"
                      "  | H1 Anna's first answer", text)
        self.assertNotIn("NOT VERIFIED", text)
        self.assertNotIn("PRIVATE", text)
        self.assertIn("case received by hand-over", self.commissie._run("history", new_case)[1])

        out = self.anna.inbox()
        self.assertIn("the reporter accepted your hand-over", out)
        text = self.anna.read(case)
        self.assertIn("status: closed", text)
        self.assertIn("Handed over to Commissie Klachten", text)
        rc, _, err = self.anna._run("reply", case, "--channel", ch.address, stdin="too late", check=False)
        self.assertEqual(rc, 2)
        self.assertIn("was handed over to Commissie Klachten", err)
        self.assertIn("Nothing was sent", err)

        # The reporter sees who reads what, and is not asked again.
        _, out, _ = r.check()
        self.assertIn("You accepted the hand-over to Commissie Klachten", out)
        self.assertNotIn("Accept the hand-over", out)
        who = who_can_read(out)
        self.assertIn("  - receive your next message: Commissie Klachten\n", who)
        self.assertIn("  - have earlier messages only, receive nothing new: Anna de Vries\n", who)
        self.assertNotIn("Bureau Extern", who)

        # The next message goes to the committee only, into the handed-over case.
        r.reply("H1 second message, after the hand-over")
        self.commissie.inbox()
        self.assertIn("H1 second message", self.commissie.read(new_case))
        self.assertEqual(len(self.commissie.cases_with("H1")), 1)
        self.anna.inbox()
        self.assertNotIn("H1 second message", self.anna.read(case))
        self.commissie.reply(new_case, "H1 the committee answers")
        _, out, _ = r.check()
        self.assertIn("Commissie Klachten (complaints committee)", out)
        self.assertIn("H1 the committee answers", out)

    def test_declined_handover_changes_nothing(self):
        ch = self.channel
        r = Reporter(ch)
        r.new("H2 report about a manager", to=[1])
        self.anna.inbox()
        case = self.anna.only_case("H2 report")
        self.propose(self.anna, case, "Bureau Extern")

        # Dutch, declined.
        _, out, _ = r.check(answers="nee\n", extra=["--lang", "nl"])
        self.assertIn("stelt voor je gesprek over te dragen aan Bureau Extern", out)
        self.assertIn("Afgewezen.", out)
        self.assertIn("er is niets naar Bureau Extern", out)

        self.extern.inbox()
        self.assertEqual(self.extern.cases_with("H2"), [])
        out = self.anna.inbox()
        self.assertIn("the reporter declined your hand-over", out)
        text = self.anna.read(case)
        self.assertIn("The reporter declined the hand-over to Bureau Extern", text)
        self.assertNotIn("status: closed", text)
        self.anna.reply(case, "H2 Anna stays on the case")

        _, out, _ = r.check()
        self.assertIn("You declined the hand-over to Bureau Extern", out)
        self.assertIn("H2 Anna stays on the case", out)
        self.assertNotIn("Accept the hand-over", out)
        who = who_can_read(out)
        self.assertIn("  - receive your next message: Anna de Vries\n", who)
        self.assertNotIn("earlier messages", who)

        # A new proposal is asked anew; the old "no" does not answer it, and
        # an unclear answer is asked again (then later).
        self.propose(self.anna, case, "Commissie Klachten")
        _, out, err = r.check(answers="maybe\n\n")
        self.assertIn("Please answer yes or no", err)
        self.assertIn("Not answered", out)
        self.anna.inbox()
        self.assertIn("Hand-over to Commissie Klachten proposed", self.anna.read(case))
        self.commissie.inbox()
        self.assertEqual(self.commissie.cases_with("H2"), [])

    def test_answer_counts_after_a_newer_proposal_and_a_case_can_come_back(self):
        ch = self.channel
        r = Reporter(ch)
        r.new("H4 report", to=[1])
        self.anna.inbox()
        case = self.anna.only_case("H4 report")
        self.anna.reply(case, "H4 Anna answers")
        self.propose(self.anna, case, "Commissie Klachten")
        r.check(answers="yes\n")
        # Anna proposes again before her inbox has seen the answer: the answer
        # to the first proposal still counts.
        _, out, _ = self.propose(self.anna, case, "Bureau Extern")
        self.assertIn("stay open until the reporter answers one", out)
        self.assertIn("the reporter accepted your hand-over", self.anna.inbox())
        self.assertIn("Handed over to Commissie Klachten", self.anna.read(case))
        _, out, _ = r.check()
        self.assertNotIn("Accept the hand-over", out)  # Anna no longer reads: her newer proposal is moot
        self.assertIn("  - receive your next message: Commissie Klachten\n", who_can_read(out))

        self.commissie.inbox()
        theirs = self.commissie.only_case("H4 report")
        self.commissie.reply(theirs, "H4 the committee's question")
        r.reply("H4 answer to the committee")
        self.commissie.inbox()

        # The committee hands the case back; Anna's old case reopens with what
        # she missed, once.
        self.propose(self.commissie, theirs, "Anna de Vries")
        _, out, _ = r.check(answers="ja\n")
        self.assertIn("Accepted. Anna de Vries", out)
        self.assertIn("1 case handed to you", self.anna.inbox())
        self.assertEqual(self.anna.only_case("H4 report"), case)
        text = self.anna.read(case)
        self.assertIn("status: in-progress", text)
        self.assertIn("Handed to you by Commissie Klachten", text)
        self.assertIn("Commissie Klachten (before the hand-over, as forwarded by the reporter; signature verified) ---\n"
                      "  | H4 the committee's question", text)
        self.assertIn("H4 answer to the committee", text)
        self.assertEqual(text.count("H4 Anna answers"), 1)
        self.assertEqual(text.count("H4 report"), 1)
        self.anna.reply(case, "H4 Anna again")
        self.assertIn("H4 Anna again", r.check()[1])

    def test_rotation_lets_open_proposals_lapse(self):
        ch = self.channel
        r = Reporter(ch)
        r.new("H5 report", to=[1])
        self.anna.inbox()
        case = self.anna.only_case("H5 report")
        self.propose(self.anna, case, "Bureau Extern")
        self.assertIn("proposes to hand your conversation over", r.check()[1])
        r.rotate()
        self.anna.inbox()
        self.assertNotIn("waiting for the reporter's answer", self.anna.read(case))
        self.assertIn("open hand-over proposals lapsed", self.anna._run("history", case)[1])
        self.assertNotIn("proposes", r.check()[1])

    def test_handover_command_errors(self):
        ch = self.channel
        r = Reporter(ch)
        r.new("H3 report", to=[1])
        self.anna.inbox()
        case = self.anna.only_case("H3 report")
        rc, _, err = self.anna._run("handover", case, "--to", "Nobody Here", "--channel", ch.address, check=False)
        self.assertEqual(rc, 2)
        self.assertIn("no adviser in the directory matches --to Nobody Here", err)
        self.assertIn("Bureau Extern (external)", err)
        rc, _, err = self.anna._run("handover", case, "--to", "Anna de Vries", "--channel", ch.address, check=False)
        self.assertEqual(rc, 2)
        self.assertIn("--to names you", err)
        _, out, _ = r.check()
        self.assertNotIn("proposes", out)


if __name__ == "__main__":
    unittest.main()
