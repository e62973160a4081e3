"""The README's first command: a relay on loopback with its data in ./demo-data
and a complete reporter-adviser conversation through the real programs,
printed step by step. Secrets are typed on standard input, as a person would
at the prompts; the demo shows them only where a person would see them.
"""
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import harness  # noqa: E402


def step(n, text):
    print(f"\n=== {n}. {text}", flush=True)


def show(output):
    for line in output.strip().splitlines():
        print("    " + line)
    sys.stdout.flush()


SIGNPOST = """group civil-service | Ambtelijke organisatie | Civil service
group group-a       | Medewerkers fractie A  | Staff of parliamentary group A
group members       | Kamerleden             | Members of parliament
kind  unwanted      | Ongewenst gedrag       | Unwanted behaviour
kind  integrity     | Integriteit            | Integrity
adviser Anna de Vries | civil-service group-a | unwanted integrity
adviser Bureau Extern | *                     | unwanted
"""


def main():
    root = os.path.abspath(os.path.join(HERE, "..", "demo-data"))
    shutil.rmtree(root, ignore_errors=True)
    step(1, "Organisation key, relay data folder, channel address; relay started on loopback")
    channel = harness.Channel(adviser_names=(("Anna de Vries", "internal"), ("Bureau Extern", "external")),
                              insecure_kdf=False, root=root, first_inbox=False)
    try:
        print(f"    relay data folder: {channel.data} (LMDB in {channel.data}/store)")
        print(f"    relay serving on {channel.endpoint}")
        print(f"    channel address for reporters:\n    {channel.address}")

        step(2, "Two advisers created their identities (key files encrypted under their passphrases)")
        for a in channel.advisers:
            print(f"    {a.name}: card {a.card[:48]}...")
        step(3, "Directory signed with the organisation key and published to the relay, with its signpost")
        a1, a2 = channel.advisers
        # Who is there for whom: the organisation's own groups and kinds (docs/OPERATIONS.md).
        channel.signpost = SIGNPOST
        channel.publish_directory()
        signed = os.path.join(channel.root, f"directory-{channel.serial}.signed")
        check = harness.run([harness.RELAY, "directory", "check", "--file", signed,
                             "--org-public", channel.org_key + ".pub"], check=False)
        show(check[1])
        print(f"    (relay directory check exits {check[0]}: 0 = every group x kind has someone, 4 = gaps)")
        for a in channel.advisers:
            a.inbox()  # first contact uploads one-time prekeys and a medium-term prekey
        print("    advisers uploaded signed one-time prekeys and a signed medium-term prekey")

        step(4, "A reporter writes to Anna only, leaving the external bureau out")
        reporter = harness.Reporter(channel)
        out = reporter.new("My team lead shouts at interns in meetings and blocks complaints.", to=[1])
        show(out)
        print("    (the reporter typed the code back before anything was sent)")

        step(5, "Anna fetches her inbox and reads the new case")
        show(a1.inbox())
        case = a1.case_ids()[0]
        show(a1.read(case))
        show(a1._run("file", case, "--group", "civil-service", "--kind", "unwanted")[1])
        print("    (Anna's own choice, for the counts per employer in `adviser-client stats`; never sent)")

        step(6, "Anna replies")
        a1.reply(case, "Thank you for reporting this. I will treat it in confidence. Can you tell me since when?")
        print("    reply sent")

        step(7, "Days later the reporter reads the reply with the code alone")
        show(reporter.check()[1])

        step(8, "The reporter continues the conversation with a file attached; Anna reads it")
        notes = os.path.join(root, "dates-and-witnesses.txt")
        with open(notes, "w") as f:
            f.write("12 March: shouting in the weekly meeting (witnesses: two interns).\n")
        reporter.reply("Since March. Two colleagues saw it too. My notes are attached.", extra=["--attach", notes])
        show(a1.inbox())
        show(a1.read(case))

        step(9, "Anna proposes handing the case to the external bureau; nothing reaches it yet")
        note = os.path.join(root, "handover-note.txt")
        with open(note, "w") as f:
            f.write("The external bureau can look into this independently of your department.\n")
        show(a1._run("handover", case, "--to", "Bureau Extern", "--channel", channel.address, "--file", note)[1])

        step(10, "The reporter sees the proposal at the next check, and accepts")
        show(reporter.check(answers="yes\n")[1])

        step(11, "The external bureau receives the conversation; Anna's case is closed")
        show(a2.inbox())
        show(a2.read(a2.case_ids()[0]))
        a1.inbox()
        print("    Anna: " + [line for line in a1.read(case).splitlines() if line.startswith("Handed over")][0])

        step(12, "What the relay stores: only fixed-size ciphertext")
        records = channel.relay_dump()
        stored = b"".join(records)
        keys = harness.reporter_public_keys(channel, reporter.code)
        looked_for = [b"team lead", b"Since March", b"12 March", b"external bureau can look", reporter.code.encode(), reporter.code.replace("-", "").encode(),
                      keys["message_pk"], keys["fetch_pk"]]
        found = [s for s in looked_for if s in stored]
        print(f"    {len(records)} LMDB keys and values searched for the report's text, the code and the "
              f"reporter's public keys: {'FOUND ' + repr(found) if found else 'none of them present'}")
        if found:
            sys.exit("demo: the relay stores something it must not")
    finally:
        channel.stop_relay()
    print("\nDemo complete. The relay's data stays in ./demo-data for inspection.")


if __name__ == "__main__":
    main()
