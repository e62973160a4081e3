"""Language and the flags both clients share, through the real binaries
(issue 16, point 6):
  - adviser-client in Dutch, chosen by LANG=nl_NL.UTF-8 or --lang nl, for
    inbox, cases and read, and for a refused command line;
  - CLI11's own texts (usage, headings, errors) in Dutch in both clients;
  - real singular and plural forms for 1 and 2, in both languages;
  - --proxy and --timeout accepted by every command that uses the network,
    and --proxy really used (each connection through the SOCKS5 proxy, with
    its own credentials: stream isolation);
  - one name, --save, for saving attachments, the reporter's old
    --save-attachments hidden but working (test_attachments.py saves with it).
"""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import ADVISER, REPORTER, Channel, Reporter, run  # noqa: E402
from socks_recorder import SocksRecorder  # noqa: E402


def env_with(lang):
    env = dict(os.environ, LANG=lang)
    env.pop("LC_ALL", None)
    env.pop("LC_MESSAGES", None)
    return env


DUTCH = env_with("nl_NL.UTF-8")
ENGLISH = env_with("en_GB.UTF-8")


class LanguageAndFlagsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.channel = Channel()
        cls.anna = cls.channel.advisers[0]
        cls.proxy = SocksRecorder()

    @classmethod
    def tearDownClass(cls):
        cls.proxy.close()
        cls.channel.close()

    def adviser(self, *args, env=None, stdin="", check=True):
        a = self.anna
        return run([ADVISER, *args, "--home", a.home], stdin=a.passphrase + "\n" + stdin, env=env, check=check)

    def through_proxy(self):
        """The connections the proxy served since the last call: each with its
        own SOCKS5 username (stream isolation)."""
        connects = self.proxy.take()
        self.assertTrue(connects, "nothing went through the proxy")
        users = [u for u, _, _, _ in connects]
        self.assertNotIn(None, users, "a connection without isolation credentials")
        self.assertEqual(len(users), len(set(users)), "two connections shared their credentials")
        return connects

    def test_1_dutch_and_plurals_through_the_proxy(self):
        ch = self.channel
        proxy = ["--proxy", self.proxy.url, "--timeout", "60"]
        reporter = Reporter(ch)
        reporter.new("Eerste melding over de vergadering", to=[1], extra=proxy)
        self.through_proxy()

        # Dutch from the environment: one new message, in the singular.
        _, out, _ = self.adviser("inbox", "--channel", ch.address, *proxy, env=DUTCH)
        self.through_proxy()
        self.assertIn("1 nieuw bericht", out)
        self.assertNotIn("new message", out)
        self.assertIn("ZAAK", out)
        self.assertIn("NIEUW (1 ongelezen)", out)
        case = re.findall(r"^([0-9a-f]{10})\b", out, re.M)[0]

        # Dutch from --lang, whatever the environment says.
        _, listed, _ = self.adviser("cases", "--lang", "nl", env=ENGLISH)
        self.assertIn("TERMIJN", listed)
        self.assertIn("ontvangst bevestigen voor", listed)
        _, shown, _ = self.adviser("read", case, "--lang", "nl", env=ENGLISH)
        self.assertIn(f"Zaak {case}   status: new", shown)
        self.assertIn("melder", shown)
        self.assertIn("Eerste melding over de vergadering", shown)
        # And English stays English.
        _, listed, _ = self.adviser("cases", env=ENGLISH)
        self.assertIn("DUE", listed)

        # Two more reports: the plural, in English.
        for n in (2, 3):
            Reporter(ch).new(f"Melding nummer {n}", to=[1])
        _, out, _ = self.adviser("inbox", "--channel", ch.address, "--lang", "en", env=DUTCH)
        self.assertIn("2 new messages", out)

        # The reporter's plural for 1 and 2, in both languages; every network
        # command of both clients with --proxy and --timeout.
        self.adviser("reply", case, "--channel", ch.address, *proxy, stdin="Dank voor je melding.\n")
        self.through_proxy()
        _, out, _ = reporter.check(extra=[*proxy, "--lang", "en"])
        self.through_proxy()
        self.assertIn("1 new reply since your last message", out)
        _, out, _ = reporter.check(extra=["--lang", "nl"])
        self.assertIn("1 nieuw antwoord sinds je laatste bericht", out)
        self.adviser("acknowledge", case, "--channel", ch.address, *proxy)
        self.through_proxy()
        _, out, _ = reporter.check(extra=["--lang", "en"])
        self.assertIn("2 new replies since your last message", out)
        _, out, _ = reporter.check(extra=["--lang", "nl"])
        self.assertIn("2 nieuwe antwoorden sinds je laatste bericht", out)
        reporter.reply("Nog een bericht", extra=proxy)
        self.through_proxy()
        self.adviser("handover", case, "--to", ch.advisers[1].name, "--channel", ch.address, *proxy)
        self.through_proxy()
        reporter.rotate(extra=proxy)
        self.through_proxy()

    def test_2_every_command_speaks_dutch(self):
        """What each command says with --lang nl (whatever the environment), and
        the errors the program finds itself, hold no English sentence."""
        ch = self.channel
        case = re.findall(r"^([0-9a-f]{10})\s+new\b", self.adviser("cases", "--lang", "nl")[1], re.M)[0]
        said = []

        def nl(*args, stdin="", check=True):
            rc, out, err = self.adviser(*args, "--lang", "nl", env=ENGLISH, stdin=stdin, check=check)
            said.append((args, out + err))
            return rc, out, err

        rc, _, err = nl("acknowledge", case, "--channel", ch.address, "--file", os.devnull, check=False)
        self.assertEqual(rc, 2, err)
        self.assertIn("de ontvangstbevestiging is leeg; er is niets verstuurd", err)
        self.assertIn(f"Zaak {case}: new -> acknowledged   termijn: terugkoppeling voor",
                      nl("status", case, "acknowledged")[1])
        self.assertIn("status new -> acknowledged", nl("history", case)[1])
        self.assertIn("zaak geopend (eerste bericht ontvangen)", said[-1][1])
        self.assertIn("Bevestigen binnen:   7 dagen na het eerste bericht", nl("settings")[1])
        self.assertIn("Instellingen bewaard.", nl("settings", "--feedback-months", "2")[1])
        self.assertIn("2 maanden na de bevestiging", said[-1][1])
        nl("settings", "--feedback-months", "3")
        self.assertIn("Zaken van deze vertrouwenspersoon", nl("stats")[1])
        self.assertIn("Eigen notitie bewaard in zaak", nl("note", case, stdin="Gebeld met de melder.\n")[1])
        self.assertIn("Eigen notities van zaak", nl("notes", case)[1])
        self.assertIn("kreeg het label [Kantoor 3]", nl("label", case, "Kantoor 3")[1])
        self.assertIn("kreeg een nieuw label [Kantoor 4]", nl("label", case, stdin="Kantoor 4\n")[1])
        self.assertRegex(nl("search", "kantoor")[1], r"Gevonden in 1 van \d+ zaken; 1 plek getoond")
        self.assertIn("  label:", said[-1][1])
        self.assertRegex(nl("search", stdin="geen-treffer\n")[1], r"Niets gevonden in \d+ zaken")
        self.assertIn("Label van zaak", nl("label", case, "--clear")[1])
        out_file = os.path.join(ch.root, "export-nl.txt")
        self.assertIn("PLATTE TEKST", nl("export", case, "--out", out_file, "--plain")[1])
        self.assertIn("Antwoord verstuurd in zaak",
                      nl("reply", case, "--channel", ch.address, stdin="Nog een antwoord.\n")[1])
        rc, _, err = nl("label", case, check=False)
        self.assertIn("niets opgegeven", err)
        rc, _, err = run([ADVISER, "cases", "--lang", "nl", "--home", os.path.join(ch.root, "nobody")], env=ENGLISH,
                         check=False)
        said.append((("cases", "--home", "nobody"), err))
        self.assertIn("geen identiteit van een vertrouwenspersoon", err)
        english = re.compile(r"\b(the|was|with|case|cases|due|sent|reply|saved|found|nothing|months|days|hours|"
                             r"never|only|kept|your|you|and|by|labelled|relabelled|removed|exported|settings|"
                             r"within|opened|received|note|notes|empty|error|give|search|label for)\b", re.I)
        for args, text in said:
            for line in text.splitlines():
                if case in line and line.strip().startswith(("adviser-client", "`")):
                    continue
                found = english.findall(line.replace("adviser-client", "").replace("--", " --"))
                found = [w for w in found if not re.search(r"`[^`]*\b" + w + r"\b[^`]*`", line)]
                self.assertEqual(found, [], f"{args}: {line!r}")

    def test_cli11_texts_in_dutch(self):
        for program in (ADVISER, REPORTER):
            with self.subTest(program=os.path.basename(program)):
                rc, out, err = run([program, "--help"], env=DUTCH, check=False)
                self.assertEqual(rc, 0, err)
                self.assertIn("Gebruik:", out)
                self.assertIn("Opdrachten:", out)
                self.assertIn("Toon deze hulp en stop", out)
                self.assertNotIn("Usage:", out)
                self.assertNotIn("Subcommands:", out)
                rc, out, err = run([program, "check" if program == REPORTER else "cases", "--help", "--lang", "nl"],
                                   env=ENGLISH, check=False)
                self.assertEqual(rc, 0, err)
                self.assertIn("Opties:", out)
                self.assertNotIn("Options:", out)
                # Errors CLI11 finds, by their kind, in Dutch; still exit 1.
                rc, out, err = run([program], env=DUTCH, check=False)
                self.assertEqual((rc, out), (1, ""))
                self.assertIn("Fout: geef een opdracht:", err)
                self.assertIn("Zie --help voor meer uitleg.", err)
                self.assertNotIn("required", err)
                rc, _, err = run([program, "check" if program == REPORTER else "cases", "--bogus"], env=DUTCH,
                                 check=False)
                self.assertEqual(rc, 1)
                self.assertIn("Fout: onbekende of overtollige argumenten: --bogus", err)
        rc, _, err = run([ADVISER, "read", "--lang", "nl"], env=ENGLISH, check=False)
        self.assertEqual(rc, 1)
        self.assertIn("Fout: CASE is verplicht", err)
        rc, _, err = run([ADVISER, "inbox", "--timeout", "0"], env=DUTCH, check=False)
        self.assertEqual(rc, 1)
        self.assertIn("Fout: ongeldige waarde voor --timeout", err)
        rc, _, err = run([REPORTER, "check", "--timeout", "x"], env=DUTCH, check=False)
        self.assertEqual(rc, 1)
        self.assertIn("Fout: ongeldige waarde voor --timeout", err)
        # English stays CLI11's own.
        rc, _, err = run([ADVISER, "read"], env=ENGLISH, check=False)
        self.assertEqual(rc, 1)
        self.assertIn("CASE is required", err)

    def test_network_flags_and_save_in_every_help(self):
        for program, commands in ((REPORTER, ("new", "check", "reply", "rotate")),
                                  (ADVISER, ("inbox", "reply", "handover", "acknowledge"))):
            for command in commands:
                with self.subTest(program=os.path.basename(program), command=command):
                    _, out, _ = run([program, command, "--help"], env=ENGLISH)
                    for flag in ("--proxy", "--timeout", "--lang"):
                        self.assertIn(flag, out)
        _, out, _ = run([REPORTER, "check", "--help"], env=ENGLISH)
        self.assertIn("--save ", out)
        self.assertNotIn("--save-attachments", out)  # hidden, still accepted
        _, out, _ = run([ADVISER, "attachment", "--help"], env=ENGLISH)
        self.assertIn("--save ", out)


if __name__ == "__main__":
    unittest.main()
