"""The channel address stored once (issue 16, point 3): after a network
command with --channel worked, adviser-client keeps the address in its home
folder (channel.txt, mode 0600) and --channel may be left out; another
address replaces it only after a command with it worked, and the client says
so; no address anywhere is a usage error (exit 1) saying how to give one; a
damaged stored address is refused, naming the file.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import SharedChannelTest, Reporter, free_port  # noqa: E402


class StoredChannel(SharedChannelTest):
    ADVISERS = (("Anna de Vries", "internal"),)

    def setUp(self):
        self.anna = self.advisers[0]
        self.kept = os.path.join(self.anna.home, "channel.txt")
        if os.path.exists(self.kept):
            os.remove(self.kept)  # the set-up's first inbox kept one

    def kept_address(self):
        rc, out, err = self.anna._run("channel", check=False)
        return rc, out.strip(), err

    def test_the_first_address_that_worked_is_kept_and_used(self):
        rc, _, err = self.kept_address()
        self.assertEqual(rc, 2)
        self.assertIn("no channel address kept", err)
        rc, _, err = self.anna._run("inbox", check=False)
        self.assertEqual(rc, 1, "a missing address is a usage error")
        self.assertIn("no channel address: give --channel ADDRESS", err)
        self.assertFalse(os.path.exists(self.kept))

        _, _, err = self.anna._run("inbox", "--channel", self.channel.address)
        self.assertIn("channel address stored in " + self.kept, err)
        self.assertEqual(os.stat(self.kept).st_mode & 0o777, 0o600)
        self.assertEqual(self.kept_address()[1], self.channel.address)

        Reporter(self.channel).new("STORED-CHANNEL report")
        _, _, err = self.anna._run("inbox")
        self.assertNotIn("stored", err)
        case = self.anna.only_case("STORED-CHANNEL report")
        self.anna._run("reply", case, stdin="STORED-CHANNEL answer")
        self.assertIn("STORED-CHANNEL answer", self.anna.read(case))

    def test_another_address_replaces_the_kept_one_only_after_it_worked(self):
        self.anna._run("inbox", "--channel", self.channel.address)
        nowhere = self.channel.address_for(f"tcp://127.0.0.1:{free_port()}")
        rc, _, err = self.anna._run("inbox", "--channel", nowhere, "--timeout", "1", check=False)
        self.assertEqual(rc, 2)
        self.assertNotIn("stored", err)
        self.assertEqual(self.kept_address()[1], self.channel.address, "a failed address is not kept")

        other = self.channel.address_for(self.channel.endpoint, min_serial=1)
        self.assertNotEqual(other, self.channel.address)
        _, _, err = self.anna._run("inbox", "--channel", other)
        self.assertIn("channel address changed; stored", err)
        self.assertEqual(self.kept_address()[1], other)
        _, _, err = self.anna._run("inbox", "--channel", other)
        self.assertNotIn("stored", err, "the same address again is not news")

    def test_a_damaged_kept_address_is_refused_and_can_be_replaced_or_forgotten(self):
        with open(self.kept, "w") as f:
            f.write("meldpunt2:not-an-address\n")
        rc, _, err = self.anna._run("inbox", check=False)
        self.assertEqual(rc, 2)
        self.assertIn(self.kept + " does not hold a valid channel address", err)
        rc, _, err = self.kept_address()
        self.assertEqual(rc, 2)
        self.assertIn(self.kept, err)

        _, _, err = self.anna._run("inbox", "--channel", self.channel.address)
        self.assertIn("channel address changed; stored", err)
        self.assertEqual(self.kept_address()[1], self.channel.address)

        _, out, _ = self.anna._run("channel", "--forget")
        self.assertIn("forgotten", out)
        self.assertFalse(os.path.exists(self.kept))
        self.assertEqual(self.anna._run("inbox", check=False)[0], 1)


if __name__ == "__main__":
    unittest.main()
