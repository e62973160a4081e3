"""Secrets audit: no code, passphrase, key or message text outside where it belongs.

A conversation with known passphrases and codes runs through the real
binaries. Afterwards every file under the test's folders (relay data folder,
relay log, adviser homes, the organisation key, signed directories, the
reporter's HOME and working folder) is searched in raw bytes for:
  - the reporter codes (as shown, without separators, lower case),
  - every passphrase (advisers', organisation's),
  - every secret key that can be derived: the reporter's message and fetch
    keys (tests/tools/secret_keys from the code), the advisers' sign,
    message, fetch, store and prekey secrets and the organisation key (from
    the key files with their passphrases), and the relay's CurveZMQ secret
    (outside relay.key, where it lives unencrypted by design) - raw, hex
    (both cases), base64 and base64url,
  - the message texts (only the advisers' sealed store may hold them).
The programs' argv and environment are read from /proc while each waits at
its passphrase or code prompt (or serves), their outputs are searched too,
and core dumps must be off in all three programs: RLIMIT_CORE 0 in
/proc/PID/limits, and prctl(PR_SET_DUMPABLE, 0) and setrlimit(RLIMIT_CORE, 0)
seen by strace.
"""
import base64
import os
import stat
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import (ADVISER, BIN, Channel, ORG_PASSPHRASE, RELAY, REPORTER, Reporter, run)  # noqa: E402

SECRET_KEYS = os.path.join(BIN, "secret_keys")


def forms(secret):
    """Every encoding under which a secret could leak."""
    out = {secret}
    if isinstance(secret, bytes) and len(secret) >= 16:
        out |= {secret.hex().encode(), secret.hex().upper().encode(),
                base64.b64encode(secret).rstrip(b"="), base64.urlsafe_b64encode(secret).rstrip(b"=")}
    return out


def code_forms(code):
    plain = code.replace("-", "")
    return {code.encode(), plain.encode(), code.lower().encode(), plain.lower().encode()}


def secret_key_lines(args, stdin):
    out = run([SECRET_KEYS, *args], stdin=stdin + "\n")[1]
    return [(name, bytes.fromhex(value)) for name, value in (line.split() for line in out.strip().splitlines())]


