#!/usr/bin/env python3
"""What unlinkable retrievals cost: `reporter-client check` through a SOCKS5
proxy on loopback at 10,000 stored messages, before and after (issue 14
allows about twice the time).

    python3 bench/socks_check.py BEFORE_BIN AFTER_BIN [--messages 10000] [--runs 5]

BEFORE_BIN and AFTER_BIN are `bin` folders of two builds (relay,
reporter-client, adviser-client; and deposit_tool, from a build with tests,
in either). One relay data folder serves both: the relay of each build in
turn (their fetch answers differ, so each client talks to its own relay).
The reporter's conversation holds a report, its sent copy and a reply; the
store is then filled with other envelopes by deposit_tool (free deposits),
and the relay restarted with its default prices, so each check pays the
fetch price of the full store as it would in use. Key stretching uses the
tests' cheap parameters, so the figures are the network part of a check.

Proxies: Debian's microsocks (which refuses the username/password
authentication the new clients offer for Tor's stream isolation, so only the
old client can use it) and the tests' SOCKS5 proxy in Python
(tests/integration/socks_recorder.py, which accepts any credentials, as Tor
does). Prints a Markdown table and appends it, with the date and load
average, to bench/results/socks_check.md.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--messages", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    before, after = os.path.abspath(args.before), os.path.abspath(args.after)
    os.environ["MELDPUNT_BIN_DIR"] = after
    import harness  # noqa: E402 (reads MELDPUNT_BIN_DIR)
    from socks_recorder import SocksRecorder  # noqa: E402

    load_at_start = open("/proc/loadavg").read().split()[:3]
    free = ["--pow-difficulty", "0", "--rate-per-connection", "0"]
    ch = harness.Channel(adviser_names=(("Anna de Vries", "internal"),), serve_args=free)
    microsocks = None
    try:
        reporter = harness.Reporter(ch)
        reporter.new("the report whose replies are checked", to=["1"])
        anna = ch.advisers[0]
        anna.inbox()
        anna.reply(anna.case_ids()[0], "a reply\n")
        started = time.time()
        # The fill: BEFORE's deposit_tool if it has one (its deposits share one
        # connection; the new client opens one per deposit, which only slows
        # the fill).
        tool = next(p for p in (os.path.join(before, "deposit_tool"), os.path.join(after, "deposit_tool"))
                    if os.path.exists(p))
        harness.run([tool, "deposit", ch.address, str(args.messages)], timeout=3600)
        print(f"filled {args.messages} messages in {time.time() - started:.0f} s", file=sys.stderr)
        named = ch.address_for(f"tcp://localhost:{ch.port}")

        recorder = SocksRecorder()
        micro_port = harness.free_port()
        microsocks = subprocess.Popen([shutil.which("microsocks") or "/usr/bin/microsocks", "-i", "127.0.0.1",
                                       "-p", str(micro_port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.3)

        def serve_with(bin_dir):
            ch.stop_relay()
            ch.serve_args = []  # default prices
            with open(ch.relay_log, "rb") as f:
                starts = f.read().count(b"serving on")
            with open(ch.relay_log, "ab") as log:
                ch.relay = subprocess.Popen([os.path.join(bin_dir, "relay"), "serve", "--data", ch.data,
                                             "--endpoint", ch.endpoint], stdout=log, stderr=log)
            deadline = time.time() + 60
            while time.time() < deadline:
                with open(ch.relay_log, "rb") as f:
                    if f.read().count(b"serving on") > starts:
                        return
                time.sleep(0.1)
            raise RuntimeError("relay did not start")

        def timed_checks(bin_dir, proxy_url):
            times = []
            for _ in range(args.runs):
                start = time.time()
                rc, out, err = harness.run([os.path.join(bin_dir, "reporter-client"), "check", "--channel", named,
                                            "--proxy", proxy_url, *ch.kdf_args], stdin=reporter.code + "\n")
                times.append(time.time() - start)
                assert "a reply" in out, out + err
            return times

        rows = []
        serve_with(before)
        rows.append(("before", "microsocks", timed_checks(before, f"socks5h://127.0.0.1:{micro_port}")))
        rows.append(("before", "Python SOCKS5", timed_checks(before, recorder.url)))
        recorder.take()
        serve_with(after)
        rows.append(("after", "Python SOCKS5", timed_checks(after, recorder.url)))
        connections = len(recorder.take()) / args.runs
        base = statistics.median(rows[1][2])

        date = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        load_at_end = open("/proc/loadavg").read().split()[:3]
        lines = [f"## `reporter-client check` through SOCKS5 at {args.messages} stored messages", "",
                 f"Taken {date} by `python3 bench/socks_check.py` ({args.runs} runs each; load average "
                 f"{' '.join(load_at_start)} at start, {' '.join(load_at_end)} at the end; "
                 f"{os.cpu_count()} cores). After: {connections:.0f} proxied connections per check.", "",
                 "| client | proxy | median s | min s | max s | / before (same proxy) |",
                 "|---|---|---|---|---|---|"]
        for which, proxy, times in rows:
            ratio = f"{statistics.median(times) / base:.2f}" if proxy == "Python SOCKS5" else ""
            lines.append(f"| {which} | {proxy} | {statistics.median(times):.2f} | {min(times):.2f} | "
                         f"{max(times):.2f} | {ratio} |")
        table = "\n".join(lines) + "\n"
        print(table)
        with open(os.path.join(ROOT, "bench", "results", "socks_check.md"), "a") as f:
            f.write(table + "\n")
        recorder.close()
    finally:
        if microsocks:
            microsocks.terminate()
        ch.close()


if __name__ == "__main__":
    main()
