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
shows the conversation, and the browser's resource timing gives each POST
/api. Derivation = submit -> the first "Looking for your messages" status;
check = that -> the conversation shown, split into the proof of work (the
get-policy answer -> the fetch request sent), the fetch answer (sent ->
received, the relay's computing) and the rest (recognising the entries,
the padded retrieval session, opening). Before each check the fetch price
the relay announces is read with a get-policy of its own, so a price that
grew between checks would show.

    MELDPUNT_BIN_DIR=build/werror/bin /usr/bin/python3 bench/web_page.py
writes bench/results/web_page.md.
"""
import os
import platform
import statistics
import struct
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))

from webpage import need_browser  # noqa: E402

need_browser()

from harness import BIN, run  # noqa: E402
from webpage import CHROMIUM, RECORDER, Browser, WebChannel, report  # noqa: E402

STORED = 10000
REPEATS = 5
OUT = os.path.join(HERE, "results", "web_page.md")
FETCH_TEXT = ("Looking for your messages", "Je berichten worden gezocht")


class PageFailed(Exception):
    pass


def fetch_price(ch):
    """The fetch price (digests) the relay announces now: get-policy over
    the HTTP door (docs/PROTOCOL.md "HTTP door", "get-policy")."""
    body = struct.pack("<I", 2) + bytes([1, 9])
    req = urllib.request.Request(ch.origin + "/api", data=body, method="POST",
                                 headers={"Content-Type": "application/octet-stream"})
    reply = urllib.request.urlopen(req, timeout=30).read()
    frames, pos = [], 0
    while pos < len(reply):
        n = struct.unpack_from("<I", reply, pos)[0]
        frames.append(reply[pos + 4:pos + 4 + n])
        pos += 4 + n
    if len(frames) < 10 or frames[0] != bytes([1, 0]):
        return None
    return struct.unpack("<Q", frames[6])[0]


def timed_check(ch, code, extra_args=(), timeout=300):
    """One check in a fresh browser; returns a dict of times in s (derive,
    work, answer, rest, check, total) and the POSTs it made, or raises
    PageFailed with what the page and the console said."""
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
        posts = b.driver.execute_script(
            "return performance.getEntriesByType('resource').filter(e => e.name.endsWith('/api'))"
            ".map(e => [e.startTime, e.responseEnd])")
    finally:
        b.close()
    submit = next(t for t, w in times if w == "submit")
    fetch = next(t for t, w in times if w.startswith("status:") and any(f in w for f in FETCH_TEXT))
    shown = next(t for t, w in times if w == "screen:s-conversation")
    # The check's POSTs: get-policy, fetch, then the retrieval session's
    # get-messages (a rate-limited retry would add a pair).
    # (from the submit: the get-policy starts in the same task that shows the
    # fetch status, a moment before the recorder notes it)
    after = sorted(p for p in posts if p[0] >= submit)
    r = {"derive": (fetch - submit) / 1000, "check": (shown - fetch) / 1000, "total": (shown - submit) / 1000,
         "posts": len(after), "work": None, "answer": None, "rest": None}
    if len(after) >= 2:
        policy, fetched = after[0], after[1]
        r["work"] = (fetched[0] - policy[1]) / 1000
        r["answer"] = (fetched[1] - fetched[0]) / 1000
        r["rest"] = (shown - fetched[1]) / 1000
    return r


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
            rows.append(("WebAssembly (standard)", "few", fetch_price(ch), timed_check(ch, code)))
        for mode, flag in (("no WebAssembly (--noexpose_wasm)", "--js-flags=--noexpose_wasm"),
                           ("no JIT, no WebAssembly (--jitless)", "--js-flags=--jitless")):
            try:
                rows.append((mode, "few", fetch_price(ch), timed_check(ch, code, [flag], 900)))
            except PageFailed as e:
                failures.append((mode, str(e)))

        ch.stop_relay()
        run([os.path.join(BIN, "web_fill"), ch.data, str(STORED)])
        ch.start_relay()
        for _ in range(REPEATS):
            rows.append(("WebAssembly (standard)", f"{STORED:,}", fetch_price(ch), timed_check(ch, code)))
    finally:
        ch.close()
    load_end = open("/proc/loadavg").read().split()[:3]

    lines = [
        "# The reporter page's speed (headless Chromium)",
        "",
        f"Measured by `bench/web_page.py` on {time.strftime('%Y-%m-%d')}: {platform.machine()}, "
        f"{os.cpu_count()} cores shared with other work (load average at start {' '.join(load_start)}, "
        f"at the end {' '.join(load_end)}), "
        f"{version}. Each row is one check in a fresh browser profile: type the code, press Read, until the "
        "conversation (the report and one reply) is shown. *Derive* is the code to its keys (Argon2id at the "
        "production parameters, 256 MiB and 3 passes, then crypto_kdf); *check* is the rest: the fetch with "
        "its proof of work (priced by the number of stored messages), recognising every fetch entry, the "
        "padded retrieval session (16 get-messages, at most four at a time with random pauses of up to 250 ms) "
        "and opening the letters. Times from the page's own events (performance.now()) and the browser's "
        "resource timing of each POST /api: *work* is the proof of work (the get-policy answer to the fetch "
        "request sent), *answer* the fetch answer (request sent to answer received: the relay computing), "
        "*rest* recognising, the retrieval session and opening. *price* is the fetch price the relay "
        "announced just before the check, in digests.",
        "",
        "Goals (issue 17): code to keys under 3 s; a check at 10,000 stored messages under 5 s.",
        "",
        "| libsodium runs as | stored messages | price | derive s | work s | answer s | rest s | check s | total s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    fmt = lambda v: "—" if v is None else f"{v:.2f}"  # noqa: E731
    for mode, stored, price, r in rows:
        shown_price = "?" if price is None else f"{price:,}"
        lines.append(f"| {mode} | {stored} | {shown_price} | {fmt(r['derive'])} | "
                     f"{fmt(r['work'])} | {fmt(r['answer'])} | {fmt(r['rest'])} | {fmt(r['check'])} | "
                     f"{fmt(r['total'])} |")
    for mode, why in failures:
        lines.append(f"| {mode} | few | — | did not start | — | — | — | — | — |")
    many = [r for _, stored, _, r in rows if stored != "few"]
    if many:
        def median(key):
            values = [r[key] for r in many if r[key] is not None]
            return statistics.median(values) if values else float("nan")
        check = median("check")
        lines += ["", f"At {STORED:,} stored messages, median of {len(many)} checks: check {check:.2f} s "
                  f"(proof of work {median('work'):.2f} s, the relay's answer {median('answer'):.2f} s, "
                  f"recognising, retrieving and opening {median('rest'):.2f} s); slowest check "
                  f"{max(r['check'] for r in many):.2f} s. The goal of a check under 5 s was "
                  f"{'met' if check < 5 else 'not met'} in this run, at a load average of {' '.join(load_end)} "
                  "on 2 cores. What the page does not decide: the relay computes a fetch at 10,000 stored "
                  "messages in 0.50 s on a quiet machine (docs/PROTOCOL.md, *Fetch cost*), so the *answer* "
                  "column shows how far the machine's load stretches every part of these rows."]
    if failures:
        lines.append("")
    for mode, why in failures:
        lines.append(f"*{mode}*: libsodium.js did not initialise, so the page showed its message that this "
                     f"browser cannot run the encryption (nothing is sent). {why}")
    lines += [
        "",
        "**Why the checks at 10,000 once seemed to slow down on each repeat** (4.4, 8.4, 13.4 s in the "
        "previous version of this file): they did not slow down with use. Each check runs in a fresh browser, "
        "so no cache or worker pool of the page carries over; the page starts its two pools once per page "
        "and reuses them; and the fetch price the relay announces (*price*, read before every check) stays "
        "the same from check to check, so neither the page's own fetches nor a queue at the relay raised it. "
        "What varied was the proof of work. The number of digests tried until one meets a price W is "
        "geometric with mean W, so the time it takes is spread exponentially: one search in twenty takes "
        "three times the mean. Counting the page's progress reports (one per 4,096 digests per worker) in "
        "three checks with the page as it was gave 3.8, 4.2 and 0.14 million digests tried for a price of "
        "1.28 million, at the same speed each time (48 to 59 thousand digests a second over both workers, "
        "this machine under a load average of about 20): 78, 87 and 2.3 s of proof of work. So the three "
        "old rows were three draws, the later two unlucky, and the search was slow enough that luck "
        "decided whether a check met the goal.",
        "",
        "The search was slow because every digest went through libsodium.js's `crypto_generichash` "
        "wrapper, which allocates, copies in and out and checks its arguments on each call, with fresh "
        "arrays and BigInts for the input and the nonce. The page now writes the 96-byte input once into "
        "libsodium's WebAssembly memory and makes one raw BLAKE2b call per nonce, comparing the digest's "
        "first 8 bytes as two 32-bit halves (`PowSearch`, web/src/protocol/pow.js, checked nonce for nonce "
        "against the digest rule in web/test/pow.test.js): 12 to 18 times faster in node, and in the same "
        "loaded conditions four checks at 10,000 spent 0.24 to 1.2 s on the proof of work instead of 2.3 "
        "to 87 s. The spread remains (it is what a proof of work is), but around a mean that is now a "
        "small part of a check; the rest is the relay computing the answer and the page recognising "
        "10,000 entries over two workers.",
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
