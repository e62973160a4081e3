"""No trace on the reporter's machine, through the real binary.

`new`, `check`, `reply` and `rotate` run under `strace -f -e trace=%file`
with HOME and the working folder set to empty temporary folders: no file may
be created, written, renamed, removed or have its attributes changed anywhere
(only /dev/tty and /dev/null may be opened for writing), both folders stay
empty, and the code and the message appear nowhere in the trace (which holds
every argv of every exec and every path touched) nor on stderr. While the
client waits at a prompt, /proc shows core dumps disabled, secret memory
locked, and neither code nor message in its command line or environment.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import Channel, Reporter, REPORTER, CODE_RE, TIMEOUT  # noqa: E402

STRACE = shutil.which("strace") or "/usr/bin/strace"
WRITE_FLAGS = ("O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND")
ALLOWED_WRITABLE = ("/dev/tty", "/dev/null")
# Syscalls of %file that change the file system whatever their flags.
MUTATING = re.compile(r"^(mkdir|mkdirat|rename|renameat|renameat2|unlink|unlinkat|rmdir|link|linkat|symlink|"
                      r"symlinkat|truncate|chmod|fchmodat|chown|lchown|fchownat|utime|utimes|utimensat|futimesat|"
                      r"mknod|mknodat|creat|setxattr|lsetxattr|removexattr|lremovexattr|mount|umount2|"
                      r"swapon|acct|chroot|pivot_root)$")


def sanitizer_build():
    """AddressSanitizer turns mlock() into a no-op (it would lock its shadow
    memory too), so VmLck can only be checked in a normal build."""
    linked = subprocess.run(["ldd", REPORTER], capture_output=True, text=True).stdout
    return "libasan" in linked


SYSCALL = re.compile(r"^(?:\[pid\s+\d+\]\s+|\d+\s+)?(?:<\.\.\. )?([a-z_0-9]+)\((.*)$")


class NoTraceTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.channel = Channel()
        cls.scratch = tempfile.mkdtemp(prefix="meldpunt-notrace-")

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        shutil.rmtree(cls.scratch, ignore_errors=True)

    def setUp(self):
        self.home = tempfile.mkdtemp(prefix="home-", dir=self.scratch)
        self.cwd = tempfile.mkdtemp(prefix="cwd-", dir=self.scratch)
        self.env = {"HOME": self.home, "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
                    "MELDPUNT_CANARY": "canary-value",
                    # LeakSanitizer cannot run under ptrace (sanitizer build only).
                    "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0"}

    # ---- running ----

    def traced(self, name, args):
        log = os.path.join(self.scratch, f"{name}-{time.time_ns()}.strace")
        return log, [STRACE, "-f", "-qq", "-s", "4096", "-o", log, "-e", "trace=%file", REPORTER, *args]

    def popen(self, argv):
        return subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=self.env, cwd=self.cwd, bufsize=0)

    def read_stdout_until(self, proc, pattern):
        seen = b""
        deadline = time.time() + TIMEOUT
        while not re.search(pattern, seen.decode(errors="replace"), re.M):
            line = proc.stdout.readline()
            self.assertTrue(line and time.time() < deadline, f"never saw {pattern!r}: {seen.decode()}")
            seen += line
        return seen.decode()

    def run_with_new_code(self, argv, before):
        """Feeds `before`, waits for a new code, types it back. (code, out, err)."""
        proc = self.popen(argv)
        proc.stdin.write(before)
        proc.stdin.flush()
        shown = self.read_stdout_until(proc, CODE_RE.pattern)
        code = CODE_RE.search(shown).group(1)
        out, err = proc.communicate((code + "\n").encode(), timeout=TIMEOUT)
        self.assertEqual(proc.returncode, 0, err.decode())
        return code, shown + out.decode(), err.decode()

    def run_plain(self, argv, stdin):
        proc = subprocess.run(argv, input=stdin.encode(), capture_output=True, env=self.env, cwd=self.cwd,
                              timeout=TIMEOUT)
        self.assertEqual(proc.returncode, 0, proc.stderr.decode())
        return proc.stdout.decode(), proc.stderr.decode()

    # ---- checking ----

    @staticmethod
    def offences(trace):
        """Lines of an strace log that create, write or change a file."""
        found = []
        for line in trace.splitlines():
            m = SYSCALL.match(line.strip())
            if not m:
                continue
            call, rest = m.groups()
            if MUTATING.match(call):
                found.append(line)
            elif call in ("open", "openat", "openat2"):
                path = re.search(r'"((?:[^"\\]|\\.)*)"', rest)
                flags = rest[path.end():].split(",")[1] if path and "," in rest[path.end():] else rest
                if any(f in flags for f in WRITE_FLAGS) and (path is None or path.group(1) not in ALLOWED_WRITABLE):
                    found.append(line)
        return found

    def assert_no_trace(self, log, secrets, stderr):
        with open(log, errors="replace") as f:
            trace = f.read()
        self.assertIn("execve(", trace, "strace recorded nothing")
        self.assertIn("openat(", trace)
        self.assertEqual(self.offences(trace), [], "the client touched the file system")
        self.assertEqual(os.listdir(self.home), [], "something appeared in HOME")
        self.assertEqual(os.listdir(self.cwd), [], "something appeared in the working folder")
        for s in secrets:
            self.assertNotIn(s, trace, "a secret reached argv or a path")
            self.assertNotIn(s, stderr, "a secret reached stderr")

    # ---- tests ----

    def test_the_checker_sees_writes(self):
        """The trace check is not vacuous: ordinary writes are caught."""
        for script in ("echo x > file", "mkdir d", "touch f && mv f g", "cat /dev/null >> $HOME/.history",
                       "echo x > /dev/null"):
            log = os.path.join(self.scratch, f"self-{time.time_ns()}.strace")
            subprocess.run([STRACE, "-f", "-qq", "-o", log, "-e", "trace=%file", "sh", "-c", script],
                           env=self.env, cwd=self.cwd, check=True)
            with open(log) as f:
                found = self.offences(f.read())
            if script.endswith("/dev/null"):
                self.assertEqual(found, [], script)
            else:
                self.assertNotEqual(found, [], script)
        shutil.rmtree(self.cwd)
        shutil.rmtree(self.home)

    def test_new_check_reply_rotate_leave_no_trace(self):
        ch = self.channel
        report = "NOTRACE the report text 7f3a"
        log, argv = self.traced("new", ["new", "--channel", ch.address, "--to", "1", *ch.kdf_args])
        code, out, err = self.run_with_new_code(argv, (report + "\n.\n").encode())
        self.assertIn("Your report was sent", out)
        self.assert_no_trace(log, [code, code.replace("-", ""), report], err)

        log, argv = self.traced("check", ["check", "--channel", ch.address, *ch.kdf_args])
        out, err = self.run_plain(argv, code + "\n")
        self.assertIn(report, out)
        self.assert_no_trace(log, [code, code.replace("-", ""), report], err)

        follow = "NOTRACE the follow-up 91bc"
        log, argv = self.traced("reply", ["reply", "--channel", ch.address, *ch.kdf_args])
        out, err = self.run_plain(argv, code + "\n" + follow + "\n.\n")
        self.assertIn("Your message was sent", out)
        self.assert_no_trace(log, [code, code.replace("-", ""), follow], err)

        log, argv = self.traced("rotate", ["rotate", "--channel", ch.address, *ch.kdf_args])
        new_code, out, err = self.run_with_new_code(argv, (code + "\n").encode())
        self.assertIn("now uses the new code", out)
        self.assert_no_trace(log, [code, new_code, code.replace("-", ""), new_code.replace("-", "")], err)
        # What the rotation did is real: the new code reads the whole conversation.
        reporter = Reporter(ch)
        reporter.code = new_code
        _, out, _ = reporter.check()
        self.assertIn(report, out)
        self.assertIn(follow, out)

    def proc_facts(self, pid):
        with open(f"/proc/{pid}/limits") as f:
            limits = f.read()
        with open(f"/proc/{pid}/status") as f:
            status = f.read()
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmdline = f.read().decode(errors="replace")
        with open(f"/proc/{pid}/environ", "rb") as f:
            environ = f.read().decode(errors="replace")
        core = re.search(r"^Max core file size\s+(\S+)\s+(\S+)", limits, re.M)
        locked = int(re.search(r"^VmLck:\s+(\d+) kB", status, re.M).group(1))
        return core.groups(), locked, cmdline, environ

    def test_no_core_dumps_locked_memory_and_clean_proc_while_waiting(self):
        ch = self.channel
        # At the confirmation prompt of `new`: the fresh code is in memory.
        proc = self.popen([REPORTER, "new", "--channel", ch.address, "--to", "1", *ch.kdf_args])
        self.addCleanup(lambda p=proc: p.poll() is None and p.kill())
        report = "PROC report 55aa"
        proc.stdin.write((report + "\n.\n").encode())
        proc.stdin.flush()
        shown = self.read_stdout_until(proc, CODE_RE.pattern)
        code = CODE_RE.search(shown).group(1)
        time.sleep(0.3)  # the client now blocks reading the confirmation
        core, locked, cmdline, environ = self.proc_facts(proc.pid)
        self.assertEqual(core, ("0", "0"), "core dumps must be disabled")
        if not sanitizer_build():
            self.assertGreater(locked, 0, "secret memory must be locked (VmLck)")
        self.assertIn("new", cmdline)
        self.assertIn("MELDPUNT_CANARY=canary-value", environ)
        for s in (code, code.replace("-", ""), report):
            self.assertNotIn(s, cmdline)
            self.assertNotIn(s, environ)
        out, err = proc.communicate((code + "\n").encode(), timeout=TIMEOUT)
        self.assertEqual(proc.returncode, 0, err.decode())

        # At the message prompt of `reply`, after the keys were derived.
        proc = self.popen([REPORTER, "reply", "--channel", ch.address, *ch.kdf_args])
        self.addCleanup(lambda p=proc: p.poll() is None and p.kill())
        proc.stdin.write((code + "\n").encode())
        proc.stdin.flush()
        self.read_stdout_until(proc, r"administrator cannot read it")
        time.sleep(0.3)
        core, locked, cmdline, environ = self.proc_facts(proc.pid)
        self.assertEqual(core, ("0", "0"))
        if not sanitizer_build():
            self.assertGreater(locked, 0)
        for s in (code, code.replace("-", "")):
            self.assertNotIn(s, cmdline)
            self.assertNotIn(s, environ)
        out, err = proc.communicate(b"PROC follow-up\n.\n", timeout=TIMEOUT)
        self.assertEqual(proc.returncode, 0, err.decode())


if __name__ == "__main__":
    unittest.main(verbosity=2)
