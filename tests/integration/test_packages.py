"""The Debian packages (packaging/CMakeLists.txt), built by CPack from this
already-built tree and installed into a throwaway root with `dpkg -x`,
never onto this machine:

- built twice (the second time under another umask and time zone, on another
  filesystem where there is one), they are byte-identical, every member dated by the commit, and no installed file
  names the build folders (scripts/check-reproducible.sh compares two whole
  builds in different folders: too slow for the suite);
- file lists, computed dependencies, the conffile and maintainer scripts;
- the systemd units (the template and its instance "relay"), with
  `systemd-analyze verify` where it is installed;
- `--version` (naming the protocol), `man -l` and bash completion from the
  installed files, the manual pages listing every command of `--help`;
- lintian finds no error, where it is installed;
- a reporter-adviser conversation through the installed programs, and
  `relay status` naming its instance.

Run by ctest with MELDPUNT_BINARY_DIR (the build tree); only in a tree
configured with MELDPUNT_PACKAGING (not the sanitizer tree).
"""
import datetime
import email.utils
import glob
import gzip
import hashlib
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402  (reloaded for the installed programs below)
from harness import unit_directives  # noqa: E402

BINARY_DIR = os.environ.get("MELDPUNT_BINARY_DIR", "")
SOURCE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PACKAGES = ("meldpunt-relay", "meldpunt-adviser", "meldpunt-reporter")
PROGRAMS = {"meldpunt-relay": ("relay", 8), "meldpunt-adviser": ("adviser-client", 1),
            "meldpunt-reporter": ("reporter-client", 1)}


def run(args, check=True, **kw):
    proc = subprocess.run(args, capture_output=True, text=True, timeout=kw.pop("timeout", 300), **kw)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def cpack(out_dir, umask=None, env=None):
    """The .deb files CPack builds from the tree into out_dir, by package name."""
    env = dict(env if env is not None else os.environ)
    env.pop("SOURCE_DATE_EPOCH", None)  # the packaging's own choice is under test
    run(["cpack", "-G", "DEB", "-B", out_dir], cwd=BINARY_DIR, env=env,
        preexec_fn=None if umask is None else (lambda: os.umask(umask)))
    debs = {}
    for path in glob.glob(os.path.join(out_dir, "*.deb")):
        debs[run(["dpkg-deb", "-f", path, "Package"]).stdout.strip()] = path
    return debs


def expected_source_date_epoch():
    """The date packaging/source_date_epoch.cmake must stamp: the commit's, in a git checkout
    of its own, else the changelog's top entry."""
    git = ["git", "-c", f"safe.directory={SOURCE_DIR}", "-C", SOURCE_DIR]
    top = subprocess.run([*git, "rev-parse", "--show-toplevel"], capture_output=True, text=True)
    if top.returncode == 0 and os.path.realpath(top.stdout.strip()) == os.path.realpath(SOURCE_DIR):
        return int(run([*git, "log", "-1", "--format=%ct"]).stdout)
    with open(os.path.join(SOURCE_DIR, "packaging/debian/changelog")) as f:
        stamp = re.search(r"(?m)^ -- .*>  (.*)$", f.read()).group(1)
    return int(email.utils.parsedate_to_datetime(stamp).timestamp())


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def setUpModule():
    if not BINARY_DIR or not os.path.exists(os.path.join(BINARY_DIR, "CPackConfig.cmake")):
        print("test_packages: MELDPUNT_BINARY_DIR is not a tree configured with MELDPUNT_PACKAGING", file=sys.stderr)
        sys.exit(77)
    global WORK, OTHER_FS, DEBS, ROOT, BIN
    WORK = tempfile.mkdtemp(prefix="meldpunt-packages-")
    OTHER_FS = WORK
    if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) and \
            os.stat("/dev/shm").st_dev != os.stat(WORK).st_dev:
        OTHER_FS = tempfile.mkdtemp(prefix="meldpunt-packages-", dir="/dev/shm")
    DEBS = cpack(os.path.join(WORK, "first"))
    ROOT = os.path.join(WORK, "root")
    for deb in DEBS.values():
        run(["dpkg", "-x", deb, ROOT])
    BIN = os.path.join(ROOT, "usr", "bin")


def tearDownModule():
    shutil.rmtree(WORK, ignore_errors=True)
    shutil.rmtree(OTHER_FS, ignore_errors=True)


