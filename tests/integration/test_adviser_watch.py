"""`adviser-client watch` (issue 16, point 5) through the real binaries, with
a fake notify-send and a fake sendmail first on PATH and a recording
--notify-command: a new report is told as a count, and no word of it (nor
the adviser's name) reaches a notifier's argv, input or environment; a
near deadline is told once over several rounds, not on every round; a
failing notifier and a relay that does not answer are said on stderr and
watching goes on; a mail address that could inject a header is refused.
Bounded: --once, or --rounds with --test-interval-seconds 1.
"""
import os
import shlex
import shutil
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import ADVISER, BIN, SharedChannelTest, Reporter, free_port, run, unit_directives  # noqa: E402

UNIT = os.path.join(os.path.dirname(__file__), "..", "..", "deploy", "meldpunt-adviser-watch.service")

DAY = 86400
REPORT = "WATCHTEXT zebra quokka mango about the committee chair"
SECRET_WORDS = ["WATCHTEXT", "zebra", "quokka", "mango", "committee", "chair", "Vries"]

RECORDER = """#!/bin/sh
{{ echo "ARGS"; for a in "$@"; do printf '[%s]\\n' "$a"; done; echo "STDIN"; cat; echo "ENV"; env; echo "END"; }} >> "{log}"
exit {code}
"""


