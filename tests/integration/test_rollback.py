"""Directory rollback through the real binaries: the relay's operator writes an
older signed directory back into the relay's store.

- Serial 2 removed an adviser; the operator loads serial 1 back. The
  reporter's client (which keeps no files, but whose own letters record the
  serial it had seen) and the adviser's client (which keeps the highest
  serial it has seen) both refuse it, saying so; nothing is sent.
- A directory past its signed valid-until date is refused by both, also by
  a reporter who has never written before.
- `relay status` warns the administrator before the directory runs out.
"""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import BIN, ORG_PASSPHRASE, RELAY, REPORTER, Channel, Reporter, run  # noqa: E402

FORGE_TOOL = os.path.join(BIN, "forge_tool")


class RollbackTest(unittest.TestCase):
    def setUp(self):
        self.channel = Channel()
        self.anna, self.extern = self.channel.advisers

    def tearDown(self):
        self.channel.close()

    def load_directory(self, path):
        """What an operator can do: write any signed directory into the store."""
        ch = self.channel
        self.assertEqual(ch.stop_relay(), 0)
        run([FORGE_TOOL, "set-directory", os.path.join(ch.data, "store"), path])
        ch.start_relay()

    def directory_file(self, serial):
        return os.path.join(self.channel.root, f"directory-{serial}.signed")

    def test_an_older_directory_is_refused_by_both_clients(self):
        ch = self.channel
        r = Reporter(ch)
        r.new("RB1 report", to=[1])
        self.anna.inbox()
        # Serial 2 removes Bureau Extern.
        ch.advisers = [self.anna]
        ch.publish_directory()
        r.reply("RB1 second message, written after serial 2")
        self.anna.inbox()

        self.load_directory(self.directory_file(1))
        rc, out, err = r.check(check=False)
        self.assertEqual(rc, 2, out + err)
        self.assertIn("serial 1, older than serial 2", err)
        self.assertNotIn("RB1", out)
        rc, _, err = self.anna._run("inbox", "--channel", ch.address, check=False)
        self.assertEqual(rc, 2)
        self.assertIn("serial 1, older than serial 2", err)
        # A reply by the reporter is refused the same way, before anything is sent.
        rc, _, err = run([REPORTER, "reply", "--channel", ch.address, *ch.kdf_args],
                         stdin=r.code + "\nRB1 must not reach Extern\n.\n", check=False)
        self.assertEqual(rc, 2)
        self.extern.inbox()
        self.assertEqual(self.extern.cases_with("must not"), [])

        # The current directory again: everything works.
        self.load_directory(self.directory_file(2))
        _, out, _ = r.check()
        self.assertIn("RB1 second message", out)

    def test_a_directory_of_another_organisation_is_refused_in_plain_words(self):
        ch = self.channel
        other_key = os.path.join(ch.root, "other-org.key")
        run([RELAY, "org-key", "new", "--out", other_key, *ch.kdf_args],
            stdin=f"{ORG_PASSPHRASE}\n{ORG_PASSPHRASE}\n")
        foreign = os.path.join(ch.root, "directory-foreign.signed")
        run([RELAY, "directory", "sign", "--org-key", other_key, "--serial", "9", "--out", foreign,
             "--adviser", self.anna.card], stdin=ORG_PASSPHRASE + "\n")
        self.load_directory(foreign)
        for lang, words in (("en", "not signed by your organisation"), ("nl", "niet door je organisatie ondertekend")):
            rc, out, err = run([REPORTER, "new", "--channel", ch.address, "--lang", lang, *ch.kdf_args],
                               stdin="", check=False)
            self.assertEqual(rc, 2, out + err)
            self.assertIn(words, err)
        rc, _, err = self.anna._run("inbox", "--channel", ch.address, check=False)
        self.assertEqual(rc, 2)
        self.assertIn("not signed by the organisation key", err)

    def test_an_expired_directory_is_refused_and_status_warns(self):
        ch = self.channel
        expired = os.path.join(ch.root, "expired.signed")
        run([FORGE_TOOL, "redate", ch.org_key, self.directory_file(1), expired, str(int(time.time()) - 3600)],
            stdin=ORG_PASSPHRASE + "\n")
        self.load_directory(expired)

        rc, out, err = run([REPORTER, "new", "--channel", ch.address, "--to", "1", *ch.kdf_args],
                           stdin="RB2 never sent\n.\n", check=False)
        self.assertEqual(rc, 2, out + err)
        self.assertIn("expired on", err)
        rc, _, err = self.anna._run("inbox", "--channel", ch.address, check=False)
        self.assertEqual(rc, 2)
        self.assertIn("expired on", err)

        _, out, _ = run([RELAY, "status", "--data", ch.data])
        self.assertIn("the published directory EXPIRED", out)

    def test_status_warns_before_the_directory_runs_out(self):
        ch = self.channel
        soon = os.path.join(ch.root, "soon.signed")
        run([FORGE_TOOL, "redate", ch.org_key, self.directory_file(1), soon, str(int(time.time()) + 5 * 86400)],
            stdin=ORG_PASSPHRASE + "\n")
        self.load_directory(soon)
        _, out, _ = run([RELAY, "status", "--data", ch.data])
        self.assertRegex(out, r"WARNING: the published directory expires in [45] day\(s\)")
        # Still accepted by the clients until then.
        self.anna.inbox()


if __name__ == "__main__":
    unittest.main(verbosity=2)
