"""The adviser's cases at scale (issue 16, point 4) through the real binaries:
a private label per case (set, shown by `cases` and `read`, cleared; never
in the store's bytes in the clear), a first-line preview that a reporter's
escape sequences cannot turn into terminal control, `search` across cases'
labels, messages and notes that writes nothing, a reply to a new case that
acknowledges it when asked (terminal question, --acknowledge,
--no-acknowledge, and from a pipe: not, said so), and a case id whose form
is wrong refused before the passphrase is asked.
"""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import ADVISER, SharedChannelTest, Reporter, on_terminal, run  # noqa: E402


def folder_bytes(folder):
    """Every file under folder: its path and its bytes."""
    found = {}
    for root, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            with open(path, "rb") as f:
                found[path] = f.read()
    return found


def case_row(table, case):
    lines = table.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(case):
            return line, (lines[i + 1] if i + 1 < len(lines) else "")
    raise AssertionError(f"case {case} not in:\n{table}")


class Workbench(SharedChannelTest):
    ADVISERS = (("Anna de Vries", "internal"),)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.anna = cls.advisers[0]
        Reporter(cls.channel).new("WB-LABEL report about the canteen")
        Reporter(cls.channel).new("\x1b[2J\x1b]0;PWNED\x07WB-ESCAPE \x1b[31mred\x1b[0m \u202eevil line\nsecond line")
        Reporter(cls.channel).new("WB-SEARCH the Parking Garage on level two\nmore text")
        cls.anna.inbox()
        ids = cls.anna.case_ids()
        cls.case = {}
        for c in ids:
            row, preview = case_row(cls.anna._run("cases")[1], c)
            for marker in ("WB-LABEL", "WB-ESCAPE", "WB-SEARCH"):
                if marker in preview:
                    cls.case[marker] = c

    def test_label_set_shown_cleared_and_sealed(self):
        anna, c = self.anna, self.case["WB-LABEL"]
        out = anna._run("label", c, "Kantine zaak, call back Tuesday")[1]
        self.assertIn("labelled", out)
        _, preview = case_row(anna._run("cases")[1], c)
        self.assertIn("[Kantine zaak, call back Tuesday]", preview)
        self.assertIn("Label: [Kantine zaak, call back Tuesday]", anna.read(c))
        for path, data in folder_bytes(anna.home).items():
            self.assertNotIn(b"Kantine zaak", data, path)
        anna._run("label", c, "Replaced label")
        self.assertIn("[Replaced label]", anna._run("cases")[1])
        self.assertNotIn("Kantine", anna._run("cases")[1])
        # A control character or an over-long label is refused; the label stays.
        rc, _, err = anna._run("label", c, "bad\x1b[31m", check=False)
        self.assertEqual(rc, 2, err)
        self.assertIn("control", err)
        rc, _, err = anna._run("label", c, "x" * 121, check=False)
        self.assertEqual(rc, 2, err)
        self.assertIn("120", err)
        self.assertIn("[Replaced label]", anna._run("cases")[1])
        self.assertIn("removed", anna._run("label", c, "--clear")[1])
        self.assertNotIn("Replaced label", anna._run("cases")[1])
        self.assertNotIn("Label:", anna.read(c))
        self.assertIn("had no label", anna._run("label", c, "--clear")[1])
        rc, _, err = anna._run("label", c, check=False)
        self.assertEqual(rc, 1, err)

    def test_label_and_search_text_asked_for_when_left_out(self):
        """Left off the command line, the text of `label` and `search` is asked
        for (so it never shows in the process list or shell history): on a
        terminal after the passphrase, from a pipe as the line after it."""
        anna, c = self.anna, self.case["WB-LABEL"]
        rc, _, text = on_terminal([ADVISER, "label", c, "--home", anna.home], [
            ("Passphrase: ", anna.passphrase + "\n"),
            ("Label for case " + c, "Asked label, room 12\n"),
        ])
        self.assertEqual(rc, 0, text)
        self.assertIn("[Asked label, room 12]", text)
        self.assertIn("[Asked label, room 12]", anna._run("cases")[1])
        out = anna._run("label", c, stdin="Piped label\n")[1]
        self.assertIn("relabelled [Piped label]", out)
        rc, _, text = on_terminal([ADVISER, "search", "--home", anna.home], [
            ("Passphrase: ", anna.passphrase + "\n"),
            ("Search for", "piped LABEL\n"),
        ])
        self.assertEqual(rc, 0, text)
        self.assertIn("  label:\n    Piped label", text)
        self.assertIn("  label:\n    Piped label", anna._run("search", stdin="Piped\n")[1])
        rc, _, err = anna._run("search", stdin="bad\x01line\n", check=False)
        self.assertEqual(rc, 2, err)
        rc, _, err = anna._run("search", check=False)  # nothing after the passphrase
        self.assertEqual(rc, 1, err)
        self.assertIn("nothing given", err)
        # The argv form still works for scripts; --help says why to leave it out.
        self.assertIn("Piped label", anna._run("search", "piped", "label")[1])
        for command in ("label", "search"):
            help_text = run([ADVISER, command, "--help"])[1]
            self.assertIn("process list", help_text, command)
        anna._run("label", c, "--clear")

    def test_preview_is_first_line_made_safe(self):
        anna, c = self.anna, self.case["WB-ESCAPE"]
        table = anna._run("cases")[1]
        self.assertNotIn("\x1b", table)
        self.assertNotIn("\x07", table)
        self.assertNotIn("\u202e", table)
        _, preview = case_row(table, c)
        self.assertIn('"?[2J?]0;PWNED?WB-ESCAPE ?[31mred?[0m ?evil line"', preview)
        self.assertNotIn("second line", table)
        _, preview = case_row(table, self.case["WB-SEARCH"])
        self.assertIn('"WB-SEARCH the Parking Garage on level two"', preview)
        # Cut to the width of the terminal ($COLUMNS when stdout is not one).
        narrow = run([ADVISER, "cases", "--home", anna.home], stdin=anna.passphrase + "\n",
                     env=dict(os.environ, COLUMNS="40"))[1]
        _, preview = case_row(narrow, self.case["WB-SEARCH"])
        self.assertLessEqual(len(preview), 40, preview)
        self.assertIn("\u2026", preview)

    def test_search_across_cases_writes_nothing(self):
        anna = self.anna
        anna._run("label", self.case["WB-ESCAPE"], "garage witness")
        anna._run("note", self.case["WB-LABEL"], stdin="Spoke to facilities about the GARAGE camera.\n")
        before = folder_bytes(anna.home)
        out = anna._run("search", "garage")[1]
        self.assertIn(f"Case {self.case['WB-SEARCH']}", out)
        self.assertIn("message 1 (reporter", out)
        self.assertIn("WB-SEARCH the Parking Garage on level two", out)
        self.assertIn(f"Case {self.case['WB-ESCAPE']}", out)
        self.assertIn("  label:\n    garage witness", out)
        self.assertIn(f"Case {self.case['WB-LABEL']}", out)
        self.assertIn("note 1", out)
        self.assertIn("Found in 3 of 3 cases", out)
        self.assertNotIn("\x1b", anna._run("search", "PWNED")[1])
        self.assertIn("Nothing found in 3 cases", anna._run("search", "no-such-words")[1])
        after = folder_bytes(anna.home)
        self.assertEqual(sorted(before), sorted(after), "search created or removed files")
        for path, data in after.items():
            for plain in (b"garage", b"GARAGE", b"Garage", b"no-such-words", b"facilities", b"PWNED"):
                self.assertNotIn(plain, data, path)
        rc, _, err = anna._run("search", "a\tb", check=False)
        self.assertEqual(rc, 2, err)

    def test_mistyped_case_id_refused_before_the_passphrase(self):
        home = self.anna.home
        for bad in ("3fa", "zz12ab", "0123456789abcdef0123456789abcdef0", "12 34"):
            for command in (["read", bad], ["note", bad], ["label", bad, "x"], ["status", bad, "closed"],
                            ["reply", bad, "--channel", self.channel.address]):
                rc, _, text = on_terminal([ADVISER, *command, "--home", home], [])
                self.assertEqual(rc, 1, (command, text))
                self.assertIn("hex characters", text)
                self.assertNotIn("Passphrase", text, command)
        # A well-formed id that names no case is only known after the unlock.
        rc, _, text = on_terminal([ADVISER, "read", "abcd", "--home", home],
                                  [("Passphrase: ", self.anna.passphrase + "\n")])
        self.assertEqual(rc, 2, text)
        self.assertIn("no case abcd", text)


