"""The signpost in the signed directory, through the real binaries.

`relay directory check` shows, for every group x kind the organisation
defines, who is there for it and which combinations nobody covers (exit 4),
on a draft (cards and signpost file) and on a signed directory.
`reporter-client new` on a terminal asks "Where do you work?" and "What is it
about?" before the list, then lists those there for the answers first with
the reason, then everyone else; any adviser can be chosen, the numbers stay
the directory's, and the answers go nowhere. Piped (a script), it asks
nothing, as before.
"""
import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import (CODE_RE, PARLIAMENT_SIGNPOST, RELAY, REPORTER, Channel, Reporter,  # noqa: E402
                     confirm_code, on_terminal, run)

SIGNPOST = PARLIAMENT_SIGNPOST

GAPS = ["Civil service (civil-service) about Code of conduct for members (conduct)",
        "Staff of group A (group-a) about Code of conduct for members (conduct)",
        "Members (members) about Integrity (integrity)"]


def plain_env():
    env = dict(os.environ)
    for name in ("EDITOR", "VISUAL"):
        env.pop(name, None)  # the message is typed, not edited
    return env


class Signpost(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.channel = Channel(adviser_names=(("Anna de Vries", "internal"), ("Klachtencommissie", "committee"),
                                             ("Bureau Extern", "external")))
        cls.anna, cls.committee, cls.bureau = cls.channel.advisers
        cls.channel.signpost = SIGNPOST
        cls.channel.publish_directory()

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()

    def check(self, *args):
        p = subprocess.run([RELAY, "directory", "check", *args], capture_output=True, timeout=60)
        return p.returncode, p.stdout.decode(), p.stderr.decode()

    def write(self, name, text):
        path = os.path.join(self.channel.root, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def card_args(self):
        return [arg for a in self.channel.advisers for arg in ("--adviser", a.card)]

    def test_check_names_the_gaps_of_a_draft(self):
        rc, out, err = self.check(*self.card_args(), "--signpost", self.write("draft.txt", SIGNPOST))
        self.assertEqual(rc, 4, out + err)
        self.assertIn("Draft directory with 3 advisers (not signed).", out)
        self.assertIn("Signpost: 3 groups x 3 kinds = 9 combinations, 3 not covered.", out)
        self.assertIn("For Civil service (civil-service):\n"
                      "  about Unwanted behaviour (unwanted): Anna de Vries, Bureau Extern\n"
                      "  about Integrity (integrity): Anna de Vries\n"
                      "  about Code of conduct for members (conduct): NOBODY\n", out)
        self.assertIn("For Members (members):\n  about Unwanted behaviour (unwanted): Bureau Extern\n", out)
        self.assertIn("Nobody is there for:\n" + "".join("  " + g + "\n" for g in GAPS), out)
        # A fault in the file: exit 2, named by its line.
        bad = SIGNPOST + "adviser 00000000000000000000000000000000 | * | *\n"
        rc, out, err = self.check(*self.card_args(), "--signpost", self.write("bad.txt", bad))
        self.assertEqual(rc, 2, out + err)
        self.assertIn("signpost file, line 13: no adviser card has id", err)
        # The gaps closed: exit 0.
        closed = SIGNPOST.replace("adviser Klachtencommissie | members               | conduct",
                                  "adviser Klachtencommissie | *                     | conduct integrity")
        rc, out, err = self.check(*self.card_args(), "--signpost", self.write("closed.txt", closed))
        self.assertEqual(rc, 0, out + err)
        self.assertIn("Every combination is covered.", out)
        self.assertNotIn("NOBODY", out)

    def test_check_a_signed_directory(self):
        signed = os.path.join(self.channel.root, f"directory-{self.channel.serial}.signed")
        rc, out, err = self.check("--file", signed, "--org-public", self.channel.org_key + ".pub")
        self.assertEqual(rc, 4, out + err)
        self.assertIn(f"Signed directory serial {self.channel.serial} with 3 advisers.", out)
        self.assertIn("Nobody is there for:\n" + "".join("  " + g + "\n" for g in GAPS), out)
        # Another organisation's key: refused, not a table.
        other = self.write("other.pub", "A" * 43 + "\n")
        rc, out, err = self.check("--file", signed, "--org-public", other)
        self.assertEqual(rc, 2, out + err)
        self.assertNotIn("Signpost:", out)
        # Nothing to check is a usage mistake, not a clean bill.
        rc, out, err = self.check()
        self.assertEqual(rc, 2, out + err)
        self.assertIn("give the draft's --adviser cards", err)

    def test_guided_choice_on_a_terminal(self):
        prompt = r"Number \(Enter = skip\): "
        rc, _, text = on_terminal(
            [REPORTER, "new", "--channel", self.channel.address, *self.channel.kdf_args],
            [(r"Where do you work\?[\s\S]*" + prompt, "9\n"),
             (r"Type one of the numbers above[\s\S]*" + prompt, "1\n"),
             (r"What is it about\?[\s\S]*" + prompt, "1\n"),
             ("Numbers of the advisers to write to", "2\n"),
             ("Type your message", "SIGNPOST-EN report\n.\n"),
             *confirm_code()], plain_env())
        self.assertEqual(rc, 0, text)
        self.assertIn("Your answers stay on this computer", text)
        self.assertIn("  [1] Civil service\n  [2] Staff of group A\n  [3] Members\n", text)
        self.assertIn("  [3] Code of conduct for members\n", text)
        listed = text[text.index("There for this:\n"):]
        # First those there for civil servants about unwanted behaviour, with why; then the rest.
        self.assertIn("There for this:\n"
                      "  [1] Anna de Vries (internal confidential adviser)\n"
                      "      for: Civil service; about: Unwanted behaviour\n", listed)
        self.assertIn("  [3] Bureau Extern (external confidential adviser)\n"
                      "      for: everyone; about: Unwanted behaviour\n", listed)
        self.assertLess(listed.index("[3] Bureau Extern"), listed.index("Everyone else you can write to:\n"))
        self.assertLess(listed.index("Everyone else you can write to:\n"), listed.index("[2] Klachtencommissie"))
        # Anyone can be chosen, by the directory's own number.
        self.assertIn("Your report was sent to: Klachtencommissie", text)
        self.committee.inbox()
        cases = [self.committee.read(c) for c in self.committee.case_ids()]
        received = [c for c in cases if "SIGNPOST-EN report" in c]
        self.assertEqual(len(received), 1, cases)
        # The answers are in no letter.
        for word in ("Civil service", "civil-service", "Unwanted behaviour", "unwanted"):
            self.assertNotIn(word, received[0])
        # The adviser files the case (the reporter's answers never reach it), and stats counts it.
        case = self.committee.only_case("SIGNPOST-EN report")
        out = self.committee._run("file", case, "--group", "members", "--kind", "conduct")[1]
        self.assertIn(f"Case {case} filed under group members, kind conduct", out)
        self.assertIn("filed under group members, kind integrity",
                      self.committee._run("file", case, "--kind", "integrity")[1])
        rc, _, err = self.committee._run("file", case, "--group", "Members!", check=False)
        self.assertEqual(rc, 2, err)
        stats = self.committee._run("stats")[1]
        self.assertIn("By group filed under:\n  members                 <5\n", stats)
        self.assertIn("By kind filed under:\n  integrity               <5\n", stats)
        by_group = json.loads(self.committee._run("stats", "--json")[1])["by_group"]
        self.assertEqual(list(by_group.items())[0], ("members", "<5"))

    def test_dutch_with_a_question_skipped(self):
        rc, _, text = on_terminal(
            [REPORTER, "new", "--channel", self.channel.address, "--lang", "nl", *self.channel.kdf_args],
            [(r"Waar werk je\?[\s\S]*Nummer \(Enter = overslaan\): ", "\n"),
             (r"Waar gaat het over\?[\s\S]*Nummer \(Enter = overslaan\): ", "3\n"),
             ("Nummers van de adviseurs", "2\n"),
             ("Typ je bericht", "SIGNPOST-NL melding\n.\n"),
             ("Druk op Enter", "\n"), ("Bevestig de code: ", lambda printed: CODE_RE.search(printed).group(1) + "\n")],
            plain_env())
        self.assertEqual(rc, 0, text)
        self.assertIn("  [1] Ambtelijke organisatie\n", text)
        listed = text[text.index("Hiervoor:\n"):]
        self.assertTrue(listed.startswith("Hiervoor:\n  [2] Klachtencommissie (klachtencommissie)\n"
                                          "      over: Gedragscode Kamerleden\n"), listed)
        self.assertIn("Alle anderen aan wie je kunt schrijven:\n  [1] Anna de Vries", listed)

    def test_nobody_there_for_the_answers(self):
        rc, _, text = on_terminal(
            [REPORTER, "new", "--channel", self.channel.address, *self.channel.kdf_args],
            [(r"Where do you work\?[\s\S]*Number \(Enter = skip\): ", "3\n"),
             (r"What is it about\?[\s\S]*Number \(Enter = skip\): ", "2\n"),
             ("Numbers of the advisers to write to", "1\n"),
             ("Type your message", "SIGNPOST-GAP report\n.\n"),
             *confirm_code()], plain_env())
        self.assertEqual(rc, 0, text)
        self.assertIn("There for this:\n  Nobody in the list is there for exactly this.", text)
        self.assertIn("Your report was sent to: Anna de Vries", text)

    def test_piped_new_asks_nothing(self):
        # A script (stdin not a terminal) sees the plain list and chooses as before.
        out = Reporter(self.channel).new("SIGNPOST-PIPED report", to=[3])
        self.assertIn("Advisers you can write to:\n  [1] Anna de Vries", out)
        self.assertNotIn("Where do you work?", out)
        self.bureau.inbox()
        self.assertTrue(any("SIGNPOST-PIPED report" in self.bureau.read(c) for c in self.bureau.case_ids()))


if __name__ == "__main__":
    unittest.main()
