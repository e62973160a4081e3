"""The HTTP door's answer budget and deposits (docs/PROTOCOL.md "POST /api",
*Room for the answer*), through the real relay on loopback, in seconds:

- while unread 256 KiB answers keep the 1 MiB answer budget full, paid
  deposits are answered with their ids or refused 503, and every one
  refused 503 stored nothing (the door used to answer 503 to deposits the
  relay had stored when the budget was full of answers taken in the same
  round: the page then said "nothing was sent" and a retry stored the
  letter twice);
- GET /favicon.ico is 204 with the door's headers (the page names its icon).

The deterministic form of the first (answers sent back to back by a
scripted serving loop): tests/test_http_door_answers.cpp. A retry after a
lost answer, end to end: test_web_client.py.
"""
import concurrent.futures
import hashlib
import json
import os
import struct
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import RELAY, HttpChannel, run  # noqa: E402
from test_http_door import encode_body  # noqa: E402
from test_http_door_load import open_upload, post  # noqa: E402
from test_replay import stored_envelopes  # noqa: E402

ANSWER_BUDGET = 1 << 20
OK = b"\x01\x00"
ROUNDS = 3
READERS = 40   # unread 256 KiB answers per round: 10 MiB against the 1 MiB budget
DEPOSITS = 16  # paid deposits per round, sent together with them


def h(*parts):
    return hashlib.blake2b(b"".join(parts), digest_size=32).digest()


def proof(challenge, triples, work):
    """A proof of work for a deposit of `triples` (docs/PROTOCOL.md "Proof of work")."""
    body = h(b"meldpunt/v1/deposit-body\0",
             *[c + v + struct.pack("<I", len(e)) + e for c, v, e in triples])
    limit = (2**64 - 1) // max(work, 1)
    nonce = int.from_bytes(os.urandom(8), "little")
    while True:
        digest = h(b"meldpunt/v1/deposit-pow\0", challenge, body, struct.pack("<Q", nonce))
        if work == 0 or int.from_bytes(digest[:8], "big") <= limit:
            return challenge + struct.pack("<Q", nonce)
        nonce = (nonce + 1) % 2**64


class AnswerBudgetTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp(prefix="meldpunt-it-")
        cls.ch = HttpChannel(root=cls.root, adviser_names=(("Anna de Vries", "internal"),),
                             serve_args=["--pow-difficulty", "0", "--http-timeout", "6",
                                         "--http-max-answer-bytes", str(ANSWER_BUDGET), "--max-messages", "1000"])
        # One stored 256 KiB envelope for the unread answers, and small ones
        # whose (valid) clue, verifier and envelope are deposited again.
        cls.ch.stop_relay()
        cls.get_message = encode_body([bytes([1, 5]), cls.ch.fill_store(1, 262144)])
        cls.ch.fill_store(DEPOSITS, 4096)
        cls.triples = [t for t in stored_envelopes(cls.ch) if len(t[2]) == 4096]
        cls.ch.start_relay()

    @classmethod
    def tearDownClass(cls):
        cls.ch.close_after_clean_stop()

    def status(self):
        return json.loads(run([RELAY, "status", "--data", self.ch.data, "--json"])[1])

    def deposits(self):
        status, policy = post(self.ch.http_port, encode_body([bytes([1, 9])]))
        self.assertEqual((status, policy[0]), (200, OK))
        challenge, work = policy[1], struct.unpack("<Q", policy[8][:8])[0]  # the 4096-byte class
        return [encode_body([bytes([1, 3]), proof(challenge, [t], work), *t])
                for t in (self.triples[i % len(self.triples)] for i in range(DEPOSITS))]

    def test_a_stored_deposit_is_never_answered_503(self):
        before = self.status()
        stored_ids, refused = [], 0
        for _ in range(ROUNDS):
            bodies = self.deposits()
            readers = []
            try:
                for _ in range(READERS):
                    readers.append(open_upload(self.ch.http_port, len(self.get_message), 0, rcvbuf=4096))
                    readers[-1].sendall(self.get_message)
                with concurrent.futures.ThreadPoolExecutor(DEPOSITS) as pool:
                    answers = list(pool.map(lambda b: post(self.ch.http_port, b), bodies))
            finally:
                for s in readers:
                    s.close()
            for status, reply in answers:
                if status == 503:
                    refused += 1
                    continue
                self.assertEqual(status, 200)
                self.assertEqual(reply[0], OK, reply)
                self.assertEqual([len(f) for f in reply[1:]], [16])
                stored_ids.append(reply[1])
        after = self.status()
        door = after["http_door"]
        # The budget was full: answers were dropped or refused for it.
        pressure = (door["dropped"]["answers_over_budget"] + door["refused"]["busy"]
                    - before["http_door"]["dropped"]["answers_over_budget"] - before["http_door"]["refused"]["busy"])
        self.assertGreater(pressure, 0, door)
        print(f"deposits: {len(stored_ids)} answered with their ids, {refused} refused 503; "
              f"budget pressure {pressure}", file=sys.stderr)
        # Every deposit refused 503 stored nothing; every one answered is there.
        self.assertEqual(after["messages"]["stored"] - before["messages"]["stored"], len(stored_ids))
        for message_id in stored_ids:
            status, reply = post(self.ch.http_port, encode_body([bytes([1, 5]), message_id]))
            self.assertEqual((status, reply[0], reply[1]), (200, OK, self.triples[0][2]))

    def test_favicon_ico_is_no_content(self):
        import http.client
        c = http.client.HTTPConnection("127.0.0.1", self.ch.http_port, timeout=10)
        try:
            c.request("GET", "/favicon.ico")
            r = c.getresponse()
            self.assertEqual((r.status, r.read()), (204, b""))
            self.assertEqual(r.getheader("Cache-Control"), "no-store")
            self.assertIsNotNone(r.getheader("Content-Security-Policy"))
            self.assertIsNone(r.getheader("Content-Type"))
        finally:
            c.close()
        self.assertEqual(post(self.ch.http_port, b"")[0], 400)  # and the door serves on


if __name__ == "__main__":
    unittest.main()
