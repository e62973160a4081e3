"""The relay operator watching live (issue 14): a logging proxy that holds the
relay's own key records every operation of every client connection during an
ordinary flow of two advisers and three reporters over several rounds, with
the stock binaries, and acts as a malicious relay that plants fetch entries.

The proxy binds the public endpoint as a CurveZMQ server with the relay's
secret key (from relay.key in the data folder), so it sees every request in
clear; it forwards each client connection over a DEALER of its own to the
real relay on another port, and logs (connection, op, ids). What the log must
not show (docs/PROTOCOL.md, "Connections" and "Retrieval session"):

- a connection that carries an identified operation (a signed prekey upload)
  and any other (anonymous) operation;
- a get-message, delete or deposit sharing its connection with another
  operation (the fetch and deposit connections carry get-policy, which
  names nothing, before them);
- a check session whose get-message count is not a multiple of K = 16;
- planted entries: in every fetch answer the proxy adds, for each adviser's
  public fetch key (from the adviser cards, as a relay has them from the
  directory), an entry pointing at an envelope the operator deposited
  itself. The adviser's client downloads "its" planted id: that download
  must arrive on a connection carrying nothing else, so it ties the adviser
  to no other operation;
- more get-messages or deletes under way at once than four per quantum of
  16 in the session (the proxy counts the requests it has not answered
  yet). A second test plants 2K + 1 entries for one adviser, so its inbox
  is a session of three quanta: the same promises hold there, with at most
  twelve at once.

A second test runs the clients through a small SOCKS5 proxy (socks_recorder)
in front of the logging proxy: every connection must offer credentials of
its own (Tor's stream isolation).

pyzmq (python3-zmq) drives the proxy and libsodium (through ctypes) makes the
planted entries; the test re-runs itself with Debian's /usr/bin/python3 when
the interpreter at hand lacks pyzmq.
"""
import os
import sys

try:
    import zmq
except ImportError:  # CMake may have found another Python than Debian's
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != "/usr/bin/python3":
        os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
    raise

import collections
import ctypes
import ctypes.util
import hashlib
import re
import subprocess
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import BIN, Channel, Reporter, run  # noqa: E402
from socks_recorder import SocksRecorder  # noqa: E402
from test_conversation import card_keys  # noqa: E402

DEPOSIT_TOOL = os.path.join(BIN, "deposit_tool")
K = 16  # get-messages per retrieval session are a multiple of this (docs/PROTOCOL.md)

OP_NAMES = {1: "get-directory", 2: "get-prekeys", 3: "deposit", 4: "fetch", 5: "get-message", 6: "delete",
            7: "publish-directory", 8: "upload-prekeys", 9: "get-policy"}
# Prices are not what this test is about: free requests keep it fast.
FREE = ["--pow-difficulty", "0", "--fetch-work-min", "0", "--fetch-work-per-message", "0", "--prekeys-weight", "0"]
IDENTIFIED = {7, 8}  # signed by an adviser or the administrator: they name who sent them
ALONE = {3, 5, 6}    # must have a connection of their own (get-policy may precede a deposit)

sodium = ctypes.CDLL(ctypes.util.find_library("sodium") or "libsodium.so.23")
assert sodium.sodium_init() >= 0


def ristretto_scalar_random():
    s = ctypes.create_string_buffer(32)
    sodium.crypto_core_ristretto255_scalar_random(s)
    return s.raw


def ristretto_mul(scalar, point=None):
    out = ctypes.create_string_buffer(32)
    if point is None:
        rc = sodium.crypto_scalarmult_ristretto255_base(out, scalar)
    else:
        rc = sodium.crypto_scalarmult_ristretto255(out, scalar, point)
    assert rc == 0
    return out.raw


def planted_entry(fetch_pk, message_id):
    """A fetch entry that the holder of fetch_pk's secret recognises as its
    own, pointing at message_id: what a relay can make for any public fetch
    key (docs/PROTOCOL.md, "Blind", with X = x*G, Z = x*S)."""
    x = ristretto_scalar_random()
    big_r, big_t = ristretto_mul(x), ristretto_mul(x, fetch_pk)
    k = hashlib.blake2b(b"meldpunt/v1/clue" + big_r + big_t, digest_size=32).digest()
    return big_r + k[:16] + bytes(a ^ b for a, b in zip(message_id, k[16:]))


