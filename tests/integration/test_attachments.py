"""Attachments through the real binaries: reporter -> adviser and adviser ->
reporter files arrive intact and are saved with sanitised names and mode
0600, never executable and never over an existing file; a file over the
relay's max-attachment-bytes (or any file when it is 0) is refused before
anything is uploaded; an attachment missing a piece is reported, not saved.
"""
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import ADVISER, REPORTER, Channel, Reporter, run  # noqa: E402

PIECE = 252 * 1024  # data bytes per piece (protocol/attachment.hpp)


def relay_message_count(channel):
    out = subprocess.run(["mdb_stat", "-s", "messages", os.path.join(channel.data, "store")],
                         capture_output=True, check=True).stdout.decode()
    return int(re.search(r"Entries: (\d+)", out).group(1))


def large_envelope_ids(channel):
    """The ids (hex) of the 256 KiB envelopes stored at the relay."""
    store = os.path.join(channel.data, "store")
    dump = subprocess.run(["mdb_dump", "-s", "messages", store], capture_output=True, check=True).stdout.decode()
    lines = dump.splitlines()
    records = lines[lines.index("HEADER=END") + 1:]
    return {records[i].strip() for i in range(0, len(records) - 1, 2)
            if len(records[i + 1].strip()) // 2 >= 262144}


def damage_one_large_envelope(channel, among=None):
    """Flips a byte inside one 256 KiB envelope stored at the relay (the relay
    stopped meanwhile), as a damaged disk or a meddling operator would: the
    recipient can no longer open that piece. `among`: only one of these ids."""
    store = os.path.join(channel.data, "store")
    dump = subprocess.run(["mdb_dump", "-s", "messages", store], capture_output=True, check=True).stdout.decode()
    lines = dump.splitlines()
    end = lines.index("HEADER=END")
    header, records = lines[:end + 1], lines[end + 1:]
    for i in range(0, len(records) - 1, 2):
        key, value = records[i].strip(), records[i + 1].strip()
        if len(value) // 2 >= 262144 and (among is None or key in among):
            raw = bytearray.fromhex(value)
            raw[-100] ^= 0x01  # inside the ciphertext: the MAC no longer verifies
            load = "\n".join(header + [" " + key, " " + raw.hex(), "DATA=END"]) + "\n"
            subprocess.run(["mdb_load", "-s", "messages", store], input=load.encode(), check=True)
            return
    raise AssertionError("no 256 KiB envelope at the relay")


class AttachmentTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        os.environ["TZ"] = "UTC"
        cls.channel = Channel(adviser_names=(("Anna de Vries", "internal"), ("Bureau Extern", "external")))
        cls.adviser = cls.channel.advisers[0]
        cls.files = tempfile.mkdtemp(prefix="meldpunt-files-")

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        shutil.rmtree(cls.files, ignore_errors=True)

    def make_file(self, name, size, folder=None):
        path = os.path.join(folder or self.files, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = os.urandom(size)
        with open(path, "wb") as f:
            f.write(data)
        return path, data

    def save_folder(self, name):
        path = os.path.join(self.files, name)
        os.makedirs(path)
        return path

    def assert_saved(self, path, data):
        with open(path, "rb") as f:
            self.assertEqual(f.read(), data)
        mode = stat.S_IMODE(os.lstat(path).st_mode)
        self.assertEqual(mode, 0o600, oct(mode))
        self.assertFalse(mode & 0o111, "a saved attachment must never be executable")

    def test_both_ways(self):
        a = self.adviser
        report, report_data = self.make_file("evidence report.pdf", 2 * PIECE + 1000)  # three pieces
        evil, evil_data = self.make_file("\x1b[31mevil", 100)
        dotfile, dot_data = self.make_file(".bashrc", 50)
        reporter = Reporter(self.channel)
        out = reporter.new("Please see the attached files.", to=[1],
                           extra=["--attach", report, "--attach", evil, "--attach", dotfile])
        self.assertIn("evidence report.pdf", out)
        self.assertNotIn("\x1b", out)

        inbox = a.inbox()
        self.assertIn("attachments complete and intact: 3", inbox)
        case = a.case_ids()[0]
        text = a.read(case)
        self.assertNotIn("\x1b", text)
        self.assertIn("from the reporter: evidence report.pdf", text)
        self.assertIn("from the reporter: _[31mevil", text)
        self.assertIn("from the reporter: bashrc", text)
        self.assertEqual(text.count(", intact"), 3)
        # The second adviser was not chosen: nothing for them.
        other = self.channel.advisers[1].inbox()
        self.assertIn("0 new messages", other)

        # Saving: sanitised names, mode 0600, never over an existing file.
        folder = self.save_folder("adviser-saved")
        numbers = {name: str(i + 1) for i, name in enumerate(
            re.findall(r"from the reporter: (.*?) \(", text))}
        details = a._run("attachment", case, numbers["evidence report.pdf"])[1]
        self.assertIn("BLAKE2b-256", details)
        a._run("attachment", case, numbers["evidence report.pdf"], "--save", folder)
        a._run("attachment", case, numbers["evidence report.pdf"], "--save", folder)
        a._run("attachment", case, numbers["_[31mevil"], "--save", folder)
        a._run("attachment", case, numbers["bashrc"], "--save", folder)
        self.assertEqual(sorted(os.listdir(folder)),
                         ["_[31mevil", "bashrc", "evidence report (1).pdf", "evidence report.pdf"])
        self.assert_saved(os.path.join(folder, "evidence report.pdf"), report_data)
        self.assert_saved(os.path.join(folder, "evidence report (1).pdf"), report_data)
        self.assert_saved(os.path.join(folder, "_[31mevil"), evil_data)
        self.assert_saved(os.path.join(folder, "bashrc"), dot_data)
        # A bad number is a clear error.
        rc, _, err = a._run("attachment", case, "9", check=False)
        self.assertEqual(rc, 2)
        self.assertIn("N is 1 to 3", err)

        # The reporter's own record of what it sent.
        _, out, err = reporter.check()
        self.assertIn("you sent evidence report.pdf", out)
        self.assertNotIn("could not be verified", err)

        # Adviser -> reporter: a file given by a path that climbs out of its
        # folder arrives under its last name only, saved inside the folder named.
        nested = os.path.join(self.files, "a", "b")
        os.makedirs(nested)
        _, passwd_data = self.make_file("passwd", PIECE + 5, folder=os.path.join(self.files, "etc"))
        climbing = os.path.join(nested, "..", "..", "etc", "passwd")
        sent = a._run("reply", case, "--channel", self.channel.address, "--attach", climbing,
                      stdin="Here is the form.\n")[1]
        self.assertIn("sent by you: passwd", sent)
        # Two pieces, like every file the adviser sends here: damaging any one
        # 256 KiB envelope below then leaves exactly one file incomplete (a
        # one-piece file would vanish from the list instead).
        only, only_data = self.make_file("scan.png", PIECE + 3000)
        a._run("reply", case, "--channel", self.channel.address, "--attach", only, "--no-text")
        self.assertIn("sent by you: scan.png", a.read(case))

        _, out, err = reporter.check()
        self.assertIn("Here is the form.", out)
        self.assertRegex(out, r"from Anna de Vries: passwd \(.*\), intact")
        self.assertRegex(out, r"from Anna de Vries: scan.png \(.*\), intact")
        self.assertIn("--save", out)
        # The command to run next, in full (not "--channel <address>").
        self.assertIn(f"  reporter-client check --channel {self.channel.address} --insecure-test-kdf "
                      "--save FOLDER\n", out)
        target = self.save_folder("reporter-saved")
        _, out, _ = reporter.check(extra=["--save", target])
        self.assertIn("leaves these files on this computer", out)
        self.assertEqual(sorted(os.listdir(target)), ["passwd", "scan.png"])
        self.assert_saved(os.path.join(target, "passwd"), passwd_data)
        self.assert_saved(os.path.join(target, "scan.png"), only_data)

        # A file missing a piece (one envelope damaged at the relay) is
        # reported as incomplete and never saved.
        broken, _ = self.make_file("broken.bin", 2 * PIECE)
        earlier = large_envelope_ids(self.channel)
        a._run("reply", case, "--channel", self.channel.address, "--attach", broken, "--no-text")
        _, out, _ = reporter.check()
        self.assertRegex(out, r"broken.bin \(.*\), intact")  # first without damage
        self.channel.stop_relay()
        # One of broken.bin's two pieces. (The reporter's own pieces stay at
        # the relay too now: every adviser who reads them reads the same
        # ones, so none deletes them.)
        damage_one_large_envelope(self.channel, among=large_envelope_ids(self.channel) - earlier)
        self.channel.start_relay()
        _, out, err = reporter.check()
        incomplete = re.findall(r"\[(\d+)\].*: (\S+) \(.*\), INCOMPLETE: (\d) of (\d) pieces", out)
        self.assertEqual(len(incomplete), 1, out)
        name = incomplete[0][1]
        # The damaged piece is named as one that could not be verified.
        self.assertIn("1 attachment piece could not be verified", out + err)
        again = self.save_folder("reporter-saved-again")
        # The old option name still works (a hidden alias of --save).
        _, out, _ = reporter.check(extra=["--save-attachments", again])
        self.assertIn(f"{name} NOT saved", out)
        self.assertNotIn(name, os.listdir(again))



    def test_rotation_right_after_sending_keeps_the_files(self):
        # The reporter moves to a new code before the adviser's next inbox:
        # the pieces were sent with the old code before the move, so they
        # still belong to the case (they used to be refused as "retired").
        a = self.adviser
        before = set(a.case_ids())
        proof, proof_data = self.make_file("proof.pdf", PIECE + 10)
        reporter = Reporter(self.channel)
        reporter.new("ROT report with a file", to=[1], extra=["--attach", proof])
        reporter.rotate()
        out = a.inbox()
        self.assertIn("attachments complete and intact: 1", out)
        case = (set(a.case_ids()) - before).pop()
        self.assertIn("from the reporter: proof.pdf", a.read(case))
        folder = self.save_folder("after-rotation")
        a._run("attachment", case, "1", "--save", folder)
        self.assert_saved(os.path.join(folder, "proof.pdf"), proof_data)

    def test_file_that_cannot_be_locked_is_refused_before_any_upload(self):
        # RLIMIT_MEMLOCK of 2 MiB (soft and hard, so raising the soft one does
        # not help) and, as root, without CAP_IPC_LOCK: a 3 MiB file could be
        # swapped to disk, so it is refused with exit code 2 before the
        # message is typed and before anything reaches the relay.
        big, _ = self.make_file("too-big-to-lock.bin", 3 * 1024 * 1024)
        before = relay_message_count(self.channel)
        prefix = ["prlimit", "--memlock=2097152:2097152"]
        if os.geteuid() == 0:
            prefix = ["setpriv", "--inh-caps=-ipc_lock", "--bounding-set=-ipc_lock"] + prefix
        rc, out, err = run(prefix + [REPORTER, "new", "--channel", self.channel.address, *self.channel.kdf_args,
                                     "--to", "1", "--attach", big], stdin="A report.\n.\n", check=False)
        self.assertEqual(rc, 2, out + err)
        self.assertIn("does not fit in the memory this program may lock", err)
        self.assertIn("ulimit -l", err)
        self.assertEqual(relay_message_count(self.channel), before)

    def test_rotation_keeps_old_letters_while_files_are_unsaved(self):
        # Attachments do not move to the new code: after `rotate` the old
        # code still lists (and can save) the file the adviser sent.
        a = self.adviser
        before = set(a.case_ids())
        reporter = Reporter(self.channel)
        reporter.new("KEEP report, a file will come back", to=[1])
        a.inbox()
        case = (set(a.case_ids()) - before).pop()
        form, form_data = self.make_file("form-to-sign.pdf", PIECE + 77)
        a._run("reply", case, "--channel", self.channel.address, "--attach", form, "--no-text")
        out, err = reporter.rotate()
        self.assertIn("files do not move to the new code", out)
        self.assertIn("--save", out)
        self.assertNotIn("were deleted", out)
        _, out, _ = reporter.check(code=reporter.old_code)
        self.assertRegex(out, r"from Anna de Vries: form-to-sign.pdf \(.*\), intact")
        folder = self.save_folder("saved-with-old-code")
        reporter.check(code=reporter.old_code, extra=["--save", folder])
        self.assert_saved(os.path.join(folder, "form-to-sign.pdf"), form_data)

    def test_receiving_side_enforces_the_relay_limit(self):
        # The relay cannot tell pieces from other envelopes; the adviser's
        # inbox refuses pieces of a file over the limit the relay announces.
        a = self.adviser
        before = set(a.case_ids())
        big, _ = self.make_file("big.bin", 2 * PIECE)
        Reporter(self.channel).new("LIMIT report with a big file", to=[1], extra=["--attach", big])
        self.channel.stop_relay()
        self.channel.serve_args = ["--max-attachment-bytes", "100000"]
        self.channel.start_relay()
        try:
            _, out, err = a._run("inbox", "--channel", self.channel.address)
            self.assertIn("1 announced file refused: larger than the relay's attachment limit", err)
            case = (set(a.case_ids()) - before).pop()
            text = a.read(case)
            self.assertIn("LIMIT report with a big file", text)
            self.assertNotIn("big.bin", text)
        finally:
            self.channel.stop_relay()
            self.channel.serve_args = []
            self.channel.start_relay()

class RelayLimitTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.channel = Channel(adviser_names=(("Anna de Vries", "internal"),),
                              serve_args=["--max-attachment-bytes", "100000"])
        cls.adviser = cls.channel.advisers[0]
        cls.files = tempfile.mkdtemp(prefix="meldpunt-files-")
        cls.big = os.path.join(cls.files, "big.bin")
        with open(cls.big, "wb") as f:
            f.write(os.urandom(150000))
        cls.small = os.path.join(cls.files, "small.txt")
        with open(cls.small, "wb") as f:
            f.write(b"small file\n")

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        shutil.rmtree(cls.files, ignore_errors=True)

    def reporter_new(self, attachment):
        return run([REPORTER, "new", "--channel", self.channel.address, *self.channel.kdf_args, "--to", "1",
                    "--attach", attachment], stdin="A report.\n.\n", check=False)

    def test_over_the_limit_is_refused_before_any_upload(self):
        rc, out, err = self.reporter_new(self.big)
        self.assertEqual(rc, 2, err)
        self.assertIn("too large", err)
        self.assertIn("97.7 KiB", err)  # the relay's limit, in words
        self.assertNotIn("Your code", out)  # refused before a code was even issued
        self.assertEqual(relay_message_count(self.channel), 0)

        # The adviser too: a case to reply in, then a reply over the limit.
        Reporter(self.channel).new("A report without files.", to=[1])
        self.adviser.inbox()
        case = self.adviser.case_ids()[0]
        before = relay_message_count(self.channel)
        rc, _, err = self.adviser._run("reply", case, "--channel", self.channel.address, "--attach", self.big,
                                       stdin="Text.\n", check=False)
        self.assertEqual(rc, 2)
        self.assertIn("accepts attachments up to", err)
        self.assertEqual(relay_message_count(self.channel), before)
        self.assertNotIn("sent by you", self.adviser.read(case))

    def test_relay_that_refuses_attachments(self):
        self.channel.stop_relay()
        self.channel.serve_args = ["--max-attachment-bytes", "0"]
        self.channel.start_relay()
        try:
            before = relay_message_count(self.channel)
            rc, _, err = self.reporter_new(self.small)
            self.assertEqual(rc, 2)
            self.assertIn("does not accept attachments", err)
            rc, _, err = run([REPORTER, "new", "--channel", self.channel.address, *self.channel.kdf_args,
                              "--lang", "nl", "--to", "1", "--attach", self.small],
                             stdin="Een melding.\n.\n", check=False)
            self.assertEqual(rc, 2)
            self.assertIn("neemt geen bijlagen aan", err)
            self.assertEqual(relay_message_count(self.channel), before)
        finally:
            self.channel.stop_relay()
            self.channel.serve_args = ["--max-attachment-bytes", "100000"]
            self.channel.start_relay()


if __name__ == "__main__":
    unittest.main()
