"""Drives the real relay, reporter-client and adviser-client binaries.

A Channel is one organisation: an organisation key, a relay serving on a free
loopback port with its data in a temporary folder, advisers with their own
home folders, and a published directory. Secrets reach the programs only on
standard input, exactly as a person would type them.
"""
import os
import pty
import re
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

BIN = os.environ.get("MELDPUNT_BIN_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "build", "bin"))
RELAY = os.path.join(BIN, "relay")
REPORTER = os.path.join(BIN, "reporter-client")
ADVISER = os.path.join(BIN, "adviser-client")
DERIVE_KEYS = os.path.join(BIN, "derive_keys")

# The reporter's texts follow the locale (nl* -> Dutch); tests expect English
# unless they ask for Dutch with --lang or their own environment.
os.environ["LC_ALL"] = "C.UTF-8"

ORG_PASSPHRASE = "organisation passphrase 1"
def drip_until_closed(sock, seconds, pause):
    """Sends one byte, then waits up to `pause` seconds for the peer to close,
    again and again for at most `seconds`: a client that keeps a request
    from idling but never finishes it. True if the peer closed."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            sock.sendall(b"X")
            sock.settimeout(pause)
            if sock.recv(1) == b"":
                return True
        except socket.timeout:
            pass
        except OSError:
            return True
    return False


def unit_directives(text):
    """A systemd unit's directives: {key: [values in order]}, comments left out."""
    directives = {}
    for line in text.splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            k, v = line.split("=", 1)
            directives.setdefault(k.strip(), []).append(v.strip())
    return directives


# A parliament's signpost (docs/OPERATIONS.md): three groups, three kinds,
# three advisers, three combinations nobody covers. test_signpost.py checks
# its counts and gaps; the screenshots of the reporter page show it.
PARLIAMENT_SIGNPOST = """# groups of people in the building
group civil-service | Ambtelijke organisatie | Civil service
group group-a       | Medewerkers fractie A  | Staff of group A
group members       | Kamerleden             | Members

kind unwanted  | Ongewenst gedrag       | Unwanted behaviour
kind integrity | Integriteit            | Integrity
kind conduct   | Gedragscode Kamerleden | Code of conduct for members

adviser Anna de Vries     | civil-service group-a | unwanted integrity
adviser Klachtencommissie | members               | conduct
adviser Bureau Extern     | *                     | unwanted
"""
CODE_RE = re.compile(r"^\s+([0-9A-Z]{4}(?:-[0-9A-Z]{4}){5})\s*$", re.M)
TIMEOUT = 120


def on_terminal(args, answers, env=None, inspect=None):
    """Runs `args` with stdin, stdout and stderr on a pseudo-terminal. Each
    (pattern, answer) in `answers` in turn: once `pattern` shows in what the
    program printed since the previous answer, `answer` is typed (a function
    of everything printed so far, or bytes/str). `inspect(fd)`, if given, is
    called with the terminal's master side once the program has ended (e.g.
    to read the terminal's settings it left behind). Returns (exit code, all
    it printed, raw, and as text with "\r" removed)."""
    env = dict(os.environ if env is None else env)
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execve(args[0], args, env)
        finally:
            os._exit(127)
    output = b""
    seen = 0  # where the next pattern is looked for
    pending = list(answers)
    deadline = time.time() + TIMEOUT
    while time.time() < deadline:
        text = output.decode(errors="replace").replace("\r", "")
        if pending:
            match = re.search(pending[0][0], text[seen:])
            if match:
                answer = pending.pop(0)[1]
                if callable(answer):
                    answer = answer(text)
                os.write(fd, answer.encode() if isinstance(answer, str) else answer)
                seen += match.end()
                continue
        ready, _, _ = select.select([fd], [], [], 1)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the program ended and closed the terminal
            break
        if not chunk:
            break
        output += chunk
    # Never block in waitpid: a client stuck at a prompt is killed and the
    # test fails with what it printed.
    status = None
    reap_deadline = time.time() + 15
    while status is None and time.time() < reap_deadline:
        wpid, wstatus = os.waitpid(pid, os.WNOHANG)
        if wpid == pid:
            status = wstatus
        else:
            time.sleep(0.05)
    if inspect is not None and status is not None:
        inspect(fd)
    os.close(fd)
    text = output.decode(errors="replace").replace("\r", "")
    if status is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise AssertionError(f"{os.path.basename(args[0])} did not finish; it printed:\n" + text)
    if pending:
        raise AssertionError(f"never asked for {pending[0][0]!r}; it printed:\n" + text)
    return os.waitstatus_to_exitcode(status), output, text


# What the reporter's client prints on a terminal after showing a new code and
# before it is typed back: cursor home, clear screen, clear scrollback.
SCREEN_CLEAR = b"\x1b[H\x1b[2J\x1b[3J"


def confirm_code(code_from=lambda printed: CODE_RE.search(printed).group(1) + "\n"):
    """on_terminal answers for a new code on a terminal: Enter once it is
    written down (the screen is then cleared), then the code typed back."""
    return [("press Enter", "\n"), ("Type your (new )?code to confirm", code_from)]


BODY_PREFIX = "  | "  # client::kBodyLinePrefix: every line of a message body starts with it


def unwrapped(out):
    """Screen or export text with the lines of each body joined again: bodies
    are shown line by line behind BODY_PREFIX and long lines are broken
    (after a space where there is one), so a long text is found in this."""
    return out.replace("\n" + BODY_PREFIX, "")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(args, stdin="", check=True, env=None, timeout=TIMEOUT, cwd=None):
    proc = subprocess.run(args, input=stdin.encode(), capture_output=True, timeout=timeout, env=env, cwd=cwd)
    out, err = proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")
    if check and proc.returncode != 0:
        raise AssertionError(f"{os.path.basename(args[0])} {args[1:3]} exited {proc.returncode}\nstdout:\n{out}\nstderr:\n{err}")
    return proc.returncode, out, err


class Adviser:
    def __init__(self, channel, name, role, passphrase):
        self.channel = channel
        self.name = name
        self.passphrase = passphrase
        self.home = os.path.join(channel.root, "adviser-" + re.sub(r"\W", "_", name))
        run([ADVISER, "init", "--home", self.home, "--name", name, "--role", role,
             "--description-nl", f"{name} luistert vertrouwelijk.",
             "--description-en", f"{name} listens in confidence.", *channel.kdf_args],
            stdin=f"{passphrase}\n{passphrase}\n")
        with open(os.path.join(self.home, "card.txt")) as f:
            self.card = f.read().strip()

    def _run(self, *args, stdin="", check=True, now=None):
        # now: unix seconds for the clock (MELDPUNT_TEST_NOW, adviser-client's test hook for deadlines)
        env = dict(os.environ, MELDPUNT_TEST_NOW=str(int(now))) if now is not None else None
        return run([ADVISER, *args, "--home", self.home], stdin=self.passphrase + "\n" + stdin, check=check, env=env)

    def inbox(self, now=None):
        return self._run("inbox", "--channel", self.channel.address, now=now)[1]

    def case_ids(self):
        out = self._run("cases")[1]
        return re.findall(r"^\s*([0-9a-f]{10})\b", out, re.M)

    def read(self, case):
        return self._run("read", case)[1]

    def cases_with(self, marker):
        """The cases whose conversation shows marker."""
        return [c for c in self.case_ids() if marker in self.read(c)]

    def only_case(self, marker):
        """The one case whose conversation shows marker (fails if none or several)."""
        cases = self.cases_with(marker)
        if len(cases) != 1:
            raise AssertionError(f"{self.name}: {len(cases)} cases with {marker!r}, expected 1")
        return cases[0]

    def reply(self, case, text):
        return self._run("reply", case, "--channel", self.channel.address, stdin=text)


class Reporter:
    """A reporter remembers only the code, like a person would."""

    def __init__(self, channel):
        self.channel = channel
        self.code = None

    def new(self, text, to=None, exclude=None, extra=()):
        args = [REPORTER, "new", "--channel", self.channel.address, *self.channel.kdf_args, *extra]
        for t in to or []:
            args += ["--to", str(t)]
        for e in exclude or []:
            args += ["--exclude", str(e)]
        # Without --to the client asks; an empty answer chooses everyone left after --exclude.
        choice = b"" if to else b"\n"
        shown, out, _ = self._take_code(args, choice + text.encode() + b"\n.\n")
        return shown + out

    def _take_code(self, args, stdin_before, env=None):
        """Runs a command that shows a new code, then types that code back.
        Returns (output up to the code, the rest of stdout, stderr)."""
        # Unbuffered: communicate() reads the raw pipe, so nothing may sit in a
        # Python buffer after the code line.
        proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                bufsize=0)
        proc.stdin.write(stdin_before)
        proc.stdin.flush()
        shown = b""
        deadline = time.time() + TIMEOUT
        while not CODE_RE.search(shown.decode(errors="replace")):
            line = proc.stdout.readline()
            if not line or time.time() > deadline:
                out, err = proc.communicate(timeout=TIMEOUT)
                raise AssertionError(f"no code shown\nstdout:\n{(shown + out).decode()}\nstderr:\n{err.decode()}")
            shown += line
        self.code = CODE_RE.search(shown.decode()).group(1)
        out, err = proc.communicate(self.code.encode() + b"\n", timeout=TIMEOUT)
        if proc.returncode != 0:
            raise AssertionError(f"reporter {args[1]} failed ({proc.returncode})\n{err.decode()}")
        return shown.decode(), out.decode(), err.decode()

    def rotate(self, extra=()):
        """Moves the conversation to a new code; afterwards self.code is the
        new code and self.old_code the previous one. Returns (stdout, stderr)."""
        self.old_code = self.code
        args = [REPORTER, "rotate", "--channel", self.channel.address, *self.channel.kdf_args, *extra]
        shown, out, err = self._take_code(args, self.old_code.encode() + b"\n")
        return shown + out, err

    def check(self, code=None, check=True, extra=(), answers=""):
        """`answers`: lines typed after the code (e.g. "yes\\n" to a hand-over proposal)."""
        return run([REPORTER, "check", "--channel", self.channel.address, *self.channel.kdf_args, *extra],
                   stdin=(code or self.code) + "\n" + answers, check=check)

    def reply(self, text, extra=()):
        return run([REPORTER, "reply", "--channel", self.channel.address, *self.channel.kdf_args, *extra],
                   stdin=self.code + "\n" + text + "\n.\n")[1]


