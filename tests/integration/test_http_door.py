"""The relay's HTTP door (docs/PROTOCOL.md "HTTP door", docs/SECURITY.md
"The HTTP door") through the real relay on loopback:

- POST /api gives the same answers as the ZeroMQ endpoint (get-policy,
  get-directory), and a deposit without its proof of work is refused there
  too, with nothing stored;
- the body framing: malformed 400, an oversized Content-Length 413 before
  the body is sent, more than 50 frames refused, no length 411;
- every answer (200, 404, 405, 413, and 400, 413, 431 and 505 to heads
  the HTTP library would have answered itself) carries the contract's headers
  and no Set-Cookie; only MANIFEST names are served, traversal is 404;
- GET /channel is the configured address; `relay web-hash` equals the
  contract's rule computed here, and refuses broken web roots;
- 300 idle HTTP connections leave an honest `reporter-client check` over
  ZeroMQ working, and a connection that never finishes its request is shut;
- the relay's log names no client address, path or User-Agent.

Every HTTP client here connects from 127.0.0.77 (any 127/8 address is
loopback), so the log check can tell a client's address from the relay's
own endpoints. pyzmq (Debian's python3-zmq) plays the ZeroMQ client; the test
re-runs itself with /usr/bin/python3 when the interpreter at hand lacks it.
"""
import os
import sys

try:
    import zmq
except ImportError:  # CMake may have found another Python than Debian's
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != "/usr/bin/python3":
        os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
    raise

import hashlib
import http.client
import socket
import struct
import subprocess
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import RELAY, HttpChannel, Reporter, drip_until_closed, free_port, run  # noqa: E402

CLIENT_ADDRESS = "127.0.0.77"
USER_AGENT = "MarkerAgent/7.7 (http-door-test)"
SECRET_PATH = "/reporter-path-marker-5519"

CONTRACT_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": ("default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; "
                                "style-src 'self'; img-src 'self'; worker-src 'self'; base-uri 'none'; "
                                "form-action 'none'; frame-ancestors 'none'"),
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}

WEB_FILES = {
    "index.html": b"<!doctype html><title>meldpunt</title><script src=\"app.js\"></script>\n",
    "app.js": b"console.log('page');\n",
    "style.css": b"body { margin: 0 }\n",
}


def encode_body(frames):
    return b"".join(struct.pack("<I", len(f)) + f for f in frames)


def decode_body(body):
    frames, at = [], 0
    while at < len(body):
        (n,) = struct.unpack_from("<I", body, at)
        frames.append(body[at + 4:at + 4 + n])
        at += 4 + n
    return frames


def contract_web_hash(folder):
    """The contract's rule, computed independently of the relay."""
    with open(os.path.join(folder, "MANIFEST"), "rb") as f:
        names = f.read().decode().splitlines()
    h = hashlib.blake2b(digest_size=32)
    for name in names:
        with open(os.path.join(folder, name), "rb") as f:
            content = f.read()
        h.update(struct.pack("<H", len(name)) + name.encode() + struct.pack("<Q", len(content)) + content)
    return h.hexdigest()


def write_web_root(folder, files, manifest=None):
    os.makedirs(folder, exist_ok=True)
    for name, content in files.items():
        with open(os.path.join(folder, name), "wb") as f:
            f.write(content)
    names = sorted(list(files) + ["MANIFEST"], key=lambda n: n.encode())
    with open(os.path.join(folder, "MANIFEST"), "wb") as f:
        f.write(manifest if manifest is not None else "".join(n + "\n" for n in names).encode())


class HttpDoorTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp(prefix="meldpunt-it-")
        web_root = os.path.join(cls.root, "web")
        write_web_root(web_root, WEB_FILES)
        with open(os.path.join(web_root, "not-listed.js"), "wb") as f:
            f.write(b"// on disk, not in MANIFEST\n")
        cls.ch = HttpChannel(web_root=web_root, root=cls.root, adviser_names=(("Anna de Vries", "internal"),),
                             serve_args=["--pow-difficulty", "8", "--http-timeout", "3"])
        with open(os.path.join(cls.ch.data, "relay.key"), "rb") as f:
            cls.relay_public = f.read()[-32:]

    @classmethod
    def tearDownClass(cls):
        cls.ch.close()

    def connection(self):
        return http.client.HTTPConnection("127.0.0.1", self.ch.http_port, timeout=10,
                                          source_address=(CLIENT_ADDRESS, 0))

    def request(self, method, path, body=None, headers=None):
        c = self.connection()
        try:
            c.request(method, path, body=body, headers={"User-Agent": USER_AGENT, **(headers or {})})
            r = c.getresponse()
            return r.status, r.getheaders(), r.read()
        finally:
            c.close()

    def api(self, frames):
        status, headers, body = self.request("POST", "/api", encode_body(frames),
                                             {"Content-Type": "application/octet-stream"})
        self.assertEqual(status, 200)
        self.assertEqual(dict(headers)["Content-Type"], "application/octet-stream")
        return decode_body(body)

    def zmq_request(self, frames):
        context = zmq.Context.instance()
        s = context.socket(zmq.DEALER)
        s.curve_serverkey = self.relay_public
        s.curve_publickey, s.curve_secretkey = zmq.curve_keypair()
        s.linger = 0
        s.rcvtimeo = 10000
        s.connect(self.ch.endpoint)
        try:
            s.send_multipart(frames)
            return s.recv_multipart()
        finally:
            s.close()

    def assert_contract_headers(self, headers, what):
        names = [n.lower() for n, _ in headers]
        self.assertNotIn("set-cookie", names, what)
        got = dict(headers)
        for name, value in CONTRACT_HEADERS.items():
            self.assertEqual(got.get(name), value, f"{what}: {name}")

    # ---- the API ----

    def test_api_answers_as_zeromq_does(self):
        for op, name in ((9, "get-policy"), (1, "get-directory")):
            over_http = self.api([bytes([1, op])])
            over_zmq = self.zmq_request([bytes([1, op])])
            self.assertEqual(over_http[0], b"\x01\x00", name)
            self.assertEqual(over_http, over_zmq, name)
        self.assertGreater(len(self.api([bytes([1, 1])])[1]), 100, "a signed directory")

    def test_deposit_without_proof_is_refused(self):
        stored_before = self.api([bytes([1, 9])])[1][-8:]
        deposit = [bytes([1, 3]), os.urandom(64), os.urandom(32), os.urandom(4096)]
        for name, reply in (("http", self.api(deposit)), ("zmq", self.zmq_request(deposit))):
            self.assertEqual(reply[0], bytes([1, 13]), name)  # rate-limited: proof of work required
            self.assertIn(b"proof of work required", reply[1], name)
        forged = [bytes([1, 3]), os.urandom(40)] + deposit[1:]  # a proof that is not one
        self.assertEqual(self.api(forged)[0][1], 13)
        self.assertEqual(self.api([bytes([1, 9])])[1][-8:], stored_before, "nothing was stored")

    def test_fetch_without_proof_is_refused(self):
        reply = self.api([bytes([1, 4])])
        self.assertEqual(reply[0], bytes([1, 13]))

    # ---- framing and its limits ----

    def test_malformed_framing_is_400(self):
        for body in (b"", b"\x05\x00\x00", b"\x05\x00\x00\x00abc", b"\x02\x00\x00\x00\x01\x09\x01"):
            status, headers, content = self.request("POST", "/api", body)
            self.assertEqual((status, content), (400, b""), body)
            self.assert_contract_headers(headers, "400")

    def test_oversized_length_is_413_before_the_body(self):
        c = self.connection()
        c.putrequest("POST", "/api")
        c.putheader("Content-Length", str(4_459_263))
        c.putheader("Content-Type", "application/octet-stream")
        c.endheaders()  # no byte of the body is sent: the answer must come anyway
        r = c.getresponse()
        self.assertEqual((r.status, r.read()), (413, b""))
        self.assert_contract_headers(r.getheaders(), "413")
        c.close()
        status, _, _ = self.request("POST", "/api", b"", {"Content-Length": "99999999999999999999999"})
        self.assertEqual(status, 413)

    def test_too_many_frames_or_too_large_a_frame_is_413(self):
        status, _, content = self.request("POST", "/api", encode_body([bytes([1, 9])] + [b"x"] * 50))
        self.assertEqual((status, content), (413, b""))
        status, _, _ = self.request("POST", "/api", struct.pack("<I", 262145) + bytes(262145))
        self.assertEqual(status, 413)
        # 50 frames is the most: answered by the relay (malformed), not refused by the door.
        reply = self.api([bytes([1, 9])] + [b"x"] * 49)
        self.assertEqual(reply[0], bytes([1, 1]))

    def test_malformed_requests_carry_the_headers(self):
        # Heads libmicrohttpd would answer itself, with its own pages and
        # none of these headers: the door's gate answers them instead.
        for raw, status in [(b"garbage\r\n\r\n", 400),
                            (b"GET / HTTP/1.1\r\nBad header line\r\n\r\n", 400),
                            (b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400),
                            (b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n", 400),
                            (b"POST /api HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n", 413),
                            (b"GET / HTTP/3.0\r\nHost: x\r\n\r\n", 505),
                            (b"GET / HTTP/1.1\r\nX: " + b"a" * 17000, 431)]:
            s = socket.create_connection(("127.0.0.1", self.ch.http_port), timeout=10,
                                         source_address=(CLIENT_ADDRESS, 0))
            try:
                s.sendall(raw)
                answer = b""
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    answer += chunk
            finally:
                s.close()
            head, _, body = answer.partition(b"\r\n\r\n")
            lines = head.decode().split("\r\n")
            self.assertTrue(lines[0].startswith(f"HTTP/1.1 {status} "), (raw[:40], lines[0]))
            headers = [tuple(line.split(": ", 1)) for line in lines[1:]]
            self.assert_contract_headers(headers, raw[:40])
            for name in CONTRACT_HEADERS:  # once each
                self.assertEqual([n for n, _ in headers].count(name), 1, name)
            self.assertEqual(body, b"")

    def test_body_without_length_is_411(self):
        c = self.connection()
        c.putrequest("POST", "/api")
        c.putheader("Transfer-Encoding", "chunked")
        c.endheaders()
        c.send(b"6\r\n\x02\x00\x00\x00\x01\x09\r\n0\r\n\r\n")
        r = c.getresponse()
        self.assertEqual((r.status, r.read()), (411, b""))
        c.close()

    def test_other_methods_on_api_are_405(self):
        for method in ("GET", "PUT", "DELETE"):
            status, headers, _ = self.request(method, "/api")
            self.assertEqual(status, 405, method)
            self.assert_contract_headers(headers, "405")
            self.assertIn("POST", dict(headers).get("Allow", ""))

    # ---- static files and /channel ----

    def test_static_files_from_manifest_only(self):
        status, headers, body = self.request("GET", "/")
        self.assertEqual((status, body), (200, WEB_FILES["index.html"]))
        self.assertEqual(dict(headers)["Content-Type"], "text/html; charset=utf-8")
        self.assert_contract_headers(headers, "200 /")
        for name, kind in (("app.js", "text/javascript"), ("style.css", "text/css"),
                           ("MANIFEST", "text/plain; charset=utf-8")):
            status, headers, body = self.request("GET", "/" + name)
            self.assertEqual(status, 200, name)
            self.assertEqual(dict(headers)["Content-Type"], kind, name)
            self.assert_contract_headers(headers, name)
        with open(os.path.join(self.ch.web_root, "MANIFEST"), "rb") as f:
            self.assertEqual(self.request("GET", "/MANIFEST")[2], f.read())
        for path in ("/not-listed.js", "/../relay-data/relay.key", "/%2e%2e/relay-data/relay.key",
                     "/..%2fweb%2fapp.js", "/web/app.js", "/.MANIFEST", "//app.js", SECRET_PATH):
            status, headers, body = self.request("GET", path)
            self.assertEqual((status, body), (404, b""), path)
            self.assert_contract_headers(headers, "404 " + path)
        status, headers, _ = self.request("POST", "/app.js", b"x")
        self.assertEqual(status, 405)
        self.assert_contract_headers(headers, "405 static")

    def test_channel_is_the_configured_address(self):
        status, headers, body = self.request("GET", "/channel")
        self.assertEqual(status, 200)
        self.assertEqual(dict(headers)["Content-Type"], "text/plain; charset=utf-8")
        self.assertEqual(body.decode(), self.ch.address + "\n")

    def test_web_hash_follows_the_contract(self):
        rc, out, err = run([RELAY, "web-hash", "--web-root", self.ch.web_root])
        self.assertEqual(out.strip(), contract_web_hash(self.ch.web_root))
        self.assertRegex(out.strip(), r"^[0-9a-f]{64}$")
        with open(self.ch.relay_log) as f:
            self.assertIn("web hash " + out.strip(), f.read())

    def test_web_hash_refuses_broken_web_roots(self):
        base = tempfile.mkdtemp(prefix="meldpunt-web-", dir=self.ch.root)
        cases = {
            "no-manifest": None,
            "unsorted": b"index.html\nMANIFEST\n",
            "missing-file": b"MANIFEST\ngone.js\nindex.html\n",
            "not-listing-itself": b"index.html\n",
            "traversal": b"../x\nMANIFEST\nindex.html\n",
            "no-final-newline": b"MANIFEST\nindex.html",
        }
        for name, manifest in cases.items():
            folder = os.path.join(base, name)
            write_web_root(folder, {"index.html": b"x"}, manifest)
            if manifest is None:
                os.remove(os.path.join(folder, "MANIFEST"))
            rc, out, err = run([RELAY, "web-hash", "--web-root", folder], check=False)
            self.assertEqual((rc, out), (2, ""), name)
            self.assertIn("relay: error:", err, name)
        # And `relay serve` refuses to start with one (checked before serving).
        rc, out, err = run([RELAY, "serve", "--data", self.ch.data, "--http", "1", "--http-web-root",
                            os.path.join(base, "unsorted"), "--check-config"], check=False)
        self.assertEqual(rc, 2)
        self.assertIn("sorted", err)

    def test_channel_of_another_relay_is_refused(self):
        other = tempfile.mkdtemp(prefix="meldpunt-other-", dir=self.ch.root)
        data = os.path.join(other, "data")
        run([RELAY, "init", "--data", data, "--org-public", self.ch.org_public])  # same organisation, other relay key
        address = run([RELAY, "address", "--data", data, "--endpoint", self.ch.endpoint])[1].strip()
        rc, _, err = run([RELAY, "serve", "--data", self.ch.data, "--http", "1", "--http-channel", address,
                          "--check-config"], check=False)
        self.assertEqual(rc, 2)
        self.assertIn("not this relay's channel address", err)

    def test_port_in_use_is_a_clear_failure(self):
        other = tempfile.mkdtemp(prefix="meldpunt-busy-", dir=self.ch.root)
        data = os.path.join(other, "data")
        run([RELAY, "init", "--data", data, "--org-public", self.ch.org_public])
        rc, _, err = run([RELAY, "serve", "--data", data, "--endpoint", f"tcp://127.0.0.1:{free_port()}",
                          "--http", str(self.ch.http_port)], check=False, timeout=30)
        self.assertEqual(rc, 2)
        self.assertIn(f"cannot listen on 127.0.0.1:{self.ch.http_port}", err)

    # ---- connections ----

    def test_idle_connections_leave_zeromq_working(self):
        reporter = Reporter(self.ch)
        reporter.new("IDLE-TEST report before the idle flood", to=[1])
        idle = []
        try:
            for _ in range(300):
                s = socket.socket()
                s.settimeout(5)
                s.bind((CLIENT_ADDRESS, 0))
                try:
                    s.connect(("127.0.0.1", self.ch.http_port))
                    s.send(b"POST /api HTTP/1.1\r\nHost: x\r\n")  # and never the rest
                except OSError:
                    pass
                idle.append(s)
            started = time.time()
            _, out, _ = reporter.check()
            self.assertIn("IDLE-TEST report", out)
            self.assertLess(time.time() - started, 60)
            self.assertIsNone(self.ch.relay.poll())
        finally:
            for s in idle:
                s.close()

    def test_unfinished_request_is_shut_after_the_timeout(self):
        s = socket.create_connection(("127.0.0.1", self.ch.http_port), timeout=15, source_address=(CLIENT_ADDRESS, 0))
        try:
            s.send(b"GET / HTTP/1.1\r\nHost: x\r\n")
            started = time.time()
            # A byte a second keeps the connection from idling, but not alive.
            closed = drip_until_closed(s, 12, 1)
            self.assertTrue(closed, "a slow request was not cut off")
            self.assertLess(time.time() - started, 10)
        finally:
            s.close()

    def test_clients_that_leave_before_their_answer(self):
        # Sent whole, then closed without reading: the door drops what it
        # would answer (and a fetch still queued) and goes on serving.
        body = encode_body([bytes([1, 4])])
        for i in range(50):
            s = socket.create_connection(("127.0.0.1", self.ch.http_port), timeout=5,
                                         source_address=(CLIENT_ADDRESS, 0))
            s.sendall(b"POST /api HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
            if i % 2:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # a reset
            s.close()
        self.assertEqual(self.api([bytes([1, 9])])[0], b"\x01\x00")
        self.assertIsNone(self.ch.relay.poll())

    def test_fetch_of_a_client_that_left_is_not_computed(self):
        # A store large enough that a fetch takes a while on one thread; free
        # fetches, so they queue at once. One fetch is kept and runs; three
        # queued behind it leave before their turn: only the kept one is
        # computed.
        self.ch.stop_relay()
        run([os.path.join(os.path.dirname(RELAY), "pricing_flood"), "fill", os.path.join(self.ch.data, "store"),
             "5000"])
        plain = list(self.ch._plain_serve_args)
        self.ch._plain_serve_args += ["--fetch-work-min", "0", "--fetch-work-per-message", "0", "--fetch-threads", "1"]
        try:
            self.ch.start_relay()
            body = encode_body([bytes([1, 4])])
            computed_before = self.fetches_computed()
            keep = self.connection()
            keep.request("POST", "/api", body=body)
            leaving = []
            for _ in range(3):
                s = socket.create_connection(("127.0.0.1", self.ch.http_port), timeout=5,
                                             source_address=(CLIENT_ADDRESS, 0))
                s.sendall(b"POST /api HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
                leaving.append(s)
            time.sleep(0.2)
            for s in leaving:
                s.close()
            r = keep.getresponse()
            reply = decode_body(r.read())
            keep.close()
            self.assertEqual(reply[0], b"\x01\x00")
            self.assertEqual(len(reply[1]) % 64, 0)
            deadline = time.time() + 30
            while self.fetch_load() != 0 and time.time() < deadline:
                time.sleep(0.1)
            self.assertEqual(self.fetches_computed() - computed_before, 1)
        finally:
            self.ch.stop_relay()
            self.ch._plain_serve_args = plain
            self.ch.start_relay()

    def relay_status(self):
        import json
        return json.loads(run([RELAY, "status", "--data", self.ch.data, "--json"])[1])

    def fetches_computed(self):
        return self.relay_status()["requests"]["fetch"]["ok"]

    def fetch_load(self):
        f = self.relay_status()["fetches"]
        return f["running"] + f["waiting"]

    def test_zz_log_names_no_client(self):
        # Run last (unittest sorts by name): after every request above.
        self.request("GET", SECRET_PATH)
        with open(self.ch.relay_log, "rb") as f:
            log = f.read().decode(errors="replace")
        self.assertNotIn(CLIENT_ADDRESS, log)
        self.assertNotIn("MarkerAgent", log)
        self.assertNotIn("reporter-path-marker", log)
        self.assertNotIn("/api", log)
        for line in log.splitlines():
            if "127.0.0.1" in line:  # the relay's own endpoints only
                self.assertTrue("serving on tcp://127.0.0.1:" in line or "http door on 127.0.0.1:" in line, line)


if __name__ == "__main__":
    unittest.main()
