"""After `rotate`, the old code knows it has moved (issue 15, point 1).

rotate deposits, with the notices to the advisers, a move marker sealed by
and to the old code itself. `check` with the old code then says when the
conversation moved instead of whom the next message would reach; `reply`
(and `rotate`) with it refuse before anything is typed, so no reply
vanishes at the advisers; with attachments the advice to save them comes
before the move, and on a terminal the reporter may stop there.
"""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import REPORTER, Channel, Reporter, on_terminal, run  # noqa: E402


class MovedCode(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.channel = Channel(adviser_names=(("Anna de Vries", "internal"),))
        cls.anna = cls.channel.advisers[0]

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()

    def new_case(self, text):
        before = set(self.anna.case_ids())
        reporter = Reporter(self.channel)
        reporter.new(text, to=[1])
        self.anna.inbox()
        return reporter, (set(self.anna.case_ids()) - before).pop()

    def old_reply(self, reporter, text, lang="en"):
        return run([REPORTER, "reply", "--channel", self.channel.address, "--lang", lang, *self.channel.kdf_args],
                   stdin=reporter.old_code + "\n" + text + "\n.\n", check=False)

    def test_keep_old_check_says_moved_and_reply_refuses(self):
        reporter, case = self.new_case("MOVED-KEEP report")
        self.anna.reply(case, "MOVED-KEEP answer\n")
        reporter.rotate(extra=["--keep-old"])
        _, out, _ = reporter.check(code=reporter.old_code)
        self.assertRegex(out, r"This conversation moved to a new code on \d{4}-\d\d-\d\d")
        self.assertIn("MOVED-KEEP answer", out)  # what the old code held is still shown
        self.assertNotIn("receive your next message", out)
        rc, out, err = self.old_reply(reporter, "MOVED-KEEP lost reply")
        self.assertEqual(rc, 2, out + err)
        self.assertRegex(err, r"This code is no longer in use: the conversation moved to a new code on \d{4}-")
        self.assertNotIn("was sent to", out)
        inbox = self.anna.inbox()
        self.assertNotIn("refused and deleted", inbox)
        self.assertNotIn("MOVED-KEEP lost reply", self.anna.read(case))
        # The new code carries on.
        self.assertIn("was sent to: Anna de Vries", reporter.reply("MOVED-KEEP new reply"))
        self.anna.inbox()
        self.assertIn("MOVED-KEEP new reply", self.anna.read(case))

    def test_old_letters_deleted_the_old_code_still_says_moved_in_dutch(self):
        reporter, _ = self.new_case("MOVED-NL melding")
        reporter.rotate()
        _, out, _ = reporter.check(code=reporter.old_code, extra=["--lang", "nl"])
        self.assertRegex(out, r"Dit gesprek is op \d{4}-\d\d-\d\d.* naar een nieuwe code verhuisd")
        self.assertNotIn("Geen berichten bij deze code", out)
        rc, out, err = self.old_reply(reporter, "MOVED-NL weg", lang="nl")
        self.assertEqual(rc, 2, out + err)
        self.assertIn("Deze code is niet meer in gebruik", err)
        # rotate with the old code refuses too.
        rc, out, err = run([REPORTER, "rotate", "--channel", self.channel.address, *self.channel.kdf_args],
                           stdin=reporter.old_code + "\n", check=False)
        self.assertEqual(rc, 2, out + err)
        self.assertIn("This code is no longer in use", err)

    def test_save_attachments_advice_comes_before_the_move(self):
        reporter, case = self.new_case("MOVED-FILE report")
        folder = tempfile.mkdtemp(prefix="meldpunt-moved-")
        form = os.path.join(folder, "form.pdf")
        with open(form, "wb") as f:
            f.write(os.urandom(5000))
        self.anna._run("reply", case, "--channel", self.channel.address, "--attach", form, "--no-text")
        # On a terminal the reporter may stop to save the files first.
        rc, _, text = on_terminal([REPORTER, "rotate", "--channel", self.channel.address, *self.channel.kdf_args],
                                  [("Your current code: ", reporter.code + "\n"),
                                   ("Move to a new code now\\? \\[y/n\\]", "n\n")])
        self.assertEqual(rc, 2, text)
        self.assertIn("Save the files your\nadvisers sent FIRST, with this (old) code", text)
        self.assertIn("--save FOLDER", text)
        self.assertIn("The conversation was not moved; nothing was sent.", text)
        self.assertNotIn("Your code (shown only this once)", text)
        # Piped: the advice, then the move.
        shown, _ = reporter.rotate()
        self.assertLess(shown.index("Save the files your"), shown.index("Your code (shown only this once)"))
        _, out, _ = reporter.check(code=reporter.old_code)
        self.assertIn("This conversation moved to a new code", out)
        self.assertRegex(out, r"form.pdf \(.*\), intact")


if __name__ == "__main__":
    unittest.main()
