"""Drives the reporter page (web/, built into <build tree>/web) in headless
Chromium against a real relay with its HTTP door, for test_web_page.py,
tests/tools/web_screenshots.py and bench/web_page.py.

Needs Debian's chromium, chromium-driver and python3-selenium
(scripts/install-deps.sh). selenium is installed for Debian's own python3:
when this interpreter lacks it, need_browser() runs the script again under
/usr/bin/python3, and exits 77 (ctest: skipped) when that has none either.
"""
import json
import os
import shutil
import sys
import tempfile
import time

from harness import BIN, RELAY, Channel, free_port, run

WEB_ROOT = os.environ.get("MELDPUNT_WEB_ROOT", os.path.join(BIN, "..", "web"))
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
SKIP = 77


def need_browser():
    """Makes selenium importable (re-running under /usr/bin/python3 if need
    be) or exits 77 with the reason; also exits 77 without the web root, or
    when MELDPUNT_SKIP_BROWSER says why this tree does not run browser tests
    (set by tests/CMakeLists.txt in a sanitizer tree)."""
    reason = os.environ.get("MELDPUNT_SKIP_BROWSER")
    if reason:
        print(f"skipped: {reason}")
        sys.exit(SKIP)
    try:
        import selenium  # noqa: F401
    except ImportError:
        system = "/usr/bin/python3"
        if os.path.realpath(sys.executable) != os.path.realpath(system) and os.path.exists(system) \
                and not os.environ.get("MELDPUNT_WEB_REEXEC"):
            os.environ["MELDPUNT_WEB_REEXEC"] = "1"
            os.execv(system, [system, *sys.argv])
        print("skipped: python3-selenium is not installed (scripts/install-deps.sh installs it)")
        sys.exit(SKIP)
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not os.path.exists(path):
            print(f"skipped: {package} is not installed (scripts/install-deps.sh installs it)")
            sys.exit(SKIP)
    if not os.path.exists(os.path.join(WEB_ROOT, "MANIFEST")):
        print(f"skipped: no built reporter page in {WEB_ROOT} (node and npm were missing when the tree was configured)")
        sys.exit(SKIP)


class WebChannel(Channel):
    """A Channel whose relay also serves the reporter page and the API over
    HTTP on a free loopback port (relay serve --http)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.http_port = free_port()
        self.origin = f"http://127.0.0.1:{self.http_port}"
        self.stop_relay()
        self.serve_args = [*self.serve_args, "--http", str(self.http_port), "--http-web-root", WEB_ROOT,
                           "--http-channel", self.address]
        self.start_relay()

    def web_hash(self):
        return run([RELAY, "web-hash", "--web-root", WEB_ROOT])[1].strip()


class Browser:
    """Headless Chromium with a throwaway profile; every request and console
    message logged. lang: the browser's preferred language ("en-GB", "nl-NL")."""

    def __init__(self, lang="en-GB", width=900, height=1100, extra_args=(), javascript=True):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        self.profile = tempfile.mkdtemp(prefix="meldpunt-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    f"--user-data-dir={self.profile}", f"--lang={lang}", f"--window-size={width},{height}",
                    "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    *extra_args):
            options.add_argument(arg)
        prefs = {"intl.accept_languages": lang}
        if not javascript:  # as Tor Browser's "Safest" level
            prefs["profile.managed_default_content_settings.javascript"] = 2
        options.add_experimental_option("prefs", prefs)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        self.driver.set_script_timeout(120)
        self.driver.get_log("performance")  # the browser's own start page: not the page's requests
        self.requests = []
        self.failed = []
        self.console = []

    # ---- finding and waiting ----
    def el(self, element_id):
        return self.driver.find_element("id", element_id)

    def wait(self, condition, timeout=120, what="condition"):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                value = condition()
                if value:
                    return value
            except Exception:  # element not there yet
                pass
            time.sleep(0.1)
        error = ""
        try:
            error = self.el("error").text
        except Exception:
            pass
        raise AssertionError(f"timed out waiting for {what}; page error: {error!r}; status: {self.text('status')!r}")

    def text(self, element_id):
        try:
            return self.el(element_id).text
        except Exception:
            return ""

    def screen(self, screen_id, timeout=120):
        self.wait(lambda: self.el(screen_id).is_displayed(), timeout, f"screen {screen_id}")

    def click(self, element_id):
        self.el(element_id).click()

    def type(self, element_id, text):
        e = self.el(element_id)
        e.clear()
        e.send_keys(text)

    # ---- logs ----
    def collect_logs(self):
        """Adds to self.requests (every URL asked), self.failed ("status URL"
        of every answer of 400 or more) and self.console."""
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.requestWillBeSent":
                self.requests.append(message["params"]["request"]["url"])
            if message.get("method") == "Network.responseReceived":
                response = message["params"]["response"]
                if response.get("status", 0) >= 400:
                    self.failed.append(f"{response['status']} {response['url']}")
        self.console += self.driver.get_log("browser")

    def close(self):
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)


# ---- the page's flows, for the screenshots and the benchmark ----

def choose(b, names):
    """Ticks exactly the advisers whose label holds one of names."""
    for box in b.driver.find_elements("css selector", ".advisers input[type=checkbox]"):
        label = box.find_element("xpath", "..").text
        if any(n in label for n in names) != box.is_selected():
            box.click()


def report(b, names, text, before_send=None):
    """A new report from the intro screen; returns the code shown."""
    b.click("go-new")
    b.screen("s-choose")
    choose(b, names)
    b.click("choose-next")
    b.screen("s-write")
    b.type("message", text)
    b.click("write-next")
    b.screen("s-code")
    code = b.text("code-shown")
    if before_send:
        before_send()
    b.click("code-written")
    b.screen("s-confirm")
    b.type("confirm-code", code)
    b.click("confirm-send")
    b.screen("s-sent", 240)
    return code


# Records when #status changes and which screen is shown, with
# performance.now() times, so a run can be timed from the page's own events.
RECORDER = """
window.__meldpuntTimes = [];
const note = (what) => window.__meldpuntTimes.push([performance.now(), what]);
new MutationObserver(() => note('status:' + document.getElementById('status').textContent))
  .observe(document.getElementById('status'), { childList: true, characterData: true, subtree: true });
for (const s of document.querySelectorAll('.screen')) {
  new MutationObserver(() => { if (!s.hidden) note('screen:' + s.id); }).observe(s, { attributes: true });
}
note('start');
"""