def wait_for_state(pid, timeout=20):
    """Waits until a process blocks (sleeping), e.g. at a prompt."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        with open(f"/proc/{pid}/stat") as f:
            if f.read().rsplit(")", 1)[1].split()[0] == "S":
                return
        time.sleep(0.05)


class SecretsAuditTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ch = Channel(serve_args=["--pow-difficulty", "8"])
        cls.reporter_home = tempfile.mkdtemp(dir=cls.ch.root, prefix="reporter-home-")
        cls.reporter_cwd = tempfile.mkdtemp(dir=cls.ch.root, prefix="reporter-cwd-")
        cls.outputs = []  # (program, stdout, stderr) of every run in this test

    @classmethod
    def tearDownClass(cls):
        cls.ch.close()

    def reporter_env(self):
        return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.reporter_home,
                "TMPDIR": self.reporter_cwd, "LANG": "C.UTF-8",
                **({"ASAN_OPTIONS": os.environ["ASAN_OPTIONS"]} if "ASAN_OPTIONS" in os.environ else {}),
                **({"UBSAN_OPTIONS": os.environ["UBSAN_OPTIONS"]} if "UBSAN_OPTIONS" in os.environ else {})}

    def probe_waiting(self, args, stdin_text, cwd=None, env=None):
        """Starts a program that asks for a secret, inspects it at the prompt, then answers."""
        proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                cwd=cwd, env=env)
        try:
            wait_for_state(proc.pid)
            seen = self.inspect_process(proc.pid)
            out, err = proc.communicate(stdin_text.encode(), timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.outputs.append((os.path.basename(args[0]), out, err))
        return proc.returncode, out, err, seen

    def inspect_process(self, pid):
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmdline = f.read()
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                environ = f.read()
        except PermissionError:
            environ = b""  # not dumpable and we lack CAP_SYS_PTRACE: nobody else can read it either
        with open(f"/proc/{pid}/limits") as f:
            core = [l for l in f if l.startswith("Max core file size")][0].split()
        self.assertEqual(core[4:6], ["0", "0"], f"core dumps not disabled: {core}")
        if os.getuid() != 0:
            # A process that is not dumpable has its /proc entries owned by root.
            self.assertEqual(os.stat(f"/proc/{pid}").st_uid, 0, "process is still dumpable")
        return cmdline + b"\0" + environ

    def assert_hardened_by_strace(self, args, stdin_text):
        if not shutil.which("strace"):
            self.skipTest("strace not installed (scripts/install-deps.sh installs it)")
        trace = os.path.join(self.ch.root, "strace.txt")
        proc = subprocess.run(["strace", "-f", "-o", trace, "-e", "trace=prctl,setrlimit,prlimit64", *args],
                              input=stdin_text.encode(), capture_output=True, timeout=120)
        with open(trace) as f:
            text = f.read()
        os.remove(trace)
        if "PTRACE_TRACEME" in proc.stderr.decode() or "Operation not permitted" in proc.stderr.decode():
            self.skipTest("ptrace not permitted here")
        self.assertRegex(text, r"prctl\(PR_SET_DUMPABLE, (0|SUID_DUMP_DISABLE)\) += 0",
                         f"{os.path.basename(args[0])} does not clear the dumpable flag")
        self.assertRegex(text, r"(setrlimit\(RLIMIT_CORE, \{rlim_cur=0, rlim_max=0\}\)|"
                               r"prlimit64\(0, RLIMIT_CORE, \{rlim_cur=0, rlim_max=0\}, NULL\)) += 0",
                         f"{os.path.basename(args[0])} does not set RLIMIT_CORE to 0")

    def test_secrets_stay_where_they_belong(self):
        ch = self.ch
        a1, a2 = ch.advisers
        env = self.reporter_env()
        texts = ["SECRET-REPORT-TEXT the manager shouts", "SECRET-ADVISER-ANSWER let us talk",
                 "SECRET-FOLLOW-UP thank you"]
        secrets = {}  # description -> set of byte strings

        adviser_keys_before = {a.name: secret_key_lines(["adviser", os.path.join(a.home, "identity.key")],
                                                        a.passphrase) for a in (a1, a2)}

        # The reporter: HOME and working folder are fresh and must stay empty.
        reporter = Reporter(ch)
        proc = subprocess.Popen([REPORTER, "new", "--channel", ch.address, *ch.kdf_args, "--to", "1", "--to", "2"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                cwd=self.reporter_cwd, env=env, bufsize=0)
        proc.stdin.write(texts[0].encode() + b"\n.\n")
        proc.stdin.flush()
        shown = b""
        code_re = re.compile(rb"^\s+([0-9A-Z]{4}(?:-[0-9A-Z]{4}){5})\s*$", re.M)
        while not code_re.search(shown):
            line = proc.stdout.readline()
            if not line:
                proc.kill()
                self.fail("reporter-client new showed no code: " + proc.communicate()[1].decode())
            shown += line
        reporter.code = code_re.search(shown).group(1).decode()
        # While it waits for the code to be typed back: argv and environment hold no code.
        wait_for_state(proc.pid)
        seen = self.inspect_process(proc.pid)
        for s in code_forms(reporter.code):
            self.assertNotIn(s, seen)
        out, err = proc.communicate(reporter.code.encode() + b"\n", timeout=120)
        self.assertEqual(proc.returncode, 0, err.decode())
        self.outputs.append(("reporter-client new (after the code was shown)", out, err))

        for a in (a1, a2):
            code, out, err, seen = self.probe_waiting(
                [ADVISER, "inbox", "--channel", ch.address, "--home", a.home], a.passphrase + "\n")
            self.assertEqual(code, 0, err.decode())
            self.assertNotIn(a.passphrase.encode(), seen)
        case = a1.case_ids()[0]
        a1.reply(case, texts[1])
        code, out, err, seen = self.probe_waiting(
            [REPORTER, "reply", "--channel", ch.address, *ch.kdf_args],
            reporter.code + "\n" + texts[2] + "\n.\n", cwd=self.reporter_cwd, env=env)
        self.assertEqual(code, 0, err.decode())
        code, out, err, seen = self.probe_waiting(
            [REPORTER, "check", "--channel", ch.address, *ch.kdf_args], reporter.code + "\n",
            cwd=self.reporter_cwd, env=env)
        self.assertEqual(code, 0, err.decode())
        self.assertIn(texts[1].encode(), out)
        for s in code_forms(reporter.code):
            self.assertNotIn(s, seen)
            self.assertNotIn(s, out, "reporter-client check shows the code")
        a1.inbox()

        # The relay while serving.
        seen = self.inspect_process(ch.relay.pid)

        # Core dumps: every program clears the dumpable flag and RLIMIT_CORE at start.
        self.assert_hardened_by_strace([REPORTER, "check", "--channel", ch.address, *ch.kdf_args],
                                       reporter.code + "\n")
        self.assert_hardened_by_strace([ADVISER, "cases", "--home", a1.home], a1.passphrase + "\n")
        self.assert_hardened_by_strace([RELAY, "check", "--data", ch.data], "")

        # Collect every secret.
        secrets["reporter code"] = code_forms(reporter.code)
        for a in (a1, a2):
            secrets[f"passphrase of {a.name}"] = {a.passphrase.encode()}
        secrets["organisation passphrase"] = {ORG_PASSPHRASE.encode()}
        for name, key in secret_key_lines(["reporter", ch.org_public, "insecure"], reporter.code):
            secrets[f"reporter {name}"] = forms(key)
        for a in (a1, a2):
            lines = adviser_keys_before[a.name] + secret_key_lines(
                ["adviser", os.path.join(a.home, "identity.key")], a.passphrase)
            for i, (name, key) in enumerate(lines):
                secrets[f"{a.name} {name} #{i}"] = forms(key)
                if name == "sign_sk":
                    secrets[f"{a.name} sign seed"] = forms(key[:32])
        for name, key in secret_key_lines(["org", ch.org_key], ORG_PASSPHRASE):
            secrets["organisation key"] = forms(key) | forms(key[:32])
        with open(os.path.join(ch.data, "relay.key"), "rb") as f:
            relay_key = f.read()
        relay_secret = relay_key[len(b"MPRELAYKEY1"):len(b"MPRELAYKEY1") + 32]
        self.assertEqual(len(relay_secret), 32)
        secrets["relay CurveZMQ secret"] = forms(relay_secret)
        for t in texts:
            secrets[f"message text {t[:20]}"] = {t.encode()}

        # Search every file (raw bytes), except the relay key file for its own key.
        ch.stop_relay()
        searched = 0
        for root, _, files in os.walk(ch.root):
            for name in files:
                path = os.path.join(root, name)
                if not stat.S_ISREG(os.lstat(path).st_mode):
                    continue  # the relay's admin socket (admin.sock) holds nothing
                with open(path, "rb") as f:
                    content = f.read()
                searched += 1
                for what, variants in secrets.items():
                    if what == "relay CurveZMQ secret" and path == os.path.join(ch.data, "relay.key"):
                        continue
                    for v in variants:
                        self.assertNotIn(v, content, f"{what} found in {os.path.relpath(path, ch.root)}")
        ch.start_relay()
        self.assertGreater(searched, 10)
        self.assertEqual(os.listdir(self.reporter_home), [], "reporter-client wrote to HOME")
        self.assertEqual(os.listdir(self.reporter_cwd), [], "reporter-client wrote to its working folder")

        # Program outputs: no passphrase or key anywhere; the code only where it is shown once.
        for program, out, err in self.outputs:
            for what, variants in secrets.items():
                if what.startswith("message text"):
                    continue  # the conversation is shown to its participants by design
                for v in variants:
                    self.assertNotIn(v, err, f"{what} in the standard error of {program}")
                    if what != "reporter code" or "new" not in program:
                        self.assertNotIn(v, out, f"{what} in the output of {program}")
        print(f"secrets audit: {sum(len(v) for v in secrets.values())} secret forms of {len(secrets)} secrets, "
              f"{searched} files, {len(self.outputs)} program outputs, argv/environ of "
              f"{len(self.outputs) + 2} processes: none found", file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
