"""The reporter over a SOCKS5 proxy (Tor), through the real binaries and a
small SOCKS5 proxy in Python (socks_recorder) on a loopback port.

The channel address names the relay by host name (`localhost`). The client
must hand that name to the proxy (socks5h semantics: the proxy resolves it,
so no DNS query leaves the reporter's machine) and connect to nothing but the
proxy; the proxy records the name it was asked for, and strace shows every
connect() and every file the client opened. The clients offer the proxy
fresh username/password credentials on every connection (Tor's stream
isolation, docs/PROTOCOL.md), which Debian's microsocks refuses unless it is
configured with one fixed pair; the Python proxy accepts any, as Tor does.
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
from harness import Channel, Reporter, free_port, run, RELAY, REPORTER  # noqa: E402
from socks_recorder import SocksRecorder  # noqa: E402

STRACE = shutil.which("strace") or "/usr/bin/strace"
# LeakSanitizer cannot run under ptrace; the sanitizer build's leak check
# runs in the other tests.
STRACE_ENV = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0")


class TorTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.channel = Channel()
        ch = cls.channel
        # The same relay, named by host name instead of an IP address.
        cls.named_address = run([RELAY, "address", "--data", ch.data,
                                 "--endpoint", f"tcp://localhost:{ch.port}"])[1].strip()
        cls.proxy = SocksRecorder()
        cls.proxy_port = cls.proxy.port
        cls.proxy_url = cls.proxy.url

    @classmethod
    def tearDownClass(cls):
        cls.proxy.close()
        cls.channel.close()

    def proxy_targets(self):
        return {f"{host}:{port}" for _, _, host, port in self.proxy.take()}

    def test_all_traffic_goes_through_the_proxy_which_resolves_the_name(self):
        reporter = Reporter(self.channel)
        self.proxy.take()  # what other tests asked for
        scratch = tempfile.mkdtemp(prefix="meldpunt-tor-")
        try:
            log = os.path.join(scratch, "new.strace")
            # strace -f: every thread's connect() and open() of the client.
            shown, out, _ = reporter._take_code(
                [STRACE, "-f", "-qq", "-o", log, "-e", "trace=connect,open,openat", REPORTER, "new", "--channel",
                 self.named_address, "--proxy", self.proxy_url, "--to", "1", *self.channel.kdf_args],
                b"TOR report over the proxy\n.\n", env=STRACE_ENV)
            self.assertIn("Your report was sent", out)
            with open(log) as f:
                trace = f.read()
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

        ports = [int(p) for p in re.findall(r"connect\(\d+, \{sa_family=AF_INET6?, sin6?_port=htons\((\d+)\)", trace)]
        self.assertIn(self.proxy_port, ports, "the client did not use the proxy")
        self.assertEqual(set(ports), {self.proxy_port}, f"the client connected around the proxy: {ports}")
        self.assertNotIn("/etc/hosts", trace, "the client resolved the relay's name itself")
        self.assertNotIn("/etc/resolv.conf", trace)
        self.assertNotIn("htons(53)", trace)
        self.assertEqual(self.proxy_targets(), {f"localhost:{self.channel.port}"})

        # check through the proxy reads it back.
        rc, out, err = run([REPORTER, "check", "--channel", self.named_address, "--proxy", self.proxy_url,
                            *self.channel.kdf_args], stdin=reporter.code + "\n")
        self.assertIn("TOR report over the proxy", out)
        self.assertIn(f"Connecting to the relay ({self.proxy_url})", err)

    def test_a_name_only_the_proxy_could_resolve_is_not_looked_up_locally(self):
        unknown = run([RELAY, "address", "--data", self.channel.data,
                       "--endpoint", f"tcp://relay.meldpunt.invalid:{self.channel.port}"])[1].strip()
        start = time.time()
        rc, out, err = run([STRACE, "-f", "-qq", "-e", "trace=connect,openat", REPORTER, "check", "--channel",
                            unknown, "--proxy", self.proxy_url, *self.channel.kdf_args],
                           stdin="0000-0000-0000-0000-0000-0000\n", check=False, timeout=120, env=STRACE_ENV)
        # The all-zero code is valid (its check symbols are zero), so this
        # reaches the network; strace's trace is on stderr.
        self.assertLess(time.time() - start, 100)
        self.assertEqual(rc, 2, err)
        self.assertIn("The relay cannot be reached", err)
        self.assertIn("proxy", err)
        self.assertNotIn("/etc/hosts", err, "the client resolved the relay's name itself")
        ports = {int(p) for p in re.findall(r"sin6?_port=htons\((\d+)\)", err)}
        self.assertEqual(ports, {self.proxy_port})

    def test_a_dead_proxy_fails_fast_and_clearly(self):
        dead = f"socks5h://127.0.0.1:{free_port()}"
        start = time.time()
        rc, out, err = run([REPORTER, "new", "--channel", self.named_address, "--proxy", dead, "--to", "1",
                            *self.channel.kdf_args], stdin="never sent\n.\n", check=False, timeout=60)
        self.assertLess(time.time() - start, 10)
        self.assertEqual(rc, 2)
        self.assertIn("The relay cannot be reached; nothing was sent", err)
        self.assertIn("the proxy is not running there", err)

    def test_only_socks5h_is_accepted(self):
        for bad in ("socks5://127.0.0.1:9050", "127.0.0.1:9050", "http://127.0.0.1:8080"):
            rc, out, err = run([REPORTER, "check", "--channel", self.named_address, "--proxy", bad,
                                *self.channel.kdf_args], stdin="", check=False)
            self.assertEqual(rc, 2, bad)
            self.assertIn("socks5h://HOST:PORT", err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
