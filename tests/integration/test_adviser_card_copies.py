"""Adviser cards survive the ways people pass them on (issue 15, point 3):
`adviser-client card > anna.card` is a file `relay directory sign --adviser`
accepts; a card wrapped by an e-mail program or a narrow terminal, indented,
or with Windows line ends signs the same directory; a stray character is
named by its position, never echoed.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import ADVISER, ORG_PASSPHRASE, RELAY, Channel, run  # noqa: E402


class AdviserCardCopies(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.channel = Channel(adviser_names=(("Anna de Vries", "internal"),))
        cls.anna = cls.channel.advisers[0]

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()

    def sign(self, card_argument, check=True):
        out = os.path.join(self.channel.root, "directory-test.signed")
        return run([RELAY, "directory", "sign", "--org-key", self.channel.org_key, "--serial", "9",
                    "--out", out, "--adviser", card_argument], stdin=ORG_PASSPHRASE + "\n", check=check)

    def card_file(self, name, content):
        path = os.path.join(self.channel.root, name)
        with open(path, "w", newline="") as f:
            f.write(content)
        return path

    def test_documented_redirect_is_accepted(self):
        # The footer of `adviser-client card --help` says exactly this.
        printed = run([ADVISER, "card", "--home", self.anna.home])[1]
        self.assertEqual(printed, self.anna.card + "\n", "the card is printed as one clean line")
        self.assertNotIn("?", printed)
        rc, out, err = self.sign(self.card_file("anna.card", printed))
        self.assertEqual(rc, 0, err)
        self.assertIn("Anna de Vries", out)

    def test_wrapped_indented_and_crlf_cards_are_accepted(self):
        card = self.anna.card
        wrapped_mail = "\r\n".join(card[i:i + 72] for i in range(0, len(card), 72)) + "\r\n"
        terminal = "  " + "\n  ".join(card[i:i + 50] for i in range(0, len(card), 50)) + "\n\n"
        nbsp = card[:30] + "\u00a0" + card[30:]
        for name, text in (("mail.card", wrapped_mail), ("terminal.card", terminal), ("nbsp.card", nbsp)):
            with self.subTest(name):
                rc, out, err = self.sign(self.card_file(name, text))
                self.assertEqual(rc, 0, err)
                self.assertIn("Anna de Vries", out)
        # Pasted on the command line with its line breaks (quoted).
        rc, _, err = self.sign(card[:40] + "\n" + card[40:])
        self.assertEqual(rc, 0, err)

    def test_a_stray_character_is_named_by_position_not_echoed(self):
        card = self.anna.card
        bad = card[:100] + "\u201d" + card[100:]  # a typographic quote from a word processor
        rc, _, err = self.sign(self.card_file("quote.card", bad), check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("position 101", err)
        self.assertNotIn("\u201d", err)
        self.assertIn("non-ASCII", err)
        # On a later line: line and column too.
        lines = card[:60] + "\n" + card[60:80] + "\x1b" + card[80:]
        rc, _, err = self.sign(self.card_file("escape.card", lines), check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("line 2, column 21", err)
        self.assertNotIn("\x1b", err)


if __name__ == "__main__":
    unittest.main()
