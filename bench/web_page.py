#!/usr/bin/env python3
"""The reporter page's speed in headless Chromium on this machine (issue 17):
from the code to its keys (Argon2id at the production parameters: 256 MiB,
3 passes), and a whole check (fetch with its proof of work, recognition,
the padded retrieval session, opening) at 10,000 stored messages. Also the
key derivation without WebAssembly (libsodium.js's pure-JavaScript
fallback), as under Tor Browser's "Safer" level: once with WebAssembly
hidden, once with V8's --jitless (no JIT and no WebAssembly).

Times come from the page itself: a recorder notes, with performance.now(),
the submit of the code, each change of the status line and the screen that
shows the conversation. Derivation = submit -> the first "Looking for your
messages" status; check = that -> the conversation shown.

    MELDPUNT_BIN_DIR=build/werror/bin /usr/bin/python3 bench/web_page.py
writes bench/results/web_page.md.
"""
import os
import platform
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))

from webpage import need_browser  # noqa: E402

need_browser()

from harness import BIN, run  # noqa: E402
from webpage import CHROMIUM, RECORDER, Browser, WebChannel, report  # noqa: E402

STORED = 10000
OUT = os.path.join(HERE, "results", "web_page.md")
FETCH_TEXT = ("Looking for your messages", "Je berichten worden gezocht")


class PageFailed(Exception):
    pass


def timed_check(ch, code, extra_args=(), timeout=300):
    """One check in a fresh browser; returns (derive s, check s, total s),
    or raises PageFailed with what the page and the console said."""
    b = Browser("en-GB", extra_args=extra_args)
    try:
        b.driver.get(ch.origin + "/")
        try:
            b.screen("s-intro", 120)
        except AssertionError:
            console = "; ".join(e["message"][:160] for e in b.driver.get_log("browser"))
            raise PageFailed(f"page: \"{b.text('error')}\" console: {console or '(nothing)'}")
        b.click("go-check")
        b.screen("s-check")
        b.type("check-code", code)
        b.driver.execute_script(RECORDER + "document.addEventListener('submit', () => note('submit'), true);")
        b.click("check-go")
        b.screen("s-conversation", timeout)
        times = b.driver.execute_script("return window.__meldpuntTimes")
    finally:
        b.close()
    submit = next(t for t, w in times if w == "submit")
    fetch = next(t for t, w in times if w.startswith("status:") and any(f in w for f in FETCH_TEXT))
    shown = next(t for t, w in times if w == "screen:s-conversation")
    return (fetch - submit) / 1000, (shown - fetch) / 1000, (shown - submit) / 1000


def main():
    load_start = open("/proc/loadavg").read().split()[:3]
    version = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout.strip()
    ch = WebChannel(adviser_names=(("Anna de Vries", "internal"), ("Bureau Extern", "external")))
    rows = []
    failures = []
    try:
        b = Browser("en-GB")
        try:
            b.driver.get(ch.origin + "/")
            b.screen("s-intro", 120)
            code = report(b, ["Anna de Vries"], "BENCH report from the page")
        finally:
            b.close()
        anna = ch.advisers[0]
        anna.inbox()
        anna.reply(anna.only_case("BENCH report"), "BENCH reply")

        for _ in range(3):
            rows.append(("WebAssembly (standard)", "few", *timed_check(ch, code)))
        for mode, flag in (("no WebAssembly (--noexpose_wasm)", "--js-flags=--noexpose_wasm"),
                           ("no JIT, no WebAssembly (--jitless)", "--js-flags=--jitless")):
            try:
                rows.append((mode, "few", *timed_check(ch, code, [flag], 900)))
            except PageFailed as e:
                failures.append((mode, str(e)))

        ch.stop_relay()
        run([os.path.join(BIN, "web_fill"), ch.data, str(STORED)])
        ch.start_relay()
        for _ in range(3):
            rows.append(("WebAssembly (standard)", f"{STORED:,}", *timed_check(ch, code)))
    finally:
        ch.close()

    lines = [
        "# The reporter page's speed (headless Chromium)",
        "",
        f"Measured by `bench/web_page.py` on {time.strftime('%Y-%m-%d')}: {platform.machine()}, "
        f"{os.cpu_count()} cores shared with other work (load average at start {' '.join(load_start)}), "
        f"{version}. Each row is one check in a fresh browser profile: type the code, press Read, until the "
        "conversation (the report and one reply) is shown. *Derive* is the code to its keys (Argon2id at the "
        "production parameters, 256 MiB and 3 passes, then crypto_kdf); *check* is the rest: the fetch with "
        "its proof of work (priced by the number of stored messages), recognising every fetch entry, the "
        "padded retrieval session (16 get-messages, at most four at a time with random pauses of up to 250 ms) "
        "and opening the letters. Times from the page's own events (performance.now()).",
        "",
        "Goals (issue 17): code to keys under 3 s; a check at 10,000 stored messages under 5 s.",
        "",
        "| libsodium runs as | stored messages | derive s | check s | total s |",
        "|---|---|---|---|---|",
    ]
    for mode, stored, d, c, t in rows:
        lines.append(f"| {mode} | {stored} | {d:.2f} | {c:.2f} | {t:.2f} |")
    for mode, why in failures:
        lines.append(f"| {mode} | few | did not start | — | — |")
    if failures:
        lines.append("")
    for mode, why in failures:
        lines.append(f"*{mode}*: libsodium.js did not initialise, so the page showed its message that this "
                     f"browser cannot run the encryption (nothing is sent). {why}")
    lines += [
        "",
        "Reading the rows without WebAssembly: `--noexpose_wasm` gave the same times as the standard rows, so "
        "WebAssembly was evidently still available to the page under that flag; it is no measurement of the "
        "fallback. `--jitless` (no JIT and no WebAssembly, what Tor Browser's \"Safer\" level does) shows what "
        "happens: libsodium.js 0.8.4 switches to its pure-JavaScript build only when WebAssembly exists and "
        "fails, and without the `WebAssembly` object its loader stops. The page now checks for WebAssembly "
        "first and, without it, says that the encryption cannot run at this level and that nothing was sent "
        "(docs/THREAT_MODEL.md, *The reporter page in a browser*).",
        "",
    ]
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
