"""`cases` filters (issue 16, point 4) through the real binaries: --new,
--status, --overdue and --due-within narrow the table and combine (AND);
no match says so; a wrong --status is a usage error (exit 1); --help says
how the list is sorted.
"""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import SharedChannelTest, Reporter  # noqa: E402

DAY = 86400


class CaseFilters(SharedChannelTest):
    ADVISERS = (("Anna de Vries", "internal"),)

    def test_filters_narrow_the_case_table(self):
        anna = self.advisers[0]
        Reporter(self.channel).new("FILTER report")
        anna.inbox()
        case = anna.only_case("FILTER report")  # read: no longer unread
        Reporter(self.channel).new("FILTER unread report")
        anna.inbox()
        now = int(time.time())

        def listed(*args, at=now):
            return anna._run("cases", *args, now=at)[1]

        everything = listed()
        self.assertIn(case, everything)
        unread = listed("--new")
        self.assertNotIn(case, unread)
        self.assertEqual(unread.count("NEW ("), 1)
        self.assertIn(case, listed("--status", "new"))
        self.assertIn("No case matches (2 in all)", listed("--status", "closed"))
        self.assertIn("No case matches", listed("--overdue"))
        self.assertIn(case, listed("--due-within", "7"))
        self.assertIn("No case matches", listed("--due-within", "5"))
        later = listed("--overdue", at=now + 8 * DAY)
        self.assertIn(case, later)
        self.assertIn("No case matches", listed("--overdue", "--status", "closed", at=now + 8 * DAY))
        self.assertEqual(listed("--overdue", "--new", at=now + 8 * DAY).count("NEW ("), 1)

        rc, _, err = anna._run("cases", "--status", "open", check=False)
        self.assertEqual(rc, 1)
        self.assertIn("--status", err)
        _, help_text, _ = anna._run("cases", "--help")
        self.assertIn("by due date", help_text)
        self.assertNotIn("most recent activity first\n", help_text.split("Options")[0])


if __name__ == "__main__":
    unittest.main()