class ReplyAcknowledges(SharedChannelTest):
    ADVISERS = (("Bram Jansen", "internal"),)

    def new_case(self, marker):
        bram = self.advisers[0]
        Reporter(self.channel).new(marker)
        bram.inbox()
        return bram.only_case(marker)

    def status_of(self, case):
        row, _ = case_row(self.advisers[0]._run("cases")[1], case)
        return row.split()[1]

    def test_on_a_terminal_the_adviser_is_asked(self):
        bram = self.advisers[0]
        answer = os.path.join(self.channel.root, "answer.txt")
        with open(answer, "w") as f:
            f.write("Thank you, I will look into it.\n")
        for marker, typed, expected in (("ACK-YES report", "y", "acknowledged"), ("ACK-NO report", "n", "new")):
            case = self.new_case(marker)
            rc, _, text = on_terminal(
                [ADVISER, "reply", case, "--file", answer, "--channel", self.channel.address, "--home", bram.home],
                [("Passphrase: ", bram.passphrase + "\n"), (r"still new.*\[y/n\] ", typed + "\n")])
            self.assertEqual(rc, 0, text)
            self.assertEqual(self.status_of(case), expected, text)
            if expected == "acknowledged":
                self.assertIn("acknowledged with this reply", text)
                self.assertIn("acknowledgement sent", bram._run("history", case)[1])
            else:
                self.assertIn("stays new", text)
        # A case no longer new is not asked about.
        case = bram.only_case("ACK-YES report")
        rc, _, text = on_terminal(
            [ADVISER, "reply", case, "--file", answer, "--channel", self.channel.address, "--home", bram.home],
            [("Passphrase: ", bram.passphrase + "\n")])
        self.assertEqual(rc, 0, text)
        self.assertNotIn("[y/n]", text)

    def test_flags_and_pipe(self):
        bram = self.advisers[0]
        case = self.new_case("ACK-PIPE report")
        out = bram.reply(case, "Reply from a script.\n")[1]
        self.assertIn("stays new (not acknowledged)", out)
        self.assertEqual(self.status_of(case), "new")
        out = bram._run("reply", case, "--no-acknowledge", stdin="Second reply.\n")[1]
        self.assertIn("stays new", out)
        self.assertEqual(self.status_of(case), "new")
        out = bram._run("reply", case, "--acknowledge", stdin="Third reply.\n")[1]
        self.assertIn("acknowledged with this reply", out)
        self.assertEqual(self.status_of(case), "acknowledged")
        out = bram._run("reply", case, "--acknowledge", stdin="Fourth reply.\n")[1]
        self.assertNotIn("acknowledged with this reply", out)
        rc, _, err = bram._run("reply", case, "--acknowledge", "--no-acknowledge", stdin="x\n", check=False)
        self.assertEqual(rc, 1, err)


if __name__ == "__main__":
    unittest.main()
