"""`adviser-client shell` (issue 16, point 2) through the real binaries on a
pseudo-terminal: the passphrase is asked once and cases, read, inbox and
reply then run without it; Tab completes a case id; Ctrl-C cancels a line
and a running command without ending the shell; after the idle time given
with --idle-seconds the shell locks, says so, and the next command asks for
the passphrase again; nothing of the session (history) is written to HOME.
"""
import os
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import ADVISER, SharedChannelTest, Reporter, on_terminal  # noqa: E402

PROMPT = r"adviser> "


class Shell(SharedChannelTest):
    ADVISERS = (("Anna de Vries", "internal"),)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.anna = cls.advisers[0]
        Reporter(cls.channel).new("SHELL report about the canteen")
        cls.anna.inbox()
        cls.case = cls.anna.case_ids()[0]
        cls.home_env = tempfile.mkdtemp(prefix="meldpunt-shell-home-")

    def shell(self, answers, *extra, env_extra=None):
        env = dict(os.environ, HOME=self.home_env, **(env_extra or {}))
        return on_terminal([ADVISER, "shell", "--home", self.anna.home, *extra], answers, env=env)

    def test_one_unlock_for_many_commands(self):
        reply_file = os.path.join(self.channel.root, "shell-reply.txt")
        with open(reply_file, "w") as f:
            f.write("SHELL answer from the adviser\n")
        pw = self.anna.passphrase + "\n"
        rc, _, text = self.shell([
            ("Passphrase: ", pw),
            (PROMPT, "cas\t\n"),  # completes to `cases`
            (PROMPT, "read " + self.case[:3] + "\t\n"),  # 3 characters are too few for `read`: completion needed
            (PROMPT, "inbox\n"),
            (PROMPT, f"reply {self.case} --no-acknowledge --file {reply_file}\n"),
            (PROMPT, "nosuchcommand\n"),
            (PROMPT, "exit\n"),
        ])
        self.assertEqual(rc, 0, text)
        self.assertEqual(text.count("Passphrase:"), 1, text)
        self.assertIn("CASE        STATUS", text.partition(PROMPT + "read")[0])  # `cas<Tab>` ran `cases`
        self.assertIn("Case " + self.case + "   status:", text)  # `read` had the whole id
        self.assertIn("SHELL report about the canteen", text)
        self.assertIn("Reply sent in case " + self.case, text)
        after = text.partition("Reply sent")[2]
        self.assertIn("nosuchcommand", after)  # a usage error, the shell goes on
        self.assertIn(PROMPT + "exit", after)
        self.assertIn("SHELL answer from the adviser", self.anna.read(self.case))
        # History in memory only: nothing was written to HOME, and no file of the
        # adviser's home holds a typed command line.
        self.assertEqual(os.listdir(self.home_env), [])
        for folder, _, files in os.walk(self.anna.home):
            for name in files:
                with open(os.path.join(folder, name), "rb") as f:
                    self.assertNotIn(b"nosuchcommand", f.read(), name)

    def test_idle_lock_asks_again(self):
        pw = self.anna.passphrase + "\n"
        rc, _, text = self.shell([
            ("Passphrase: ", pw),
            ("Locked after 2 seconds without use", "cases\n"),
            ("Passphrase: ", pw),
            (PROMPT, "exit\n"),
        ], "--idle-seconds", "2")
        self.assertEqual(rc, 0, text)
        self.assertEqual(text.count("Passphrase:"), 2, text)
        self.assertIn("key is wiped from memory", text)
        self.assertIn(self.case, text.split("Locked after")[1])  # `cases` ran after unlocking again

    def test_idle_lock_ends_a_command_waiting_on_the_person(self):
        """The idle time counts while a command runs: `note` waiting in an
        editor nobody types in is ended when it passes, its draft wiped from
        the scratch folder, the shell locked; the next command asks again."""
        editor = os.path.join(self.channel.root, "idle-editor")
        with open(editor, "w") as f:
            f.write('#!/bin/sh\nprintf "IDLE DRAFT" > "$1"\nexec sleep 120\n')
        os.chmod(editor, 0o700)
        scratch = tempfile.mkdtemp(prefix="meldpunt-shell-runtime-")
        pw = self.anna.passphrase + "\n"
        started = time.time()
        rc, _, text = self.shell([
            ("Passphrase: ", pw),
            (PROMPT, f"note {self.case}\n"),
            ("waited for you past the idle time", ""),
            (r"adviser \(locked\)> ", "cases\n"),
            ("Passphrase: ", pw),
            (PROMPT, "exit\n"),
        ], "--idle-seconds", "3", env_extra={"EDITOR": editor, "VISUAL": editor, "XDG_RUNTIME_DIR": scratch})
        self.assertEqual(rc, 0, text)
        self.assertLess(time.time() - started, 60, text)  # well before the editor's 120 s
        self.assertIn("Locked after 3 seconds without use", text)
        self.assertEqual(text.count("Passphrase:"), 2, text)
        self.assertIn(self.case, text.split("waited for you")[1])  # `cases` ran after unlocking again
        self.assertEqual(os.listdir(scratch), [], "the draft was left behind")
        self.assertNotIn("IDLE DRAFT", self.anna._run("notes", self.case)[1])  # nothing was saved
        self.assertEqual(os.listdir(self.home_env), [])  # no history file

    def test_lock_and_wrong_passphrase(self):
        pw = self.anna.passphrase + "\n"
        rc, _, text = self.shell([
            ("Passphrase: ", pw),
            (PROMPT, "help\n"),
            (PROMPT, "help read\n"),
            (PROMPT, "lock\n"),
            (r"adviser \(locked\)> ", "cases\n"),
            ("Passphrase: ", "not the passphrase\n"),
            ("Passphrase: ", pw),
            (PROMPT, "exit\n"),
        ])
        self.assertEqual(rc, 0, text)
        self.assertIn("wrong passphrase", text)
        self.assertIn("lock              wipe the key from memory now", text)  # the shell's words
        self.assertIn("watch", text.partition("help read")[0])  # and the program's commands
        self.assertIn("at least 4 characters", text.partition("help read")[2])  # `read --help`
        self.assertIn(self.case, text.split("wrong passphrase")[1])

    def test_ctrl_c_cancels_line_and_command(self):
        editor = os.path.join(self.channel.root, "slow-editor")
        with open(editor, "w") as f:
            f.write("#!/bin/sh\nexec sleep 60\n")
        os.chmod(editor, 0o700)
        pw = self.anna.passphrase + "\n"
        rc, _, text = self.shell([
            ("Passphrase: ", pw),
            (PROMPT, "read half typed"),
            ("half typed", "\x03"),
            (PROMPT, f"reply {self.case} --no-acknowledge\n"),  # opens the (slow) editor
            ("reply " + self.case, lambda _: (__import__("time").sleep(1), "\x03")[1]),
            ("Cancelled", ""),
            (PROMPT, "cases\n"),
            (PROMPT, "exit\n"),
        ], env_extra={"EDITOR": editor, "VISUAL": editor})
        self.assertEqual(rc, 0, text)
        self.assertEqual(text.count("Passphrase:"), 1, text)
        self.assertIn(self.case, text.split("Cancelled")[1])

    def test_passphrase_change_asks_the_old_one_then_locks(self):
        """`passphrase` never runs on the held key (whoever sits at an unlocked
        shell must still know the old passphrase); afterwards the held key no
        longer opens the key file, so the shell locks and asks for the new one."""
        old = self.anna.passphrase
        new = "a new passphrase for the shell test"
        rc, _, text = self.shell([
            ("Passphrase: ", old + "\n"),
            (PROMPT, "passphrase --insecure-test-kdf\n"),
            ("Passphrase: ", old + "\n"),
            ("New passphrase", new + "\n"),
            ("Repeat the passphrase: ", new + "\n"),
            ("Passphrase changed", ""),
            ("locked", "cases\n"),
            ("Passphrase: ", new + "\n"),
            (PROMPT, "passphrase --insecure-test-kdf\n"),  # and back, for the other tests
            ("Passphrase: ", new + "\n"),
            ("New passphrase", old + "\n"),
            ("Repeat the passphrase: ", old + "\n"),
            ("Passphrase changed", ""),
            ("locked", "exit\n"),
        ])
        self.assertEqual(rc, 0, text)
        self.assertIn(self.case, text.split("no longer opens with the passphrase")[1])

    def test_needs_a_terminal(self):
        from harness import run
        rc, _, err = run([ADVISER, "shell", "--home", self.anna.home], stdin=self.anna.passphrase + "\n", check=False)
        self.assertEqual(rc, 1)
        self.assertIn("needs a terminal", err)


if __name__ == "__main__":
    unittest.main()