class Watch(SharedChannelTest):
    ADVISERS = (("Anna de Vries", "internal"),)

    def setUp(self):
        self.anna = self.advisers[0]
        self.bin = os.path.join(self.channel.root, f"fakebin-{self.id().split('.')[-1]}")
        os.makedirs(self.bin)
        self.logs = {}
        for name, code in (("notify-send", 0), ("sendmail", 0), ("recorder", 0), ("failing", 3)):
            log = os.path.join(self.bin, name + ".log")
            path = os.path.join(self.bin, name)
            with open(path, "w") as f:
                f.write(RECORDER.format(log=log, code=code))
            os.chmod(path, 0o700)
            self.logs[name] = log

    def recorded(self, name):
        if not os.path.exists(self.logs[name]):
            return ""
        with open(self.logs[name]) as f:
            return f.read()

    def watch(self, *args, now=None, check=True):
        env = dict(os.environ, PATH=self.bin + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin"))
        if now is not None:
            env["MELDPUNT_TEST_NOW"] = str(int(now))
        return run([ADVISER, "watch", "--home", self.anna.home, *args], stdin=self.anna.passphrase + "\n",
                   env=env, check=check, timeout=60)

    def test_new_report_notified_as_a_count_only(self):
        Reporter(self.channel).new(REPORT)
        rc, out, err = self.watch("--once", "--notify-send", "--notify-command", os.path.join(self.bin, "recorder"),
                                  "--mail-to", "adviser@example.org")
        self.assertEqual(rc, 0, err)
        self.assertIn("1 new message", out)
        for name in ("notify-send", "recorder", "sendmail"):
            text = self.recorded(name)
            self.assertIn("1 new message", text, name)
            for word in SECRET_WORDS:
                self.assertNotIn(word.lower(), text.lower(), f"{word!r} reached {name}")
        self.assertIn("[-t]", self.recorded("sendmail"))
        self.assertIn("To: adviser@example.org", self.recorded("sendmail"))
        self.assertIn("Subject: meldpunt: 1 new message", self.recorded("sendmail"))
        # Nothing new: no notification at all on the next run.
        before = self.recorded("notify-send")
        rc, out, err = self.watch("--once", "--notify-send")
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.recorded("notify-send"), before)

    def test_deadline_once_failing_notifier_and_relay_down(self):
        Reporter(self.channel).new("WATCHTEXT deadline report")
        self.anna.inbox()
        case = self.anna.case_ids()[0]
        created = time.time()
        dead = self.channel.address_for(f"tcp://127.0.0.1:{free_port()}")
        # 6.5 days after the report: the acknowledgement (7 days) is due within a day.
        rc, out, err = self.watch("--channel", dead, "--timeout", "1", "--rounds", "3", "--test-interval-seconds", "1",
                                  "--notify-send", "--notify-command", os.path.join(self.bin, "failing"),
                                  now=created + 6.5 * DAY, check=False)
        self.assertEqual(rc, 2, out + err)  # the last fetch failed
        self.assertEqual(err.count("fetching failed"), 3, err)
        self.assertIn("the notification command failed: exited with 3; watching goes on", err)
        told = f"case {case}: acknowledgement due in 1 day"
        self.assertEqual(self.recorded("notify-send").count(told), 1, self.recorded("notify-send"))
        self.assertEqual(self.recorded("failing").count(told), 1)  # it ran, failed, and was not retried each round
        self.assertEqual(out.count(told), 1, out)
        # A dead address that never worked is not kept.
        self.assertNotEqual(run([ADVISER, "channel", "--home", self.anna.home])[1].strip(), dead)
        # Once overdue, told again (a new threshold), with the due date.
        rc, out, err = self.watch("--channel", dead, "--timeout", "1", "--once", "--notify-send",
                                  now=created + 8 * DAY, check=False)
        self.assertIn(f"case {case}: acknowledgement overdue since", self.recorded("notify-send"))

    def test_passphrase_through_a_fifo_and_sigterm(self):
        """The systemd --user unit's way (deploy/meldpunt-adviser-watch.service):
        the passphrase through a FIFO, SIGTERM ends watch after its round, exit 0."""
        fifo = os.path.join(self.bin, "passphrase.fifo")
        os.mkfifo(fifo, 0o600)
        proc = subprocess.Popen(["/bin/sh", "-c", f'exec "{ADVISER}" watch --home "{self.anna.home}" '
                                 f'--test-interval-seconds 1 < "{fifo}"'],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            with open(fifo, "w") as f:
                f.write(self.anna.passphrase + "\n")
            time.sleep(2)  # a round or two at one second apart
            proc.terminate()
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.assertEqual(proc.returncode, 0, err)
        self.assertIn("watching", out.decode())
        self.assertIn("stopped", out.decode())

    def test_user_unit_as_written(self):
        """deploy/meldpunt-adviser-watch.service, its commands run as systemd
        would run them (no systemd --user here: the test machine has no user
        manager), with the passphrase given by the guide's own `dd` line: the
        FIFO is made, watch starts and tells, SIGTERM ends it with exit 0, the
        FIFO is removed, and the guide's line then fails instead of leaving the
        passphrase in a file."""
        with open(UNIT) as f:
            unit = unit_directives(f.read())
        if shutil.which("systemd-analyze"):
            rc, out, err = run(["systemd-analyze", "verify", os.path.abspath(UNIT)], check=False)
            self.assertEqual(rc, 0, out + err)
        self.anna.inbox()  # stores the channel in the home, as the guide's first inbox does
        runtime = os.path.join(self.channel.root, "runtime-unit")
        os.makedirs(runtime, mode=0o700)
        home = os.path.join(self.channel.root, "unit-home")
        os.makedirs(home)
        shutil.copytree(self.anna.home, os.path.join(home, ".meldpunt-adviser"), symlinks=True)
        env = dict(os.environ, HOME=home, XDG_RUNTIME_DIR=runtime,
                   PATH=os.pathsep.join([self.bin, os.path.abspath(BIN), "/usr/bin", "/bin"]))
        fifo = os.path.join(runtime, "meldpunt-watch.passphrase")

        def unit_command(key):
            (line,) = unit[key]
            return shlex.split(line)

        subprocess.run(unit_command("ExecStartPre"), env=env, check=True, timeout=30)
        self.assertTrue(os.path.exists(fifo) and not os.path.isfile(fifo))
        self.assertEqual(os.stat(fifo).st_mode & 0o777, 0o600)
        Reporter(self.channel).new(REPORT)
        proc = subprocess.Popen(unit_command("ExecStart"), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            # The guide's line, with printf for systemd-ask-password (no terminal here).
            give = subprocess.run(["/bin/sh", "-c", 'printf "%s\\n" "$1" | dd of="$XDG_RUNTIME_DIR/meldpunt-watch.passphrase" '
                                   "conv=nocreat status=none", "sh", self.anna.passphrase], env=env, timeout=30)
            self.assertEqual(give.returncode, 0)
            deadline = time.monotonic() + 60
            while "1 new" not in self.recorded("notify-send") and time.monotonic() < deadline:
                time.sleep(0.2)
            self.assertIn("1 new", self.recorded("notify-send"))
            self.assertEqual(unit["KillSignal"], ["SIGTERM"])
            proc.terminate()
            out, err = proc.communicate(timeout=int(unit["TimeoutStopSec"][0]))
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.assertEqual(proc.returncode, 0, err)
        self.assertIn("stopped", out.decode())
        subprocess.run(unit_command("ExecStopPost"), env=env, check=True, timeout=30)
        self.assertFalse(os.path.exists(fifo))
        late = subprocess.run(["/bin/sh", "-c", 'printf "%s\\n" "$1" | dd of="$XDG_RUNTIME_DIR/meldpunt-watch.passphrase" '
                               "conv=nocreat status=none", "sh", self.anna.passphrase], env=env, timeout=30,
                              stderr=subprocess.PIPE)
        self.assertNotEqual(late.returncode, 0)
        self.assertFalse(os.path.exists(fifo), "the passphrase was left in a file")

    def test_mail_address_cannot_inject_headers(self):
        rc, _, err = self.watch("--once", "--mail-to", "a@example.org\nBcc: other@example.org", check=False)
        self.assertEqual(rc, 1, err)
        self.assertIn("--mail-to", err)
        rc, _, err = self.watch("--interval", "1", check=False)
        self.assertEqual(rc, 1, err)


if __name__ == "__main__":
    unittest.main()
