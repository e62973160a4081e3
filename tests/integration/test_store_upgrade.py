"""Relay store schema upgrade, version 1 to 2, through the real binaries
(docs/PROTOCOL.md Part 4, "Schema version 1 and its upgrade";
docs/OPERATIONS.md §11).

A real conversation is stored, the relay stopped, and its store rewritten
into the version 1 layout with mdb_dump/mdb_load: every clue value cut to
the 64-byte clue, an `expiry` table with one key per message (u32be expiry
day || message id, empty value) and "schema" = 1. A copy of that folder is
kept as a version 1 backup. Then:

- `relay check` refuses the version 1 store, exits 2 and says that `relay
  serve` upgrades it; `relay backup` and `relay purge` refuse it too and
  change nothing;
- `relay serve` upgrades it when it starts and logs so, before (with the
  number of clue records) and after; afterwards `relay
  check` passes, every clue record is the same clue || its message's expiry
  day, the `expiry` table is gone and "schema" is 2; the reporter reads the
  adviser's reply and the adviser fetches a report deposited before the
  upgrade (its clue survived the rewrite);
- `relay restore --from` the version 1 backup upgrades the restored copy
  and leaves the backup byte for byte as it was (never opened as a store,
  still version 1 for `relay check --backup`); the conversation is back, and
  the purge goes by the upgraded days.
"""
import hashlib
import os
import re
import shutil
import struct
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import RELAY, Channel, Reporter, run  # noqa: E402

# Cheap proof of work: this test is about the store, not the cost of a deposit.
SERVE_ARGS = ["--pow-difficulty", "10", "--retention-days", "30"]
V2_TABLES = {"meta", "messages", "clues", "prekeys", "medium_prekeys", "counters", "directory"}
UPGRADE_LINE = "relay: relay store upgraded from schema version 1 to 2"
# Logged before the upgrade's one long commit starts.
UPGRADING_LINE = re.compile(r"^relay: upgrading the relay store from schema version 1 to 2 "
                            r"\(one pass over the (\d+) clue records; do not interrupt\)$", re.M)


def dump(store, table):
    """[(key, value)] of one table, in key order (mdb_dump's hex format)."""
    out = subprocess.run(["mdb_dump", "-s", table, store], capture_output=True, check=True).stdout.decode()
    lines = [bytes.fromhex(line[1:]) for line in out.splitlines() if line.startswith(" ")]
    return list(zip(lines[0::2], lines[1::2]))


def tables(store):
    """The names of the store's tables (the LMDB main database's keys)."""
    out = subprocess.run(["mdb_dump", "-l", store], capture_output=True, check=True).stdout.decode()
    return set(out.split())


def load(store, table, records):
    """Writes records into one table (created if missing) with mdb_load, fed
    mdb_dump's plain format: a header, then key and value lines in hex, each
    after one space. mdb_load replaces the value of a key already present
    (only -N would keep the old one)."""
    text = "VERSION=3\nformat=bytevalue\ntype=btree\nHEADER=END\n"
    text += "".join(f" {key.hex()}\n {value.hex()}\n" for key, value in records)
    text += "DATA=END\n"
    subprocess.run(["mdb_load", "-s", table, store], input=text.encode(), capture_output=True, check=True)


