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
    --save-attachments hidden but working (test_attachments.py saves with it);
  - no English word (ENGLISH_WORDS) in what the other adviser-client
    commands say in Dutch (init, channel, passphrase, backup, restore,
    attachment, handover, watch), in the errors chosen by their kind (wrong
    passphrase, case id, channel address, existing file, a home folder in
    use, ...), nor in any --help of either client in Dutch.
"""
import fcntl
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import ADVISER, REPORTER, Channel, Reporter, free_port, run  # noqa: E402
from socks_recorder import SocksRecorder  # noqa: E402


def env_with(lang):
    env = dict(os.environ, LANG=lang)
    env.pop("LC_ALL", None)
    env.pop("LC_MESSAGES", None)
    return env


DUTCH = env_with("nl_NL.UTF-8")
ENGLISH = env_with("en_GB.UTF-8")

# English words that no Dutch sentence of either client holds: one of them in
# Dutch output means a text that was not translated. Case-sensitive, so that
# CLI11's metavariables (CASE, FILE, N) are not taken for prose.
ENGLISH_WORDS = re.compile(
    r"\b(the|The|and|with|your|Your|you|You|from|this|This|that|which|when|When|never|only|each|Each|every|"
    r"after|before|again|cannot|could|does|did|were|has|have|already|Example|Examples|Usage|Options|"
    r"Subcommands|Positionals|case|cases|Case|message|messages|reply|passphrase|Passphrase|folder|file|files|"
    r"saved|Saved|sent|shows|asks|kept|stored|attachment|attachments|Attachment|pieces|size|state|direction|"
    r"name|role|steps|Next|backup|Backup|restored|Restored|changed|created|proposed|watching|notifying|"
    r"stopped|trying|failed|wrong|address|channel|identity|exists|number|unknown|not|command|Hand-over|"
    r"hand-over|Give|give|Show|Print|Send|Read|Write|Add|List|Move|Change|Create|Restore|Search|Fetch|"
    r"Remove|Only|Accepted|Language|Seconds|Connect|Cheap|Home|Case|Channel)\b")


def english_in(text, names=()):
    """The English words in `text`, a Dutch output or help. Not prose, so not
    looked at: example command lines (but their explanation in brackets),
    commands quoted in backticks, options, addresses, paths and file names,
    and the words in `names` (commands, in --help named in its prose too)."""
    found = []
    for line in text.splitlines():
        s = line.strip()
        if s.startswith(("adviser-client ", "reporter-client ", "relay ", "adviser>", "{ ")):
            s = " ".join(re.findall(r"\(([^()]*)\)", s))
        s = re.sub(r"`[^`]*`", " ", s)
        s = re.sub(r"\b(?:adviser|reporter)-client\b(?: (?:%s)\b)?" % "|".join(map(re.escape, names or ["-"])), " ", s)
        s = re.sub(r"(?<![\w-])--?[A-Za-z][\w-]*", " ", s)
        s = re.sub(r"\S+@\S+|\S+://\S+|~?/\S+|\S+\.(?:txt|pdf|mpx|mpbak|card|signed|key|org)\b", " ", s)
        s = " ".join(w for w in s.split() if w.strip(",.;:()") not in names)
        found += [(w, line) for w in ENGLISH_WORDS.findall(s)]
    return found


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

    def test_3_the_other_commands_speak_dutch(self):
        """Identity, channel, passphrase, backup, restore, attachments,
        hand-over and watch with --lang nl, and the errors of the case store,
        the key file and the channel address chosen by their kind: no English
        word in what they say."""
        ch = self.channel
        anna = self.anna
        said = []

        def nl(*args, home=None, passphrase=None, stdin="", check=True):
            pw = anna.passphrase if passphrase is None else passphrase
            rc, out, err = run([ADVISER, *args, "--lang", "nl", "--home", home or anna.home],
                               stdin=pw + "\n" + stdin, env=ENGLISH, check=check)
            said.append((args, out + err))
            if check is False:
                self.assertNotEqual(rc, 0, f"{args}: {out}{err}")
            return rc, out, err

        # A new identity: init, its channel, passphrase, backup and restore.
        home = os.path.join(ch.root, "carla")
        first, second = "eerste wachtwoord 1", "tweede wachtwoord 2"
        profile = ["--name", "Carla Dekker", "--role", "external", "--description-nl", "Externe vertrouwenspersoon",
                   "--description-en", "External confidential adviser", "--insecure-test-kdf"]
        _, out, _ = nl("init", *profile, home=home, passphrase=first, stdin=first + "\n")
        self.assertIn("Identiteit van de vertrouwenspersoon aangemaakt in", out)
        self.assertIn("Volgende stappen:", out)
        with open(os.path.join(home, "card.txt")) as f:
            card = f.read().strip()
        said[-1] = (said[-1][0], said[-1][1].replace(card, ""))  # the card is a record, not prose
        _, _, err = nl("init", *profile, home=home, passphrase=first, stdin=first + "\n", check=False)
        self.assertIn("staat al een identiteit", err)
        _, _, err = nl("channel", home=home, check=False)
        self.assertIn("er is geen kanaaladres bewaard", err)
        self.assertIn("Er stond geen kanaaladres bewaard.", nl("channel", "--forget", home=home)[1])
        rc, _, err = nl("passphrase", "--insecure-test-kdf", home=home, passphrase=first,
                        stdin="kort\n", check=False)
        self.assertIn("het wachtwoord is te kort (minstens", err)
        self.assertIn("Wachtwoord gewijzigd.", nl("passphrase", "--insecure-test-kdf", home=home, passphrase=first,
                                                  stdin=f"{second}\n{second}\n")[1])
        _, _, err = nl("cases", home=home, passphrase=first, check=False)
        self.assertIn("het wachtwoord klopt niet", err)
        backup = os.path.join(ch.root, "carla.mpbak")
        backup_pw = "wachtwoord reservekopie"
        self.assertIn("Reservekopie geschreven naar", nl("backup", "--out", backup, "--insecure-test-kdf", home=home,
                                                         passphrase=second,
                                                         stdin=f"{backup_pw}\n{backup_pw}\n")[1])
        _, _, err = nl("backup", "--out", backup, home=home, passphrase=second, check=False)
        self.assertIn("dat bestand bestaat al", err)
        _, out, _ = nl("restore", "--from", backup, home=os.path.join(ch.root, "carla-2"), passphrase=backup_pw,
                       stdin=second + "\n")
        self.assertIn("Teruggezet in", out)
        self.assertIn("de zaakopslag bevat 0 zaken", out)
        _, _, err = nl("restore", "--from", backup, home=home, passphrase=backup_pw, check=False)
        self.assertIn("staat al een identiteit", err)

        # A case with an attachment.
        Reporter(ch).new("Melding met een bijlage", to=[1])
        nl("inbox", "--channel", ch.address)
        case = re.findall(r"^([0-9a-f]{10})\s+new\b", nl("cases")[1], re.M)[0]
        attached = os.path.join(ch.root, "verslag.txt")
        with open(attached, "w") as f:
            f.write("Verslag van het gesprek.\n")
        _, out, _ = nl("reply", case, "--channel", ch.address, "--attach", attached, "--no-acknowledge",
                       stdin="Zie de bijlage.\n")
        self.assertIn("door jou verstuurd: verslag.txt", out)
        self.assertIn("door jou verstuurd: verslag.txt", nl("read", case)[1])
        _, out, _ = nl("attachment", case, "1")
        self.assertIn("Bijlage 1", out)
        self.assertIn("richting:  door jou verstuurd", out)
        self.assertIn("staat:     in orde", out)
        self.assertIn("Sla haar op met", out)
        empty = os.path.join(ch.root, "leeg.txt")
        open(empty, "w").close()
        self.assertIn("een bijlage is een leeg bestand", nl("reply", case, "--channel", ch.address, "--attach", empty,
                                                            "--no-acknowledge", stdin="Tekst.\n", check=False)[2])
        saved = os.path.join(ch.root, "opgeslagen")
        os.mkdir(saved)
        self.assertIn("Opgeslagen als", nl("attachment", case, "1", "--save", saved)[1])
        self.assertIn("er is geen map", nl("attachment", case, "1", "--save", saved + "-niet", check=False)[2])
        self.assertIn("geen bijlage met dat nummer", nl("attachment", case, "9", check=False)[2])

        # A hand-over, proposed twice.
        to = ["--to", ch.advisers[1].name, "--channel", ch.address]
        self.assertIn(f"Overdracht van zaak {case} aan", nl("handover", case, *to)[1])
        self.assertIn("Je eerdere voorstellen", nl("handover", case, *to)[1])

        # watch, once.
        _, out, _ = nl("watch", "--once", "--channel", ch.address)
        self.assertIn("haalt één keer op bij", out)
        self.assertIn("alleen deze uitvoer", out)
        self.assertIn("--mail-to: geen gewoon e-mailadres", nl("watch", "--once", "--mail-to", "a b", check=False)[2])

        # Errors found in the case store, the key file, the channel address
        # and the home folder's lock, each said by its kind.
        self.assertIn("een zaaknummer heeft 4 tot 10 tekens", nl("read", "zzzz", check=False)[2])
        self.assertIn("er is geen zaak met dit nummer", nl("read", "ffffffffff", check=False)[2])
        self.assertIn("onbekende status", nl("status", case, "gesloten", check=False)[2])
        self.assertIn("zo kan de status van deze zaak niet veranderen", nl("status", case, "reopen", check=False)[2])
        self.assertIn("termijnen mogen alleen strenger zijn", nl("settings", "--ack-days", "9", check=False)[2])
        self.assertIn("een label is één regel van 1 tot 120 bytes", nl("label", case, "x" * 121, check=False)[2])
        self.assertIn("een groep of soort is 1 tot 32 tekens", nl("file", case, "--kind", "Geen Id", check=False)[2])
        self.assertIn("dit is geen geldig kanaaladres", nl("inbox", "--channel", "nonsense", check=False)[2])
        i = len("meldpunt2:") + 44 + 10  # one character of the organisation key, as a person might
        flipped = ch.address[:i] + ("b" if ch.address[i] != "b" else "c") + ch.address[i + 1:]
        self.assertIn("dit kanaaladres is verkeerd overgenomen", nl("inbox", "--channel", flipped, check=False)[2])
        silent = ch.address_for(f"tcp://127.0.0.1:{free_port()}")
        self.assertIn("de server antwoordt niet", nl("inbox", "--channel", silent, "--timeout", "2", check=False)[2])
        out_file = os.path.join(ch.root, "export-nl.txt")
        if not os.path.exists(out_file):
            with open(out_file, "w"):
                pass
        self.assertIn("dat bestand bestaat al", nl("export", case, "--out", out_file, "--plain", check=False)[2])
        with open(os.path.join(anna.home, "lock"), "a") as held:
            fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
            self.assertIn("een andere adviser-client werkt al in deze thuismap",
                          nl("inbox", "--channel", ch.address, check=False)[2])

        for args, text in said:
            self.assertEqual(english_in(text), [], f"{args}:\n{text}")

    def test_4_every_help_in_dutch(self):
        """--help of each program and each of its commands in Dutch holds no
        English word (examples included: only the commands in them stay)."""
        for program in (ADVISER, REPORTER):
            _, out, _ = run([program, "--help", "--lang", "nl"], env=ENGLISH)
            listed = re.split(r"^Opdrachten:$", out, flags=re.M)[1]
            commands = re.findall(r"^  (\S+)  ", listed, re.M)
            self.assertGreater(len(commands), 3, out)
            self.assertEqual(english_in(out, commands), [], out)
            for command in commands:
                with self.subTest(program=os.path.basename(program), command=command):
                    _, out, _ = run([program, command, "--help", "--lang", "nl"], env=ENGLISH)
                    self.assertEqual(english_in(out, commands), [], out)

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
