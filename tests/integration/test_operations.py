"""Relay operations through the real binaries (docs/OPERATIONS.md).

- the annotated example config passes `relay serve --check-config`, covers
  every serve option, and mistakes exit 2; the systemd unit verifies;
- status over the admin socket (text and JSON), backup while serving,
  check, and the restore drill: backup, wipe, restore, every message still
  readable by the reporter and the adviser;
- a restore's staging folder: one left behind is a fault for check and
  removed by serve; a backup inside the store folder is refused;
- expiry: `relay purge` beside a serving relay, and the background purge;
  the reporter is told how long messages stay;
- logs: nothing that looks like an id, key, address or time;
- relay key rotation with an overlap: old and new channel addresses both
  work, then only the new one;
- a bounded flood on loopback while honest reporters and advisers carry on.
"""
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import BIN, RELAY, Channel, Reporter, free_port, run, unit_directives  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
EXAMPLE_INI = os.path.join(ROOT, "deploy", "relay.example.ini")
# The relay's units: the template; meldpunt-relay.service is its instance
# "relay", written at install time (test_packages.py checks both as installed).
UNIT = os.path.join(ROOT, "deploy", "meldpunt-relay@.service.in")
FLOOD = os.path.join(BIN, "relay-flood")

# Cheap proof of work for the tests that send many messages; the
# conversation test (test_conversation.py) runs with the default.
LOW_POW = ["--pow-difficulty", "10"]


def status(channel, json_output=True):
    args = [RELAY, "status", "--data", channel.data] + (["--json"] if json_output else [])
    out = run(args)[1]
    return json.loads(out) if json_output else out


def reporter_texts(reporter):
    return reporter.check()[1]


def serve_option_names():
    """Every long option of `relay serve`, from its help."""
    help_text = run([RELAY, "serve", "--help"])[1]
    names = set(re.findall(r"--([a-z][a-z0-9-]+)", help_text))
    return names - {"help", "config", "check-config", "test-days-ahead"}


class ConfigAndUnitTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp(prefix="meldpunt-ops-cfg-")
        cls.data = os.path.join(cls.root, "data")
        org = os.path.join(cls.root, "org.key")
        run([RELAY, "org-key", "new", "--out", org, "--insecure-test-kdf"], stdin="org passphrase 1\norg passphrase 1\n")
        with open(org + ".pub") as f:
            run([RELAY, "init", "--data", cls.data, "--org-public", f.read().strip()])

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.root, ignore_errors=True)

    def check_config(self, *args):
        proc = subprocess.run([RELAY, "serve", *args, "--check-config"], capture_output=True, text=True, timeout=60)
        return proc.returncode, proc.stdout, proc.stderr

    def test_example_config_is_valid_and_complete(self):
        rc, out, err = self.check_config("--config", EXAMPLE_INI, "--data", self.data)
        self.assertEqual(rc, 0, err)
        self.assertIn("# configuration is valid", out)
        # The example's values are the effective ones (and the flag won over its data path).
        self.assertIn(f'data = "{self.data}"', out)
        self.assertIn('endpoint = "tcp://0.0.0.0:7450"', out)
        self.assertIn("pow-difficulty = 20", out)
        self.assertIn("max-pending-fetches = 32\n", out)
        self.assertIn("max-attachment-bytes = 10485760\n", out)
        # Every serve option is documented in the example file, and printed.
        with open(EXAMPLE_INI) as f:
            keys = set(re.findall(r"^([a-z][a-z0-9-]+) =", f.read(), re.M))
        self.assertEqual(serve_option_names(), keys)
        for key in keys:
            self.assertRegex(out, rf"(?m)^{key} = ")
        # The printed settings are themselves a valid config file.
        printed = os.path.join(self.root, "printed.ini")
        with open(printed, "w") as f:
            f.write(out)
        self.assertEqual(self.check_config("--config", printed)[0], 0)

    def test_flags_win_over_the_file_and_mistakes_exit_2(self):
        cfg = os.path.join(self.root, "mine.ini")
        with open(cfg, "w") as f:
            f.write(f'[serve]\ndata = "{self.data}"\nretention-days = 30\nlog-level = "warning"\n')
        rc, out, _ = self.check_config("--config", cfg, "--retention-days", "45")
        self.assertEqual(rc, 0)
        self.assertIn("retention-days = 45", out)
        self.assertIn('log-level = "warning"', out)
        # Also as `relay --config FILE serve`.
        proc = subprocess.run([RELAY, "--config", cfg, "serve", "--check-config"], capture_output=True, text=True)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("retention-days = 30", proc.stdout)

        for bad, why in [("endpoint = \"0.0.0.0:7450\"\n", "endpoint"),
                         ("max-messages = 99999999\n", "max-messages"),
                         ("pow-difficulty = 30\npow-max-raise = 6\n", "pow-difficulty"),
                         ("log-level = \"loud\"\n", "log-level"),
                         ("max-pending-fetches = 0\n", "max-pending-fetches"),
                         ("max-attachment-bytes = 268435457\n", "max-attachment-bytes"),
                         ("no-such-option = 1\n", "no-such-option"),
                         ("retention-days = lots\n", "retention-days")]:
            with open(cfg, "w") as f:
                f.write(f'[serve]\ndata = "{self.data}"\n' + bad)
            rc, out, err = self.check_config("--config", cfg)
            self.assertEqual(rc, 2, f"{bad!r} was accepted:\n{out}")
            self.assertIn(why, out + err)
        rc, _, err = self.check_config("--data", os.path.join(self.root, "missing"))
        self.assertEqual(rc, 2)
        self.assertIn("missing", err)

    def test_systemd_unit(self):
        with open(UNIT) as f:
            text = f.read()
        directives = unit_directives(text)
        required = {"User": "meldpunt", "ProtectSystem": "strict", "PrivateTmp": "yes", "NoNewPrivileges": "yes",
                    "StateDirectory": "meldpunt/%i", "StateDirectoryMode": "0700", "MemoryDenyWriteExecute": "yes",
                    "RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6", "ProtectHome": "yes",
                    "KillSignal": "SIGTERM", "UMask": "0077"}
        for k, v in required.items():
            self.assertIn(v, directives.get(k, []), k)
        self.assertIn("@system-service", directives.get("SystemCallFilter", []))
        self.assertEqual(directives.get("CapabilityBoundingSet"), [""])
        self.assertTrue(any("--check-config" in v for v in directives["ExecStartPre"]))
        self.assertTrue(all("@MELDPUNT_RELAY_PATH@ serve --config /etc/meldpunt/%i.ini --data /var/lib/meldpunt/%i "
                            "--instance %i" in v for v in directives["ExecStart"] + directives["ExecStartPre"]))
        if shutil.which("systemd-analyze") is None:
            self.skipTest("systemd-analyze not installed; directives checked by parsing only")
        # Verify with the binaries of this build (the installed path does not exist here).
        with open(os.path.join(self.root, "meldpunt-relay@.service"), "w") as f:
            f.write(text.replace("@MELDPUNT_RELAY_PATH@", RELAY))
        unit = os.path.join(self.root, "meldpunt-relay@orga.service")
        if not os.path.lexists(unit):
            os.symlink("meldpunt-relay@.service", unit)
        # --man=no: the unit's man:relay(8) is installed by the package (test_packages.py checks it).
        proc = subprocess.run(["systemd-analyze", "verify", "--man=no", unit], capture_output=True, text=True,
                              timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertNotIn("Unknown", proc.stderr)
        proc = subprocess.run(["systemd-analyze", "security", "--offline=true", unit],
                              capture_output=True, text=True, timeout=60)
        if proc.returncode == 0:
            level = re.search(r"Overall exposure level for \S+: ([0-9.]+)", proc.stdout)
            self.assertIsNotNone(level, proc.stdout)
            self.assertLessEqual(float(level.group(1)), 2.0, proc.stdout)


class DrillTest(unittest.TestCase):
    """One channel through status, backup/restore, expiry and the logs."""

    def setUp(self):
        self.channel = Channel(serve_args=LOW_POW + ["--retention-days", "30", "--max-pending-fetches", "3",
                                                     "--max-attachment-bytes", "5242880",
                                                     "--handshake-timeout", "2"])
        self.a1, self.a2 = self.channel.advisers

    def tearDown(self):
        self.channel.close()

    def conversation(self):
        r1, r2 = Reporter(self.channel), Reporter(self.channel)
        shown = r1.new("First report about the workshop.")
        # The reporter is told how long the relay keeps messages.
        self.assertIn("about 30 days", shown)
        r2.new("Second report, to Anna only.", to=[1])
        self.a1.inbox()
        self.a2.inbox()
        case = self.a1.case_ids()
        self.assertEqual(len(case), 2)
        for c in case:
            if "workshop" in self.a1.read(c):
                self.a1.reply(c, "Thank you, let us talk.")
        return r1, r2

    def test_status_backup_restore_drill_and_logs(self):
        ch = self.channel
        r1, r2 = self.conversation()
        before_r1, before_r2 = reporter_texts(r1), reporter_texts(r2)
        self.assertIn("let us talk", before_r1)

        s = status(ch)
        self.assertGreaterEqual(s["messages"]["stored"], 3)  # sent copies and the reply stay
        self.assertEqual(s["retention"]["days"], 30)
        self.assertEqual(s["proof_of_work"]["difficulty"], 10)
        self.assertEqual(len(s["prekeys"]["advisers"]), 2)
        names = {a["name"] for a in s["prekeys"]["advisers"]}
        self.assertEqual(names, {"Anna de Vries", "Bureau Extern"})
        self.assertGreaterEqual(s["requests"]["deposit"]["ok"], 3)
        self.assertGreaterEqual(s["requests"]["get-policy"]["ok"], 3)
        self.assertGreater(s["store"]["disk_free_bytes"], 0)
        # No fetch is under way between the clients' runs; the limit is the configured one.
        self.assertEqual(s["fetches"], {"running": 0, "waiting": 0, "max_pending": 3, "refused_busy": 0, "expired": 0})
        self.assertEqual(s["attachments"]["max_bytes"], 5242880)
        # Prices now, in digests: letters at 2^10 times the class weight; a
        # fetch at 128 per stored message, at least 4096, nothing waiting.
        self.assertEqual(s["prices"]["envelope"], [1 << 10, 2 << 10, 8 << 10])
        self.assertEqual(s["prices"]["fetch"], max(4096, 128 * s["messages"]["stored"]))
        self.assertGreater(s["prices"]["get_prekeys"], 0)
        # The front door: counts only. Every client run above connected.
        door = s["front_door"]
        self.assertGreaterEqual(door["accepted"], 8)
        self.assertLessEqual(door["open"], door["accepted"])
        self.assertEqual(door["max_held_bytes"], 128 << 20)
        self.assertTrue(0 < door["max_connections"] <= 1000)
        for refused in ("refused_full", "displaced", "handshake_timeouts", "write_timeouts", "protocol_errors",
                        "over_max_held_bytes", "descriptor_shortages"):
            self.assertEqual(door[refused], 0, refused)
        self.assertEqual(set(door), {"open", "max_connections", "held_bytes", "max_held_bytes", "accepted",
                                     "refused_full", "displaced", "handshake_timeouts", "idle_timeouts",
                                     "write_timeouts", "protocol_errors", "over_max_held_bytes",
                                     "descriptor_shortages"})
        # A connection that never starts its handshake is dropped and counted.
        with socket.create_connection(("127.0.0.1", ch.port)):
            deadline = time.time() + 10
            while status(ch)["front_door"]["handshake_timeouts"] == 0 and time.time() < deadline:
                time.sleep(0.2)
        door = status(ch)["front_door"]
        self.assertEqual(door["handshake_timeouts"], 1)
        # A client that opens a short connection per request (20 in a row,
        # each paying for a fetch) is neither refused nor throttled.
        for _ in range(20):
            self.assertIn("ok=1 attempts=1", run([os.path.join(BIN, "pricing_flood"), "probe", ch.address])[1])
        after = status(ch)["front_door"]
        self.assertGreaterEqual(after["accepted"], door["accepted"] + 20)
        self.assertEqual((after["refused_full"], after["displaced"], after["handshake_timeouts"]), (0, 0, 1))
        door = after
        self.assertGreaterEqual(door["accepted"] - door["open"], 1)
        text = status(ch, json_output=False)
        self.assertIn("prices now        fetch ", text)
        self.assertIn("envelope of 4/32/256 KiB 0.001 M / 0.002 M / 0.008 M", text)
        self.assertRegex(text, r"connections       \d+ open \(at most \d+\); .* of requests and replies held \(at most 128\.0 MiB\)")
        self.assertIn("1 handshake timeouts", text)
        self.assertIn("0 running, 0 waiting (at most 3 at once)", text)
        self.assertIn("attachments       up to 5.0 MiB per file", text)
        self.assertIn("prekeys left", text)
        self.assertIn("Anna de Vries", text)

        # Backup while serving (and while a reporter writes), then check it.
        backup = os.path.join(ch.root, "backup-1")
        writer = threading.Thread(target=lambda: r1.reply("Written during the backup."))
        writer.start()
        out = run([RELAY, "backup", "--data", ch.data, "--to", backup])[1]
        writer.join()
        self.assertIn("verified", out)
        self.assertEqual(oct(os.stat(backup).st_mode & 0o777), "0o700")
        self.assertEqual(oct(os.stat(os.path.join(backup, "data.mdb")).st_mode & 0o777), "0o600")
        run([RELAY, "check", "--backup", backup])
        run([RELAY, "check", "--data", ch.data])
        # A second backup into the same folder is refused.
        self.assertEqual(run([RELAY, "backup", "--data", ch.data, "--to", backup], check=False)[0], 2)
        # Restore is refused while the relay serves.
        rc, _, err = run([RELAY, "restore", "--data", ch.data, "--from", backup], check=False)
        self.assertEqual(rc, 2)
        self.assertIn("stop it first", err)

        # The drill: stop, lose the store, restore, start; everything is back.
        self.assertEqual(ch.stop_relay(), 0)
        store = os.path.join(ch.data, "store")
        shutil.rmtree(store)
        os.mkdir(store, 0o700)
        self.assertEqual(run([RELAY, "check", "--data", ch.data], check=False)[0], 2)
        out = run([RELAY, "restore", "--data", ch.data, "--from", backup])[1]
        self.assertIn("Restored", out)
        run([RELAY, "check", "--data", ch.data])
        ch.start_relay()
        after_r1 = reporter_texts(r1)
        for line in before_r1.splitlines():
            self.assertIn(line.strip(), after_r1)
        self.assertEqual(reporter_texts(r2), before_r2)
        # The adviser can still work the restored relay.
        self.a1.inbox()

        # A damaged backup fails the check and is not restored.
        bad = os.path.join(ch.root, "backup-bad")
        run([RELAY, "backup", "--data", ch.data, "--to", bad])
        subprocess.run(["mdb_load", "-T", "-s", "messages", bad], input=b"short\nrecord\n", check=True,
                       capture_output=True)
        rc, out, _ = run([RELAY, "check", "--backup", bad], check=False)
        self.assertEqual(rc, 2)
        self.assertIn("message record with bad key size: 1", out)
        ch.stop_relay()
        self.assertEqual(run([RELAY, "restore", "--data", ch.data, "--from", bad], check=False)[0], 2)
        ch.start_relay()
        self.assertEqual(reporter_texts(r2), before_r2)

        # The log: no ids, keys, addresses of clients, or times of our own.
        with open(ch.relay_log) as f:
            log = f.read()
        self.assertIn("relay: serving on", log)
        self.assertIn("relay: stopped cleanly", log)
        for line in log.splitlines():
            self.assertTrue(line.startswith("relay: "), line)
            self.assertNotRegex(line, r"[0-9a-fA-F]{16,}|[A-Za-z0-9_-]{40,}", line)
            self.assertNotRegex(line, r"\d{1,2}:\d{2}:\d{2}|\d{4}-\d{2}-\d{2}", line)
            if "serving on" not in line and "previous relay key" not in line:
                self.assertNotIn("127.0.0.1", line)

    def test_expiry_by_purge_and_in_the_background(self):
        ch = self.channel
        r = Reporter(ch)
        r.new("A report that will expire.")
        stored = status(ch)["messages"]["stored"]
        self.assertGreaterEqual(stored, 2)
        # Not yet expired: 30 days + up to 7.
        out = run([RELAY, "purge", "--data", ch.data, "--days-ahead", "30"])[1]
        self.assertIn("Purged 0", out)
        # Beside the serving relay, as if 38 days had passed.
        out = run([RELAY, "purge", "--data", ch.data, "--days-ahead", "38"])[1]
        self.assertIn(f"Purged {stored} expired messages; 0 remain", out)
        self.assertEqual(status(ch)["messages"]["stored"], 0)
        self.assertNotIn("A report that will expire", r.check(check=False)[1])

        # The background purge: a relay whose calendar runs 40 days ahead
        # removes what was deposited today within its purge interval.
        r2 = Reporter(ch)
        r2.new("Another report.")
        self.assertGreaterEqual(status(ch)["messages"]["stored"], 2)
        ch.stop_relay()
        ch.serve_args = LOW_POW + ["--test-days-ahead", "40", "--purge-interval", "1"]
        ch.start_relay()
        deadline = time.time() + 30
        while status(ch)["messages"]["stored"] != 0 and time.time() < deadline:
            time.sleep(0.2)
        s = status(ch)
        self.assertEqual(s["messages"]["stored"], 0)
        self.assertGreaterEqual(s["retention"]["purged_since_start"], 2)
        run([RELAY, "check", "--data", ch.data])


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class RestoreStagingTest(unittest.TestCase):
    """`relay restore` stages its copy of a backup in store/restoring: a full
    copy that no purge reaches. One left by a killed restore is a fault for
    `relay check` and removed by the next `relay serve`; a backup inside the
    store folder is refused before anything is deleted."""

    def setUp(self):
        self.channel = Channel(serve_args=LOW_POW)
        self.addCleanup(self.channel.close)

    def test_leftover_staging_folder_is_reported_removed_and_never_restored_from(self):
        ch = self.channel
        r = Reporter(ch)
        r.new("A report that outlives the failed restores.", to=[1])
        before = reporter_texts(r)
        backup = os.path.join(ch.root, "backup")
        run([RELAY, "backup", "--data", ch.data, "--to", backup])
        self.assertEqual(ch.stop_relay(), 0)
        store = os.path.join(ch.data, "store")
        staging = os.path.join(store, "restoring")
        self.assertFalse(os.path.exists(staging))

        # What a restore killed after its copy leaves behind.
        os.mkdir(staging, 0o700)
        shutil.copy2(os.path.join(backup, "data.mdb"), os.path.join(staging, "data.mdb"))
        rc, out, err = run([RELAY, "check", "--data", ch.data], check=False)
        self.assertEqual(rc, 2, out + err)
        self.assertIn("fault: a staging folder left by an interrupted `relay restore`", out)
        self.assertIn(staging, out)
        self.assertIn("relay serve` removes it", out)

        # A backup inside the store folder, however named, is refused with
        # nothing changed: not the staging folder, not the store itself.
        link = os.path.join(ch.root, "link-to-staging")
        os.symlink(staging, link)
        hashes = {p: sha256(p) for p in (os.path.join(store, "data.mdb"), os.path.join(staging, "data.mdb"))}
        for inside in (staging, staging + "/", store, os.path.join(store, "..", "store", "restoring"), link,
                       os.path.relpath(staging)):
            rc, out, err = run([RELAY, "restore", "--data", ch.data, "--from", inside], check=False)
            self.assertEqual(rc, 2, f"--from {inside}:\n{out}{err}")
            self.assertIn("inside the store folder", err)
            self.assertIn("nothing was changed", err)
            self.assertNotIn("Restored", out)
            for path, digest in hashes.items():
                self.assertEqual(sha256(path), digest, f"--from {inside} changed {path}")
        self.assertEqual(sorted(os.listdir(staging)), ["data.mdb"])

        # The next serve removes it and says so; the store is as it was.
        ch.start_relay()
        self.assertFalse(os.path.exists(staging))
        with open(ch.relay_log) as f:
            log = f.read()
        self.assertEqual(log.count(f"relay: warning: removed {staging}, left by an interrupted `relay restore`"), 1)
        self.assertEqual(reporter_texts(r), before)
        run([RELAY, "check", "--data", ch.data])

        # A restore that fails leaves no staging folder behind either.
        bad = os.path.join(ch.root, "backup-bad")
        shutil.copytree(backup, bad)
        subprocess.run(["mdb_load", "-T", "-s", "messages", bad], input=b"short\nrecord\n", check=True,
                       capture_output=True)
        self.assertEqual(ch.stop_relay(), 0)
        self.assertEqual(run([RELAY, "restore", "--data", ch.data, "--from", bad], check=False)[0], 2)
        self.assertFalse(os.path.exists(staging))
        # And one from outside the store folder still works.
        self.assertIn("Restored", run([RELAY, "restore", "--data", ch.data, "--from", backup])[1])
        self.assertFalse(os.path.exists(staging))
        run([RELAY, "check", "--data", ch.data])


class RotationTest(unittest.TestCase):
    def test_key_rotation_with_overlap(self):
        ch = Channel(serve_args=LOW_POW)
        try:
            old_address, old_endpoint = ch.address, ch.endpoint
            r_old = Reporter(ch)
            r_old.new("Before the rotation.")
            self.assertEqual(run([RELAY, "address", "--data", ch.data, "--endpoint", old_endpoint, "--old"],
                                 check=False)[0], 2)

            out = run([RELAY, "key", "rotate", "--data", ch.data])[1]
            self.assertIn("New relay key", out)
            self.assertEqual(run([RELAY, "key", "rotate", "--data", ch.data], check=False)[0], 2)
            new_endpoint = f"tcp://127.0.0.1:{free_port()}"
            new_address = run([RELAY, "address", "--data", ch.data, "--endpoint", new_endpoint])[1].strip()
            self.assertNotEqual(new_address.split("@")[0], old_address.split("@")[0])
            self.assertEqual(run([RELAY, "address", "--data", ch.data, "--endpoint", old_endpoint, "--old"])[1].strip(),
                             old_address)

            # Overlap: new key on a new port, the old key where old addresses point.
            ch.stop_relay()
            ch.endpoint = new_endpoint
            ch.serve_args = LOW_POW + ["--old-key-endpoint", old_endpoint]
            ch.start_relay()
            self.assertTrue(status(ch)["old_key_served"])
            self.assertIn("Before the rotation.", reporter_texts(r_old))   # old address still works
            ch.address = new_address
            r_new = Reporter(ch)
            r_new.new("After the rotation.")
            ch.advisers[0].inbox()
            ch.address = old_address
            r_old.reply("Still on the old address.")
            ch.address = new_address
            self.assertIn("Still on the old address.", reporter_texts(r_old))  # same relay, new address

            # End of the overlap.
            run([RELAY, "key", "retire", "--data", ch.data])
            self.assertFalse(os.path.exists(os.path.join(ch.data, "relay.key.old")))
            ch.stop_relay()
            ch.serve_args = LOW_POW
            ch.start_relay()
            self.assertFalse(status(ch)["old_key_served"])
            self.assertIn("After the rotation.", reporter_texts(r_new))
            self.assertEqual(run([RELAY, "address", "--data", ch.data, "--endpoint", old_endpoint, "--old"],
                                 check=False)[0], 2)
            run([RELAY, "check", "--data", ch.data])
        finally:
            ch.close()


class FloodTest(unittest.TestCase):
    def test_honest_traffic_succeeds_during_a_flood(self):
        # Tight per-connection limits so the flood meets them; a modest proof of work.
        ch = Channel(serve_args=["--pow-difficulty", "12", "--rate-per-connection", "50",
                                 "--burst-per-connection", "100"])
        try:
            a1 = ch.advisers[0]
            flood_seconds = 12
            flood = subprocess.Popen([FLOOD, "--channel", ch.address, "--connections", "6",
                                      "--seconds", str(flood_seconds)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                time.sleep(1)  # the flood is running
                started = time.time()
                r = Reporter(ch)
                r.new("An honest report during the flood.", to=[1])
                a1.inbox()
                case = a1.case_ids()[0]
                a1.reply(case, "An honest answer during the flood.")
                self.assertIn("honest answer", reporter_texts(r))
                honest_seconds = time.time() - started
                self.assertIsNone(flood.poll(), "the flood ended before the honest traffic did; make it longer")
            finally:
                out, err = flood.communicate(timeout=flood_seconds + 60)
            self.assertEqual(flood.returncode, 0, err)
            sent = int(re.search(r"^sent (\d+)", out, re.M).group(1))
            self.assertGreater(sent, 1000, out)
            s = status(ch)
            self.assertGreater(s["requests"]["rate_limited"], 0, out)
            self.assertGreater(s["requests"]["pow_refused"], 0, out)
            self.assertGreater(s["requests"]["unparsable"], 0, out)
            # Only the honest messages were stored: sent copy, report, the
            # report's decoy for the other adviser, reply (the adviser deleted
            # the report it imported; nobody deletes a decoy).
            self.assertEqual(s["messages"]["stored"], 3)
            run([RELAY, "check", "--data", ch.data])
            print(f"\nflood: {sent} requests; honest report, inbox, reply and check took {honest_seconds:.1f} s",
                  file=sys.stderr)
        finally:
            ch.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