class Channel:
    def __init__(self, adviser_names=(("Anna de Vries", "internal"), ("Bureau Extern", "external")),
                 insecure_kdf=True, root=None, log=None, serve_args=(), first_inbox=True):
        # Tests use cheap key stretching (--insecure-test-kdf); the demo uses the real parameters.
        self.kdf_args = ["--insecure-test-kdf"] if insecure_kdf else []
        self.log = log or (lambda *_: None)
        # Extra `relay serve` options (e.g. a lower proof-of-work difficulty for load tests).
        self.serve_args = list(serve_args)
        self.root = root or tempfile.mkdtemp(prefix="meldpunt-it-")
        os.makedirs(self.root, exist_ok=True)
        self.data = os.path.join(self.root, "relay-data")
        self.org_key = os.path.join(self.root, "org.key")
        run([RELAY, "org-key", "new", "--out", self.org_key, *self.kdf_args],
            stdin=f"{ORG_PASSPHRASE}\n{ORG_PASSPHRASE}\n")
        with open(self.org_key + ".pub") as f:
            self.org_public = f.read().strip()
        run([RELAY, "init", "--data", self.data, "--org-public", self.org_public])
        self.port = free_port()
        self.endpoint = f"tcp://127.0.0.1:{self.port}"
        self.address = run([RELAY, "address", "--data", self.data, "--endpoint", self.endpoint])[1].strip()
        self.relay = None
        self.relay_log = os.path.join(self.root, "relay.log")
        self.start_relay()
        self.advisers = [Adviser(self, name, role, f"passphrase of {name}") for name, role in adviser_names]
        self.serial = 0
        self.publish_directory()
        # Reporters can write to an adviser only once the adviser's first
        # inbox run has uploaded a signed medium-term prekey (and one-time
        # prekeys): as in a real deployment, every adviser does that first.
        if first_inbox:
            for a in self.advisers:
                a.inbox()

    def address_for(self, endpoint, min_serial=None):
        """This channel's keys with another endpoint (a valid, checked
        address: editing the text of one would break its check)."""
        extra = ["--min-serial", str(min_serial)] if min_serial is not None else []
        return run([RELAY, "address", "--data", self.data, "--endpoint", endpoint, *extra])[1].strip()

    def start_relay(self):
        with open(self.relay_log, "ab") as log:  # the child keeps its own copy of the descriptor
            # relay_preexec: run in the child before exec (e.g. a lower descriptor limit).
            self.relay = subprocess.Popen([RELAY, "serve", "--data", self.data, "--endpoint", self.endpoint,
                                           *getattr(self, "serve_args", [])],
                                          stdout=log, stderr=log, preexec_fn=getattr(self, "relay_preexec", None))
        deadline = time.time() + 30
        while time.time() < deadline:
            with open(self.relay_log, "rb") as f:
                if f.read().count(b"serving on") > getattr(self, "_starts", 0):
                    self._starts = getattr(self, "_starts", 0) + 1
                    return
            if self.relay.poll() is not None:
                raise AssertionError("relay exited at start:\n" + open(self.relay_log).read())
            time.sleep(0.05)
        raise AssertionError("relay did not start")

    def stop_relay(self, sig=None):
        if self.relay and self.relay.poll() is None:
            if sig is None:
                self.relay.terminate()
            else:
                self.relay.send_signal(sig)
            self.relay.wait(timeout=30)
        return self.relay.returncode

    def close_after_clean_stop(self):
        """Stops the relay and closes the channel; raises if the relay did not
        exit 0 or its log shows a sanitizer report (under ASan a leak or a
        memory error makes it exit otherwise)."""
        rc = self.stop_relay()
        with open(self.relay_log, errors="replace") as f:
            log = f.read()
        self.close()
        if rc != 0 or "Sanitizer" in log:
            raise AssertionError(f"the relay exited {rc}:\n{log[-4000:]}")

    def fill_store(self, count, envelope_bytes):
        """Writes `count` envelopes of `envelope_bytes` for nobody straight into
        the stopped relay's store (pricing_flood fill); returns the last id."""
        out = run([os.path.join(BIN, "pricing_flood"), "fill", os.path.join(self.data, "store"), str(count),
                   str(envelope_bytes)])[1]
        return bytes.fromhex(dict(kv.split("=") for kv in out.split())["last_id"])

    def publish_directory(self):
        self.serial += 1
        signed = os.path.join(self.root, f"directory-{self.serial}.signed")
        args = [RELAY, "directory", "sign", "--org-key", self.org_key, "--serial", str(self.serial), "--out", signed]
        for a in self.advisers:
            args += ["--adviser", a.card]
        # A test may set channel.signpost (the text of a signpost file) before publishing.
        if getattr(self, "signpost", None) is not None:
            path = os.path.join(self.root, f"signpost-{self.serial}.txt")
            with open(path, "w") as f:
                f.write(self.signpost)
            args += ["--signpost", path]
        run(args, stdin=ORG_PASSPHRASE + "\n")
        run([RELAY, "directory", "publish", "--channel", self.address, "--file", signed])

    def relay_dump(self):
        """Every key and value of every table of the relay's LMDB, as bytes."""
        store = os.path.join(self.data, "store")
        out = subprocess.run(["mdb_dump", "-a", store], capture_output=True, check=True).stdout.decode()
        records = []
        for line in out.splitlines():
            if line.startswith(" "):
                records.append(bytes.fromhex(line.strip()))
        return records

    def close(self):
        self.stop_relay()
        shutil.rmtree(self.root, ignore_errors=True)


