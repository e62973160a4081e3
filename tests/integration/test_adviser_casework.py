"""The adviser's case work through the real binaries: statuses and their
history, legal deadlines (with the clock moved through MELDPUNT_TEST_NOW),
the acknowledgement in one command, settings, private notes, exports and
evaluation counts.
"""
import json
import os
import re
import stat
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import ADVISER, Channel, Reporter, run  # noqa: E402

DAY = 24 * 3600
T0 = 1_700_000_000  # 2023-11-14 22:13:20 UTC
EXPORT_PASSPHRASE = "export passphrase 42"


def utc_day(t):
    # The program prints local dates; the tests run the program with TZ=UTC.
    import time
    return time.strftime("%Y-%m-%d", time.gmtime(t))


class CaseworkTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        os.environ["TZ"] = "UTC"
        cls.channel = Channel(adviser_names=(("Anna de Vries", "internal"),))
        cls.adviser = cls.channel.advisers[0]

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()

    def a(self, *args, now=None, stdin="", check=True):
        return self.adviser._run(*args, now=now, stdin=stdin, check=check)

    def case_of(self, marker):
        for case in self.adviser.case_ids():
            if marker in self.a("read", case)[1]:
                return case
        self.fail(f"no case containing {marker!r}")

    def line_of(self, table, case):
        lines = [l for l in table.splitlines() if l.startswith(case)]
        self.assertEqual(len(lines), 1, table)
        return lines[0]

    def test_casework(self):
        ch = self.channel
        reporters = [Reporter(ch) for _ in range(5)]
        reporters[0].new("R1 first report about the warehouse")
        self.a("inbox", "--channel", ch.address, now=T0)
        for i, r in enumerate(reporters[1:], start=2):
            r.new(f"R{i} report")
        self.a("inbox", "--channel", ch.address, now=T0 + 3 * DAY)
        c = [self.case_of("R1 first report")] + [self.case_of(f"R{i} report") for i in range(2, 6)]

        # Deadlines: acknowledge within 7 days of the first message; overdue marked and listed first.
        table = self.a("cases", now=T0 + 8 * DAY)[1]
        self.assertIn(f"acknowledge by {utc_day(T0 + 7 * DAY)} OVERDUE", self.line_of(table, c[0]))
        self.assertIn(f"acknowledge by {utc_day(T0 + 10 * DAY)}", self.line_of(table, c[1]))
        self.assertNotIn("OVERDUE", self.line_of(table, c[1]))
        rows = [l.split()[0] for l in table.splitlines()[1:]]
        self.assertEqual(rows[0], c[0], table)
        self.assertIn("due: acknowledge by", self.a("read", c[0], now=T0 + 8 * DAY)[1])

        # One command: the acknowledgement goes to the reporter and the status follows.
        for i, days in ((2, 4), (3, 5), (4, 6), (1, 8)):
            out = self.a("acknowledge", c[i], "--channel", ch.address, now=T0 + days * DAY)[1]
            self.assertIn("status acknowledged", out)
        self.assertIn("Thank you for your report", reporters[1].check()[1])
        self.assertIn("Dank je wel voor je melding", reporters[1].check()[1])
        rc, _, err = self.a("acknowledge", c[1], "--channel", ch.address, check=False)
        self.assertEqual(rc, 2)
        self.assertIn("already", err.replace("was acknowledged", "already"))
        table = self.a("cases", now=T0 + 9 * DAY)[1]
        self.assertIn(f"feedback by {utc_day(T0 + 8 * DAY + 92 * DAY)}", self.line_of(table, c[1]))  # Nov 22 + 3 months = Feb 22
        self.assertEqual(table.splitlines()[1].split()[0], c[0], table)  # still overdue, still first

        # Status moves forward only; reopen restarts the feedback clock; every change in the history.
        self.a("status", c[0], "in-progress", now=T0 + 9 * DAY)
        rc, _, err = self.a("status", c[0], "acknowledged", check=False)
        self.assertEqual(rc, 2)
        self.assertIn("forward only", err)
        self.a("status", c[0], "closed", now=T0 + 20 * DAY)
        self.assertIn(" - ", " " + self.line_of(self.a("cases", now=T0 + 20 * DAY)[1], c[0]) + " ")
        rc, _, err = self.a("status", c[0], "closed", check=False)
        self.assertEqual(rc, 2)
        rc, _, err = self.a("status", c[1], "reopen", check=False)
        self.assertEqual(rc, 2)
        self.assertIn("only a closed case", err)
        rc, _, _ = self.a("status", c[0], "done", check=False)
        self.assertEqual(rc, 2)
        out = self.a("status", c[0], "reopen", now=T0 + 100 * DAY)[1]
        self.assertIn("closed -> in-progress", out)
        self.assertIn(f"feedback by {utc_day(T0 + 100 * DAY + 90 * DAY)}", out)  # Feb 22 2024 + 3 months = May 22
        history = self.a("history", c[0])[1]
        events = re.findall(r"^(\d{4}-\d\d-\d\d) \d\d:\d\d  (.*)$", history, re.M)
        self.assertEqual(events, [
            (utc_day(T0), "case opened (first message received)"),
            (utc_day(T0 + 9 * DAY), "status new -> in-progress"),
            (utc_day(T0 + 20 * DAY), "status in-progress -> closed"),
            (utc_day(T0 + 100 * DAY), "status closed -> in-progress"),
        ], history)

        # Settings: stricter only, stored in the encrypted store, used at once.
        self.a("settings", "--ack-days", "3", "--feedback-months", "1")
        self.assertIn("3 days", self.a("settings")[1])
        table = self.a("cases", now=T0 + 9 * DAY)[1]
        self.assertIn(f"feedback by {utc_day(T0 + 4 * DAY + 30 * DAY)}", self.line_of(table, c[2]))  # Nov 18 -> Dec 18
        for bad in (["--ack-days", "8"], ["--feedback-months", "4"], ["--ack-days", "0"]):
            rc, _, err = self.a("settings", *bad, check=False)
            self.assertEqual(rc, 2, bad)
            self.assertIn("only be stricter", err)
        self.a("settings", "--ack-days", "7", "--feedback-months", "3")

        # Private notes: stored encrypted here, never sent, shown apart from the conversation.
        note = "NOTE-7781 called the works council; keep the name out of it."
        self.a("note", c[0], stdin=note + "\n", now=T0 + 101 * DAY)
        read = self.a("read", c[0])[1]
        conversation, _, notes_part = read.partition("=== Your private notes")
        self.assertIn("R1 first report", conversation)
        self.assertNotIn("NOTE-7781", conversation)
        self.assertIn("NOTE-7781", notes_part)
        self.assertIn("NOTE-7781", self.a("notes", c[0])[1])
        self.assertIn("private note added", self.a("history", c[0])[1])
        rc, _, err = self.a("note", c[0], stdin="  \n", check=False)
        self.assertEqual(rc, 2)
        self.assertIn("empty", err)
        self.assertNotIn("NOTE-7781", reporters[0].check()[1])
        for record in ch.relay_dump():
            self.assertNotIn(b"NOTE-7781", record)
        for root, _, files in os.walk(self.adviser.home):
            for name in files:
                with open(os.path.join(root, name), "rb") as f:
                    self.assertNotIn(b"NOTE-7781", f.read(), name)

        # Export: encrypted by default (mode 0600), plain only on request, never overwriting.
        sealed = os.path.join(ch.root, "case.mpx")
        self.a("export", c[0], "--out", sealed, "--insecure-test-kdf",
               stdin=f"{EXPORT_PASSPHRASE}\n{EXPORT_PASSPHRASE}\n")
        self.assertEqual(stat.S_IMODE(os.stat(sealed).st_mode), 0o600)
        with open(sealed, "rb") as f:
            raw = f.read()
        for secret in (b"R1 first report", b"NOTE-7781", b"status"):
            self.assertNotIn(secret, raw)
        _, shown, _ = run([ADVISER, "export-open", sealed], stdin=EXPORT_PASSPHRASE + "\n")
        for part in ("R1 first report", "NOTE-7781", "status closed -> in-progress", "=== History ===",
                     "=== Conversation ===", "=== Private notes"):
            self.assertIn(part, shown)
        rc, _, err = run([ADVISER, "export-open", sealed], stdin="wrong passphrase!!\n", check=False)
        self.assertEqual(rc, 2)
        self.assertIn("wrong passphrase", err)
        rc, _, err = self.a("export", c[0], "--out", sealed, "--plain", check=False)
        self.assertEqual(rc, 2)
        self.assertIn("already exists", err)
        rc, _, err = self.a("export", c[0], "--out", os.path.join(ch.root, "x.mpx"), "--insecure-test-kdf",
                            stdin=f"{EXPORT_PASSPHRASE}\nsomething else\n", check=False)
        self.assertEqual(rc, 2)
        self.assertFalse(os.path.exists(os.path.join(ch.root, "x.mpx")))
        plain = os.path.join(ch.root, "case.txt")
        self.assertIn("PLAIN TEXT", self.a("export", c[0], "--out", plain, "--plain")[1])
        self.assertEqual(stat.S_IMODE(os.stat(plain).st_mode), 0o600)
        with open(plain) as f:
            text = f.read()
        self.assertIn("R1 first report", text)
        self.assertIn("NOTE-7781", text)
        self.assertIn("case exported", self.a("history", c[0])[1])

        # Evaluation counts: no content, small counts hidden, median only over 5 acknowledged cases.
        stats = json.loads(self.a("stats", "--json")[1])
        self.assertEqual(stats["role"], "internal")
        self.assertEqual(stats["cases"], 5)
        self.assertEqual(stats["by_month"], {"2023-11": 5})
        self.assertEqual(stats["by_status"], {"new": "<5", "acknowledged": "<5", "in-progress": "<5", "closed": "<5"})
        # Delays 24 h (c[2]), 48 h, 72 h, 120 h (c[1]) and 216 h (c[0], in-progress at once): the median is 72 h.
        self.assertEqual(stats["median_hours_to_acknowledgement"], 72.0)
        text = self.a("stats")[1]
        self.assertIn("72.0 hours", text)
        for marker in ("R1", "NOTE", c[0]):
            self.assertNotIn(marker, text)


if __name__ == "__main__":
    unittest.main()
