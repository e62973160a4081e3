"""The channel address as people handle it (issue 15, point 6), through the
real binaries: `relay address` writes a checked address (meldpunt2) with an
optional minimum directory serial; a copy mistake is "mistyped, copy it
again" before any network traffic, in both languages; whitespace and line
breaks are ignored; the reporter's client asks for the address when it is not
given (nothing stored, nothing in shell history), reads it from a file only
when told to, and prints the next command in full; clients refuse a
directory older than the address allows; old meldpunt1 addresses still work,
with a note.
"""
import os
import re
import shlex
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import (ADVISER, CODE_RE, RELAY, REPORTER, Channel, Reporter, on_terminal,  # noqa: E402
                     run)

ADDRESS_RE = re.compile(r"^meldpunt2:([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{43})\.(?:(\d+)\.)?([A-Za-z0-9_-]{8})@(.+)$")


def mistype(address):
    """One character of the organisation key changed, as a person might."""
    i = len("meldpunt2:") + 44 + 10
    return address[:i] + ("b" if address[i] != "b" else "c") + address[i + 1:]


class ChannelAddress(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.channel = Channel(adviser_names=(("Anna de Vries", "internal"),))
        cls.anna = cls.channel.advisers[0]
        cls.address = cls.channel.address
        cls.env = dict(os.environ)
        for name in ("EDITOR", "VISUAL"):
            cls.env.pop(name, None)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()

    def new_with(self, channel_args, text):
        reporter = Reporter(self.channel)
        args = [REPORTER, "new", *channel_args, "--to", "1", *self.channel.kdf_args]
        shown, out, err = reporter._take_code(args, text.encode() + b"\n.\n")
        return reporter, shown + out, err

    def test_relay_address_is_checked_and_carries_the_minimum_serial(self):
        match = ADDRESS_RE.match(self.address)
        self.assertIsNotNone(match, self.address)
        self.assertIsNone(match.group(3), "no serial field without --min-serial")
        with_serial = run([RELAY, "address", "--data", self.channel.data, "--endpoint", self.channel.endpoint,
                           "--min-serial", "42"])[1].strip()
        self.assertEqual(ADDRESS_RE.match(with_serial).group(3), "42")

    def test_a_copy_mistake_is_named_before_any_network_traffic(self):
        # The relay is stopped: a client that connected would say so instead.
        self.channel.stop_relay()
        try:
            for lang, expected in (("en", "This channel address is mistyped"),
                                   ("nl", "Dit kanaaladres is verkeerd overgenomen")):
                with self.subTest(lang):
                    rc, out, err = run([REPORTER, "check", "--channel", mistype(self.address), "--lang", lang,
                                        *self.channel.kdf_args], stdin="", check=False)
                    self.assertNotEqual(rc, 0)
                    self.assertIn(expected, err)
                    self.assertIn("Copy it again" if lang == "en" else "Kopieer het opnieuw", err)
                    self.assertNotIn("not signed", err)
                    self.assertNotIn("Your code", out + err)  # never asked for it
                    self.assertNotIn("Je code", out + err)
                    self.assertEqual(err.count("mistyped") + err.count("verkeerd overgenomen"), 1, err)
            rc, _, err = run([ADVISER, "inbox", "--home", self.anna.home, "--channel", mistype(self.address)],
                             stdin=self.anna.passphrase + "\n", check=False)
            self.assertNotEqual(rc, 0)
            self.assertIn("mistyped", err)
        finally:
            self.channel.start_relay()

    def test_whitespace_and_line_breaks_are_ignored_and_the_next_command_is_printed_in_full(self):
        a = self.address
        broken = "  " + a[:37] + " " + a[37:80] + "\n" + a[80:] + "\n"
        reporter, out, err = self.new_with(["--channel", broken], "SPACED-ADDRESS report")
        self.assertNotIn("<address>", out)
        printed = re.search(r"^\s+(reporter-client check .*)$", out, re.M)
        self.assertIsNotNone(printed, out)
        words = shlex.split(printed.group(1))
        self.assertEqual(words[:4], ["reporter-client", "check", "--channel", a])
        # The printed command works as it is.
        rc, out, err = run([REPORTER, *words[1:]], stdin=reporter.code + "\n", check=False)
        self.assertEqual(rc, 0, err)
        self.assertIn("SPACED-ADDRESS report", out)

    def test_asked_for_when_not_given_pasted_in_two_lines(self):
        a = self.address
        rc, raw, text = on_terminal(
            [REPORTER, "new", "--to", "1", *self.channel.kdf_args],
            [("Channel address \\(paste it; it is not stored\\): ", a[:60] + "\n"),
             ("The rest of the address", a[60:] + "\n"),
             ("Type your message", "ASKED-ADDRESS report\n.\n"),
             ("press Enter", "\n"),
             ("Confirm the code: ", lambda printed: CODE_RE.search(printed).group(1) + "\n")], self.env)
        self.assertEqual(rc, 0, text)
        self.assertRegex(text, r"reporter-client check --insecure-test-kdf\n|reporter-client check\n")
        self.assertNotIn("--channel", text.split("Check for replies")[1].split("\n\n")[0])
        self.anna.inbox()
        self.assertTrue(any("ASKED-ADDRESS report" in self.anna.read(c) for c in self.anna.case_ids()))

    def test_channel_file_is_opt_in_and_named_in_the_next_command(self):
        path = os.path.join(self.channel.root, "kanaal.txt")
        with open(path, "w") as f:
            f.write(self.address[:70] + "\n" + self.address[70:] + "\n")
        reporter, out, _ = self.new_with(["--channel-file", path], "FILE-ADDRESS report")
        self.assertIn(f"reporter-client check --channel-file {path}", out)
        rc, out, err = run([REPORTER, "check", "--channel-file", path, *self.channel.kdf_args],
                           stdin=reporter.code + "\n", check=False)
        self.assertEqual(rc, 0, err)
        self.assertIn("FILE-ADDRESS report", out)

    def test_old_addresses_still_work_with_a_note(self):
        relay_key, org_key, _, _, endpoint = ADDRESS_RE.match(self.address).groups()
        old = f"meldpunt1:{relay_key}.{org_key}@{endpoint}"
        reporter, out, err = self.new_with(["--channel", old], "OLD-ADDRESS report")
        self.assertIn("old form (meldpunt1:)", err)
        self.assertIn(f"reporter-client check --channel {old}", out)
        rc, out, err = run([ADVISER, "inbox", "--home", self.anna.home, "--channel", old],
                           stdin=self.anna.passphrase + "\n")
        self.assertIn("old form (meldpunt1:)", err)

    def test_an_adviser_keeps_the_address_that_worked(self):
        home = self.anna.home
        kept = os.path.join(home, "channel.txt")
        if os.path.exists(kept):
            os.remove(kept)  # the first inbox of the set-up kept one
        rc, _, err = run([ADVISER, "inbox", "--home", home], stdin=self.anna.passphrase + "\n", check=False)
        self.assertEqual(rc, 1, "a missing address is a usage error")
        self.assertIn("--channel ADDRESS", err)
        relay_key, org_key, _, _, endpoint = ADDRESS_RE.match(self.address).groups()
        rc, _, err = run([ADVISER, "inbox", "--home", home, "--remember-channel", "--channel",
                          f"meldpunt1:{relay_key}.{org_key}@{endpoint}"], stdin=self.anna.passphrase + "\n")
        self.assertFalse(os.path.exists(kept), "an address without a check is not kept")
        wrapped = self.address[:50] + "\n" + self.address[50:]
        run([ADVISER, "inbox", "--home", home, "--channel", wrapped], stdin=self.anna.passphrase + "\n")
        with open(kept) as f:
            self.assertEqual(f.read(), self.address + "\n")
        self.assertEqual(os.stat(kept).st_mode & 0o777, 0o600)
        reporter, _, _ = self.new_with(["--channel", self.address], "KEPT-ADDRESS report")
        run([ADVISER, "inbox", "--home", home], stdin=self.anna.passphrase + "\n")
        self.assertTrue(any("KEPT-ADDRESS report" in self.anna.read(c) for c in self.anna.case_ids()))

    def test_a_directory_older_than_the_address_is_refused(self):
        reporter, _, _ = self.new_with(["--channel", self.address], "BEFORE-SERIAL report")
        current = self.channel.serial
        newer = run([RELAY, "address", "--data", self.channel.data, "--endpoint", self.channel.endpoint,
                     "--min-serial", str(current + 1)])[1].strip()
        rc, out, err = run([REPORTER, "check", "--channel", newer, *self.channel.kdf_args],
                           stdin=reporter.code + "\n", check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("old or expired list of advisers", err)
        self.assertIn("older than this channel address allows", err)
        rc, _, err = run([ADVISER, "inbox", "--home", self.anna.home, "--channel", newer],
                         stdin=self.anna.passphrase + "\n", check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("older than this channel address allows", err)
        # Publishing with that address refuses the old directory too.
        old_signed = os.path.join(self.channel.root, f"directory-{current}.signed")
        rc, _, err = run([RELAY, "directory", "publish", "--channel", newer, "--file", old_signed], check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("older than this channel address allows", err)
        # Once the organisation publishes the serial the address names, it works.
        self.channel.publish_directory()
        reporter, out, err = self.new_with(["--channel", newer], "FRESH-DIRECTORY report")
        self.assertIn("Your report was sent", out)


if __name__ == "__main__":
    unittest.main()
