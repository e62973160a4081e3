"""The reporter's experience, through the real binaries: code handling,
channel choice, both languages, progress and fast failure, new replies,
terminal safety, the editor in RAM, and moving a conversation to a new code.
"""
import os
import re
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import Channel, Reporter, run, on_terminal, REPORTER, DERIVE_KEYS, CODE_RE, TIMEOUT, confirm_code  # noqa: E402


def env_with(**kw):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LC_") and k != "LANG"}
    env.update(kw)
    return env


def new_marks(out):
    """Entries of a check transcript marked new."""
    return [line for line in out.splitlines() if line.startswith("--- ") and line.endswith("[NEW]")]


def typo_in_group(code, group):
    """The code with one symbol of `group` (1-based) changed."""
    i = (group - 1) * 5 + 1
    return code[:i] + ("X" if code[i] != "X" else "Y") + code[i + 1:]


class ReporterExperienceTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.channel = Channel()
        cls.a1, cls.a2 = cls.channel.advisers

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()

    def new_process(self, *extra, env=None):
        args = [REPORTER, "new", "--channel", self.channel.address, *self.channel.kdf_args, *extra]
        # Unbuffered: communicate() reads the raw pipe after read_until_code.
        return subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                bufsize=0)

    def read_until_code(self, proc):
        shown = b""
        deadline = time.time() + TIMEOUT
        while not CODE_RE.search(shown.decode(errors="replace")):
            line = proc.stdout.readline()
            self.assertTrue(line and time.time() < deadline, "no code shown: " + shown.decode())
            shown += line
        return shown.decode(), CODE_RE.search(shown.decode()).group(1)

    def case_with(self, adviser, marker):
        for case in adviser.case_ids():
            if marker in adviser.read(case):
                return case
        self.fail(f"{adviser.name} has no case with {marker!r}")

    # ---- code handling ----

    def test_code_is_shown_once_with_advice_and_a_typo_is_located(self):
        proc = self.new_process("--to", "1")
        proc.stdin.write(b"CODE-HANDLING report\n.\n")
        proc.stdin.flush()
        shown, code = self.read_until_code(proc)
        # First a typo in group 4, then the right code.
        out, err = proc.communicate((typo_in_group(code, 4) + "\n" + code + "\n").encode(), timeout=TIMEOUT)
        out, err = out.decode(), err.decode()
        self.assertEqual(proc.returncode, 0, err)
        everything = shown + out
        self.assertEqual(everything.count(code), 1, "the code is shown exactly once")
        self.assertNotIn(code, err)
        self.assertIn("shown only this once", everything)
        self.assertIn("Write it down", everything)
        self.assertIn("nobody can recover it", everything)
        self.assertIn("not the relay's administrator", everything)
        self.assertIn("group 4", err)
        self.assertIn("Type your code to confirm", err)
        self.assertIn("Your report was sent to: Anna de Vries", out)
        self.a1.inbox()
        self.case_with(self.a1, "CODE-HANDLING report")

    def test_a_code_not_typed_back_sends_nothing(self):
        before = len(self.a2.case_ids()) if self.a2.case_ids() else 0
        proc = self.new_process("--to", "2")
        proc.stdin.write(b"NEVER-SENT report\n.\n")
        proc.stdin.flush()
        _, code = self.read_until_code(proc)
        other = run([DERIVE_KEYS, "generate"])[1].strip()
        out, err = proc.communicate(f"{other}\n{typo_in_group(code, 2)}\n".encode(), timeout=TIMEOUT)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("valid code, but not this one", err.decode())
        self.assertIn("nothing was sent", err.decode())
        self.a2.inbox()
        for case in self.a2.case_ids():
            self.assertNotIn("NEVER-SENT", self.a2.read(case))
        self.assertEqual(len(self.a2.case_ids()), before)

    def test_check_accepts_a_retry_after_a_typo(self):
        r = Reporter(self.channel)
        r.new("RETRY report", to=[1])
        rc, out, err = run([REPORTER, "check", "--channel", self.channel.address, *self.channel.kdf_args],
                           stdin=typo_in_group(r.code, 6) + "\n" + r.code + "\n")
        self.assertIn("group 6", err)
        self.assertIn("Try again", err)
        self.assertIn("RETRY report", out)

    # ---- channel choice ----

    def test_directory_and_exactly_who_reads(self):
        r = Reporter(self.channel)
        out = r.new("CHOICE report", exclude=[2])
        self.assertIn("[1] Anna de Vries (internal confidential adviser)", out)
        self.assertIn("[2] Bureau Extern (external confidential adviser)", out)
        self.assertIn("Anna de Vries listens in confidence.", out)
        readers = out[out.index("Only these people will be able to read it"):]
        self.assertIn("- Anna de Vries (internal confidential adviser)", readers)
        self.assertIn("Not: Bureau Extern", readers)
        self.assertIn("administrator cannot read it", readers)
        _, check_out, _ = r.check()
        who = check_out[check_out.index("Who can read this conversation:"):]
        self.assertIn("  - receive your next message: Anna de Vries\n", who)
        self.assertNotIn("Bureau Extern", who)
        self.assertIn("Nobody else.", who)

    # ---- languages ----

    def test_dutch_from_option_and_locale(self):
        for extra, env in ((["--lang", "nl"], env_with(LANG="en_US.UTF-8")),
                           ([], env_with(LANG="nl_NL.UTF-8")),
                           ([], env_with(LANG="en_US.UTF-8", LC_MESSAGES="nl_BE.UTF-8"))):
            with self.subTest(extra=extra, env={k: env[k] for k in env if k in ("LANG", "LC_MESSAGES")}):
                proc = self.new_process("--to", "1", *extra, env=env)
                proc.stdin.write(b"NL report\n.\n")
                proc.stdin.flush()
                shown, code = self.read_until_code(proc)
                out, err = proc.communicate((code + "\n").encode(), timeout=TIMEOUT)
                out, err = shown + out.decode(), err.decode()
                self.assertEqual(proc.returncode, 0, err)
                self.assertIn("Adviseurs aan wie je kunt schrijven", out)
                self.assertIn("interne vertrouwenspersoon", out)
                self.assertIn("Anna de Vries luistert vertrouwelijk.", out)
                self.assertNotIn("listens in confidence", out)
                self.assertIn("Alleen deze mensen kunnen het lezen", out)
                self.assertIn("wordt alleen deze ene keer getoond", out)
                self.assertIn("kan niemand hem terughalen", out)
                self.assertIn("Je melding is verstuurd naar: Anna de Vries", out)
                self.assertIn("Je sleutels worden uit de code afgeleid", err)
                self.assertNotIn("Deriving", err)
        # LC_ALL wins over LANG, and --lang over both.
        rc, out, err = run([REPORTER, "check", "--channel", self.channel.address, *self.channel.kdf_args],
                           stdin="\n", check=False, env=env_with(LC_ALL="en_GB.UTF-8", LANG="nl_NL.UTF-8"))
        self.assertIn("does not have the length of a code", err)
        rc, out, err = run([REPORTER, "check", "--channel", self.channel.address, "--lang", "nl",
                            *self.channel.kdf_args], stdin="\n", check=False, env=env_with(LC_ALL="en_GB.UTF-8"))
        self.assertIn("niet de lengte van een code", err)
        _, help_nl, _ = run([REPORTER, "--help"], env=env_with(LANG="nl_NL.UTF-8"))
        self.assertIn("meld ongewenst gedrag anoniem", help_nl)

    # ---- feedback ----

    def test_progress_and_retention_are_shown(self):
        r = Reporter(self.channel)
        proc = self.new_process("--to", "1", "--to", "2")
        proc.stdin.write(b"PROGRESS report\n.\n")
        proc.stdin.flush()
        _, code = self.read_until_code(proc)
        out, err = proc.communicate((code + "\n").encode(), timeout=TIMEOUT)
        out, err = out.decode(), err.decode()
        self.assertEqual(proc.returncode, 0, err)
        self.assertRegex(err, r"Connecting to the relay\.\.\.+ done \(\d+\.\d s\)")
        self.assertRegex(err, r"Deriving your keys from the code.*\.\.\.+ done \(\d+\.\d s\)")
        self.assertRegex(err, r"Sending 3 encrypted envelopes, [0-9.]+ KiB\.\.\.+ done")
        self.assertRegex(out, r"kept at the relay for about \d+ days")
        r.code = code
        _, out, err = r.check()
        self.assertRegex(err, r"Looking for your messages\.\.\.+ done")

    def test_unreachable_relay_fails_fast_and_clearly(self):
        dead = self.channel.address_for("tcp://127.0.0.1:1")
        start = time.time()
        rc, out, err = run([REPORTER, "new", "--channel", dead, "--to", "1", *self.channel.kdf_args],
                           stdin="x\n.\n", check=False, timeout=30)
        self.assertLess(time.time() - start, 8)
        self.assertEqual(rc, 2)
        self.assertIn("The relay cannot be reached; nothing was sent", err)
        self.assertIn("127.0.0.1:1", err)
        self.assertRegex(err, r"Connecting to the relay\.\.\.+ failed")
        r = Reporter(self.channel)
        r.new("UNREACHABLE report", to=[1])
        start = time.time()
        rc, out, err = run([REPORTER, "check", "--channel", dead, *self.channel.kdf_args], stdin=r.code + "\n",
                           check=False, timeout=30)
        self.assertLess(time.time() - start, 8)
        self.assertEqual(rc, 2)
        self.assertIn("cannot be reached", err)
        # A wrong relay key (someone else answering at the address) is named as such.
        other = Channel(adviser_names=(("Other Adviser", "internal"),))
        try:
            forged = other.address_for(self.channel.endpoint)
            start = time.time()
            rc, out, err = run([REPORTER, "check", "--channel", forged, *self.channel.kdf_args],
                               stdin=r.code + "\n", check=False, timeout=60)
            self.assertLess(time.time() - start, 15)
            self.assertEqual(rc, 2)
            self.assertTrue("could not prove" in err or "cannot be reached" in err, err)
        finally:
            other.close()

    # ---- replies waiting ----

    def test_check_marks_replies_since_the_last_message(self):
        r = Reporter(self.channel)
        r.new("WAITING report", to=[1])
        _, out, _ = r.check()
        self.assertEqual(new_marks(out), [])
        self.assertIn("No new replies since your last message", out)
        self.a1.inbox()
        case = self.case_with(self.a1, "WAITING report")
        time.sleep(1.1)  # times have one-second resolution
        self.a1.reply(case, "WAITING first answer")
        self.a1.reply(case, "WAITING second answer")
        _, out, _ = r.check()
        self.assertEqual(len(new_marks(out)), 2)
        self.assertIn("2 new replies since your last message", out)
        for line in out.splitlines():
            if line in new_marks(out):
                self.assertIn("Anna de Vries", line)
        # Checking again does not change anything: nothing is stored locally.
        self.assertEqual(len(new_marks(r.check()[1])), 2)
        time.sleep(1.1)
        reply_out = r.reply("WAITING my follow-up")
        self.assertIn("2 new replies", reply_out)
        _, out, _ = r.check()
        self.assertEqual(new_marks(out), [])
        self.a1.inbox()
        time.sleep(1.1)
        self.a1.reply(case, "WAITING third answer")
        _, out, _ = r.check()
        self.assertEqual(len(new_marks(out)), 1)
        new_line = new_marks(out)[0]
        self.assertLess(out.index("WAITING my follow-up"), out.index(new_line))
        self.assertIn("WAITING third answer", out[out.index(new_line):])

    # ---- terminal safety ----

    def test_replies_cannot_control_the_terminal(self):
        r = Reporter(self.channel)
        r.new("ESCAPE report", to=[1])
        self.a1.inbox()
        case = self.case_with(self.a1, "ESCAPE report")
        self.a1.reply(case, "ESCAPE \x1b]0;owned\x07 \x1b[2J\x1b[31mred \u009b1m c1 \x07bell\ttab")
        _, out, _ = r.check()
        self.assertIn("  | ESCAPE ?]0;owned? ?[2J?[31mred ?1m c1 ?bell    tab", out)
        for c in ("\x1b", "\x07", "\u009b"):
            self.assertNotIn(c, out)

    # ---- editor ----

    def test_editor_file_lives_in_ram_and_is_removed(self):
        with tempfile.TemporaryDirectory() as tmp:
            editor = os.path.join(tmp, "editor.sh")
            seen = os.path.join(tmp, "seen")
            with open(editor, "w") as f:
                f.write("#!/bin/sh\n"
                        f"stat -c '%a %n' \"$1\" > {seen}\n"
                        "printf 'EDITOR report\\nsecond line\\n' > \"$1\"\n")
            os.chmod(editor, 0o700)
            before = {n for n in os.listdir("/dev/shm") if n.startswith("meldpunt-")}
            env = dict(os.environ, EDITOR=editor)
            env.pop("VISUAL", None)
            status, _, text = on_terminal(
                [REPORTER, "new", "--channel", self.channel.address, "--to", "1", *self.channel.kdf_args],
                confirm_code(), env)
            code = CODE_RE.search(text).group(1)
            self.assertEqual(status, 0, text)
            self.assertIn("Opening your editor", text)
            with open(seen) as f:
                mode, path = f.read().split()
            self.assertEqual(mode, "600")
            self.assertTrue(path.startswith("/dev/shm/meldpunt-"), path)
            self.assertFalse(os.path.exists(path))
            after = {n for n in os.listdir("/dev/shm") if n.startswith("meldpunt-")}
            self.assertEqual(after, before)
            self.assertNotIn(code, text.replace(code, "", 1), "the code is echoed only when shown")
        self.a1.inbox()
        case = self.case_with(self.a1, "EDITOR report")
        self.assertIn("second line", self.a1.read(case))

    # ---- rotate ----

    def test_rotate_moves_the_conversation_to_a_new_code(self):
        r = Reporter(self.channel)
        r.new("ROTATE report", to=[1, 2])
        self.a1.inbox()
        self.a2.inbox()
        case1 = self.case_with(self.a1, "ROTATE report")
        self.a1.reply(case1, "ROTATE answer before the move")
        out, err = r.rotate()
        self.assertNotEqual(r.code, r.old_code)
        self.assertIn("This moves your conversation (Anna de Vries, Bureau Extern; messages: 2)", out)
        self.assertIn("shown only this once", out)
        self.assertIn("now uses the new code", out)
        self.assertIn("deleted at the relay", out)
        self.assertIn("can still arrive under the OLD code", out)
        # A notice to each adviser, the history for the new code, and the
        # move marker for the old code.
        self.assertRegex(err, r"Sending 4 encrypted envelopes")
        # The old code reads nothing but that it moved; the new code reads
        # the whole conversation.
        _, old_out, _ = r.check(code=r.old_code)
        self.assertIn("This conversation moved to a new code on", old_out)
        self.assertNotIn("ROTATE", old_out)
        _, new_out, _ = r.check()
        self.assertIn("ROTATE report", new_out)
        self.assertIn("ROTATE answer before the move", new_out)
        self.assertEqual(len(new_marks(new_out)), 1, "an unanswered reply stays new after the move")
        self.assertIn("receive your next message: Anna de Vries, Bureau Extern", new_out)
        # The advisers' programs process the move; they keep one case each.
        self.a1.inbox()
        self.a2.inbox()
        self.assertEqual(sum("ROTATE report" in self.a1.read(c) for c in self.a1.case_ids()), 1)
        # The new code continues the conversation with the same advisers.
        time.sleep(1.1)
        r.reply("ROTATE follow-up under the new code")
        _, new_out, _ = r.check()
        self.assertIn("ROTATE follow-up under the new code", new_out)
        self.assertEqual(new_marks(new_out), [])
        self.a1.inbox()
        self.a2.inbox()
        case1 = self.case_with(self.a1, "ROTATE report")
        self.assertIn("ROTATE follow-up under the new code", self.a1.read(case1))
        case2 = self.case_with(self.a2, "ROTATE report")
        self.assertIn("ROTATE follow-up under the new code", self.a2.read(case2))
        # ...and reply to the new code only.
        time.sleep(1.1)
        self.a1.reply(case1, "ROTATE answer after the move")
        self.a2.reply(case2, "ROTATE bureau after the move")
        _, new_out, _ = r.check()
        self.assertIn("ROTATE answer after the move", new_out)
        self.assertIn("ROTATE bureau after the move", new_out)
        self.assertEqual(len(new_marks(new_out)), 2)
        _, old_out, _ = r.check(code=r.old_code)
        self.assertNotIn("ROTATE", old_out)

    def test_rotate_with_an_unknown_code_sends_nothing(self):
        code = run([DERIVE_KEYS, "generate"])[1].strip()
        rc, out, err = run([REPORTER, "rotate", "--channel", self.channel.address, *self.channel.kdf_args],
                           stdin=code + "\n", check=False)
        self.assertEqual(rc, 2)
        self.assertIn("No conversation was found for this code", err)
        self.assertIsNone(CODE_RE.search(out))


if __name__ == "__main__":
    unittest.main(verbosity=2)
