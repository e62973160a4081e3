"""An administrator running `relay` as root on the service user's data folder.

The data folder belongs to the relay's user, who can write in it. A root
process opening files there would follow symbolic links that user planted
(LMDB opens lock.mdb with O_CREAT), and handing files back with chown()
would give any root file to that user. So every command that works in a
data folder first becomes the folder's owner (relay/src/run_as_owner.hpp).
Proved here with the real binary, as root, on a folder owned by uid 65534:
  - init, check, backup and key rotate leave only files of that user behind
    (the service can open them afterwards);
  - a lock.mdb planted as a symbolic link to a root-only file makes `check`
    fail, and the root file keeps its owner, mode and bytes;
  - a command on root's own folder stays root (nothing to switch to).
Skipped when not run as root.
"""
import os
import shutil
import stat
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import ORG_PASSPHRASE, RELAY, run  # noqa: E402

SERVICE_UID = SERVICE_GID = 65534  # "nobody" on Debian; any non-root id will do


def owners(folder):
    """{relative path: (uid, gid)} of everything below folder, links not followed."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            out[os.path.relpath(path, folder)] = (st.st_uid, st.st_gid)
    return out


@unittest.skipUnless(os.geteuid() == 0, "needs root")
class RootCommandsTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="meldpunt-root-")
        self.addCleanup(shutil.rmtree, self.root, True)
        os.chmod(self.root, 0o755)  # the service user must reach its folder below it
        self.parent = os.path.join(self.root, "var-lib-meldpunt")
        os.mkdir(self.parent, 0o700)
        os.chown(self.parent, SERVICE_UID, SERVICE_GID)
        self.data = os.path.join(self.parent, "relay")
        org_key = os.path.join(self.root, "org.key")
        run([RELAY, "org-key", "new", "--out", org_key, "--insecure-test-kdf"],
            stdin=f"{ORG_PASSPHRASE}\n{ORG_PASSPHRASE}\n")
        with open(org_key + ".pub") as f:
            self.org_public = f.read().strip()

    def assert_all_owned_by_service(self, folder):
        found = owners(folder)
        self.assertTrue(found, f"nothing in {folder}")
        wrong = {p: o for p, o in found.items() if o != (SERVICE_UID, SERVICE_GID)}
        self.assertEqual(wrong, {}, "files left to root in the service user's folder")

    def test_commands_run_as_the_folder_owner(self):
        run([RELAY, "init", "--data", self.data, "--org-public", self.org_public])
        self.assertEqual(os.stat(self.data).st_uid, SERVICE_UID)
        run([RELAY, "check", "--data", self.data])
        backup = os.path.join(self.parent, "backup-1")
        run([RELAY, "backup", "--data", self.data, "--to", backup])
        run([RELAY, "key", "rotate", "--data", self.data])
        run([RELAY, "purge", "--data", self.data])
        self.assert_all_owned_by_service(self.parent)

        # A backup target the service user may not write is refused, not
        # written as root.
        root_only = os.path.join(self.root, "root-only")
        os.mkdir(root_only, 0o700)
        rc, _, err = run([RELAY, "backup", "--data", self.data, "--to", os.path.join(root_only, "b")], check=False)
        self.assertEqual(rc, 2, err)
        self.assertIn("Permission denied", err)
        self.assertEqual(os.listdir(root_only), [])

    def test_planted_lock_link_does_not_reach_a_root_file(self):
        run([RELAY, "init", "--data", self.data, "--org-public", self.org_public])
        run([RELAY, "check", "--data", self.data])
        victim = os.path.join(self.root, "root-secret")
        with open(victim, "wb") as f:
            f.write(b"root's own bytes\n")
        os.chmod(victim, 0o600)
        before = os.stat(victim)

        # What the service user could do in its own folder.
        lock = os.path.join(self.data, "store", "lock.mdb")
        os.remove(lock)
        os.symlink(victim, lock)
        os.lchown(lock, SERVICE_UID, SERVICE_GID)

        rc, out, err = run([RELAY, "check", "--data", self.data], check=False)
        self.assertEqual(rc, 2, out + err)
        after = os.stat(victim)
        self.assertEqual((after.st_uid, after.st_gid, stat.S_IMODE(after.st_mode), after.st_size),
                         (before.st_uid, before.st_gid, 0o600, before.st_size))
        with open(victim, "rb") as f:
            self.assertEqual(f.read(), b"root's own bytes\n")

    def test_root_folder_stays_root(self):
        data = os.path.join(self.root, "root-relay")
        run([RELAY, "init", "--data", data, "--org-public", self.org_public])
        run([RELAY, "check", "--data", data])
        self.assertEqual({o for o in owners(data).values()}, {(0, 0)})


if __name__ == "__main__":
    unittest.main(verbosity=2)
