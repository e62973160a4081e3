#!/usr/bin/env python3
"""The adviser's workbench at scale (issue 16's speed goals), measured
through the real binaries and written to bench/results/adviser_workbench.md.

    python3 bench/workbench.py              # about two minutes on 2 cores
    python3 bench/workbench.py --smoke      # a small run that only checks the script works

Goals: after unlocking, `cases`, `read` and `note` answer in under 0.2 s
with 30 cases; an inbox run with 30 cases and 100 new messages, with
10,000 messages stored at the relay, takes under 3 s.

Setup: a relay on loopback (harness Channel, `--pow-difficulty 0` so the
filling is quick; the proof of work is the depositor's cost, not the
inbox's), one adviser. deposit_tool fills the relay with 9,900 envelopes
for nobody (random bodies, valid clues: the adviser's fetch answer carries
every one of them and the adviser must try each); then 30 reporters send
100 messages to the adviser (30 reports, 70 follow-ups). Then:

- inbox: the wall time of `adviser-client inbox` that collects the 100
  messages into 30 new cases (fetch of 10,000 clues, 100 retrievals,
  opening, storing, deletes at the relay, prekey top-up, the case list);
- cases, read (the case with the most messages), note: wall time of each
  command, median of RUNS runs.

How the unlock is kept out: every command runs with the test key
stretching (the harness's --insecure-test-kdf identity), whose unlock
costs milliseconds, and `adviser-client settings` (start the process,
unlock, open the store, print two lines) is timed the same way as the
baseline. "after unlock" = command - baseline. The production unlock
(Argon2id, 256 MiB) is a fixed cost on top, in bench/results/results.md
("derive reporter keys": the same parameters).

Binaries: build/werror/bin unless MELDPUNT_BIN_DIR says otherwise
(deposit_tool is built with the tests).

    python3 bench/workbench.py --compare OLD_BIN_DIR

also times another build's adviser-client back to back with this one, on
the same relay state and load: a second adviser receives the same 100
messages (every report goes to both), with the filler 100 smaller so the
relay holds 10,000 at the start. Ours runs first, so the other build's
inbox finds 100 fewer stored (9,900: a little less to fetch and try, in
its favour); with nothing new, both find the same.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("MELDPUNT_BIN_DIR", os.path.join(ROOT, "build", "werror", "bin"))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from harness import ADVISER, BIN, Channel, Reporter, run  # noqa: E402

DEPOSIT_TOOL = os.path.join(BIN, "deposit_tool")


def timed(args, stdin):
    start = time.perf_counter()
    run(args, stdin=stdin)
    return time.perf_counter() - start


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true", help="3 cases, 6 messages, 100 stored: checks the script")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "adviser_workbench.md"))
    parser.add_argument("--compare", metavar="OLD_BIN_DIR",
                        help="also time OLD_BIN_DIR/adviser-client's inbox for a second adviser, back to back")
    args = parser.parse_args()
    cases, messages, stored = (3, 6, 100) if args.smoke else (30, 100, 10000)
    runs = 2 if args.smoke else args.runs

    load_at_start = load_average()
    names = (("Anna de Vries", "internal"),) + ((("Bram Jansen", "internal"),) if args.compare else ())
    ch = Channel(adviser_names=names, serve_args=["--pow-difficulty", "0"])
    compared = None
    try:
        anna = ch.advisers[0]
        home = ["--home", anna.home]
        secret = anna.passphrase + "\n"
        filler = stored - messages * len(names)
        print(f"filling the relay with {filler} envelopes for nobody ...", file=sys.stderr)
        subprocess.run([DEPOSIT_TOOL, "deposit", ch.address, str(filler)], check=True, stdout=subprocess.DEVNULL)
        print(f"{cases} reporters send {messages} messages ...", file=sys.stderr)
        reporters = []
        for i in range(cases):
            r = Reporter(ch)
            r.new(f"Report {i}: what happened in room {i}\nDetails follow.")
            reporters.append(r)
        for j in range(messages - cases):
            reporters[j % cases].reply(f"Follow-up {j} to report {j % cases}.")

        old_adviser = os.path.join(args.compare, "adviser-client") if args.compare else None
        if old_adviser:
            bram = ch.advisers[1]
            old_run = [old_adviser, "inbox", "--home", bram.home]
        inbox = timed([ADVISER, "inbox", *home], secret)
        old_inbox = timed(old_run, bram.passphrase + "\n") if old_adviser else None
        # The same with nothing new: the fetch of every clue, recognising
        # them, one quantum of decoy retrievals, the prekey check.
        inbox_empty = timed([ADVISER, "inbox", *home], secret)
        if old_adviser:
            compared = (old_inbox, timed(old_run, bram.passphrase + "\n"))
        table = run([ADVISER, "cases", *home], stdin=secret)[1]
        ids = [line.split()[0] for line in table.splitlines()[1:] if line[:1] not in (" ", "")]
        if len(ids) != cases:
            raise SystemExit(f"expected {cases} cases after the inbox run, found {len(ids)}:\n{table}")
        busiest = max(ids, key=lambda c: int(next(l.split()[2] for l in table.splitlines() if l.startswith(c))))

        def median_of(cmd, stdin=secret):
            return statistics.median(timed([ADVISER, *cmd, *home], stdin) for _ in range(runs))

        baseline = median_of(["settings"])
        figures = [("cases", median_of(["cases"])), (f"read {busiest}", median_of(["read", busiest])),
                   (f"note {busiest}", median_of(["note", busiest], secret + "A private note of a few words.\n"))]
    finally:
        ch.close()

    lines = [
        "# The adviser's workbench at scale",
        "",
        f"Taken {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `python3 bench/workbench.py`"
        + (" --smoke (NOT the full sizes)" if args.smoke else "") + f" on {os.cpu_count()} cores; load average "
        f"at start {load_at_start}, at the end {load_average()} (others build on the same machine).",
        "",
        f"Relay on loopback holding {stored} messages ({filler} for nobody, filled by deposit_tool, and "
        f"{messages} for the adviser from {cases} reporters: {cases} reports and {messages - cases} follow-ups"
        + (f"; the same {messages} for a second adviser, below" if compared else "") + "). "
        "Times are wall times of the real `adviser-client` process. Every command unlocks with the test key "
        "stretching (milliseconds); the baseline (`settings`: process start, unlock, store open) is taken the "
        "same way and subtracted, giving the work after the unlock. The production unlock (Argon2id, 256 MiB, "
        "~0.4 s in results.md) is a fixed cost on top, once per unlock.",
        "",
        "| command | goal | whole command s | baseline s | after unlock s |",
        "|---|---|---|---|---|",
        f"| inbox: {messages} new messages into {cases} new cases, {stored} stored at the relay (one run) | < 3 s | "
        f"{inbox:.3f} | {baseline:.3f} | {inbox - baseline:.3f} |",
    ]
    for name, seconds in figures:
        lines.append(f"| {name} ({cases} cases; median of {runs}) | < 0.2 s | {seconds:.3f} | {baseline:.3f} | "
                     f"{seconds - baseline:.3f} |")
    lines.append(f"| inbox again, nothing new, {stored} stored (one run) | | {inbox_empty:.3f} | {baseline:.3f} | "
                 f"{inbox_empty - baseline:.3f} |")
    # client/retrieval.hpp: every get-message (padded to a multiple of 16)
    # and every delete on a connection of its own, each after a random pause
    # of 0..250 ms, four at a time per quantum of 16 (at most 32).
    gets = -(-messages // 16) * 16

    def parallel(n):
        return min(32, 4 * max(1, -(-n // 16)))

    rounds = -(-gets // parallel(gets)) + -(-messages // parallel(messages))
    floor = rounds * 0.125
    lines += ["", f"Baseline (`settings`, median of {runs}): {baseline:.3f} s.", "",
              f"Floor set by the retrieval design (client/retrieval.hpp): {gets} get-messages (padded to a multiple "
              f"of 16) and {messages} deletes, each on a connection of its own after a random pause of 0-250 ms "
              f"(mean 125 ms), four at a time per quantum of 16 ({parallel(gets)} and {parallel(messages)} at "
              f"once): {rounds} rounds x 0.125 s = {floor:.1f} s expected in pauses alone, before any connection is "
              "made (four at a time, as before, it was (112 + 100) x 0.125 s / 4 = 6.6 s).", ""]
    if compared:
        lines += [f"Back to back with `{args.compare}/adviser-client` (`--compare`), whole commands: a second "
                  f"adviser received the same {messages} messages; this build's inbox ran first, the other's "
                  f"second (with {messages} fewer stored).", "",
                  "| command | this build s | other build s |", "|---|---|---|",
                  f"| inbox, {messages} new | {inbox:.3f} | {compared[0]:.3f} |",
                  f"| inbox again, nothing new | {inbox_empty:.3f} | {compared[1]:.3f} |", ""]
    text = "\n".join(lines)
    print(text)
    if not args.smoke:
        with open(args.out, "w") as f:
            f.write(text)
        print(f"written to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
