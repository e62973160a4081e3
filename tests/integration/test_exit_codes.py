"""The exit codes and start-up the three programs share (cli/program.hpp),
through the real binaries:
  - a command line CLI11 refuses (unknown option or command, a required
    option missing, a value out of range) exits 1 from relay,
    reporter-client and adviser-client alike, with the reason on stderr and
    nothing on stdout; --help exits 0 (CLI11's own 105, 106, 109 before);
  - relay's --check-config keeps its promise of 0 or 2;
  - a program that cannot harden itself at start (prctl refused, injected
    with strace) refuses to run with exit 3, saying which step failed,
    instead of going on with core dumps possible;
  - a new passphrase that is too short is asked for again on a terminal
    (`adviser-client init`, `relay org-key new`), and refused at once from a
    pipe, where the next line may be meant for something else.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import ADVISER, RELAY, REPORTER, on_terminal, run  # noqa: E402

GOOD = "a passphrase long enough"
CHANNEL = "meldpunt2:not-an-address"  # never reached: the command line is refused first

USAGE_ERRORS = {
    "relay": [
        [RELAY],                                                  # no command
        [RELAY, "frobnicate"],                                    # unknown command
        [RELAY, "init", "--data", "x"],                           # --org-public missing
        [RELAY, "status", "--data", "x", "--nonsense"],           # unknown option
        [RELAY, "serve", "--data", "x", "--retention-days", "0"],  # out of range
    ],
    "reporter-client": [
        [REPORTER],
        [REPORTER, "frobnicate"],
        [REPORTER, "check", "--channel", CHANNEL, "--lang", "fr"],  # not en or nl
        [REPORTER, "check", "--channel", CHANNEL, "--nonsense"],
    ],
    "adviser-client": [
        [ADVISER],
        [ADVISER, "frobnicate"],
        [ADVISER, "read"],                                        # CASE missing
        [ADVISER, "cases", "--nonsense"],
        [ADVISER, "settings", "--ack-days", "x"],                 # not a number
    ],
}


class ExitCodesTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="meldpunt-exit-")
        self.addCleanup(shutil.rmtree, self.root, True)

    def test_usage_errors_exit_1_in_every_program(self):
        for program, cases in USAGE_ERRORS.items():
            for args in cases:
                with self.subTest(program=program, args=args[1:]):
                    rc, out, err = run(args, check=False, cwd=self.root)
                    self.assertEqual(rc, 1, f"stdout:\n{out}\nstderr:\n{err}")
                    self.assertEqual(out, "", "a usage error prints nothing on stdout")
                    self.assertNotEqual(err.strip(), "", "a usage error says why on stderr")

    def test_help_exits_0(self):
        for args in ([RELAY, "--help"], [REPORTER, "--help"], [ADVISER, "--help"], [ADVISER, "init", "--help"],
                     [RELAY, "serve", "--help"], [REPORTER, "new", "--help"]):
            with self.subTest(args=args):
                rc, out, err = run(args, check=False, cwd=self.root)
                self.assertEqual(rc, 0, err)
                self.assertIn("Usage", out)

    def test_help_states_the_exit_codes(self):
        for program in (RELAY, ADVISER):
            with self.subTest(program=os.path.basename(program)):
                out = run([program, "--help"])[1]
                self.assertIn("Exit codes: 0 done, 1 usage error, 2 the operation failed", out)

    def test_check_config_still_exits_2_for_a_rejected_command_line(self):
        rc, out, err = run([RELAY, "serve", "--data", self.root, "--retention-days", "0", "--check-config"],
                           check=False, cwd=self.root)
        self.assertEqual(rc, 2, err)

    def test_failed_operation_exits_2(self):
        rc, _, err = run([ADVISER, "cases", "--home", os.path.join(self.root, "nobody")], check=False)
        self.assertEqual(rc, 2, err)
        self.assertIn("adviser-client: error: no adviser identity", err)

    @unittest.skipUnless(shutil.which("strace"), "needs strace")
    def test_failed_hardening_refuses_to_run(self):
        # Only prctl fails: the sanitizers' runtime sets its own rlimits. No
        # leak check at exit, which itself needs prctl.
        env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0")
        for program in (RELAY, REPORTER, ADVISER):
            name = os.path.basename(program)
            with self.subTest(program=name):
                proc = subprocess.run(["strace", "-f", "-o", "/dev/null", "-e", "inject=prctl:error=EPERM",
                                       program, "--help"], capture_output=True, timeout=60, env=env)
                err = proc.stderr.decode(errors="replace")
                self.assertEqual(proc.returncode, 3, err)
                self.assertEqual(proc.stdout, b"", "nothing runs after a failed start-up")
                self.assertIn(f"{name}: internal error: disabling core dumps and ptrace (PR_SET_DUMPABLE) failed", err)
                self.assertIn("refusing to run", err)

    def adviser_init(self, home):
        return [ADVISER, "init", "--home", home, "--name", "Anna", "--role", "internal",
                "--description-nl", "Anna luistert.", "--description-en", "Anna listens.", "--insecure-test-kdf"]

    def test_short_passphrase_is_asked_again_on_a_terminal(self):
        home = os.path.join(self.root, "anna")
        rc, _, text = on_terminal(self.adviser_init(home), [
            (r"New passphrase for your adviser key file \(at least 12 characters\): ", "short\n"),
            (r"too short \(at least 12 characters\); please choose a longer one\.\s+New passphrase", GOOD + "\n"),
            (r"Repeat the passphrase: ", GOOD + "\n"),
        ])
        self.assertEqual(rc, 0, text)
        self.assertIn("Adviser identity created", text)
        self.assertTrue(os.path.exists(os.path.join(home, "card.txt")))
        # and the identity opens with the passphrase given the second time
        run([ADVISER, "cases", "--home", home], stdin=GOOD + "\n")

    def test_differing_passphrases_are_asked_again_on_a_terminal(self):
        org = os.path.join(self.root, "org.key")
        rc, _, text = on_terminal([RELAY, "org-key", "new", "--out", org, "--insecure-test-kdf"], [
            (r"New passphrase for the organisation key \(at least 12 characters\): ", GOOD + "\n"),
            (r"Repeat the passphrase: ", GOOD + "x\n"),
            (r"differ; please type the new passphrase again\.\s+New passphrase", "short\n"),
            (r"too short", GOOD + "\n"),
            (r"Repeat the passphrase: ", GOOD + "\n"),
        ])
        self.assertEqual(rc, 0, text)
        self.assertTrue(os.path.exists(org + ".pub"))

    def test_three_slips_end_the_prompt(self):
        home = os.path.join(self.root, "bram")
        rc, _, text = on_terminal(self.adviser_init(home), [
            (r"New passphrase", "short\n"), (r"New passphrase", "short\n"), (r"New passphrase", "short\n"),
        ])
        self.assertEqual(rc, 2, text)
        self.assertIn("too short (at least 12 characters); nothing was created", text)
        self.assertFalse(os.path.exists(os.path.join(home, "identity.key")))

    def test_short_passphrase_from_a_pipe_is_refused_at_once(self):
        home = os.path.join(self.root, "carla")
        rc, _, err = run(self.adviser_init(home), stdin=f"short\n{GOOD}\n{GOOD}\n", check=False)
        self.assertEqual(rc, 2, err)
        self.assertIn("too short (at least 12 characters); nothing was created", err)
        org = os.path.join(self.root, "org2.key")
        rc, _, err = run([RELAY, "org-key", "new", "--out", org, "--insecure-test-kdf"],
                         stdin=f"short\n{GOOD}\n{GOOD}\n", check=False)
        self.assertEqual(rc, 2, err)
        self.assertIn("relay: error: the passphrase is too short (at least 12 characters); no key was created", err)
        self.assertFalse(os.path.exists(org))


if __name__ == "__main__":
    unittest.main()