def rewrite_as_v1(store):
    """Turns a stopped relay's version 2 store into the version 1 layout."""
    messages = dump(store, "messages")
    load(store, "clues", [(key, value[:64]) for key, value in dump(store, "clues")])
    # v1's index: u32be expiry day || id; the day is the u32le at the start of the message value.
    load(store, "expiry", [(struct.pack(">I", struct.unpack_from("<I", value)[0]) + key, b"")
                           for key, value in messages])
    load(store, "meta", [(b"schema", struct.pack("<I", 1))])


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class StoreUpgradeTest(unittest.TestCase):
    def setUp(self):
        self.channel = Channel(serve_args=SERVE_ARGS)
        self.addCleanup(self.channel.close)
        self.store = os.path.join(self.channel.data, "store")

    def check_data(self, check=True):
        return run([RELAY, "check", "--data", self.channel.data], check=check)

    def assert_same_conversation(self, shown, before):
        # Line by line: entries sent in the same second keep the relay's fetch
        # order, which a restart may change.
        self.assertEqual(sorted(shown.splitlines()), sorted(before.splitlines()), shown)

    def assert_v2_store(self, store, v1_clues):
        """The upgraded layout: same clues, each followed by its message's day; no index."""
        self.assertEqual(tables(store), V2_TABLES)
        self.assertEqual(dict(dump(store, "meta"))[b"schema"], struct.pack("<I", 2))
        messages = dict(dump(store, "messages"))
        clues = dict(dump(store, "clues"))
        self.assertEqual(clues.keys(), messages.keys())
        for key, value in clues.items():
            self.assertEqual(len(value), 68)
            self.assertEqual(value[:64], v1_clues[key])
            self.assertEqual(value[64:], messages[key][:4], "the clue's day is not its message's")

    def test_v1_store_refused_by_one_off_commands_upgraded_by_serve_and_restore(self):
        started = time.time()
        ch = self.channel
        a1 = ch.advisers[0]

        # 1. A conversation under the current schema; a second report stays
        #    unfetched at the relay, to be fetched only after the upgrade.
        r1, r2 = Reporter(ch), Reporter(ch)
        r1.new("A report about the warehouse.", to=[1])
        a1.inbox()
        (case,) = a1.case_ids()
        a1.reply(case, "Thank you, we will look into it.")
        r2.new("A second report, still at the relay during the upgrade.", to=[1])
        before_r1 = r1.check()[1]
        self.assertIn("we will look into it", before_r1)
        self.assertEqual(ch.stop_relay(), 0)

        # 2. Rewrite the store as version 1.
        self.assertEqual({len(v) for _, v in dump(self.store, "clues")}, {68})
        rewrite_as_v1(self.store)
        self.assertEqual(tables(self.store), V2_TABLES | {"expiry"})
        self.assertEqual(dict(dump(self.store, "meta"))[b"schema"], struct.pack("<I", 1))
        v1_clues = dict(dump(self.store, "clues"))
        messages = dump(self.store, "messages")
        self.assertGreaterEqual(len(messages), 3)  # at least r1's sent copy, the reply and r2's report
        self.assertEqual({len(v) for v in v1_clues.values()}, {64})
        self.assertEqual(v1_clues.keys(), {key for key, _ in messages})
        expiry = dump(self.store, "expiry")
        self.assertEqual(len(expiry), len(messages))
        self.assertTrue(all(len(key) == 20 and value == b"" for key, value in expiry))

        # 3. Keep it as a backup, the way `relay backup` makes one.
        backup = os.path.join(ch.root, "backup-v1")
        os.mkdir(backup)
        os.chmod(backup, 0o700)
        backup_file = os.path.join(backup, "data.mdb")
        shutil.copy2(os.path.join(self.store, "data.mdb"), backup_file)
        os.chmod(backup_file, 0o600)
        backup_hash = sha256(backup_file)

        # 4. One-off commands refuse version 1 and point at `relay serve`.
        store_hash = sha256(os.path.join(self.store, "data.mdb"))
        rc, out, err = self.check_data(check=False)
        self.assertEqual(rc, 2, out + err)
        self.assertIn("schema version 1", out)
        self.assertIn("relay serve", out)
        # backup and purge refuse it as well: a failed operation (2), not an internal error (3).
        for args in (["backup", "--data", ch.data, "--to", os.path.join(ch.root, "backup-refused")],
                     ["purge", "--data", ch.data, "--days-ahead", "40"]):
            rc, out, err = run([RELAY, *args], check=False)
            self.assertEqual(rc, 2, f"{args} on a version 1 store:\n{out}{err}")
            self.assertIn("schema version 1", out + err)
            self.assertIn("relay serve", out + err)
        self.assertEqual(sha256(os.path.join(self.store, "data.mdb")), store_hash, "a one-off command changed it")
        self.assertEqual(tables(self.store), V2_TABLES | {"expiry"})
        self.assertFalse(os.path.exists(os.path.join(ch.root, "backup-refused")))

        # 5. `relay serve` upgrades it when it starts, and says so before it begins.
        ch.start_relay()
        with open(ch.relay_log) as f:
            log = f.read()
        self.assertEqual(log.count(UPGRADE_LINE), 1)
        self.assertEqual([int(n) for n in UPGRADING_LINE.findall(log)], [len(v1_clues)])
        self.assertLess(UPGRADING_LINE.search(log).start(), log.index(UPGRADE_LINE))
        out = self.check_data()[1]
        self.assertIn("schema version 2", out)
        self.assert_v2_store(self.store, v1_clues)
        self.assert_same_conversation(r1.check()[1], before_r1)
        # The report deposited under version 1 is found by its (rewritten) clue.
        a1.inbox()
        self.assertEqual(len(a1.case_ids()), 2)
        self.assertTrue(any("still at the relay during the upgrade" in a1.read(c) for c in a1.case_ids()))

        # 6. Restore the version 1 backup: the copy is upgraded, the backup is not.
        self.assertEqual(ch.stop_relay(), 0)
        shutil.rmtree(self.store)
        os.mkdir(self.store, 0o700)
        self.assertEqual(self.check_data(check=False)[0], 2)
        out = run([RELAY, "restore", "--data", ch.data, "--from", backup])[1]
        self.assertIn("Restored", out)
        self.assertIn("the restored copy was upgraded to 2", out)
        self.assertEqual(sha256(backup_file), backup_hash, "restore changed the backup")
        self.assertEqual(os.listdir(backup), ["data.mdb"], "restore opened the backup itself as a store")
        self.assertNotIn("restoring", os.listdir(self.store))
        rc, out, _ = run([RELAY, "check", "--backup", backup], check=False)
        self.assertEqual(rc, 2, out)
        self.assertIn("schema version 1", out)
        self.assertIn("schema version 2", self.check_data()[1])
        self.assert_v2_store(self.store, v1_clues)
        ch.start_relay()
        with open(ch.relay_log) as f:
            self.assertEqual(f.read().count(UPGRADE_LINE), 1, "serve had to upgrade the restored store")
        self.assert_same_conversation(r1.check()[1], before_r1)
        self.assertIn("still at the relay during the upgrade", r2.check()[1])
        a1.inbox()

        # The purge goes by the upgraded days: nothing is due today, all of it
        # after retention (30 days) plus the fuzz (up to 7).
        self.assertIn("Purged 0 expired", run([RELAY, "purge", "--data", ch.data, "--days-ahead", "0"])[1])
        self.assertIn("; 0 remain", run([RELAY, "purge", "--data", ch.data, "--days-ahead", "38"])[1])
        self.check_data()
        print(f"\nstore upgrade: {time.time() - started:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
