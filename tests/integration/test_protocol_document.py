"""docs/PROTOCOL.md read as an implementer would, checked against what the
real binaries write (issue 15, point 8): the passphrase-file header of
section 6 (a key file must open by following the text: its size, magic and
parameter offsets), and the channel address's check, recomputed from the
document's formula with Python's hashlib and compared with `relay address`.
"""
import base64
import hashlib
import os
import re
import struct
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import Channel  # noqa: E402

PROTOCOL = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "PROTOCOL.md")


def document():
    with open(PROTOCOL, encoding="utf-8") as f:
        return f.read()


def section(text, heading):
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    return text[start:end if end >= 0 else len(text)]


def b64url(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class ProtocolDocument(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.channel = Channel(adviser_names=(("Anna de Vries", "internal"),))
        cls.doc = document()

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()

    def test_passphrase_file_header_as_documented(self):
        text = section(self.doc, "## 6. Passphrase-encrypted files")
        header = int(re.search(r"file\s+= header \((\d+)\)", text).group(1))
        self.assertIn(f"ad = header (all {header} bytes)", text)
        self.assertIn(f"≥ {header} + 16 bytes", text)
        # The organisation key file: the 64-byte Ed25519 secret key, sealed
        # with the insecure test parameters (§3: opslimit 1, memlimit 8388608).
        with open(self.channel.org_key, "rb") as f:
            sealed = f.read()
        self.assertEqual(len(sealed), header + 64 + 16, "header + plaintext + tag, as section 6 says")
        self.assertEqual(sealed[:8], b"MPBOX\x00\x00\x01")
        opslimit, memlimit = struct.unpack_from("<QQ", sealed, 8)
        self.assertEqual((opslimit, memlimit), (1, 8388608))
        # The offsets the document gives for salt and nonce end where the
        # ciphertext starts.
        offsets = dict((name, (int(size), int(offset))) for name, size, offset in
                       re.findall(r"(salt|nonce) \((\d+), offset (\d+)\)", text))
        self.assertEqual(offsets["salt"][1], 24)
        self.assertEqual(offsets["nonce"][1] + offsets["nonce"][0], header)
        # The crypto header says the same.
        with open(os.path.join(os.path.dirname(PROTOCOL), "..", "crypto", "include", "meldpunt", "crypto",
                               "passphrase_box.hpp")) as f:
            self.assertIn(f"associated data = the {header} header bytes", f.read())

    def test_channel_address_check_follows_the_document(self):
        text = section(self.doc, "## Channel address")
        domain = re.search(r'BLAKE2b-256\("([^"]+)" \|\| 0x00', text).group(1)
        for min_serial in (None, 1, 18446744073709551615):
            with self.subTest(min_serial=min_serial):
                address = self.channel.address_for(self.channel.endpoint, min_serial)
                match = re.fullmatch(r"meldpunt2:([\w-]{43})\.([\w-]{43})\.(?:(\d+)\.)?([\w-]{8})@(.+)", address)
                self.assertIsNotNone(match, address)
                relay_key, org_key, serial, check, endpoint = match.groups()
                self.assertEqual(serial, None if min_serial is None else str(min_serial))
                digest = hashlib.blake2b(domain.encode() + b"\x00" + unb64url(relay_key) + unb64url(org_key) +
                                         struct.pack("<Q", min_serial or 0) + endpoint.encode(),
                                         digest_size=32).digest()
                self.assertEqual(check, b64url(digest[:6]))
                self.assertEqual(org_key, self.channel.org_public)

    def test_every_rule_of_the_newcomer_list_is_written_down(self):
        # Statements an implementer needed and had to find by experiment.
        for needle in ("No delimiter frame", "must not set its own `ZMQ_MAXMSGSIZE`",
                       "one frame per deposited envelope", "one frame of n × 64 bytes",
                       "A client **must** keep a bundle entry only if", "any byte after the body",
                       "**Current readers**", "Only messages go into a history",
                       "new adviser appended at the end", "**New replies** (`[NEW]`)", "`--insecure-test-kdf`"):
            self.assertTrue(needle in self.doc, f"{needle!r} is not in docs/PROTOCOL.md")
        # "Whom to write to next" has one definition; the rest refer to it.
        self.assertNotIn("whom to write to next", self.doc.lower())
        self.assertNotIn("newest sent copy", self.doc)


if __name__ == "__main__":
    unittest.main()
