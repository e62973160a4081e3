"""`reporter-client new|reply --attach-ask` through the real binaries: the
files are named at a prompt (here: on piped standard input), never on the
command line, so their paths stay out of shell history and out of
/proc/PID/cmdline. Each path is checked as it is typed; a bad one is named
and asked again; three bad ones in a row end the command with nothing sent;
the prompt's files and --attach's count together towards the limit of 8.

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
from harness import CODE_RE, REPORTER, TIMEOUT, Channel, Reporter, run  # noqa: E402


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

    def test_reply_asks_again_after_a_wrong_path(self):
        before = set(self.adviser.case_ids())
        reporter = Reporter(self.channel)
        reporter.new("ASK-REPLY report", to=[1])
        case = self.new_case(before)
        empty = os.path.join(self.files, "leeg.txt")
        open(empty, "wb").close()
        good, good_data = self.make_file("notes.txt", 5000)
        dragged, dragged_data = self.make_file("photo of the board.jpg", 7000)
        answers = [
            os.path.join(self.files, "does-not-exist.pdf"),  # wrong: asked again
            empty,                                           # wrong again: asked again
            good,                                            # works
            good,                                            # the same file again: refused
            f"'{dragged}' ",                                 # as a terminal pastes a dragged file
            "",
        ]
        rc, out, err = run([REPORTER, "reply", "--channel", self.channel.address, *self.channel.kdf_args,
                            "--attach-ask"],
                           stdin=reporter.code + "\n" + "\n".join(answers) + "\nASK-REPLY with files\n.\n",
                           check=False)
        self.assertEqual(rc, 0, out + err)
        self.assertIn("does-not-exist.pdf cannot be attached", err)
        self.assertIn("leeg.txt is empty", err)
        self.assertIn("notes.txt is already attached", err)
        self.assertEqual(err.count("Type another file, or press Enter to go on without it."), 3)
        self.assertIn("Added: notes.txt", err)
        self.assertIn("Added: photo of the board.jpg", err)
        self.assertIn("Your message was sent", out)
        self.assertEqual(out.count("with attachment:"), 2)

        self.adviser.inbox()
        text, numbers = self.reporter_files(case)
        self.assertIn("ASK-REPLY with files", text)
        self.assertNotIn("does-not-exist", text)
        self.assertEqual(sorted(numbers), ["notes.txt", "photo of the board.jpg"])
        self.assert_received(case, numbers["notes.txt"], good_data)
        self.assert_received(case, numbers["photo of the board.jpg"], dragged_data)

    def test_three_wrong_paths_in_a_row_send_nothing(self):
        reporter = Reporter(self.channel)
        reporter.new("ASK-GIVE-UP report", to=[1])
        good, _ = self.make_file("never-sent.txt", 100)
        before = relay_message_count(self.channel)
        missing = os.path.join(self.files, "ontbreekt")
        rc, out, err = run([REPORTER, "reply", "--channel", self.channel.address, *self.channel.kdf_args,
                            "--lang", "nl", "--attach-ask"],
                           stdin=reporter.code + f"\n{missing}1\n{missing}2\n{self.files}\n{good}\n\nTekst\n.\n",
                           check=False)
        self.assertEqual(rc, 2, out + err)
        self.assertIn("Bestand 1 (Enter = geen bestanden meer)", err)
        self.assertIn("ontbreekt1 kan niet worden bijgevoegd", err)
        self.assertIn("Typ een ander bestand", err)
        self.assertIn("3 bestanden achter elkaar konden niet worden bijgevoegd; er is niets verstuurd", err)
        self.assertNotIn("never-sent.txt", err)
        self.assertEqual(relay_message_count(self.channel), before)

    def test_prompt_and_attach_together_count_towards_eight(self):
        # One file from --attach, eight typed: the eighth typed is one too
        # many, is refused, and an empty line still ends the list.
        before = set(self.adviser.case_ids())
        given, given_data = self.make_file("given-on-the-command-line.txt", 300)
        typed = [self.make_file(f"typed-{i}.txt", 100 + i) for i in range(1, 9)]
        reporter = Reporter(self.channel)
        args = [REPORTER, "new", "--channel", self.channel.address, *self.channel.kdf_args, "--to", "1",
                "--attach", given, "--attach-ask"]
        stdin = "\n".join(path for path, _ in typed) + "\n\nASK-EIGHT report\n.\n"
        shown, out, err = reporter._take_code(args, stdin.encode())
        self.assertIn("File 8 (Enter = no more files)", err)
        self.assertNotIn("File 9", err)
        self.assertIn("At most 8 attachments per message: " + typed[7][0] + " was not added.", err)
        self.assertIn("That is the most: 8 files. Press Enter to go on:", err)
        self.assertNotIn("Added: typed-8.txt", err)
        self.assertEqual(shown.count("Attached: "), 8)
        self.assertIn("Attached: given-on-the-command-line.txt", shown)
        self.assertIn("Attached: typed-7.txt", shown)
        self.assertNotIn("typed-8.txt", shown + out)

        case = self.new_case(before)
        text, numbers = self.reporter_files(case)
        self.assertIn("ASK-EIGHT report", text)
        self.assertEqual(len(numbers), 8)
        self.assertNotIn("typed-8.txt", numbers)
        self.assert_received(case, numbers["given-on-the-command-line.txt"], given_data)
        self.assert_received(case, numbers["typed-7.txt"], typed[6][1])

    def test_file_over_the_relay_limit_is_asked_again(self):
        self.channel.stop_relay()
        self.channel.serve_args = ["--max-attachment-bytes", "100000"]
        self.channel.start_relay()
        try:
            before = set(self.adviser.case_ids())
            big, _ = self.make_file("too-big.bin", 150000)
            small, small_data = self.make_file("small-enough.bin", 1000)
            reporter = Reporter(self.channel)
            args = [REPORTER, "new", "--channel", self.channel.address, *self.channel.kdf_args, "--to", "1",
                    "--attach-ask"]
            _, out, err = reporter._take_code(args, f"{big}\n{small}\n\nASK-LIMIT report\n.\n".encode())
            self.assertIn("too-big.bin is too large (146.5 KB); this relay accepts files up to 97.7 KB.", err)
            self.assertIn("Added: small-enough.bin", err)
            case = self.new_case(before)
            _, numbers = self.reporter_files(case)
            self.assertEqual(list(numbers), ["small-enough.bin"])
            self.assert_received(case, numbers["small-enough.bin"], small_data)
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
        prefix = ["prlimit", "--memlock=2097152:2097152"]
        if os.geteuid() == 0:
            prefix = ["setpriv", "--inh-caps=-ipc_lock", "--bounding-set=-ipc_lock"] + prefix
        args = prefix + [REPORTER, "new", "--channel", self.channel.address, *self.channel.kdf_args, "--to", "1",
                         "--attach-ask"]
        _, out, err = Reporter(self.channel)._take_code(args, f"{big}\n\nASK-LOCK report\n.\n".encode())
        self.assertIn("too-big-to-lock.bin (3.0 MB) does not fit in the memory this program may lock", err)
        self.assertIn("ulimit -l", err)
        self.assertIn("Type another file", err)
        self.assertNotIn("with attachment", out)
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
        for lang, history, recommended in (("en", "shell history", "recommended"),
                                           ("nl", "shellgeschiedenis", "aangeraden")):
            for command in ("new", "reply"):
                _, out, _ = run([REPORTER, command, "--help", "--lang", lang])
                flat = " ".join(out.split())
                self.assertIn("--attach-ask", flat)
                self.assertIn(recommended, flat)
                attach = flat[flat.index("--attach TEXT"):]
                self.assertIn(history, attach)
                self.assertIn("--attach-ask", attach)
            _, out, _ = run([REPORTER, "--help", "--lang", lang])
            self.assertIn("--attach-ask", out)


if __name__ == "__main__":
    unittest.main()
