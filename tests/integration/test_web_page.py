"""The reporter page in a real browser (issue 17): headless Chromium with a
throwaway profile makes a report through the page to a real relay's HTTP
door, the real adviser-client reads it and replies, the page's check shows
the reply marked new, the page replies, accepts a hand-over and moves to a
new code, and reporter-client reads the conversation with the page's new
code. The report carries a file chosen in the page; the adviser receives it
intact and saves it with the same bytes. Afterwards the browser holds no cookie and no storage for the page's
origin, its profile folder holds neither code nor any text of the
conversation, every request went to the page's own origin, and the
Content-Security-Policy was never violated, and no request of the page
(its icon included) was answered with an error.

The page derives keys with the production Argon2id parameters (it has no
test switch); the advisers use cheap ones, as the other tests do.
"""
import os
import re
import shutil
import sqlite3
import tempfile
import unittest

from webpage import need_browser

need_browser()

from harness import REPORTER, THREE_ADVISERS, run  # noqa: E402
from webpage import Browser, WebChannel  # noqa: E402

CODE = re.compile(r"^[0-9A-Z]{4}(?:-[0-9A-Z]{4}){5}$")
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REPORT = "WEB-REPORT-4711 the committee chair shouted at me in the corridor"
REPLY = "ADVISER-REPLY-0815 thank you, can we talk on Thursday?"
PAGE_REPLY = "PAGE-REPLY-2323 yes, Thursday works"
ATTACHED_NAME = "notes from the corridor.txt"
ATTACHED = ("ATTACHED-FILE-5150 what was said, and who stood by\n" * 40).encode()


def with_typo(code, group):
    """The code with one symbol of group (1-based) changed."""
    chars = list(code)
    i = (group - 1) * 5 + 1
    chars[i] = ALPHABET[(ALPHABET.index(chars[i]) + 7) % len(ALPHABET)]
    return "".join(chars)


def profile_files(root):
    for folder, _, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            try:
                with open(path, "rb") as f:
                    yield path, f.read()
            except OSError:
                pass


class WebPageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Proof of work cheap but not free, as in the other tests that send
        # much: the page's solver runs, in seconds even on a loaded machine.
        cls.channel = WebChannel(adviser_names=THREE_ADVISERS, serve_args=["--pow-difficulty", "8"])
        cls.anna, cls.bureau, cls.commissie = cls.channel.advisers

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()

    def choose(self, b, names):
        for box in b.driver.find_elements("css selector", "#advisers input[type=checkbox]"):
            label = box.find_element("xpath", "..").text
            if any(n in label for n in names) != box.is_selected():
                box.click()

    def new_code(self, b):
        """Reads the code shown once, goes on, and checks it left the screen."""
        b.screen("s-code")
        code = b.text("code-shown")
        self.assertRegex(code, CODE)
        b.click("code-written")
        b.screen("s-confirm")
        self.assertEqual(b.text("code-shown"), "")
        return code

    def test_report_reply_handover_rotate_and_no_trace(self):
        ch = self.channel
        files = tempfile.mkdtemp(prefix="meldpunt-web-files-")
        self.addCleanup(shutil.rmtree, files, ignore_errors=True)
        attach_path = os.path.join(files, ATTACHED_NAME)
        with open(attach_path, "wb") as f:
            f.write(ATTACHED)
        saved = os.path.join(files, "saved")
        os.mkdir(saved)
        b = Browser("en-GB")
        try:
            b.driver.get(ch.origin + "/")
            b.screen("s-intro", 60)
            self.assertEqual(b.driver.find_element("tag name", "html").get_attribute("lang"), "en")
            # The page shows the hash `relay web-hash` prints for its web root.
            shown_hash = b.wait(lambda: b.el("web-hash").get_attribute("data-hash"), 60, "web hash")
            self.assertEqual(shown_hash, ch.web_hash())
            self.assertEqual(b.text("web-hash").replace(" ", ""), shown_hash)

            # Choose: who can read is shown before writing, and who cannot.
            b.click("go-new")
            b.screen("s-choose")
            self.assertIn("Nobody is chosen yet", b.text("readers"))
            b.click("choose-next")
            self.assertIn("Choose at least one adviser", b.text("error"))
            self.choose(b, ["Anna de Vries"])
            readers = b.text("readers")
            self.assertIn("Anna de Vries", readers)
            self.assertIn("Not: Bureau Extern, Commissie Klachten", readers)
            self.assertIn("administrator cannot read it", readers)
            b.click("choose-next")
            b.screen("s-write")
            b.type("message", REPORT)
            # A file chosen in the page's file field, as a person would.
            b.el("files").send_keys(attach_path)
            b.wait(lambda: ATTACHED_NAME in b.text("files-list"), 30, "the chosen file listed")
            b.click("write-next")
            code = self.new_code(b)

            # A typo is caught before anything is sent, with its group.
            b.type("confirm-code", with_typo(code, 3))
            b.click("confirm-send")
            b.wait(lambda: "group 3" in b.text("error"), 30, "typo message")
            self.assertIn("Nothing has been sent", b.text("error"))
            # Case, spaces and hyphens do not matter.
            b.type("confirm-code", code.lower().replace("-", " "))
            b.click("confirm-send")
            b.screen("s-sent", 180)
            self.assertIn("Anna de Vries", b.text("sent-to"))

            # The real adviser-client reads it; the excluded adviser does not get it.
            self.anna.inbox()
            case = self.anna.only_case("WEB-REPORT-4711")
            # The page's file arrived whole, and is saved with the same bytes.
            listing = self.anna.read(case)
            self.assertIn(f"from the reporter: {ATTACHED_NAME} (", listing)
            self.assertIn(", intact", listing)
            names = re.findall(r"from the reporter: (.*?) \(", listing)
            self.assertEqual(names, [ATTACHED_NAME])
            self.anna._run("attachment", case, "1", "--save", saved)
            with open(os.path.join(saved, ATTACHED_NAME), "rb") as f:
                self.assertEqual(f.read(), ATTACHED)
            self.bureau.inbox()
            self.assertEqual(self.bureau.cases_with("WEB-REPORT-4711"), [])
            self.anna.reply(case, REPLY)

            # The page's check shows the reply, marked new.
            b.click("sent-home")
            b.screen("s-intro")
            b.click("go-check")
            b.screen("s-check")
            b.type("check-code", code)
            b.click("check-go")
            b.screen("s-conversation", 180)
            self.assertIn("1 new reply", b.text("conv-summary"))
            new_entries = b.driver.find_elements("css selector", "#conv-entries li.new")
            self.assertEqual(len(new_entries), 1)
            self.assertIn("ADVISER-REPLY-0815", new_entries[0].text)
            self.assertIn("NEW", new_entries[0].text)
            self.assertIn("WEB-REPORT-4711", b.text("conv-entries"))
            self.assertIn("receive your next message: Anna de Vries", b.text("conv-who"))

            # The page replies; the adviser reads it.
            b.type("reply-text", PAGE_REPLY)
            b.click("reply-send")
            b.wait(lambda: "Your message was sent to: Anna de Vries" in b.text("status"), 180, "reply sent")
            self.anna.inbox()
            self.assertIn("PAGE-REPLY-2323", self.anna.read(case))

            # A hand-over: the page shows the proposal and accepts it.
            self.anna._run("handover", case, "--to", "Commissie Klachten", "--channel", ch.address)
            b.click("conv-refresh")
            b.wait(lambda: b.el("handover").is_displayed(), 180, "hand-over proposal")
            self.assertIn("Anna de Vries proposes that Commissie Klachten takes over", b.text("handover"))
            b.click("handover-accept")
            b.wait(lambda: "Accepted." in b.text("status"), 180, "hand-over accepted")
            self.assertIn("receive your next message: Commissie Klachten", b.text("conv-who"))
            self.commissie.inbox()
            taken = self.commissie.only_case("WEB-REPORT-4711")
            self.assertIn("PAGE-REPLY-2323", self.commissie.read(taken))

            # Rotate: a new code, shown once and typed back.
            b.click("rotate-go")
            new_code = self.new_code(b)
            self.assertNotEqual(new_code, code)
            b.type("confirm-code", new_code)
            b.click("confirm-send")
            b.wait(lambda: "now uses the new code" in b.text("status"), 240, "rotation")
            b.screen("s-conversation")
            self.assertIn("PAGE-REPLY-2323", b.text("conv-entries"))

            # The same conversation in reporter-client with the page's new code
            # (production Argon2id, like the page), and the old code moved.
            out = run([REPORTER, "check", "--channel", ch.address], stdin=new_code + "\n")[1]
            self.assertIn("WEB-REPORT-4711", out.replace("\n  | ", ""))
            self.assertIn("PAGE-REPLY-2323", out.replace("\n  | ", ""))
            old = run([REPORTER, "check", "--channel", ch.address], stdin=code + "\n")[1]
            self.assertIn("moved to a new code", old.replace("\n", " "))

            # The language switch: every text in Dutch.
            b.click("lang-switch")
            self.assertEqual(b.driver.find_element("tag name", "html").get_attribute("lang"), "nl")
            self.assertEqual(b.text("conv-h"), "Je gesprek")
            self.assertIn("Wie dit gesprek kan lezen", b.text("s-conversation"))
            b.click("lang-switch")

            # Close and forget: nothing of the conversation stays in the page.
            b.click("close")
            b.screen("s-intro")
            self.assertIn("has been forgotten", b.text("status"))
            self.assertEqual(b.el("conv-entries").get_attribute("innerHTML").strip(), "")
            for field in ("message", "reply-text", "check-code", "confirm-code"):
                self.assertEqual(b.el(field).get_attribute("value"), "", field)
            self.assertEqual(b.driver.current_url, ch.origin + "/")

            # No cookie and no storage for the origin (DevTools protocol).
            self.assertEqual(b.driver.execute_cdp_cmd("Network.getAllCookies", {})["cookies"], [])
            usage = b.driver.execute_cdp_cmd("Storage.getUsageAndQuota", {"origin": ch.origin})
            self.assertEqual(usage["usage"], 0, usage)
            self.assertEqual(b.driver.execute_script("return [localStorage.length, sessionStorage.length]"), [0, 0])
            workers = b.driver.execute_async_script(
                "const done = arguments[0]; navigator.serviceWorker.getRegistrations().then(r => done(r.length));")
            self.assertEqual(workers, 0)

            # Every request went to the page's own origin.
            b.collect_logs()
            self.assertTrue(any(u.endswith("/api") for u in b.requests))
            for url in b.requests:
                # Only these schemes leave the machine (data:, blob: and
                # chrome: are local; the browser's own start page uses them).
                if url.split(":", 1)[0].lower() in ("http", "https", "ws", "wss", "ftp"):
                    self.assertTrue(url.startswith(ch.origin + "/"), url)
            for entry in b.console:
                self.assertNotIn("Content Security Policy", entry["message"], entry)
                self.assertNotIn("Refused to", entry["message"], entry)
                # A missing /favicon.ico showed here as "Failed to load resource: ... 404".
                self.assertNotIn("Failed to load resource", entry["message"], entry)
            self.assertEqual(b.failed, [], "requests of the page answered with an error")
            self.assertIn(ch.origin + "/favicon.svg", b.requests)
            self.assertNotIn(ch.origin + "/favicon.ico", b.requests)
        finally:
            profile = b.profile
            b.driver.quit()

        # The closed profile folder: no cookie rows, and neither code nor any
        # text of the conversation in any file.
        try:
            secrets = [code, code.replace("-", ""), new_code, new_code.replace("-", ""),
                       "WEB-REPORT-4711", "ADVISER-REPLY-0815", "PAGE-REPLY-2323"]
            for path, data in profile_files(profile):
                for s in secrets:
                    for form in (s.encode(), s.encode("utf-16-le")):
                        self.assertNotIn(form, data, f"{s!r} in {path}")
            cookies = os.path.join(profile, "Default", "Cookies")
            if os.path.exists(cookies):
                with sqlite3.connect(cookies) as db:
                    self.assertEqual(db.execute("select count(*) from cookies").fetchone()[0], 0)
            for store in ("Local Storage", "Session Storage", "IndexedDB", "Service Worker", "File System"):
                for path, data in profile_files(os.path.join(profile, "Default", store)):
                    self.assertNotIn(f"127.0.0.1:{ch.http_port}".encode(), data, path)
        finally:
            shutil.rmtree(profile, ignore_errors=True)

    def test_dutch_browser_gets_dutch_page(self):
        b = Browser("nl-NL")
        try:
            b.driver.get(self.channel.origin + "/")
            b.screen("s-intro", 60)
            self.assertEqual(b.driver.find_element("tag name", "html").get_attribute("lang"), "nl")
            self.assertIn("zonder te zeggen wie je bent", b.text("intro-h"))
            self.assertEqual(b.text("lang-switch"), "English")
            b.click("lang-switch")
            self.assertIn("without saying who you are", b.text("intro-h"))
        finally:
            b.close()

    def test_without_javascript_the_page_says_so(self):
        # Tor Browser's "Safest" level: no JavaScript. The page cannot
        # encrypt, and its <noscript> text says so in both languages.
        b = Browser("en-GB", javascript=False)
        try:
            b.driver.get(self.channel.origin + "/")
            body = b.driver.find_element("tag name", "body").text
            self.assertIn("This page needs JavaScript", body)
            self.assertIn("Deze pagina heeft JavaScript nodig", body)
            self.assertIn("Safest", body)
            self.assertFalse(b.el("s-intro").is_displayed())
        finally:
            b.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
