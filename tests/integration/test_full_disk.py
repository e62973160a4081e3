"""A full disk: every refusal is storage-full, nothing is lost, the relay serves on.

The relay's data folder is a 48 MiB tmpfs. tests/tools/deposit_tool fills it
through the real relay with envelopes of each size class, largest first,
until each class has been refused REFUSALS times (so the file system is
full to its last pages: some commits fail with ENOSPC, others with a write
the full disk cut short, which LMDB reports as EIO). Then:
  - every refusal carried status 6 (storage-full), none another status;
  - every acknowledged envelope is still there, with its bytes, and the
    store holds exactly the acknowledged ones (nothing refused was stored);
  - the relay still serves: a conversation started before the disk filled
    is read with `reporter-client check`, `relay status` answers;
  - `reporter-client new` is refused with the storage-full text, in English
    and in Dutch, never the relay's raw words alone;
  - after the relay stopped, `relay check` finds the store intact.
Needs root (to mount the tmpfs); skipped otherwise.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import BIN, CODE_RE, RELAY, REPORTER, TIMEOUT, Channel, Reporter, run  # noqa: E402

DEPOSIT_TOOL = os.path.join(BIN, "deposit_tool")
DISK_MIB = 48
REFUSALS = 5  # per size class
STORAGE_FULL = 6

# A message that needs an envelope of the largest size class (256 KiB).
LONG = "a long message line that fills an envelope of the largest class\n" * 1600
FULL_EN = "The relay's storage is full, so nothing was sent."
FULL_NL = "De opslag van de server is vol, dus er is niets verstuurd."


def mount_tmpfs(folder):
    """Mounts a DISK_MIB tmpfs on folder; None if it worked, else the reason."""
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK_MIB}m,mode=0700", "tmpfs", folder],
                          capture_output=True)
    return None if proc.returncode == 0 else proc.stderr.decode(errors="replace").strip() or "mount failed"


def reporter_new_refused(channel, text, lang):
    """Runs `reporter-client new` to the end (typing the code back) and
    returns (exit code, stderr): the deposit is expected to be refused."""
    args = [REPORTER, "new", "--channel", channel.address, "--lang", lang, *channel.kdf_args]
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
    proc.stdin.write(b"\n" + text.encode() + b"\n.\n")
    proc.stdin.flush()
    shown = b""
    while not CODE_RE.search(shown.decode(errors="replace")):
        line = proc.stdout.readline()
        if not line:
            out, err = proc.communicate(timeout=TIMEOUT)
            raise AssertionError(f"no code shown\nstdout:\n{(shown + out).decode()}\nstderr:\n{err.decode()}")
        shown += line
    code = CODE_RE.search(shown.decode()).group(1)
    _, err = proc.communicate(code.encode() + b"\n", timeout=TIMEOUT)
    return proc.returncode, err.decode(errors="replace")


@unittest.skipUnless(os.geteuid() == 0, "needs root to mount a small tmpfs as the relay's data folder")
class FullDiskTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="meldpunt-full-disk-")
        self.addCleanup(shutil.rmtree, self.root, True)
        data = os.path.join(self.root, "relay-data")  # where harness.Channel keeps the relay's data
        os.mkdir(data, 0o700)
        reason = mount_tmpfs(data)
        if reason is not None:
            self.skipTest(f"cannot mount a tmpfs here: {reason}")
        self.addCleanup(subprocess.run, ["umount", "--lazy", data], check=False)
        self.channel = Channel(adviser_names=(("Anna de Vries", "internal"),), root=self.root,
                               serve_args=["--pow-difficulty", "0"])
        self.addCleanup(self.channel.stop_relay)

    def test_full_disk_refuses_as_storage_full_and_loses_nothing(self):
        ch = self.channel
        adviser = ch.advisers[0]
        reporter = Reporter(ch)
        reporter.new("BEFORE the disk filled up", to=[1])
        adviser.inbox()  # imports the report and uploads prekeys: get-prekeys must now write
        case = adviser.case_ids()[0]
        stored_before = json.loads(run([RELAY, "status", "--data", ch.data, "--json"])[1])["messages"]["stored"]

        proc = subprocess.run([DEPOSIT_TOOL, "fill", ch.address, str(REFUSALS)], capture_output=True,
                              timeout=300)
        out, err = proc.stdout.decode(), proc.stderr.decode()
        self.assertEqual(proc.returncode, 0, err)
        acknowledged = [line[3:] for line in out.splitlines() if line.startswith("ok ")]
        refused = [line for line in out.splitlines() if line.startswith("refused ")]
        self.assertEqual(len(refused), REFUSALS * 3, out[-2000:])
        statuses = sorted({int(line.split()[1]) for line in refused})
        self.assertEqual(statuses, [STORAGE_FULL], "refusals on a full disk:\n" + "\n".join(refused))
        self.assertGreater(len(acknowledged), 100)  # 48 MiB hold far more than the refusals' worth

        # Every acknowledged envelope is there with its bytes.
        proc = subprocess.run([DEPOSIT_TOOL, "get", ch.address], input="\n".join(acknowledged).encode(),
                              capture_output=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stdout.decode() + proc.stderr.decode())
        self.assertIn(f"present {len(acknowledged)} missing 0 wrong 0", proc.stdout.decode())

        # The relay serves on: reads work, status answers, and what it holds
        # is exactly what it held before and acknowledged since.
        self.assertIsNone(ch.relay.poll(), "the relay exited")
        _, check_out, _ = reporter.check()
        self.assertIn("BEFORE the disk filled up", check_out)
        status = json.loads(run([RELAY, "status", "--data", ch.data, "--json"])[1])
        self.assertEqual(status["messages"]["stored"], stored_before + len(acknowledged))

        # A new report is refused (at get-prekeys, which takes a prekey out
        # of the store, or at the deposit), and the reporter is told what
        # that means; so is the adviser when a reply is refused. Their
        # messages are long enough for the largest envelopes: pages that
        # later commits free inside the store's file can take a small one.
        for lang, expected in (("en", FULL_EN), ("nl", FULL_NL)):
            rc, err = reporter_new_refused(ch, f"AFTER the disk filled up ({lang}) " + LONG, lang)
            self.assertEqual(rc, 2, err)
            self.assertIn(expected, err)
            self.assertNotRegex(err, re.compile("LMDB|Input/output", re.I))
        rc, _, err = adviser._run("reply", case, "--channel", ch.address, stdin="AFTER: an answer " + LONG,
                                  check=False)
        self.assertEqual(rc, 2, err)
        self.assertIn("the relay's storage is full, so it stored nothing", err)

        self.assertIsNone(ch.relay.poll(), "the relay exited")
        self.assertEqual(ch.stop_relay(), 0)
        rc, out, err = run([RELAY, "check", "--data", ch.data], check=False)
        self.assertEqual(rc, 0, out + err)


if __name__ == "__main__":
    unittest.main()
