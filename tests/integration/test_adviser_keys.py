"""The adviser's keys and store through the real binaries: passphrase
change, an encrypted backup restored onto a new home folder (inbox, read and
replies still work), and a reporter moving the conversation to a new code
(kRotate): the case keeps its id, replies go to the new code, the old code
is refused.
"""
import os
import stat
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import ADVISER, Channel, Reporter, run  # noqa: E402

BACKUP_PASSPHRASE = "backup passphrase 77"


class AdviserKeysTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.channel = Channel(adviser_names=(("Anna de Vries", "internal"),))
        cls.adviser = cls.channel.advisers[0]

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()

    def test_1_passphrase_change(self):
        a = self.adviser
        old, new = a.passphrase, "the new passphrase of Anna"
        rc, _, err = run([ADVISER, "passphrase", "--home", a.home, "--insecure-test-kdf"],
                         stdin=f"{old}\n{new}\nsomething else\n", check=False)
        self.assertEqual(rc, 2)
        self.assertIn("differ", err)
        rc, _, err = run([ADVISER, "passphrase", "--home", a.home], stdin=f"wrong passphrase\n{new}\n{new}\n", check=False)
        self.assertEqual(rc, 2)
        self.assertIn("wrong passphrase", err)
        run([ADVISER, "passphrase", "--home", a.home, "--insecure-test-kdf"], stdin=f"{old}\n{new}\n{new}\n")
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(a.home, "identity.key")).st_mode), 0o600)
        rc, _, err = run([ADVISER, "cases", "--home", a.home], stdin=old + "\n", check=False)
        self.assertEqual(rc, 2)
        a.passphrase = new
        a._run("cases")

    def test_2_backup_restore_and_rotation(self):
        ch, a = self.channel, self.adviser
        r = Reporter(ch)
        r.new("KEYS-1 report before the backup")
        a.inbox()
        case = a.case_ids()[0]
        a._run("note", case, stdin="KEYS-NOTE kept in the backup\n")

        backup = os.path.join(ch.root, "anna.mpbak")
        a._run("backup", "--out", backup, "--insecure-test-kdf", stdin=f"{BACKUP_PASSPHRASE}\n{BACKUP_PASSPHRASE}\n")
        self.assertEqual(stat.S_IMODE(os.stat(backup).st_mode), 0o600)
        with open(backup, "rb") as f:
            raw = f.read()
        self.assertNotIn(b"KEYS-1", raw)
        self.assertNotIn(b"mpcard1", raw)  # even the public card is inside the encryption
        rc, _, err = a._run("backup", "--out", backup, check=False)
        self.assertEqual(rc, 2)
        self.assertIn("already exists", err)

        # Restore onto a new machine (a fresh home folder); the old one is gone.
        new_home = os.path.join(ch.root, "restored-home")
        rc, _, err = run([ADVISER, "restore", "--from", backup, "--home", new_home],
                         stdin="not the backup passphrase\n", check=False)
        self.assertEqual(rc, 2)
        self.assertFalse(os.path.exists(os.path.join(new_home, "identity.key")))
        out = run([ADVISER, "restore", "--from", backup, "--home", new_home],
                  stdin=f"{BACKUP_PASSPHRASE}\n{a.passphrase}\n")[1]
        self.assertIn("holds 1 case", out)
        rc, _, err = run([ADVISER, "restore", "--from", backup, "--home", new_home],
                         stdin=f"{BACKUP_PASSPHRASE}\n{a.passphrase}\n", check=False)
        self.assertEqual(rc, 2)
        self.assertIn("already holds", err)
        self.assertEqual(stat.S_IMODE(os.stat(new_home).st_mode), 0o700)
        with open(os.path.join(new_home, "card.txt")) as f:
            self.assertEqual(f.read().strip(), a.card)
        import shutil
        shutil.rmtree(a.home)
        a.home = new_home

        read = a.read(case)
        self.assertIn("KEYS-1 report before the backup", read)
        self.assertIn("KEYS-NOTE", read)
        r.reply("KEYS-2 after the restore")
        a.inbox()
        self.assertIn("KEYS-2 after the restore", a.read(case))
        a.reply(case, "KEYS-3 reply from the restored home")
        self.assertIn("KEYS-3 reply from the restored home", r.check()[1])

        # The reporter moves to a new code: same case, replies to the new code, old code refused.
        r.rotate()
        old_code = r.old_code
        out = a.inbox()
        self.assertIn("moved to a new code", out)
        self.assertEqual(a.case_ids(), [case])
        self.assertIn("reporter moved to a new code", a._run("history", case)[1])
        a.reply(case, "KEYS-4 reply after the move")
        self.assertIn("KEYS-4 reply after the move", r.check()[1])
        rc, out, _ = r.check(code=old_code, check=False)
        self.assertNotIn("KEYS-4", out)
        r.reply("KEYS-5 from the new code")
        a.inbox()
        self.assertEqual(a.case_ids(), [case])
        self.assertIn("KEYS-5 from the new code", a.read(case))

        # A move and a message written with the newer code, both waiting for one
        # inbox run: the message must join the moved case, not open a new one.
        r.rotate()
        r.reply("KEYS-6 right after the second move")
        out = a.inbox()
        self.assertIn("moved to a new code", out)
        self.assertEqual(a.case_ids(), [case])
        self.assertIn("KEYS-6 right after the second move", a.read(case))


if __name__ == "__main__":
    unittest.main()