class LoggingProxy:
    """CurveZMQ server with the relay's key in front of the real relay."""

    def __init__(self, relay_key_file, upstream):
        with open(relay_key_file, "rb") as f:
            raw = f.read()
        self.secret, self.public = raw[-64:-32], raw[-32:]
        self.upstream = upstream
        self.context = zmq.Context()
        self.front = self.context.socket(zmq.ROUTER)
        self.front.curve_server = True
        self.front.curve_secretkey = self.secret
        self.front.curve_publickey = self.public
        self.front.linger = 0
        port = self.front.bind_to_random_port("tcp://127.0.0.1")
        self.endpoint = f"tcp://127.0.0.1:{port}"
        self.lock = threading.Lock()
        self.log = []            # (connection number, op, [ids as bytes])
        self.plant = {}          # fetch_pk -> message id planted in every fetch answer
        self.numbers = {}        # routing id (one per client connection) -> connection number
        self.dealers = {}        # routing id -> (DEALER to the relay, time of its last reply)
        self.by_dealer = {}      # DEALER -> routing id
        self.last_op = {}        # routing id -> op of the request in flight
        self.busy = set()        # routing ids with a get-message or delete not yet answered
        self.most = 0            # the most of those at once since the last take()
        self.stopped = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def take(self):
        with self.lock:
            taken, self.log = self.log, []
            self.most = 0
        return taken

    def most_at_once(self):
        """The most get-messages and deletes under way together since the
        last take() (read before taking)."""
        with self.lock:
            return self.most

    def stop(self):
        self.stopped = True
        self.thread.join(timeout=10)

    def _dealer(self, rid):
        """The DEALER for a client connection, made on its first request (or
        again after it was closed idle: the log follows the client's
        connection, whatever the proxy's own connections do)."""
        if rid not in self.numbers:
            self.numbers[rid] = len(self.numbers) + 1
        if rid not in self.dealers:
            d = self.context.socket(zmq.DEALER)
            d.curve_serverkey = self.public
            d.curve_publickey, d.curve_secretkey = zmq.curve_keypair()
            d.linger = 0
            d.connect(self.upstream)
            self.dealers[rid] = [d, None]
            self.by_dealer[d] = rid
            self.poller.register(d, zmq.POLLIN)
        return self.numbers[rid], self.dealers[rid][0]

    def _close_idle(self):
        """Upstream connections idle for 3 s after their reply are closed, to
        bound the proxy's descriptors (the client's own connection stays)."""
        now = time.time()
        for rid, (d, answered) in list(self.dealers.items()):
            if answered is not None and now - answered > 3:
                self.poller.unregister(d)
                del self.by_dealer[d]
                del self.dealers[rid]
                d.close()

    def _serve(self):
        self.poller = zmq.Poller()
        self.poller.register(self.front, zmq.POLLIN)
        while not self.stopped:
            self._close_idle()
            for sock, _ in self.poller.poll(100):
                if sock is self.front:
                    rid, *frames = self.front.recv_multipart()
                    number, d = self._dealer(rid)
                    op = frames[0][1] if len(frames[0]) >= 2 else 0
                    ids = [frames[1]] if op in (5, 6) and len(frames) > 1 else []
                    with self.lock:
                        self.log.append((number, op, ids))
                        if op in (5, 6):
                            self.busy.add(rid)
                            self.most = max(self.most, len(self.busy))
                    self.last_op[rid] = op
                    self.dealers[rid][1] = None
                    d.send_multipart(frames)
                else:
                    reply = sock.recv_multipart()
                    rid = self.by_dealer[sock]
                    with self.lock:
                        self.busy.discard(rid)
                    self.dealers[rid][1] = time.time()
                    op = self.last_op.get(rid)
                    if op == 4 and len(reply) == 3 and reply[0][1:2] == b"\x00":
                        reply = self._planted(reply)
                    if op == 3 and reply[0][1:2] == b"\x00":
                        with self.lock:
                            self.log.append((self.numbers[rid], "deposited", reply[1:]))
                    self.front.send_multipart([rid, *reply])
        self.front.close()
        for d, _ in self.dealers.values():
            d.close()
        self.context.term()

    def _planted(self, reply):
        header, entries, ids = reply
        if not self.plant:
            return reply
        planted = [(pk, mid) for pk, mids in self.plant.items() for mid in mids]
        extra = b"".join(planted_entry(pk, mid) for pk, mid in planted)
        listed = sorted({ids[i:i + 16] for i in range(0, len(ids), 16)} | {mid for _, mid in planted})
        return [header, entries + extra, b"".join(listed)]


def by_connection(log):
    conns = collections.OrderedDict()
    for number, op, ids in log:
        conns.setdefault(number, []).append((op, ids))
    return conns


class LiveOperatorTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.channel = Channel(serve_args=FREE)
        ch = cls.channel
        # Other people's messages at the relay, so that decoys have a pool
        # (the operator's planted envelopes come from the same tool: one per
        # adviser, and 2K + 1 more for the session of several quanta).
        filled = run([DEPOSIT_TOOL, "deposit", ch.address, str(4 * K + len(ch.advisers))])[1].split()
        cls.operator_ids = [bytes.fromhex(filled[i]) for i in range(0, len(filled), 2)]
        cls.proxy = LoggingProxy(os.path.join(ch.data, "relay.key"), ch.endpoint)
        cls.direct_address = ch.address
        ch.address = ch.address_for(cls.proxy.endpoint)  # every client below talks to the proxy
        cls.fetch_pks = {a.name: card_keys(a.card)[3] for a in ch.advisers}
        cls.planted = {}
        for a, mid in zip(ch.advisers, cls.operator_ids):
            cls.planted[a.name] = mid
            cls.proxy.plant[cls.fetch_pks[a.name]] = [mid]

    @classmethod
    def tearDownClass(cls):
        cls.proxy.stop()
        cls.channel.close()

    def assert_separated(self, log, what):
        """No identified operation shares a connection with another
        operation; get-message, delete and deposit travel alone."""
        for number, ops in by_connection(log).items():
            kinds = [op for op, _ in ops if op != "deposited"]
            if any(op in IDENTIFIED for op in kinds):
                self.assertTrue(all(op in IDENTIFIED for op in kinds),
                                f"{what}: connection {number} carries an identified op with anonymous ones: "
                                f"{[OP_NAMES.get(o, o) for o in kinds]}")
            for op in kinds:
                if op in ALONE:
                    others = [o for o in kinds if o != 9 or op != 3]
                    self.assertEqual(others, [op], f"{what}: {OP_NAMES[op]} on connection {number} is not alone: "
                                                   f"{[OP_NAMES.get(o, o) for o in kinds]}")
            if 4 in kinds:
                self.assertLessEqual(set(kinds), {4, 9},
                                     f"{what}: the fetch shares connection {number}: "
                                     f"{[OP_NAMES.get(o, o) for o in kinds]}")

    def gets(self, log):
        return [(number, ids[0]) for number, op, ids in log if op == 5]

    def assert_paced(self, log, most, what):
        """At most four get-messages or deletes under way (`most`, as the
        proxy counted them) per quantum of the larger of the two (the
        session's get-messages, the run's deletes)."""
        requests = max(len(self.gets(log)), len([1 for _, op, _ in log if op == 6]))
        quanta = max(1, -(-requests // K))
        self.assertGreaterEqual(most, 1, f"{what}: the proxy counted no request under way (the count is broken)")
        self.assertLessEqual(most, 4 * quanta, f"{what}: {most} requests under way at once for {requests}")
        return most

    def assert_session_padded(self, log, what):
        gets = self.gets(log)
        self.assertTrue(gets and len(gets) % K == 0, f"{what}: {len(gets)} get-messages, not a multiple of {K}")
        self.assertEqual(len({n for n, _ in gets}), len(gets), f"{what}: two get-messages share a connection")
        self.assertEqual(len({i for _, i in gets}), len(gets), f"{what}: an id was asked for twice")
        return len(gets)

    def adviser_inbox(self, adviser, planted=None):
        adviser.inbox()
        most = self.proxy.most_at_once()
        log = self.proxy.take()
        what = f"{adviser.name} inbox"
        self.assert_separated(log, what)
        self.assert_session_padded(log, what)
        self.assert_paced(log, most, what)
        uploads = {n for n, op, _ in log if op == 8}
        self.assertTrue(uploads, f"{what}: no prekey upload seen (the flow is not what the test expects)")
        for planted_id in planted or [self.planted[adviser.name]]:
            carrying = [n for n, op, ids in log if op == 5 and ids == [planted_id]]
            self.assertEqual(len(carrying), 1, f"{what}: a planted entry was not retrieved exactly once")
            ops = [op for n, op, _ in log if n == carrying[0]]
            self.assertEqual(ops, [5], f"{what}: a planted id came on a connection with {ops}")
            self.assertNotIn(carrying[0], uploads)
        # The other adviser's planted id is not this adviser's: if it is asked
        # for at all, only as a decoy.
        return log

    def reporter_session(self, reporter, action, *args):
        result = getattr(reporter, action)(*args)
        most = self.proxy.most_at_once()
        log = self.proxy.take()
        what = f"reporter {action}"
        self.assert_separated(log, what)
        self.assertLessEqual(most, 4, f"{what}: {most} requests under way at once in a session of one quantum")
        count = self.assert_session_padded(log, what) if action in ("check", "reply") else 0
        return result, log, count

    def test_operations_cannot_be_grouped_by_connection(self):
        ch = self.channel
        anna, extern = ch.advisers
        self.proxy.take()
        reporters = [Reporter(ch) for _ in range(3)]
        # Round 1: three reports (one to each adviser, one to both).
        for r, to in zip(reporters, (["1"], ["2"], ["1", "2"])):
            r.new(f"live operator report {id(r)}", to=to)
            log = self.proxy.take()
            self.assert_separated(log, "reporter new")
            self.assertEqual(len([1 for _, op, _ in log if op == 3]), 1, "one deposit per report")
        for a in (anna, extern):
            self.adviser_inbox(a)
        for a in (anna, extern):
            for case in a.case_ids():
                a.reply(case, f"answer from {a.name} on {case}\n")
                self.assert_separated(self.proxy.take(), f"{a.name} reply")
        # Round 2: every reporter checks and answers; the advisers read again.
        counts = []
        for r in reporters:
            (_, out, _), log, count = self.reporter_session(r, "check")
            self.assertIn("answer from", out)
            counts.append(count)
            _, log, count = self.reporter_session(r, "reply", "and here is more")
            counts.append(count)
        for a in (anna, extern):
            self.adviser_inbox(a)
        # Round 3: another check each.
        for r in reporters:
            (_, out, _), log, count = self.reporter_session(r, "check")
            self.assertIn("and here is more", out)
            counts.append(count)
        self.assertEqual(set(counts), {K}, f"get-messages per session: {counts}")

    def test_a_session_of_several_quanta_keeps_every_promise(self):
        """An adviser with 2K + 1 entries of its own (all planted: a relay
        can make that many for any public fetch key) sends 3K get-messages,
        each alone, at most twelve at once."""
        ch = self.channel
        anna = ch.advisers[0]
        pk = self.fetch_pks[anna.name]
        many = self.operator_ids[len(ch.advisers):len(ch.advisers) + 2 * K + 1]
        self.proxy.take()
        self.proxy.plant[pk] = many
        try:
            self.adviser_inbox(anna, planted=many)
        finally:
            self.proxy.plant[pk] = [self.planted[anna.name]]


class SocksIsolationTest(unittest.TestCase):
    """Through a SOCKS5 proxy every connection offers credentials of its own."""

    @classmethod
    def setUpClass(cls):
        cls.channel = Channel(serve_args=FREE)
        ch = cls.channel
        run([DEPOSIT_TOOL, "deposit", ch.address, str(2 * K)])  # a pool for decoys
        cls.named = run([os.path.join(BIN, "relay"), "address", "--data", ch.data,
                         "--endpoint", f"tcp://localhost:{ch.port}"])[1].strip()
        cls.socks = SocksRecorder()

    @classmethod
    def tearDownClass(cls):
        cls.socks.close()
        cls.channel.close()

    def assert_isolated(self, connects, what, at_least):
        self.assertGreaterEqual(len(connects), at_least, f"{what}: too few connections through the proxy: {connects}")
        users = [c[0] for c in connects]
        self.assertTrue(all(users), f"{what}: a connection offered no credentials")
        self.assertEqual(len(set(users)), len(users), f"{what}: two connections shared a SOCKS username")
        self.assertEqual(len({c[1] for c in connects}), len(connects), f"{what}: two shared a password")
        for user, password, host, port in connects:
            self.assertRegex(user.decode(), r"^[0-9a-f]{32}$")
            self.assertEqual((host, port), ("localhost", self.channel.port))

    def test_every_connection_has_fresh_credentials(self):
        ch = self.channel
        ch.address = self.named
        reporter = Reporter(ch)
        reporter.new("isolated report", to=["1"], extra=("--proxy", self.socks.url))
        self.assert_isolated(self.socks.take(), "reporter new", 2)  # directory and prekeys; the deposit
        rc, out, err = reporter.check(extra=("--proxy", self.socks.url))
        self.assertIn("isolated report", out)
        self.assertNotIn("Without --proxy", err)
        connects = self.socks.take()
        self.assert_isolated(connects, "reporter check", K + 2)  # directory, fetch and K get-messages
        anna = ch.advisers[0]
        anna._run("inbox", "--channel", ch.address, "--proxy", self.socks.url)
        self.assert_isolated(self.socks.take(), "adviser inbox", K + 3)  # and the prekey upload
        # Without a proxy the reporter is told, once, what its address gives away.
        rc, out, err = reporter.check()
        self.assertEqual(err.count("Without --proxy"), 1, err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