class PackagesTest(unittest.TestCase):
    def test_reproducible_and_no_build_paths(self):
        self.assertEqual(sorted(DEBS), sorted(PACKAGES))
        # The second run under another umask and time zone, staged on another filesystem where there
        # is one (a folder's size is the filesystem's: CPack's Installed-Size counted it): modes,
        # dates and sizes must not depend on the builder's (scripts/check-reproducible.sh also varies
        # the build folder, locale and home, which need a whole build).
        again = cpack(os.path.join(OTHER_FS, "second"), umask=0o077, env=dict(os.environ, TZ="Pacific/Kiritimati"))
        for name in PACKAGES:
            self.assertEqual(sha256(DEBS[name]), sha256(again[name]), f"{name}: a second build differs")
        # Every archive member carries the commit's date (packaging/source_date_epoch.cmake), to the
        # second, not the build's: the same whoever packages the commit, whenever.
        epoch = expected_source_date_epoch()
        stamp = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        for name in PACKAGES:
            members = subprocess.run(["dpkg-deb", "--fsys-tarfile", DEBS[name]], capture_output=True,
                                     check=True).stdout
            listing = subprocess.run(["tar", "--list", "--verbose", "--full-time"], input=members,
                                     capture_output=True, env=dict(os.environ, TZ="UTC"), check=True).stdout.decode()
            stamps = {" ".join(line.split()[3:5]) for line in listing.splitlines()}
            self.assertEqual(stamps, {stamp}, f"{name}:\n{listing[:500]}")
            for line in listing.splitlines():
                if line.startswith("d"):
                    self.assertEqual(line.split()[0], "drwxr-xr-x", f"{name}: {line}")
        # No build folder in any installed file, nor in the unstripped programs of the build tree
        # (their debug info decides the build id, which stripping keeps): a build elsewhere gives
        # the same bytes.
        build_paths = {p.encode() for d in (SOURCE_DIR, BINARY_DIR) for p in (d, os.path.realpath(d))}
        files = [os.path.join(d, f) for d, _, fs in os.walk(ROOT) for f in fs]
        files += [os.path.join(BINARY_DIR, "bin", p) for p in ("relay", "adviser-client", "reporter-client")]
        self.assertGreater(len(files), 20)
        for path in files:
            if os.path.islink(path):
                continue
            with open(path, "rb") as f:
                data = f.read()
            if path.endswith(".gz"):
                data = gzip.decompress(data)
            for p in build_paths:
                self.assertNotIn(p, data, f"{path} names {p.decode()}")

    def test_source_date_epoch_rules(self):
        """packaging/source_date_epoch.cmake, as cpack runs it: the builder's SOURCE_DATE_EPOCH, else the
        commit's date in a checkout of its own, else the changelog's (never an enclosing checkout's)."""
        script = os.path.join(SOURCE_DIR, "packaging", "source_date_epoch.cmake")

        def epoch_for(source_dir, **env_extra):
            env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
            env.update(env_extra)
            proc = run(["cmake", f"-DCPACK_MELDPUNT_SOURCE_DIR={source_dir}", "-DCPACK_MELDPUNT_CHANGELOG_EPOCH=86400",
                        "-P", script], check=False, env=env, timeout=60)
            found = re.search(r"dated SOURCE_DATE_EPOCH=(\d+)", proc.stdout + proc.stderr)
            return (int(found.group(1)) if found else None), proc

        self.assertEqual(epoch_for(SOURCE_DIR)[0], expected_source_date_epoch())
        self.assertEqual(epoch_for(SOURCE_DIR, SOURCE_DATE_EPOCH="1234567890")[0], 1234567890)
        self.assertEqual(epoch_for(os.path.join(SOURCE_DIR, "packaging"))[0], 86400)  # inside, not its own
        plain = os.path.join(WORK, "unpacked-sources")
        os.makedirs(plain, exist_ok=True)
        self.assertEqual(epoch_for(plain)[0], 86400)
        epoch, proc = epoch_for(SOURCE_DIR, SOURCE_DATE_EPOCH="yesterday")
        self.assertIsNone(epoch)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("not a number of seconds", proc.stderr)

    def test_file_lists_dependencies_and_conffiles(self):
        expected = {
            "meldpunt-relay": ["./usr/bin/relay", "./usr/share/man/man8/relay.8.gz",
                               "./usr/share/bash-completion/completions/relay",
                               "./lib/systemd/system/meldpunt-relay.service",
                               "./lib/systemd/system/meldpunt-relay@.service", "./etc/meldpunt/relay.ini",
                               "./usr/lib/sysusers.d/meldpunt-relay.conf", "./usr/lib/tmpfiles.d/meldpunt-relay.conf",
                               "./usr/share/doc/meldpunt-relay/OPERATIONS.md",
                               "./usr/share/doc/meldpunt-relay/copyright",
                               "./usr/share/doc/meldpunt-relay/changelog.gz"],
            "meldpunt-adviser": ["./usr/bin/adviser-client", "./usr/share/man/man1/adviser-client.1.gz",
                                 "./usr/share/bash-completion/completions/adviser-client",
                                 "./usr/lib/systemd/user/meldpunt-adviser-watch.service",
                                 "./usr/share/doc/meldpunt-adviser/adviser-client.md",
                                 "./usr/share/doc/meldpunt-adviser/copyright"],
            "meldpunt-reporter": ["./usr/bin/reporter-client", "./usr/share/man/man1/reporter-client.1.gz",
                                  "./usr/share/bash-completion/completions/reporter-client",
                                  "./usr/share/doc/meldpunt-reporter/reporter-client.md",
                                  "./usr/share/doc/meldpunt-reporter/copyright"],
        }
        for name, paths in expected.items():
            listing = run(["dpkg-deb", "-c", DEBS[name]]).stdout
            files = {line.split()[-1] for line in listing.splitlines()}
            for p in paths:
                self.assertIn(p, files, f"{name} lacks {p}")
            # Root owns everything; nothing is writable by others or set-id.
            for line in listing.splitlines():
                mode, owner = line.split()[:2]
                self.assertEqual(owner, "root/root", line)
                self.assertNotIn("s", mode, line)
                self.assertEqual(mode[8], "-", line)
            # Only the relay's package ships files of the other programs' packages? None overlap.
            for other, other_paths in expected.items():
                if other != name:
                    self.assertFalse(files & set(other_paths), f"{name} and {other} share files")
            # Dependencies computed by dpkg-shlibdeps from the programs' libraries.
            depends = run(["dpkg-deb", "-f", DEBS[name], "Depends"]).stdout
            for lib in ("libc6", "libsodium23", "libzmq5", "libstdc++6"):
                self.assertIn(lib, depends, name)
        self.assertIn("liblmdb0", run(["dpkg-deb", "-f", DEBS["meldpunt-relay"], "Depends"]).stdout)
        self.assertIn("libedit2", run(["dpkg-deb", "-f", DEBS["meldpunt-adviser"], "Depends"]).stdout)
        control = os.path.join(WORK, "control-relay")
        run(["dpkg-deb", "-e", DEBS["meldpunt-relay"], control])
        with open(os.path.join(control, "conffiles")) as f:
            self.assertEqual(f.read().split(), ["/etc/meldpunt/relay.ini"])
        for script in ("postinst", "postrm"):
            self.assertEqual(os.stat(os.path.join(control, script)).st_mode & 0o777, 0o755)
            run(["sh", "-n", os.path.join(control, script)])
        with open(os.path.join(control, "postinst")) as f:
            self.assertIn("systemd-sysusers meldpunt-relay.conf", f.read())
        with open(os.path.join(ROOT, "usr/lib/sysusers.d/meldpunt-relay.conf")) as f:
            self.assertRegex(f.read(), r"(?m)^u meldpunt - .* /var/lib/meldpunt /usr/sbin/nologin$")
        # The shipped configuration is the documented example, valid for `relay serve --check-config`
        # except for its data folder, which `relay init` makes (test_operations checks the rest).
        with open(os.path.join(ROOT, "etc/meldpunt/relay.ini")) as f, \
                open(os.path.join(SOURCE_DIR, "deploy/relay.example.ini")) as g:
            self.assertEqual(f.read(), g.read())

    def unit_directives(self, name):
        with open(os.path.join(ROOT, "lib/systemd/system", name)) as f:
            text = f.read()
        return text, unit_directives(text)

    def test_systemd_units(self):
        template, t = self.unit_directives("meldpunt-relay@.service")
        plain, p = self.unit_directives("meldpunt-relay.service")
        self.assertEqual(t["ExecStart"], ["/usr/bin/relay serve --config /etc/meldpunt/%i.ini "
                                          "--data /var/lib/meldpunt/%i --instance %i"])
        self.assertEqual(t["StateDirectory"], ["meldpunt/%i"])
        self.assertEqual(p["ExecStart"], ["/usr/bin/relay serve --config /etc/meldpunt/relay.ini "
                                          "--data /var/lib/meldpunt/relay --instance relay"])
        # The plain unit is the template's instance "relay", directive for directive.
        self.assertEqual({k: [v.replace("%i", "relay") for v in vs] for k, vs in t.items()}, p)
        self.assertNotIn("@MELDPUNT", template + plain)
        if shutil.which("systemd-analyze") is None:
            self.skipTest("systemd-analyze not installed: units checked by parsing only")
        # Verify with the extracted program (the units name /usr/bin/relay, absent on this machine).
        units = os.path.join(WORK, "units")
        os.makedirs(units, exist_ok=True)
        for name, text in (("meldpunt-relay.service", plain), ("meldpunt-relay@.service", template)):
            with open(os.path.join(units, name), "w") as f:
                f.write(text.replace("/usr/bin/relay", os.path.join(BIN, "relay")))
        os.symlink("meldpunt-relay@.service", os.path.join(units, "meldpunt-relay@orga.service"))
        # MANPATH: the units' Documentation=man:relay(8) must be the installed page.
        env = dict(os.environ, MANPATH=os.path.join(ROOT, "usr/share/man"))
        for name in ("meldpunt-relay.service", "meldpunt-relay@orga.service"):
            proc = run(["systemd-analyze", "verify", os.path.join(units, name)], check=False, timeout=60, env=env)
            self.assertEqual(proc.returncode, 0, name + "\n" + proc.stdout + proc.stderr)
            self.assertNotIn("Unknown", proc.stderr)

    def test_version_manual_pages_and_completion(self):
        for package, (program, section) in PROGRAMS.items():
            out = run([os.path.join(BIN, program), "--version"]).stdout
            self.assertRegex(out, rf"^{program} \d+\.\d+\.\d+ \(meldpunt protocol: relay API version 1, "
                                  r"channel addresses meldpunt2:\)\n$")
            version = run(["dpkg-deb", "-f", DEBS[package], "Version"]).stdout.strip()
            self.assertIn(f" {version} ", out)
            page = os.path.join(ROOT, f"usr/share/man/man{section}/{program}.{section}.gz")
            env = dict(os.environ, MANWIDTH="200", MAN_KEEP_FORMATTING="0", LC_ALL="C.UTF-8")
            proc = run(["man", "-P", "cat", "-l", page], env=env)
            text = re.sub(r".\x08", "", proc.stdout)
            self.assertNotIn("warning", proc.stderr.lower())
            self.assertIn(program.upper() + f"({section})", text)
            self.assertIn("--version", text)
            self.assertIn("SEE ALSO", text)
            # Every command of --help has its section in the page, with every option it lists.
            help_text = run([os.path.join(BIN, program), "--help"], env=env).stdout
            commands = re.findall(r"^  ([a-z][a-z-]*) {2,}", help_text.split("Subcommands:")[1], re.M)
            self.assertGreater(len(commands), 3)
            for command in commands:
                self.assertIn(f"{program} {command}\n", text)
                sub_help = run([os.path.join(BIN, program), command, "--help"], env=env).stdout
                for option in re.findall(r"^  (--[a-z][a-z-]*)", sub_help, re.M):
                    self.assertIn(option, text, f"{program} {command} {option}")
            # Bash completion: the program's subcommands, then a subcommand's options.
            completion = os.path.join(ROOT, f"usr/share/bash-completion/completions/{program}")
            func = "_meldpunt_" + program.replace("-", "_")
            script = (f'source "{completion}"; COMP_WORDS=({program} ""); COMP_CWORD=1; {func}; '
                      f'echo "${{COMPREPLY[*]}}"; COMP_WORDS=({program} {commands[0]} --); COMP_CWORD=2; {func}; '
                      f'echo "${{COMPREPLY[*]}}"')
            first, second = run(["bash", "-c", script]).stdout.split("\n")[:2]
            self.assertEqual(set(commands) - set(first.split()), set(), first)
            self.assertIn("--help", second.split())
        relay_page = run(["man", "-P", "cat", "-l", os.path.join(ROOT, "usr/share/man/man8/relay.8.gz")],
                         env=dict(os.environ, MANWIDTH="200", LC_ALL="C.UTF-8")).stdout
        self.assertIn("--instance", relay_page)
        self.assertIn("meldpunt-relay@", relay_page)

    def test_lintian_finds_no_errors(self):
        if shutil.which("lintian") is None:
            self.skipTest("lintian not installed (scripts/install-deps.sh installs it)")
        proc = run(["lintian", "--fail-on", "error",
                    *DEBS.values()], check=False, timeout=300)
        errors = [line for line in proc.stdout.splitlines() if line.startswith("E:")]
        self.assertEqual(errors, [], proc.stdout)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)

    def test_conversation_through_the_installed_programs(self):
        os.environ["MELDPUNT_BIN_DIR"] = BIN
        importlib.reload(harness)  # it reads MELDPUNT_BIN_DIR when imported
        self.assertEqual(harness.RELAY, os.path.join(BIN, "relay"))
        channel = harness.Channel(serve_args=["--pow-difficulty", "10", "--instance", "orga"])
        try:
            anna = channel.advisers[0]
            reporter = harness.Reporter(channel)
            reporter.new("The installed programs carry this report.", to=[1])
            anna.inbox()
            case = anna.only_case("installed programs carry")
            anna.reply(case, "Received through the packaged relay.")
            self.assertIn("packaged relay", reporter.check()[1])
            text = harness.run([harness.RELAY, "status", "--data", channel.data])[1]
            self.assertEqual(text.splitlines()[0].split(), ["instance", "orga"])
            report = json.loads(harness.run([harness.RELAY, "status", "--data", channel.data, "--json"])[1])
            self.assertEqual(report["instance"], "orga")
        finally:
            channel.close()


if __name__ == "__main__":
    unittest.main()
