"""A hand-over never silently leaves files behind (issue 15, point 4).

Histories carry text only. On a terminal, the reporter's hand-over question
names every file that will not go along (name and size): the reporter's own
attachment and the adviser's. The new adviser reads each message with a note
of every file it had, "(file not transferred: rooster.txt, 1.2 KiB)", outside
the body (a body cannot imitate it: body lines are set apart), on screen and
in exports; a Dutch reporter is asked in Dutch. After a move to a new code
(`rotate`), the new code's history notes the files the old code kept: its
`check` names them, and a hand-over from the new code still does.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import BODY_PREFIX, REPORTER, Channel, Reporter, on_terminal  # noqa: E402


class HandoverFilesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.channel = Channel(adviser_names=(("Anna de Vries", "internal"), ("Commissie Klachten", "committee")))
        cls.anna, cls.commissie = cls.channel.advisers
        cls.files = os.path.join(cls.channel.root, "files")
        os.makedirs(cls.files)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()

    def make_file(self, name, size):
        path = os.path.join(self.files, name)
        with open(path, "wb") as f:
            f.write(os.urandom(size))
        return path

    def start(self, marker, reporter_file, adviser_file):
        ch = self.channel
        r = Reporter(ch)
        r.new(f"{marker} Zie het rooster.", to=[1], extra=["--attach", self.make_file(reporter_file, 1250)])
        self.anna.inbox()
        case = self.anna.only_case(marker)
        self.anna._run("reply", case, "--channel", ch.address, "--attach", self.make_file(adviser_file, 20000),
                       stdin=f"{marker} Hier is het formulier.\n")
        self.anna._run("handover", case, "--to", "Commissie Klachten", "--channel", ch.address)
        return r

    def test_question_and_transferred_conversation_name_the_files(self):
        ch = self.channel
        r = self.start("HF1", "rooster.txt", "formulier.pdf")
        rc, _, text = on_terminal([REPORTER, "check", "--channel", ch.address, *ch.kdf_args],
                                  [("Your code: ", r.code + "\n"), (r"Accept the hand-over to .*\]: ", "yes\n")])
        self.assertEqual(rc, 0, text)
        question = text[text.index("proposes that Commissie Klachten (complaints committee) takes over"):text.index("Accept the hand-over")]
        self.assertIn("Files do not go along: Commissie Klachten (complaints committee) would see only the name and "
                      "size of these, not the files:\n    rooster.txt (1.2 KiB)\n    formulier.pdf (19.5 KiB)\n", question)
        self.assertIn("Accepted.", text)

        self.commissie.inbox()
        case = self.commissie.only_case("HF1")
        shown = self.commissie.read(case)
        self.assertIn(BODY_PREFIX + "HF1 Zie het rooster.\n(file not transferred: rooster.txt, 1.2 KiB)\n", shown)
        self.assertIn(BODY_PREFIX + "HF1 Hier is het formulier.\n(file not transferred: formulier.pdf, 19.5 KiB)\n",
                      shown)
        plain = os.path.join(ch.root, "hf1-export.txt")
        self.commissie._run("export", case, "--out", plain, "--plain")
        with open(plain, encoding="utf-8") as f:
            exported = f.read()
        self.assertIn("(file not transferred: rooster.txt, 1.2 KiB)", exported)
        self.assertIn("(file not transferred: formulier.pdf, 19.5 KiB)", exported)

    def test_files_named_after_a_move_to_a_new_code_in_dutch(self):
        # The files stay with the old code; the new code's history notes
        # them, so its check shows them and a hand-over from it names them.
        ch = self.channel
        r = Reporter(ch)
        r.new("HF2 Zie het rooster.", to=[1], extra=["--attach", self.make_file("lijst.txt", 1250)])
        self.anna.inbox()
        case = self.anna.only_case("HF2")
        self.anna._run("reply", case, "--channel", ch.address, "--attach", self.make_file("brief.pdf", 20000),
                       stdin="HF2 Hier is het formulier.\n")
        r.rotate()
        _, out, _ = r.check()
        self.assertIn(BODY_PREFIX + "HF2 Zie het rooster.\n(file not carried over to this code: lijst.txt, 1.2 KiB)\n",
                      out)
        self.assertIn("(file not carried over to this code: brief.pdf, 19.5 KiB)\n", out)
        self.anna.inbox()  # the move
        self.anna._run("handover", case, "--to", "Commissie Klachten", "--channel", ch.address)
        _, out, _ = r.check(answers="ja\n", extra=["--lang", "nl"])
        self.assertIn("Bestanden gaan niet mee: Commissie Klachten (klachtencommissie) zou hiervan alleen naam en "
                      "grootte zien, niet de bestanden:\n    lijst.txt (1.2 KiB)\n    brief.pdf (19.5 KiB)\n", out)
        self.assertIn("Aangenomen.", out)
        self.commissie.inbox()
        new_case = self.commissie.only_case("HF2")
        shown = self.commissie.read(new_case)
        self.assertIn(BODY_PREFIX + "HF2 Zie het rooster.\n(file not transferred: lijst.txt, 1.2 KiB)\n", shown)
        self.assertIn(BODY_PREFIX + "HF2 Hier is het formulier.\n(file not transferred: brief.pdf, 19.5 KiB)\n", shown)
        # Signed for the old code: verified, and said to be written to it.
        self.assertIn("Anna de Vries; written to an earlier code (before the hand-over, as forwarded by the reporter; "
                      "signature verified)", shown)


if __name__ == "__main__":
    unittest.main(verbosity=2)