class HttpChannel(Channel):
    """A channel whose relay also opens its HTTP door (docs/OPERATIONS.md §13)
    on a free loopback port, serving `web_root` (a folder with a MANIFEST; None:
    no files) and this channel's own address at /channel. `http_base` is the
    page's URL. Extra `relay serve` options as for Channel (serve_args)."""

    def __init__(self, web_root=None, **kwargs):
        self.web_root = web_root
        self.http_port = free_port()
        self.http_base = f"http://127.0.0.1:{self.http_port}/"
        super().__init__(**kwargs)

    def start_relay(self):
        if not hasattr(self, "_plain_serve_args"):
            self._plain_serve_args = list(self.serve_args)
        door = ["--http", str(self.http_port), "--http-channel", self.address]
        if self.web_root:
            door += ["--http-web-root", self.web_root]
        self.serve_args = self._plain_serve_args + door
        super().start_relay()


THREE_ADVISERS = (("Anna de Vries", "internal"), ("Bureau Extern", "external"), ("Commissie Klachten", "committee"))


class SharedChannelTest(unittest.TestCase):
    """Tests that share one channel (relay, directory, advisers) per class.

    ADVISERS names them as Channel's adviser_names; the channel is
    cls.channel and its advisers cls.advisers, in that order.
    """
    ADVISERS = THREE_ADVISERS

    @classmethod
    def setUpClass(cls):
        cls.channel = Channel(adviser_names=cls.ADVISERS)
        cls.advisers = cls.channel.advisers

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()


def reporter_public_keys(channel, code):
    cheap = ["insecure"] if channel.kdf_args else []
    out = run([DERIVE_KEYS, channel.org_public, *cheap], stdin=code + "\n")[1]
    return {k: bytes.fromhex(v) for k, v in (line.split() for line in out.strip().splitlines())}
