"""Relay view audit: nothing the relay stores or logs links a reporter to an adviser.

A long mixed conversation (two advisers, three reporters writing to one or
both, replies both ways over several rounds, advisers deleting what they
fetched) runs through the real binaries; the relay's LMDB is dumped
(mdb_dump) after every step, so records that are deleted later are audited
too. Checks over every message ever stored:
  - no byte string of 8 bytes or more is shared between two different
    messages (id, stored value and clue together), in particular not between
    a deposit and the reply to it;
  - no adviser key, adviser id, adviser name or prekey in any message or
    clue record;
  - the stored value is exactly expiry day (4) || delete verifier (32) ||
    envelope of a fixed class, and the expiry day is a whole day in
    [today + retention, today + retention + fuzz] (the only time field);
  - no 64-bit unix time (seconds or milliseconds) of today anywhere in the
    database, and no 32-bit one in its non-random tables;
  - the relay's log names no message id, key, client port or time of day.
"""
import base64
import os
import re
import struct
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import Channel, Reporter  # noqa: E402

TABLES = ("messages", "clues", "prekeys", "medium_prekeys", "directory", "meta", "counters")
RETENTION_DAYS, FUZZ_DAYS = 60, 7  # relay serve defaults
ENVELOPE_SIZES = (4096, 32768, 262144)
WINDOW = 8


def card_fields(card):
    """(id, name, sign_pk, message_pk, fetch_pk) from an adviser card (crypto/directory.hpp)."""
    raw = base64.urlsafe_b64decode(card[len("mpcard1."):] + "=" * (-len(card) % 4))
    adviser_id, pos = raw[:16], 17
    fields = []
    for _ in range(3):
        (n,) = struct.unpack_from("<H", raw, pos)
        fields.append(raw[pos + 2:pos + 2 + n])
        pos += 2 + n
    return adviser_id, fields[0], raw[pos:pos + 32], raw[pos + 32:pos + 64], raw[pos + 64:pos + 96]


def dump(data):
    """{table: [(key, value)]} of the relay's store (a consistent snapshot, relay running)."""
    tables = {}
    for table in TABLES:
        out = subprocess.run(["mdb_dump", "-s", table, os.path.join(data, "store")],
                             capture_output=True, check=True).stdout.decode()
        lines = [bytes.fromhex(l.strip()) for l in out.splitlines() if l.startswith(" ")]
        tables[table] = list(zip(lines[0::2], lines[1::2]))
    return tables


