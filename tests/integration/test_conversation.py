"""The anonymous conversation end to end, through the real binaries.

Two advisers, three reporters, three rounds each: one reporter writes to both
advisers, one leaves an adviser out, one writes to a single adviser. Every
party must see exactly its own conversation; the relay is restarted mid-way
and loses nothing; afterwards the relay's database is searched for anything
that could identify or link a reporter.
"""
import base64
import os
import signal
import struct
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import Channel, Reporter, reporter_public_keys, run, unwrapped, REPORTER, DERIVE_KEYS  # noqa: E402

LONG_TEXT = "The long report. " * 170  # about 2.9 KB: must not be distinguishable from a short one


def card_keys(card):
    """(name, sign_pk, message_pk, fetch_pk) from an adviser card."""
    raw = base64.urlsafe_b64decode(card[len("mpcard1."):] + "=" * (-len(card) % 4))
    pos = 16 + 1
    fields = []
    for _ in range(3):
        (n,) = struct.unpack_from("<H", raw, pos)
        fields.append(raw[pos + 2:pos + 2 + n])
        pos += 2 + n
    return fields[0], raw[pos:pos + 32], raw[pos + 32:pos + 64], raw[pos + 64:pos + 96]


class ConversationTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.channel = Channel()
        cls.a1, cls.a2 = cls.channel.advisers

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()

    def test_conversation_rounds_restart_and_relay_view(self):
        ch, a1, a2 = self.channel, self.a1, self.a2
        r1, r2, r3 = Reporter(ch), Reporter(ch), Reporter(ch)
        sent = {r1: [], r2: [], r3: []}        # reporter -> its own texts
        replies = {r1: [], r2: [], r3: []}     # reporter -> adviser texts addressed to it

        def say(reporter, text, first=False, **kw):
            sent[reporter].append(text)
            if first:
                reporter.new(text, **kw)
            else:
                reporter.reply(text)

        say(r1, "R1-round0 to both advisers", first=True, to=[1, 2])
        say(r2, "R2-round0 leaving the external bureau out " + LONG_TEXT, first=True, exclude=[2])
        say(r3, "R3-round0 only to the bureau", first=True, to=[2])
        self.assertEqual(len({r1.code, r2.code, r3.code}), 3)

        readers = {r1: [a1, a2], r2: [a1], r3: [a2]}
        for rnd in range(3):
            a1.inbox()
            a2.inbox()
            self.assertEqual(len(a1.case_ids()), 2)
            self.assertEqual(len(a2.case_ids()), 2)
            for reporter, advisers in readers.items():
                tag = {r1: "R1", r2: "R2", r3: "R3"}[reporter]
                for adviser in advisers:
                    case = adviser.only_case(f"{tag}-round0")
                    atag = "A1" if adviser is a1 else "A2"
                    text = f"{atag}-to-{tag}-round{rnd}"
                    adviser.reply(case, text)
                    replies[reporter].append(text)
            if rnd == 1:
                # Restart mid-conversation: everything acknowledged must survive.
                self.assertEqual(ch.stop_relay(), 0)
                ch.start_relay()
            for reporter in readers:
                tag = {r1: "R1", r2: "R2", r3: "R3"}[reporter]
                _, out, _ = reporter.check()
                for text in sent[reporter] + replies[reporter]:
                    self.assertIn(text, unwrapped(out))
                for other in readers:
                    if other is not reporter:
                        for text in sent[other] + replies[other]:
                            self.assertNotIn(text.split(" ")[0], out)
                if rnd < 2:
                    say(reporter, f"{tag}-round{rnd + 1} follow-up")

        # Advisers see exactly their own cases, with both directions.
        a1.inbox()
        a2.inbox()
        for reporter, advisers in readers.items():
            tag = {r1: "R1", r2: "R2", r3: "R3"}[reporter]
            for adviser in (a1, a2):
                cases = adviser.cases_with(f"{tag}-round0")
                if adviser in advisers:
                    self.assertEqual(len(cases), 1)
                    transcript = adviser.read(cases[0])
                    for text in sent[reporter]:
                        self.assertIn(text.split(" ")[0], transcript)
                    for text in replies[reporter]:
                        self.assertEqual(text in transcript, text.startswith("A1" if adviser is a1 else "A2"))
                else:
                    self.assertEqual(cases, [])

        self.check_relay_view([r1, r2, r3], sent, replies)

    def check_relay_view(self, reporters, sent, replies):
        ch = self.channel
        ch.stop_relay()
        tables = {}
        for table in ("messages", "clues", "prekeys", "directory", "meta", "counters", "medium_prekeys"):
            out = subprocess.run(["mdb_dump", "-s", table, os.path.join(ch.data, "store")],
                                 capture_output=True).stdout.decode()
            tables[table] = [bytes.fromhex(l.strip()) for l in out.splitlines() if l.startswith(" ")]
        ch.start_relay()
        everything = b"".join(b for recs in tables.values() for b in recs)
        conversation_tables = b"".join(tables["messages"] + tables["clues"])

        secrets = []
        for reporter in reporters:
            secrets += [t.split(" ")[0].encode() for t in sent[reporter] + replies[reporter]]
            secrets += [reporter.code.encode(), reporter.code.replace("-", "").encode()]
            keys = reporter_public_keys(ch, reporter.code)
            secrets += [keys["message_pk"], keys["fetch_pk"]]
        for s in secrets:
            self.assertNotIn(s, everything, "relay database holds a reporter secret, text or key")
        for adviser in ch.advisers:
            name, sign_pk, message_pk, fetch_pk = card_keys(adviser.card)
            for s in (name, sign_pk, message_pk, fetch_pk):
                self.assertNotIn(s, conversation_tables, "a message record names an adviser")

        # Message values: expiry day (4) + verifier (32) + envelope of a fixed class.
        sizes = {len(v) for v in tables["messages"][1::2]}
        self.assertEqual(sizes, {4 + 32 + 4096}, "stored sizes reveal message lengths")
        # Clue records: the clue (64) and the message's expiry day (4), nothing else.
        self.assertEqual({len(v) for v in tables["clues"][1::2]}, {64 + 4})


class CodeHandlingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.channel = Channel()

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()

    def test_mistyped_code_is_rejected_before_any_network_traffic(self):
        reporter = Reporter(self.channel)
        reporter.new("a report whose code will be mistyped", to=[1])
        code = reporter.code
        wrong = code[:6] + ("X" if code[6] != "X" else "Y") + code[7:]
        # The address points at a port where nothing listens: if the client
        # tried the network it would fail with a relay error instead.
        dead = self.channel.address_for("tcp://127.0.0.1:1")
        rc, out, err = run([REPORTER, "check", "--channel", dead, "--insecure-test-kdf"], stdin=wrong + "\n",
                           check=False)
        self.assertEqual(rc, 2)
        self.assertIn("group 2", err)
        self.assertNotIn("relay", err)
        self.assertNotIn(wrong, err + out)

    def test_valid_but_unknown_code_sees_no_messages(self):
        code = run([DERIVE_KEYS, "generate"])[1].strip()
        rc, out, _ = Reporter(self.channel).check(code=code, check=False)
        self.assertEqual(rc, 0)
        self.assertIn("No messages for this code", out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
