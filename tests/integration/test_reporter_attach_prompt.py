"""`reporter-client new|reply --attach-ask` through the real binaries: the
files are named at a prompt (on a terminal, or on piped standard input),
never on the command line, so their paths stay out of shell history and out
of /proc/PID/cmdline. Each path is checked as it is typed. On a terminal a
bad one is named and asked again, and three bad ones in a row end the
command with nothing sent; on piped input the first bad one ends it, without
repeating the line (it is most likely the message, piped without the empty
line that ends the list). The prompt's files and --attach's count together
towards the limit of 8. No raw control character from a path or an error
reaches the terminal.

Every test checks what the adviser receives, so a client that ignored the
prompt (and took the paths for the message) fails.
"""
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import CODE_RE, REPORTER, SCREEN_CLEAR, TIMEOUT, Channel, Reporter, confirm_code, run  # noqa: E402
from harness import on_terminal as harness_on_terminal  # noqa: E402


def relay_message_count(channel):
    out = subprocess.run(["mdb_stat", "-s", "messages", os.path.join(channel.data, "store")],
                         capture_output=True, check=True).stdout.decode()
    return int(re.search(r"Entries: (\d+)", out).group(1))


def read_until(stream, pattern, what):
    """Reads an unbuffered pipe byte by byte until `pattern` shows (prompts
    end without a newline)."""
    seen = b""
    deadline = time.time() + TIMEOUT
    while not re.search(pattern, seen.decode(errors="replace")):
        ready, _, _ = select.select([stream], [], [], max(0.0, deadline - time.time()))
        byte = os.read(stream.fileno(), 1) if ready else b""
        if not byte:
            raise AssertionError(f"no {what}; got:\n{seen.decode(errors='replace')}")
        seen += byte
    return seen.decode(errors="replace")


def on_terminal(args, answers, env=None):
    """harness.on_terminal with the message typed, never edited."""
    env = dict(os.environ if env is None else env)
    for name in ("EDITOR", "VISUAL"):
        env.pop(name, None)
    return harness_on_terminal(args, answers, env)


def code_back(text):
    return CODE_RE.search(text).group(1) + "\n"


class AttachPromptTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        os.environ["TZ"] = "UTC"
        cls.channel = Channel(adviser_names=(("Anna de Vries", "internal"),))
        cls.adviser = cls.channel.advisers[0]
        cls.files = tempfile.mkdtemp(prefix="meldpunt-ask-")

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        shutil.rmtree(cls.files, ignore_errors=True)

    def make_file(self, name, size):
        path = os.path.join(self.files, name)
        data = os.urandom(size)
        with open(path, "wb") as f:
            f.write(data)
        return path, data

    def new_case(self, before):
        self.adviser.inbox()
        return (set(self.adviser.case_ids()) - before).pop()

    def reporter_files(self, case):
        """The attachments from the reporter the adviser sees in the case, by name -> number."""
        text = self.adviser.read(case)
        names = re.findall(r"from the reporter: (.*?) \(.*\), intact", text)
        return text, {name: str(i + 1) for i, name in enumerate(names)}

    def assert_received(self, case, number, data):
        folder = tempfile.mkdtemp(dir=self.files)
        self.adviser._run("attachment", case, number, "--save", folder)
        (saved,) = os.listdir(folder)
        with open(os.path.join(folder, saved), "rb") as f:
            self.assertEqual(f.read(), data)

    def test_new_two_files_at_the_prompt_arrive_intact_and_stay_off_the_command_line(self):
        before = set(self.adviser.case_ids())
        first, first_data = self.make_file("rooster week 12.pdf", 300 * 1024)  # two pieces
        second, second_data = self.make_file("klacht_over_Jansen.txt", 2000)
        # The second given as "~/..." with HOME pointing at the folder.
        env = dict(os.environ, HOME=self.files)
        args = [REPORTER, "new", "--channel", self.channel.address, *self.channel.kdf_args, "--to", "1",
                "--attach-ask"]
        proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=env, bufsize=0)
        try:
            # While it waits at the prompt, nothing about the files is in its argv.
            asked = read_until(proc.stderr, r"File 1 \(Enter = no more files\): ", "prompt for the first file")
            self.assertIn("An empty line ends the list", asked)
            with open(f"/proc/{proc.pid}/cmdline", "rb") as f:
                cmdline = f.read()
            self.assertIn(b"--attach-ask", cmdline)
            for word in (b"rooster", b"Jansen", self.files.encode()):
                self.assertNotIn(word, cmdline)
            proc.stdin.write(f"{first}\n~/klacht_over_Jansen.txt\n\nASK report with two files\n.\n".encode())
            shown = read_until(proc.stdout, CODE_RE, "code")
            code = CODE_RE.search(shown).group(1)
            out, err = proc.communicate((code + "\n").encode(), timeout=TIMEOUT)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        out, err = shown + out.decode(), err.decode()
        self.assertEqual(proc.returncode, 0, out + err)
        self.assertIn("Added: rooster week 12.pdf", err)
        self.assertIn("Added: klacht_over_Jansen.txt", err)
        self.assertIn("File 3 (Enter = no more files)", err)
        self.assertIn("Attached: rooster week 12.pdf", out)
        self.assertIn("Attached: klacht_over_Jansen.txt", out)
        self.assertIn("with attachment: klacht_over_Jansen.txt", out)

        case = self.new_case(before)
        text, numbers = self.reporter_files(case)
        self.assertIn("ASK report with two files", text)
        self.assertNotIn(self.files, text)  # the paths were not taken for the message
        self.assertEqual(sorted(numbers), ["klacht_over_Jansen.txt", "rooster week 12.pdf"])
        self.assert_received(case, numbers["rooster week 12.pdf"], first_data)
        self.assert_received(case, numbers["klacht_over_Jansen.txt"], second_data)

    PROMPT = r"File \d+ \(Enter = no more files\): "

    def test_reply_on_a_terminal_asks_again_after_a_wrong_path(self):
        before = set(self.adviser.case_ids())
        reporter = Reporter(self.channel)
        reporter.new("ASK-REPLY report", to=[1])
        case = self.new_case(before)
        empty = os.path.join(self.files, "leeg.txt")
        open(empty, "wb").close()
        good, good_data = self.make_file("notes.txt", 5000)
        dragged, dragged_data = self.make_file("photo of the board.jpg", 7000)
        missing = os.path.join(self.files, "does-not-exist.pdf")
        answers = [
            missing,            # wrong: asked again
            empty,              # wrong again: asked again
            good,               # works
            good,               # the same file again: refused
            f"'{dragged}' ",    # as a terminal pastes a dragged file
            "   ",              # blanks only: the end of the list
        ]
        rc, _, text = on_terminal(
            [REPORTER, "reply", "--channel", self.channel.address, *self.channel.kdf_args, "--attach-ask"],
            [("Your code: ", reporter.code + "\n")] + [(self.PROMPT, a + "\n") for a in answers] +
            [("Type your message", "ASK-REPLY with files\n.\n")])
        self.assertEqual(rc, 0, text)
        # Named once (after its echo), with the reason in words, not the raw error.
        self.assertIn(f"The file {missing} cannot be attached: there is no such file.", text)
        self.assertNotIn("no file", text)
        self.assertIn("leeg.txt is empty", text)
        self.assertIn("notes.txt is already attached", text)
        self.assertEqual(text.count("Type another file, or press Enter to go on without it."), 3)
        self.assertIn("Added: notes.txt", text)
        self.assertIn("Added: photo of the board.jpg", text)
        self.assertNotIn("File 4", text)
        self.assertIn("Your message was sent", text)
        self.assertEqual(text.count("with attachment:"), 2)

        self.adviser.inbox()
        text, numbers = self.reporter_files(case)
        self.assertIn("ASK-REPLY with files", text)
        self.assertNotIn("does-not-exist", text)
        self.assertEqual(sorted(numbers), ["notes.txt", "photo of the board.jpg"])
        self.assert_received(case, numbers["notes.txt"], good_data)
        self.assert_received(case, numbers["photo of the board.jpg"], dragged_data)

    def test_three_wrong_paths_in_a_row_on_a_terminal_send_nothing(self):
        reporter = Reporter(self.channel)
        reporter.new("ASK-GIVE-UP report", to=[1])
        good, _ = self.make_file("never-sent.txt", 100)
        before = relay_message_count(self.channel)
        missing = os.path.join(self.files, "ontbreekt")
        rc, _, text = on_terminal(
            [REPORTER, "reply", "--channel", self.channel.address, *self.channel.kdf_args, "--lang", "nl",
             "--attach-ask"],
            [("Je code: ", reporter.code + "\n"),
             ("Bestand 1 \\(Enter = geen bestanden meer\\): ", missing + "1\n"),
             ("Bestand 1 ", missing + "2\n"),
             ("Bestand 1 ", self.files + "\n")])
        self.assertEqual(rc, 2, text)
        # Dutch reasons, and the path once (after its echo): not doubled in English brackets.
        self.assertIn(f"Het bestand {missing}1 kan niet worden bijgevoegd: dat bestand bestaat niet.", text)
        self.assertEqual(text.count(f"{missing}1"), 2)
        self.assertIn(f"Het bestand {self.files} kan niet worden bijgevoegd: het is geen gewoon bestand", text)
        self.assertNotIn("no file", text)
        self.assertNotIn("not a regular file", text)
        self.assertIn("Typ een ander bestand", text)
        self.assertIn("3 bestanden achter elkaar konden niet worden bijgevoegd; er is niets verstuurd", text)
        self.assertNotIn("never-sent.txt", text)
        self.assertEqual(relay_message_count(self.channel), before)

    def test_escape_sequences_at_a_terminal_prompt_never_reach_the_screen(self):
        # An arrow key pressed at the prompt puts ESC [ D into the line (the
        # terminal itself echoes it as ^[[D); the program refuses the line
        # without showing it, as any line with a control character.
        good, good_data = self.make_file("after-an-arrow-key.txt", 321)
        before = set(self.adviser.case_ids())
        missing = os.path.join(self.files, "gone\x1b[2J\x1b]0;owned\x07.txt")
        rc, raw, text = on_terminal(
            [REPORTER, "new", "--channel", self.channel.address, *self.channel.kdf_args, "--to", "1",
             "--attach-ask"],
            [(self.PROMPT, good[:-4] + "\x1b[D\x1b[D.txt\n"),
             (self.PROMPT, missing + "\n"),
             (self.PROMPT, good + "\n"),
             (self.PROMPT, "\n"),
             ("Type your message", "ESCAPE-ASK report\n.\n"),
             *confirm_code(code_back)])
        self.assertEqual(rc, 0, text)
        self.assertNotIn(b"\x1b", raw.replace(SCREEN_CLEAR, b""), "only the client's own screen clear")
        self.assertNotIn(b"\x07", raw)
        self.assertIn("That line holds control characters, so it was not used. This prompt has no line editing", text)
        self.assertEqual(text.count("That line holds control characters"), 2)
        self.assertNotIn("gone", text.replace(missing.replace("\x1b", "^[").replace("\x07", "^G"), ""))
        self.assertIn("Added: after-an-arrow-key.txt", text)
        case = self.new_case(before)
        _, numbers = self.reporter_files(case)
        self.assertEqual(list(numbers), ["after-an-arrow-key.txt"])
        self.assert_received(case, numbers["after-an-arrow-key.txt"], good_data)

    def test_escape_sequences_in_an_attach_path_never_reach_the_screen(self):
        missing = os.path.join(self.files, "gone\x1b[2J.txt")
        for lang, reason in (("en", "The attachment " + missing.replace("\x1b", "?") +
                              " cannot be read: there is no such file. Nothing was sent."),
                             ("nl", "De bijlage " + missing.replace("\x1b", "?") +
                              " kan niet worden gelezen: dat bestand bestaat niet. Er is niets verstuurd.")):
            rc, out, err = run([REPORTER, "new", "--channel", self.channel.address, *self.channel.kdf_args,
                                "--lang", lang, "--to", "1", "--attach", missing, "--attach-ask"],
                               stdin="REPORT\n.\n", check=False)
            self.assertEqual(rc, 2, out + err)
            self.assertNotIn("\x1b", out + err)
            self.assertIn(reason, err)
        # The adviser's reply --attach shows the same kind of message safely,
        # for a pipe and for a file that is not there.
        before = set(self.adviser.case_ids())
        Reporter(self.channel).new("ESCAPE-ADVISER report", to=[1])
        case = self.new_case(before)
        fifo = os.path.join(self.files, "pipe\x1b[2J")
        os.mkfifo(fifo)
        rc, out, err = self.adviser._run("reply", case, "--channel", self.channel.address, "--attach", fifo,
                                         "--no-text", check=False)
        self.assertNotEqual(rc, 0, out + err)
        self.assertIn("pipe?[2J is not a regular file", err)
        self.assertNotIn("\x1b", out + err)
        missing = os.path.join(self.files, "missing\x1b[2J")
        rc, out, err = self.adviser._run("reply", case, "--channel", self.channel.address, "--attach", missing,
                                         "--no-text", check=False)
        self.assertEqual(rc, 2, out + err)
        self.assertIn("missing?[2J", err)
        self.assertNotIn("\x1b", out + err)

    def test_piped_message_without_the_empty_line_is_not_echoed(self):
        # A script that forgot the empty line: the message would be taken
        # for files. The first refused line ends it, and no line is shown.
        good, _ = self.make_file("good.txt", 100)
        before = relay_message_count(self.channel)
        for lang, says in (("en", "the list of files must name only files that can be attached, and end with "
                                  "an empty line"),
                           ("nl", "moet eindigen met een lege regel")):
            rc, out, err = run([REPORTER, "new", "--channel", self.channel.address, *self.channel.kdf_args,
                                "--lang", lang, "--to", "1", "--attach-ask"],
                               stdin=f"{good}\nSECRET LINE ONE\nSECRET LINE TWO\nLINE 3\n.\n", check=False)
            self.assertEqual(rc, 2, out + err)
            self.assertNotIn("SECRET", out + err)
            self.assertNotIn("LINE 3", out + err)
            self.assertIn(says, " ".join(err.split()))
        self.assertIn("File 2 on standard input cannot be attached: there is no such file. Nothing was sent.",
                      run([REPORTER, "new", "--channel", self.channel.address, *self.channel.kdf_args,
                           "--to", "1", "--attach-ask"], stdin=f"{good}\nSECRET\n", check=False)[2])
        self.assertEqual(relay_message_count(self.channel), before)

    def test_piped_line_with_a_control_character_is_refused(self):
        # open() would stop at the NUL while the name is taken from the
        # whole line: "good.txt\0/../../etc/shadow" would attach good.txt
        # named "shadow".
        good, _ = self.make_file("nul-good.txt", 100)
        before = relay_message_count(self.channel)
        for line in (f"{good}\0/../../etc/shadow", f"{good}\x1b[D", f"{good}\t"):
            rc, out, err = run([REPORTER, "new", "--channel", self.channel.address, *self.channel.kdf_args,
                                "--to", "1", "--attach-ask"], stdin=f"{line}\n\nNUL report\n.\n", check=False)
            self.assertEqual(rc, 2, out + err)
            self.assertIn("File 1 on standard input cannot be attached: the line holds control characters.", err)
            self.assertNotIn("shadow", out + err)
            self.assertNotIn("Added", err)
            self.assertNotIn("\x1b", out + err)
        self.assertEqual(relay_message_count(self.channel), before)

    def test_crlf_and_blank_lines_end_the_list(self):
        # A file written on Windows ends its lines with CR LF; a line of
        # blanks ends the list like an empty one.
        before = set(self.adviser.case_ids())
        first, first_data = self.make_file("crlf.txt", 111)
        second, second_data = self.make_file("blank-ends.txt", 222)
        reporter = Reporter(self.channel)
        args = [REPORTER, "new", "--channel", self.channel.address, *self.channel.kdf_args, "--to", "1",
                "--attach-ask"]
        _, out, err = reporter._take_code(args, f"{first}\r\n{second}\n  \t \nBLANK report\r\n.\r\n".encode())
        self.assertIn("Added: crlf.txt", err)
        self.assertIn("Added: blank-ends.txt", err)
        self.assertNotIn("cannot be attached", err)
        case = self.new_case(before)
        text, numbers = self.reporter_files(case)
        self.assertIn("BLANK report", text)
        self.assertEqual(sorted(numbers), ["blank-ends.txt", "crlf.txt"])
        self.assert_received(case, numbers["crlf.txt"], first_data)
        self.assert_received(case, numbers["blank-ends.txt"], second_data)

    def test_prompt_and_attach_together_count_towards_eight(self):
        # One file from --attach, seven typed: then the program asks only
        # for the empty line that ends the list.
        before = set(self.adviser.case_ids())
        given, given_data = self.make_file("given-on-the-command-line.txt", 300)
        typed = [self.make_file(f"typed-{i}.txt", 100 + i) for i in range(1, 8)]
        reporter = Reporter(self.channel)
        args = [REPORTER, "new", "--channel", self.channel.address, *self.channel.kdf_args, "--to", "1",
                "--attach", given, "--attach-ask"]
        stdin = "\n".join(path for path, _ in typed) + "\n\nASK-EIGHT report\n.\n"
        shown, out, err = reporter._take_code(args, stdin.encode())
        self.assertIn("File 8 (Enter = no more files)", err)
        self.assertNotIn("File 9", err)
        self.assertIn("That is the most: 8 files. Press Enter to go on:", err)
        self.assertEqual(shown.count("Attached: "), 8)
        self.assertIn("Attached: given-on-the-command-line.txt", shown)
        self.assertIn("Attached: typed-7.txt", shown)

        case = self.new_case(before)
        text, numbers = self.reporter_files(case)
        self.assertIn("ASK-EIGHT report", text)
        self.assertEqual(len(numbers), 8)
        self.assert_received(case, numbers["given-on-the-command-line.txt"], given_data)
        self.assert_received(case, numbers["typed-7.txt"], typed[6][1])

    def test_a_line_beyond_eight_is_never_repeated(self):
        given, _ = self.make_file("given-9.txt", 300)
        typed = [self.make_file(f"typed-9-{i}.txt", 100 + i)[0] for i in range(1, 8)]
        args = [REPORTER, "new", "--channel", self.channel.address, *self.channel.kdf_args, "--to", "1",
                "--attach", given, "--attach-ask"]
        # Piped: the line after the eighth file ends it, unrepeated.
        before = relay_message_count(self.channel)
        rc, out, err = run(args, stdin="\n".join(typed) + "\nSECRET LINE ONE\nSECRET LINE TWO\n.\n", check=False)
        self.assertEqual(rc, 2, out + err)
        self.assertNotIn("SECRET", out + err)
        self.assertIn("File 9 on standard input cannot be attached: a message has at most 8 files.", err)
        self.assertEqual(relay_message_count(self.channel), before)
        # On a terminal: said to be too many, not repeated (the only copy is
        # the terminal's own echo), and an empty line still ends the list.
        extra, _ = self.make_file("one-too-many.txt", 50)
        before = set(self.adviser.case_ids())
        rc, _, text = on_terminal(args, [(self.PROMPT, p + "\n") for p in typed] + [
            ("That is the most: 8 files. Press Enter to go on: ", extra + "\n"),
            ("Press Enter to go on: ", "\n"),
            ("Type your message", "ASK-NINE report\n.\n"),
            *confirm_code(code_back)])
        self.assertEqual(rc, 0, text)
        self.assertIn("At most 8 files per message: that line was not added. An empty line ends the list.", text)
        self.assertEqual(text.count("one-too-many"), 1)
        case = self.new_case(before)
        _, numbers = self.reporter_files(case)
        self.assertEqual(len(numbers), 8)
        self.assertNotIn("one-too-many.txt", numbers)

    def test_eight_files_given_with_attach_skip_the_prompt(self):
        before = set(self.adviser.case_ids())
        given = [self.make_file(f"all-given-{i}.txt", 60 + i) for i in range(1, 9)]
        args = [REPORTER, "new", "--channel", self.channel.address, *self.channel.kdf_args, "--to", "1",
                "--attach-ask"]
        for path, _ in given:
            args += ["--attach", path]
        # Not Reporter._take_code: a client that still asked would wait for
        # an answer forever instead of failing.
        proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                bufsize=0)
        try:
            proc.stdin.write(b"FULL-GIVEN report\n.\n")
            shown = read_until(proc.stdout, CODE_RE, "code")
            out, err = proc.communicate((CODE_RE.search(shown).group(1) + "\n").encode(), timeout=TIMEOUT)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        out, err = out.decode(), err.decode()
        self.assertEqual(proc.returncode, 0, shown + out + err)
        self.assertIn("8 files are already attached with --attach, the most a message can have: no more are "
                      "asked for.", err)
        self.assertNotIn("Files to attach", err)
        self.assertNotIn("Press Enter", err)
        self.assertEqual(shown.count("Attached: "), 8)
        case = self.new_case(before)
        text, numbers = self.reporter_files(case)
        self.assertIn("FULL-GIVEN report", text)
        self.assertEqual(len(numbers), 8)

    def test_file_over_the_relay_limit_is_asked_again(self):
        self.channel.stop_relay()
        self.channel.serve_args = ["--max-attachment-bytes", "100000"]
        self.channel.start_relay()
        try:
            before = set(self.adviser.case_ids())
            big, _ = self.make_file("too-big.bin", 150000)
            small, small_data = self.make_file("small-enough.bin", 1000)
            args = [REPORTER, "new", "--channel", self.channel.address, *self.channel.kdf_args, "--to", "1",
                    "--attach-ask"]
            rc, _, text = on_terminal(args, [(self.PROMPT, big + "\n"), (self.PROMPT, small + "\n"),
                                             (self.PROMPT, "\n"), ("Type your message", "ASK-LIMIT report\n.\n"),
                                             *confirm_code(code_back)])
            self.assertEqual(rc, 0, text)
            self.assertIn("too-big.bin is too large (146.5 KiB); this relay accepts files up to 97.7 KiB.", text)
            self.assertIn("Added: small-enough.bin", text)
            case = self.new_case(before)
            _, numbers = self.reporter_files(case)
            self.assertEqual(list(numbers), ["small-enough.bin"])
            self.assert_received(case, numbers["small-enough.bin"], small_data)
            # Piped: the reason, without the file's name, and nothing sent.
            rc, out, err = run(args, stdin=f"{big}\n{small}\n\nASK-LIMIT report\n.\n", check=False)
            self.assertEqual(rc, 2, out + err)
            self.assertIn("File 1 on standard input cannot be attached: it is too large (146.5 KiB); this relay "
                          "accepts files up to 97.7 KiB. Nothing was sent.", err)
            self.assertNotIn("too-big", err)
        finally:
            self.channel.stop_relay()
            self.channel.serve_args = []
            self.channel.start_relay()

    def test_file_that_cannot_be_locked_is_asked_again(self):
        # RLIMIT_MEMLOCK of 2 MiB (as in test_attachments.py): a 3 MiB file
        # could be swapped to disk, so it is refused at the prompt; the
        # reporter goes on without it.
        before = set(self.adviser.case_ids())
        big, _ = self.make_file("too-big-to-lock.bin", 3 * 1024 * 1024)
        prefix = [shutil.which("prlimit"), "--memlock=2097152:2097152"]
        if os.geteuid() == 0:
            prefix = [shutil.which("setpriv"), "--inh-caps=-ipc_lock", "--bounding-set=-ipc_lock"] + prefix
        args = prefix + [REPORTER, "new", "--channel", self.channel.address, *self.channel.kdf_args, "--to", "1",
                         "--attach-ask"]
        rc, _, text = on_terminal(args, [(self.PROMPT, big + "\n"), (self.PROMPT, "\n"),
                                         ("Type your message", "ASK-LOCK report\n.\n"),
                                         *confirm_code(code_back)])
        self.assertEqual(rc, 0, text)
        # The real limit is said before the first file is picked (issue 15,
        # point 5): below 2 MiB here, while the relay takes more.
        limit = re.search(r"Each file may be up to ([0-9.]+) (KiB|MiB): the relay takes files up to [0-9.]+ MiB", text)
        self.assertIsNotNone(limit, text)
        self.assertLess(float(limit.group(1)) * (1 if limit.group(2) == "MiB" else 1 / 1024), 2.0)
        self.assertLess(limit.start(), text.index("File 1 (Enter"))
        self.assertIn("too-big-to-lock.bin (3.0 MiB) does not fit in the memory this program may lock", text)
        self.assertIn("ulimit -l", text)
        # Raising the limit in another window does not help this run.
        self.assertIn("counts only for a new run of the program, not for this one", " ".join(text.split()))
        self.assertIn("Type another file", text)
        self.assertNotIn("with attachment", text)
        case = self.new_case(before)
        text, numbers = self.reporter_files(case)
        self.assertIn("ASK-LOCK report", text)
        self.assertEqual(numbers, {})

    def test_end_of_input_at_the_prompt_sends_nothing(self):
        # The end of input ends the list, as it ends a message; the message
        # is then empty, and nothing goes.
        before = relay_message_count(self.channel)
        good, _ = self.make_file("eof.txt", 10)
        rc, out, err = run([REPORTER, "new", "--channel", self.channel.address, *self.channel.kdf_args,
                            "--to", "1", "--attach-ask"], stdin=good, check=False)
        self.assertEqual(rc, 2, out + err)
        self.assertIn("Added: eof.txt", err)
        self.assertIn("The message is empty; nothing was sent.", err)
        self.assertEqual(relay_message_count(self.channel), before)

    def test_help_recommends_the_prompt(self):
        # CLI11's type names are translated too (TEXT, TEKST).
        for lang, history, recommended, text in (("en", "shell history", "recommended", "TEXT"),
                                                 ("nl", "shellgeschiedenis", "aangeraden", "TEKST")):
            for command in ("new", "reply"):
                _, out, _ = run([REPORTER, command, "--help", "--lang", lang])
                flat = " ".join(out.split())
                self.assertIn("--attach-ask", flat)
                self.assertIn(recommended, flat)
                attach = flat[flat.index("--attach " + text):]
                self.assertIn(history, attach)
                self.assertIn("--attach-ask", attach)
            _, out, _ = run([REPORTER, "--help", "--lang", lang])
            self.assertIn("--attach-ask", out)


if __name__ == "__main__":
    unittest.main()