class RelayViewTest(unittest.TestCase):
    counter_values = []  # prekey-upload counters seen in the counters table

    def test_relay_view_links_nothing(self):
        ch = Channel(serve_args=["--pow-difficulty", "8"])
        self.addCleanup(ch.close)
        a1, a2 = ch.advisers
        messages, clues, prekey_pks, snapshots = {}, {}, set(), []
        other_tables = []

        def snapshot():
            t = dump(ch.data)
            snapshots.append(t)
            messages.update(t["messages"])
            clues.update(t["clues"])
            prekey_pks.update(k[32:64] for k, _ in t["prekeys"])
            prekey_pks.update(v[0:32] for _, v in t["medium_prekeys"])  # adviser sign pk -> pk || day || signature
            other_tables.extend(t["prekeys"] + t["medium_prekeys"] + t["directory"] + t["meta"] + t["counters"])

        r1, r2, r3 = Reporter(ch), Reporter(ch), Reporter(ch)
        r1.new("R1 first report to both", to=[1, 2])
        snapshot()
        r2.new("R2 first report to Anna only", to=[1])
        r3.new("R3 first report to the bureau " + "x" * 3000, to=[2])
        snapshot()
        for rnd in range(3):
            for adviser in (a1, a2):
                adviser.inbox()
                snapshot()
                for case in adviser.case_ids():
                    adviser.reply(case, f"{adviser.name} answers in round {rnd}")
                snapshot()
            for reporter in (r1, r2, r3):
                reporter.check()
                reporter.reply(f"reporter follow-up in round {rnd}")
            snapshot()
        a1.inbox()
        a2.inbox()
        snapshot()
        self.assertGreater(len(messages), 30, "the conversation stored too few messages to audit")
        # The audit covers every table there is.
        listed = subprocess.run(["mdb_dump", "-l", os.path.join(ch.data, "store")],
                                capture_output=True, check=True).stdout.decode().split()
        self.assertEqual(sorted(listed), sorted(TABLES), "the store has a table this audit does not read")

        # One byte string per message: id || stored value || clue.
        records = {mid: mid + value + clues.get(mid, b"") for mid, value in messages.items()}
        seen = {}
        for mid, blob in records.items():
            for i in range(len(blob) - WINDOW + 1):
                w = blob[i:i + WINDOW]
                owner = seen.setdefault(w, mid)
                self.assertEqual(owner, mid, f"messages share the bytes {w.hex()}: the relay could link them")

        # No adviser identity and no prekey in any message or clue.
        adviser_values = []
        for a in ch.advisers:
            adviser_values += [v for v in card_fields(a.card) if len(v) >= 8]
        adviser_values += list(prekey_pks)
        self.assertTrue(prekey_pks, "no prekeys seen in the store")
        for blob in records.values():
            for v in adviser_values:
                self.assertNotIn(v, blob, "a message record names an adviser or a prekey")

        # The value's layout leaves room for no other field; the expiry is a whole day.
        today = int(time.time() // 86400)
        expiry_days = set()
        for mid, value in messages.items():
            self.assertEqual(len(mid), 16)
            self.assertIn(len(value) - 36, ENVELOPE_SIZES, "stored value is not expiry || verifier || envelope")
            (expiry,) = struct.unpack_from("<I", value, 0)
            expiry_days.add(expiry)
            self.assertGreaterEqual(expiry, today + RETENTION_DAYS - 1)
            self.assertLessEqual(expiry, today + RETENTION_DAYS + FUZZ_DAYS + 1)
        # A clue record is the clue and the same whole day as its message, nothing else.
        for mid, clue in clues.items():
            self.assertEqual(len(clue), 68, "clue record is not clue || expiry day")
            if mid in messages:
                self.assertEqual(clue[64:], messages[mid][:4], "clue record's day is not its message's")

        # No unix time of today (seconds or milliseconds) as a 64-bit field anywhere.
        now = int(time.time())
        everything = [(name, k, v) for t in snapshots for name, rows in t.items() for k, v in rows]
        for table, key, value in everything:
            blob = key + value
            if table == "counters":
                # Prekey-upload counters are day << 32 + n by design; checked on
                # their own below.
                RelayViewTest.counter_values.append(struct.unpack_from("<Q", value, 0)[0])
                continue
            for i in range(len(blob) - 7):
                (v,) = struct.unpack_from("<Q", blob, i)
                self.assertFalse(now - 2 * 86400 < v < now + 2 * 86400,
                                 f"a unix time in seconds is stored: table {table}, key {key!r}, offset {i}")
                self.assertFalse((now - 2 * 86400) * 1000 < v < (now + 2 * 86400) * 1000,
                                 f"a unix time in milliseconds is stored: table {table}, key {key!r}, offset {i}")
        # ...nor as a 32-bit one in the tables that hold no random bytes in their values.
        for key, value in [kv for t in snapshots for kv in t["meta"]]:
            for i in range(len(value) - 3):
                (v,) = struct.unpack_from("<I", value, i)
                self.assertFalse(now - 2 * 86400 < v < now + 2 * 86400, "a unix time is stored in meta")

        # The relay's log: no message id, adviser key, client port or time of day.
        with open(ch.relay_log, "rb") as f:
            log = f.read()
        for mid in messages:
            self.assertNotIn(mid.hex().encode(), log)
        for v in adviser_values:
            self.assertNotIn(v.hex().encode(), log)
            self.assertNotIn(base64.urlsafe_b64encode(v).rstrip(b"="), log)
        for port in re.findall(rb"127\.0\.0\.1:(\d+)", log):
            self.assertEqual(int(port), ch.port, "the relay logged a client's address")
        self.assertIsNone(re.search(rb"\d\d:\d\d:\d\d|\d{4}-\d\d-\d\d", log), "the relay logged a time")
        print(f"relay view: {len(messages)} messages over {len(snapshots)} snapshots share no 8-byte string, "
              f"name no adviser or prekey ({len(adviser_values)} values); expiry days "
              f"{sorted(d - today for d in expiry_days)} days from today; log of {len(log)} bytes clean",
              file=sys.stderr)

    # The relay keeps each adviser's last prekey-upload counter (replay
    # protection). The adviser client starts each day's counters at
    # day << 32, so a stored counter dates an upload to the day, never finer.
    def test_zz_prekey_upload_counter_is_not_a_timestamp(self):
        self.assertTrue(self.counter_values, "test_relay_view_links_nothing did not run first")
        now_ms = int(time.time() * 1000)
        today = int(time.time()) // 86400
        for v in self.counter_values:
            self.assertFalse(now_ms - 2 * 86400_000 < v < now_ms + 2 * 86400_000,
                             "the prekey-upload counter is a unix time in milliseconds")
            self.assertIn(v >> 32, (today - 1, today), "the counter's high half is not today's day number")
            self.assertLess(v & 0xFFFFFFFF, 1000, "the counter's low half is not a small per-day sequence")


if __name__ == "__main__":
    unittest.main()
