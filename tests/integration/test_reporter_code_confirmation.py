"""Typing a new code back, on a terminal (issue 15, point 7): the prompt says
that the message is sent only after the confirmation and that the code itself
is never sent; the code is wiped from the screen and the scrollback before it
is typed back (after the reporter pressed Enter to say it is written down),
in English and in Dutch, for `new` and for `rotate`.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import CODE_RE, REPORTER, SCREEN_CLEAR, Channel, Reporter, confirm_code, on_terminal  # noqa: E402


def plain_env():
    env = dict(os.environ)
    for name in ("EDITOR", "VISUAL"):
        env.pop(name, None)  # the message is typed, not edited
    return env


class CodeConfirmation(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.channel = Channel(adviser_names=(("Anna de Vries", "internal"),))
        cls.anna = cls.channel.advisers[0]

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()

    def new_on_terminal(self, lang, written_down, confirm, text):
        return on_terminal(
            [REPORTER, "new", "--channel", self.channel.address, "--to", "1", "--lang", lang, *self.channel.kdf_args],
            [("Type your message|Typ je bericht", text + "\n.\n"),
             (written_down, "\n"),
             (confirm, lambda printed: CODE_RE.search(printed).group(1) + "\n")], plain_env())

    def assert_cleared_before_prompt(self, raw, code, prompt):
        shown = raw.index(code.encode())
        cleared = raw.index(SCREEN_CLEAR, shown)
        asked = raw.index(prompt.encode(), cleared)
        self.assertLess(shown, cleared)
        self.assertLess(cleared, asked)
        # Typed back with echo off: the code is on the screen once, before the clear.
        self.assertEqual(raw.count(code.encode()), 1)

    def test_english(self):
        rc, raw, text = self.new_on_terminal("en", "press Enter", "Confirm the code: ", "CONFIRM-EN report")
        self.assertEqual(rc, 0, text)
        code = CODE_RE.search(text).group(1)
        self.assertIn("When you have written the code down, press Enter. The screen is then cleared", text)
        self.assertIn("Only after that is your message sent, to: Anna de Vries", text)
        self.assertIn("The code itself is never sent to anyone.", text)
        self.assertNotIn("this sends it to", text)
        self.assert_cleared_before_prompt(raw, code, "Type your code to confirm")
        self.assertIn("Your report was sent to: Anna de Vries", text)
        self.anna.inbox()
        # Any case: cases opened in the same minute are listed in no set order.
        self.assertTrue(any("CONFIRM-EN report" in self.anna.read(c) for c in self.anna.case_ids()))

    def test_dutch(self):
        rc, raw, text = self.new_on_terminal("nl", "Druk op Enter", "Bevestig de code: ", "CONFIRM-NL melding")
        self.assertEqual(rc, 0, text)
        code = CODE_RE.search(text).group(1)
        self.assertIn("Het scherm wordt dan gewist", text)
        self.assertIn("Pas daarna wordt je bericht verstuurd, naar: Anna de Vries", text)
        self.assertIn("De code zelf wordt nooit naar iemand gestuurd.", text)
        self.assertNotIn("daarmee gaat het naar", text)
        self.assert_cleared_before_prompt(raw, code, "Typ je code over")

    def test_rotate_clears_the_new_code_too(self):
        reporter = Reporter(self.channel)
        reporter.new("CONFIRM-ROTATE report", to=[1])
        old = reporter.code
        rc, raw, text = on_terminal(
            [REPORTER, "rotate", "--channel", self.channel.address, *self.channel.kdf_args],
            [("Your current code: ", old + "\n"), *confirm_code()], plain_env())
        self.assertEqual(rc, 0, text)
        new = CODE_RE.search(text).group(1)
        self.assertNotEqual(new, old)
        self.assertIn("Only after that does the conversation move to it", text)
        self.assertIn("The code itself is never sent to anyone.", text)
        self.assert_cleared_before_prompt(raw, new, "Type your new code to confirm")

    def test_no_enter_sends_nothing(self):
        # End of input at "press Enter": nothing is sent, and it says so.
        rc, raw, text = on_terminal(
            [REPORTER, "new", "--channel", self.channel.address, "--to", "1", *self.channel.kdf_args],
            [("Type your message", "CONFIRM-ABORT report\n.\n"), ("press Enter", "\x04")], plain_env())
        self.assertNotEqual(rc, 0, text)
        self.assertIn("nothing was sent", text)
        self.anna.inbox()
        for case in self.anna.case_ids():
            self.assertNotIn("CONFIRM-ABORT", self.anna.read(case))


if __name__ == "__main__":
    unittest.main()
