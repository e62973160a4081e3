#!/usr/bin/env python3
"""Screenshots of the reporter page in English and Dutch for the docs
(docs/images/web-*.png), taken in headless Chromium against a real relay
with its HTTP door, a signpost and an adviser's reply.

    MELDPUNT_BIN_DIR=build/werror/bin /usr/bin/python3 tests/tools/web_screenshots.py

(MELDPUNT_WEB_ROOT defaults to the bin folder's ../web.)
"""
import base64
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from webpage import need_browser  # noqa: E402

need_browser()

from harness import PARLIAMENT_SIGNPOST  # noqa: E402
from webpage import Browser, WebChannel, choose, report  # noqa: E402

OUT = os.path.join(HERE, "..", "..", "docs", "images")
SIGNPOST = PARLIAMENT_SIGNPOST
TEXT = {
    "en": ("During the meeting on Tuesday my manager made remarks about my appearance again, in front of "
           "the whole team. It has happened before. I would like to talk about what I can do.",
           "Thank you for writing. Everything you tell me stays confidential. Could we talk by phone on "
           "Thursday? Tell me here which time suits you."),
    "nl": ("Tijdens het overleg op dinsdag maakte mijn leidinggevende weer opmerkingen over mijn uiterlijk, "
           "waar het hele team bij was. Het is eerder gebeurd. Ik wil graag bespreken wat ik kan doen.",
           "Dank je voor je bericht. Alles wat je me vertelt blijft vertrouwelijk. Kunnen we donderdag "
           "bellen? Laat hier weten welk tijdstip je past."),
}


class SignpostChannel(WebChannel):
    signpost = SIGNPOST


def shot(b, name):
    png = b.driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
    path = os.path.join(OUT, f"web-{name}.png")
    with open(path, "wb") as f:
        f.write(base64.b64decode(png["data"]))
    print(path)


def main():
    os.makedirs(OUT, exist_ok=True)
    ch = SignpostChannel(adviser_names=(("Anna de Vries", "internal"), ("Bureau Extern", "external"),
                                        ("Klachtencommissie", "committee")))
    try:
        anna = ch.advisers[0]
        for lang, browser_lang in (("en", "en-GB"), ("nl", "nl-NL")):
            b = Browser(browser_lang, width=820, height=900)
            try:
                b.driver.get(ch.origin + "/")
                b.screen("s-intro", 60)
                b.wait(lambda: b.el("web-hash").get_attribute("data-hash"), 60, "web hash")
                shot(b, f"{lang}-1-start")
                b.click("go-new")
                b.screen("s-choose")
                from selenium.webdriver.support.ui import Select
                Select(b.el("sp-group")).select_by_value("civil-service")
                Select(b.el("sp-kind")).select_by_value("unwanted")
                choose(b, ["Anna de Vries"])
                shot(b, f"{lang}-2-choose")
                b.click("choose-back")
                b.screen("s-intro")
                code = report(b, ["Anna de Vries"], TEXT[lang][0], before_send=lambda: shot(b, f"{lang}-3-code"))
                anna.inbox()
                case = anna.only_case(TEXT[lang][0][:40])
                anna.reply(case, TEXT[lang][1])
                b.click("sent-home")
                b.screen("s-intro")
                b.click("go-check")
                b.screen("s-check")
                b.type("check-code", code)
                b.click("check-go")
                b.screen("s-conversation", 240)
                shot(b, f"{lang}-4-conversation")
            finally:
                b.close()
        # A phone-sized start screen.
        b = Browser("en-GB", width=390, height=844)
        try:
            b.driver.get(ch.origin + "/")
            b.screen("s-intro", 60)
            b.wait(lambda: b.el("web-hash").get_attribute("data-hash"), 60, "web hash")
            shot(b, "en-phone")
        finally:
            b.close()
    finally:
        ch.close()


if __name__ == "__main__":
    main()
