"""Display forgery and forged forwarded replies, through the real binaries.

- A body cannot imitate a conversation header or another sender: a reply
  holding a line that looks exactly like a header of the other adviser, and a
  report holding a fake "you" header, are shown set apart (every body line
  behind "  | ") in the reporter's `check`, the adviser's `read` and the
  adviser's `export --plain`; bidi overrides, zero-width characters and the
  line separator U+2028 are neutralised.
- A hand-over history that carries a reply under the receiving adviser's own
  id (here forged by a colleague with only her own key file, for a reporter
  key she controls) is never shown as the reader's own ("you"): it is marked
  as forwarded and not verified, on screen and in exports.
- Advisers sign their replies (docs/PROTOCOL.md, "meldpunt/v1/reply"): in a
  forged history, a reply signed with the wrong adviser's key and a real
  signature over altered words are NOT VERIFIED, while the words the forger
  really signed verify as hers; a genuine reply forwarded by the stock
  reporter client in a hand-over shows as verified and attributed to its
  adviser.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import BIN, BODY_PREFIX, Channel, Reporter, reporter_public_keys, run  # noqa: E402

FORGE_TOOL = os.path.join(BIN, "forge_tool")
FAKE_HEADER = "--- 2026-12-06 07:00  Bureau Extern (external confidential adviser)  [NEW]"
FAKE_YOU = "--- 2026-12-06 07:00  you ---"
HIDDEN = "\u202e\u200b\u2028\u2066\ufeff"


def header_of(text, marker):
    """The header line of the entry whose body holds `marker`."""
    return ("\n" + text[:text.index(marker)]).rsplit("\n--- ", 1)[1].split("\n", 1)[0]


def lines_starting(text, prefix):
    return [line for line in text.split("\n") if line.startswith(prefix)]


class DisplayForgeryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.channel = Channel()
        cls.anna, cls.extern = cls.channel.advisers

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()

    def assert_set_apart(self, shown, where):
        for fake in (FAKE_HEADER, FAKE_YOU):
            self.assertEqual(lines_starting(shown, fake[:24]), [], f"{where}: a body line passes for a header")
        for ch in HIDDEN:
            self.assertNotIn(ch, shown, f"{where}: U+{ord(ch):04X} reached the output")

    def test_bodies_cannot_pass_for_headers_or_hide_text(self):
        ch = self.channel
        r = Reporter(ch)
        r.new(f"F1 report\n{FAKE_YOU}\nI withdraw everything, says the adviser\nrlo{HIDDEN}end", to=[1])
        self.anna.inbox()
        case = self.anna.only_case("F1 report")
        self.anna.reply(case, f"F1 real answer\n\n{FAKE_HEADER}\nplease send us your full name {HIDDEN}")

        _, out, _ = r.check()
        self.assert_set_apart(out, "reporter check")
        self.assertIn(BODY_PREFIX + FAKE_HEADER[:60], out)
        self.assertIn("\n" + BODY_PREFIX + "please send us your full name", out)
        # The one real header of the reply, and the body beneath it.
        self.assertEqual(len(lines_starting(out, "--- ")), 2, out)

        shown = self.anna.read(case)
        self.assert_set_apart(shown, "adviser read")
        self.assertIn(BODY_PREFIX + FAKE_YOU + "\n" + BODY_PREFIX + "I withdraw everything", shown)
        self.assertIn(BODY_PREFIX + "rlo?????end", shown)

        plain = os.path.join(ch.root, "f1-export.txt")
        self.anna._run("export", case, "--out", plain, "--plain")
        with open(plain, encoding="utf-8") as f:
            exported = f.read()
        self.assert_set_apart(exported, "adviser export --plain")
        self.assertIn(BODY_PREFIX + FAKE_HEADER[:60], exported)

    def test_long_lines_are_broken_behind_the_prefix(self):
        # A terminal wraps a long line into its first column; a body line
        # padded to the terminal's width would put a header there. Bodies are
        # broken before that, every piece behind the prefix.
        ch = self.channel
        r = Reporter(ch)
        r.new("F2 " + "x" * 300 + " " * 40 + FAKE_HEADER, to=[1])
        self.anna.inbox()
        case = self.anna.only_case("F2 ")
        shown = self.anna.read(case)
        body = [line for line in shown.split("\n") if "xxxx" in line or "Bureau Extern" in line]
        self.assertGreater(len(body), 3)
        for line in body:
            self.assertTrue(line.startswith(BODY_PREFIX), line)
            self.assertLessEqual(len(line), len(BODY_PREFIX) + 72, line)
        self.assert_set_apart(shown, "adviser read")


class ForgedForwardedReplyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.channel = Channel()
        cls.anna, cls.extern = cls.channel.advisers
        cls.extern.inbox()  # prekeys at the relay

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()

    def test_fabricated_you_reply_is_not_shown_as_the_readers_own(self):
        ch = self.channel
        # Anna, with only her own key file, plants at Extern a case "handed
        # over with the reporter's consent" holding a reply in Extern's name.
        _, out, _ = run([FORGE_TOOL, "handover", ch.address, os.path.join(self.anna.home, "identity.key"),
                         "Bureau Extern"], stdin=self.anna.passphrase + "\n")
        self.assertIn("deposited", out)
        self.extern.inbox()
        cases = self.extern.cases_with("FORGED-REPORT")
        self.assertEqual(len(cases), 1)
        shown = self.extern.read(cases[0])
        self.assertIn("FORGED-YOU", shown)
        header = shown[:shown.index("FORGED-YOU")].rsplit("\n--- ", 1)[1]
        self.assertNotIn(" you ", header)
        self.assertIn("NOT VERIFIED", header)
        self.assertIn("[Bureau Extern, your own name]", shown)
        self.assertEqual(lines_starting(shown, "--- ") and [h for h in lines_starting(shown, "--- ") if " you " in h],
                         [], shown)

        plain = os.path.join(ch.root, "forged-export.txt")
        self.extern._run("export", cases[0], "--out", plain, "--plain")
        with open(plain, encoding="utf-8") as f:
            exported = f.read()
        self.assertEqual([h for h in lines_starting(exported, "--- ") if " you " in h], [], exported)
        self.assertIn("NOT VERIFIED", exported)

        # The signature of each forwarded reply is checked against the
        # directory key of the adviser it names.
        for text, where in ((shown, "read"), (exported, "export")):
            for marker in ("FORGED-YOU", "FORGED-SIGNED-YOU", "FORGED-ALTERED"):
                self.assertIn("NOT VERIFIED", header_of(text, marker), f"{where}: {marker}")
                self.assertNotIn("signature verified", header_of(text, marker), f"{where}: {marker}")
            genuine = header_of(text, "FORGER-REALLY-SIGNED")
            self.assertIn("Anna de Vries (before the hand-over, as forwarded by the reporter; signature verified)",
                          genuine, where)
            self.assertNotIn("NOT VERIFIED", genuine, where)

    def test_message_key_alone_cannot_sign_a_reply(self):
        # Key-compromise impersonation: with Anna's message key alone, a
        # reply in her name is sealed as hers. Signed with another key it is
        # not shown at all; unsigned it is shown marked as not signed.
        ch = self.channel
        r = Reporter(ch)
        r.new("K1 report", to=[1])
        keys = reporter_public_keys(ch, r.code)
        _, out, _ = run([FORGE_TOOL, "kci-reply", ch.address, os.path.join(self.anna.home, "identity.key"),
                         keys["message_pk"].hex(), keys["fetch_pk"].hex()], stdin=self.anna.passphrase + "\n")
        self.assertIn("deposited", out)
        _, out, err = r.check()
        self.assertNotIn("KCI-BADSIG", out)
        self.assertIn("1 message could not be verified and is not shown", err)
        header = header_of(out, "KCI-UNSIGNED")
        self.assertIn("Anna de Vries (internal confidential adviser)", header)
        self.assertIn("(NOT SIGNED: from an older adviser program, or not from this adviser)", header)
        self.assertIn("\n" + BODY_PREFIX + "KCI-UNSIGNED", out)

    def test_genuine_forwarded_reply_is_verified(self):
        ch = self.channel
        r = Reporter(ch)
        r.new("G1 report for the committee later", to=[1])
        self.anna.inbox()
        case = self.anna.only_case("G1 report")
        self.anna.reply(case, "G1 Anna's signed answer")
        _, out, _ = r.check()
        self.assertIn("G1 Anna's signed answer", out)
        self.assertNotIn("NOT SIGNED", out)
        self.anna._run("handover", case, "--to", "Bureau Extern", "--channel", ch.address)
        _, out, _ = r.check(answers="yes\n")
        self.assertIn("Accepted.", out)
        self.extern.inbox()
        new_case = self.extern.only_case("G1 report")
        shown = self.extern.read(new_case)
        header = header_of(shown, "G1 Anna's signed answer")
        self.assertIn("Anna de Vries (before the hand-over, as forwarded by the reporter; signature verified)", header)
        self.assertNotIn("NOT VERIFIED", header)


if __name__ == "__main__":
    unittest.main(verbosity=2)
