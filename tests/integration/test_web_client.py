"""The page's client library (web/src/client) against the real relay's HTTP
door and the real adviser-client and reporter-client.

node drives web/test-support/e2e-driver.js: a report made in JavaScript is
read by adviser-client, which replies with a file; the JavaScript check
shows the reply (new, signed) and the file intact; the code made in
JavaScript works in reporter-client and one made by reporter-client in the
JavaScript check; the JavaScript reply (with a file) reaches the adviser;
a hand-over proposed by adviser-client is accepted in JavaScript and the
new adviser gets the case; the JavaScript rotate moves the conversation to
a new code that both clients read. A report whose deposit answer is lost
after the relay stored it is sent again byte for byte and read once by
the adviser and both reporter clients. Skipped (77) without node.
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import RELAY, Channel, Reporter, run, free_port, THREE_ADVISERS, TIMEOUT  # noqa: E402

WEB = os.path.join(os.path.dirname(__file__), "..", "..", "web")
DRIVER = os.path.join(WEB, "test-support", "e2e-driver.js")
NODE = shutil.which("node")


class WebChannel(Channel):
    """A channel whose relay also serves the HTTP door on a loopback port."""

    def start_relay(self):
        if not hasattr(self, "http_port"):
            self.http_port = free_port()
        # A low price: the page's proof of work runs in JavaScript (README "Speed"), and the
        # suite's time is bounded; the pricing itself is the same code as for every client.
        self.serve_args = ["--pow-difficulty", "8", "--http", str(self.http_port), "--http-channel", self.address]
        super().start_relay()


class WebClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.channel = WebChannel(adviser_names=THREE_ADVISERS)
        cls.anna, cls.extern, cls.commissie = cls.channel.advisers
        cls.base = f"http://127.0.0.1:{cls.channel.http_port}"

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()

    def js(self, command, whole=False, **request):
        """The driver's result (whole: its whole answer, with the retries it made)."""
        request["insecureKdf"] = True
        proc = subprocess.run([NODE, DRIVER, self.base, command], input=json.dumps(request).encode(),
                              capture_output=True, timeout=TIMEOUT)
        try:
            answer = json.loads(proc.stdout.decode())
        except ValueError:
            raise AssertionError(f"driver {command} printed no JSON ({proc.returncode}):\n{proc.stdout.decode()}\n"
                                 f"{proc.stderr.decode()}")
        if not answer["ok"]:
            raise AssertionError(f"driver {command} failed: {answer['kind']}: {answer['message']}\n{proc.stderr.decode()}")
        return answer if whole else answer["result"]

    def write(self, name, data):
        path = os.path.join(self.channel.root, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def test_directory_through_the_door(self):
        d = self.js("directory")
        self.assertEqual([a["name"] for a in d["advisers"]], ["Anna de Vries", "Bureau Extern", "Commissie Klachten"])
        self.assertEqual(d["maxReaders"], 3)

    def test_report_reply_files_codes_both_ways_handover_and_rotate(self):
        ch, anna = self.channel, self.anna
        report_file = os.urandom(300_000)  # two pieces
        sent = self.js("report", advisers=["Anna de Vries"], text="WEB-REPORT-1 from the page",
                       files=[{"name": "evidence.bin", "b64": base64.b64encode(report_file).decode()}])
        code = sent["code"]

        out = anna.inbox()
        self.assertIn("attachments complete and intact: 1", out)
        case = anna.only_case("WEB-REPORT-1")
        text = anna.read(case)
        self.assertIn("from the reporter: evidence.bin", text)
        self.assertEqual(self.extern.cases_with("WEB-REPORT-1"), [])  # not chosen: nothing for them
        folder = os.path.join(ch.root, "anna-saved")
        os.makedirs(folder)
        anna._run("attachment", case, "1", "--save", folder)
        with open(os.path.join(folder, "evidence.bin"), "rb") as f:
            self.assertEqual(f.read(), report_file)

        reply_file = b"minutes of the meeting\n" * 100
        anna._run("reply", case, "--channel", ch.address, "--attach", self.write("minutes.txt", reply_file),
                  stdin="ANNA-REPLY-1 thank you")

        c = self.js("check", code=code)
        texts = [m["text"] for m in c["messages"]]
        self.assertCountEqual(texts, ["WEB-REPORT-1 from the page", "ANNA-REPLY-1 thank you"])  # may share a second
        reply = next(m for m in c["messages"] if not m["fromReporter"])
        self.assertTrue(reply["isNew"])
        self.assertEqual(reply["signed"], "signed")
        self.assertEqual(reply["adviserName"], "Anna de Vries")
        self.assertEqual(c["newReplies"], 1)
        theirs = [f for f in c["files"] if not f["fromReporter"]]
        self.assertEqual(len(theirs), 1)
        self.assertEqual(theirs[0]["status"], "intact")
        self.assertEqual(theirs[0]["name"], "minutes.txt")
        self.assertEqual(base64.b64decode(theirs[0]["b64"]), reply_file)
        self.assertEqual(c["ignored"], 0)

        # The code made in the page works in reporter-client.
        _, out, _ = Reporter(ch).check(code=code)
        self.assertIn("WEB-REPORT-1 from the page", out)
        self.assertIn("ANNA-REPLY-1 thank you", out)

        self.js("reply", code=code, text="WEB-REPLY-2 more details",
                files=[{"name": "photo.png", "b64": base64.b64encode(b"\x89PNG fake").decode()}])
        anna.inbox()
        text = anna.read(case)
        self.assertIn("WEB-REPLY-2 more details", text)
        self.assertIn("from the reporter: photo.png", text)
        c = self.js("check", code=code)
        self.assertEqual(c["newReplies"], 0)

        # Hand-over proposed by adviser-client, accepted in the page.
        anna._run("handover", case, "--to", "commissie klachten", "--channel", ch.address)
        c = self.js("check", code=code)
        self.assertEqual(len(c["offers"]), 1)
        self.assertEqual(c["offers"][0]["toName"], "Commissie Klachten")
        answered = self.js("answer", code=code, accept=True)
        self.assertEqual(len(answered["readers"]), 1)
        out = self.commissie.inbox()
        self.assertIn("1 case handed to you with the reporter's consent", out)
        self.assertIn("WEB-REPORT-1 from the page", self.commissie.read(self.commissie.only_case("WEB-REPORT-1")))
        c = self.js("check", code=code)
        self.assertEqual([a["accepted"] for a in c["answers"]], [True])

        # Rotate in the page: the new code reads the conversation in both clients.
        moved = self.js("rotate", code=code)
        new_code = moved["code"]
        self.assertFalse(moved["deletedOld"])  # the conversation holds files: they stay with the old code
        self.assertTrue(moved["keptForFiles"])
        c = self.js("check", code=new_code)
        self.assertIn("WEB-REPORT-1 from the page", [m["text"] for m in c["messages"]])
        self.assertTrue(all(m["fromHistory"] for m in c["messages"]))
        old = self.js("check", code=code)
        self.assertGreater(old["movedAt"], 0)
        _, out, _ = Reporter(ch).check(code=new_code)
        self.assertIn("ANNA-REPLY-1 thank you", out)
        self.commissie.inbox()
        new_case = self.commissie.only_case("WEB-REPORT-1")
        self.commissie.reply(new_case, "COMMISSIE-AFTER-ROTATE")
        c = self.js("check", code=new_code)
        last = next(m for m in c["messages"] if m["text"] == "COMMISSIE-AFTER-ROTATE")
        self.assertTrue(last["isNew"])
        self.assertFalse(last["fromHistory"])
        self.assertEqual(c["newReplies"], 1)

    def stored(self):
        return json.loads(run([RELAY, "status", "--data", self.channel.data, "--json"])[1])["messages"]["stored"]

    def test_lost_deposit_answer_is_sent_again_and_read_once(self):
        # The relay stores the page's report but its answer is lost on the
        # way (docs/PROTOCOL.md "Deposit retries"): the page sends the same
        # bytes again, both copies are stored, every reader sees it once.
        before = self.stored()
        answer = self.js("report", whole=True, advisers=["Commissie Klachten"], text="WEB-LOST-ANSWER once",
                         loseDepositAnswers=1)
        self.assertEqual(answer["lost"], 1)
        code = answer["result"]["code"]
        self.assertEqual(self.stored() - before, 2 * 4)  # n = 3 report envelopes and the sent copy, twice
        err = self.commissie._run("inbox", "--channel", self.channel.address)[2]
        case = self.commissie.only_case("WEB-LOST-ANSWER")
        self.assertEqual(self.commissie.read(case).count("WEB-LOST-ANSWER once"), 1)
        self.assertIn("sent again after a lost answer", err)
        c = self.js("check", code=code)
        self.assertEqual([m["text"] for m in c["messages"]], ["WEB-LOST-ANSWER once"])
        _, out, _ = Reporter(self.channel).check(code=code)
        self.assertEqual(out.count("WEB-LOST-ANSWER once"), 1)

    def test_code_made_by_reporter_client_works_in_the_page(self):
        r = Reporter(self.channel)
        r.new("CLI-REPORT-1 from the terminal", to=[2])
        self.extern.inbox()
        case = self.extern.only_case("CLI-REPORT-1")
        self.extern.reply(case, "EXTERN-ANSWER")
        c = self.js("check", code=r.code)
        # Same-second letters keep the order the fetch answer gave (as in reporter-client): compare as a set.
        self.assertCountEqual([m["text"].strip() for m in c["messages"]], ["CLI-REPORT-1 from the terminal", "EXTERN-ANSWER"])
        self.js("reply", code=r.code, text="WEB-CONTINUES-CLI")
        _, out, _ = r.check()
        self.assertIn("WEB-CONTINUES-CLI", out)


if __name__ == "__main__":
    if NODE is None:
        print("test_web_client skipped: node was not found (scripts/install-deps.sh installs it)")
        sys.exit(77)
    from harness import RELAY  # noqa: E402
    if "--http" not in run([RELAY, "serve", "--help"], check=False)[1]:
        print("test_web_client skipped: this relay has no HTTP door (relay serve --http)")
        sys.exit(77)
    if not os.path.isdir(os.path.join(WEB, "node_modules", "libsodium-wrappers-sumo")):
        # The pinned library, checked against its integrity hash (web/run-tests.sh does the same).
        subprocess.run(["npm", "ci", "--ignore-scripts", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"],
                       cwd=WEB, check=True)
    unittest.main()
