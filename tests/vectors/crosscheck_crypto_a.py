#!/usr/bin/env python3
"""Independent cross-check of the meldpunt crypto known-answer vectors.

Recomputes every value in code.txt, derive.txt, sign.txt and directory.txt
from the documented formulas (docs/PROTOCOL.md) without the C++
code, opens the version 2 envelope of envelope.txt (written by
crosscheck_crypto_b.py) the way an adviser would and checks its
intermediates, and fails loudly on any difference:

  - GF(32) check symbols: found by exhaustive search over all 32 x 32
    candidates (not the closed-form solution the C++ code uses);
  - BLAKE2b salt and crypto_kdf subkeys: Python's hashlib.blake2b (crypto_kdf
    is BLAKE2b with key = master, salt = subkey id as u64 LE || 8 zero bytes,
    personal = context || 8 zero bytes);
  - X25519 base point multiplication and ristretto255 (scalar reduction and
    point encoding, RFC 9496): pure Python big-integer code below;
  - Argon2id and Ed25519: PyNaCl (Debian package python3-nacl).

Run: python3 tests/vectors/crosscheck_crypto_a.py   (exit status 0 = all match)
"""
import base64
import hashlib
import os
import struct
import sys

import nacl.bindings
import nacl.signing

HERE = os.path.dirname(os.path.abspath(__file__))


def load(name):
    values = {}
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            key, sep, value = line.partition(" =")
            assert sep, f"{name}: bad line {line!r}"
            values[key] = value[1:] if value.startswith(" ") else value
    return values


FAILURES = []


def check(label, expected, actual):
    if expected != actual:
        FAILURES.append(label)
        print(f"MISMATCH {label}:\n  file     {expected}\n  computed {actual}")
    else:
        print(f"ok  {label}")


# ---------------------------------------------------------------- GF(32) code
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def gf_mul(a, b):
    r = 0
    while b:
        if b & 1:
            r ^= a
        b >>= 1
        a <<= 1
        if a & 0x20:
            a ^= 0x25  # x^5 + x^2 + 1
    return r


def alpha_pow(i):
    r = 1
    for _ in range(i):
        r = gf_mul(r, 2)
    return r


def syndromes(c):
    s1 = s2 = 0
    for i, v in enumerate(c):
        s1 ^= v
        s2 ^= gf_mul(alpha_pow(i), v)
    return s1, s2


def code_from_data(data):
    found = [(a, b) for a in range(32) for b in range(32) if syndromes(list(data) + [a, b]) == (0, 0)]
    assert len(found) == 1, "check symbols must be unique"
    symbols = "".join(ALPHABET[v] for v in list(data) + list(found[0]))
    return "-".join(symbols[i:i + 4] for i in range(0, 24, 4))


# ------------------------------------------------------ curve25519 arithmetic
P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = (-121665 * pow(121666, -1, P)) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def x25519_base(k_bytes):
    return x25519(k_bytes, (9).to_bytes(32, "little"))


def x25519(k_bytes, u_bytes):
    k = bytearray(k_bytes)
    k[0] &= 248
    k[31] &= 127
    k[31] |= 64
    k = int.from_bytes(k, "little")
    u = int.from_bytes(u_bytes, "little") & ((1 << 255) - 1)
    x1, x2, z2, x3, z3, swap = u, 1, 0, u, 1, 0
    for t in reversed(range(255)):
        bit = (k >> t) & 1
        swap ^= bit
        if swap:
            x2, x3, z2, z3 = x3, x2, z3, z2
        swap = bit
        a, b = (x2 + z2) % P, (x2 - z2) % P
        aa, bb = a * a % P, b * b % P
        e = (aa - bb) % P
        c, d = (x3 + z3) % P, (x3 - z3) % P
        da, cb = d * a % P, c * b % P
        x3 = (da + cb) ** 2 % P
        z3 = x1 * (da - cb) ** 2 % P
        x2 = aa * bb % P
        z2 = e * (aa + 121665 * e) % P
    if swap:
        x2, z2 = x3, z3
    return (x2 * pow(z2, P - 2, P) % P).to_bytes(32, "little")


def ed_add(p, q):  # extended coordinates, a = -1
    x1, y1, z1, t1 = p
    x2, y2, z2, t2 = q
    a = (y1 - x1) * (y2 - x2) % P
    b = (y1 + x1) * (y2 + x2) % P
    c = 2 * D * t1 * t2 % P
    d = 2 * z1 * z2 % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def ed_mul(k, p):
    r = (0, 1, 1, 0)
    while k:
        if k & 1:
            r = ed_add(r, p)
        p = ed_add(p, p)
        k >>= 1
    return r


BY = 4 * pow(5, P - 2, P) % P
BX = pow((BY * BY - 1) * pow(D * BY * BY + 1, P - 2, P), (P + 3) // 8, P)
if (BX * BX - (BY * BY - 1) * pow(D * BY * BY + 1, P - 2, P)) % P != 0:
    BX = BX * SQRT_M1 % P
if BX & 1:
    BX = P - BX
BASE = (BX, BY, 1, BX * BY % P)


def is_negative(x):
    return x % P & 1


def ct_abs(x):
    x %= P
    return P - x if is_negative(x) else x


def sqrt_ratio_m1(u, v):
    r = (u * pow(v, 3, P)) * pow(u * pow(v, 7, P), (P - 5) // 8, P) % P
    check_ = v * r * r % P
    correct = check_ == u % P
    flipped = check_ == (-u) % P
    flipped_i = check_ == (-u) * SQRT_M1 % P
    if flipped or flipped_i:
        r = r * SQRT_M1 % P
    return correct or flipped, ct_abs(r)


INVSQRT_A_MINUS_D = sqrt_ratio_m1(1, (-1 - D) % P)[1]


def ristretto_encode(pt):
    x0, y0, z0, t0 = pt
    u1 = (z0 + y0) * (z0 - y0) % P
    u2 = x0 * y0 % P
    _, invsqrt = sqrt_ratio_m1(1, u1 * u2 * u2 % P)
    den1, den2 = invsqrt * u1 % P, invsqrt * u2 % P
    z_inv = den1 * den2 * t0 % P
    ix0, iy0 = x0 * SQRT_M1 % P, y0 * SQRT_M1 % P
    enchanted = den1 * INVSQRT_A_MINUS_D % P
    rotate = is_negative(t0 * z_inv)
    x, y = (iy0, ix0) if rotate else (x0, y0)
    den_inv = enchanted if rotate else den2
    if is_negative(x * z_inv):
        y = -y
    return ct_abs(den_inv * (z0 - y)).to_bytes(32, "little")


# Self-test against the RFC 9496 encoding of the base point.
assert ristretto_encode(BASE).hex() == \
    "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76"
assert x25519_base(bytes([9] + [0] * 31)).hex() == \
    "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079"  # RFC 7748 round 1


# ------------------------------------------------------------------ vectors
def crosscheck_code():
    v = load("code.txt")
    for n in range(1, 100):
        if f"code{n}.data" not in v:
            break
        check(f"code{n}.display", v[f"code{n}.display"], code_from_data(bytes.fromhex(v[f"code{n}.data"])))


def kdf(master, length, subkey_id, ctx):
    return hashlib.blake2b(b"", digest_size=length, key=master,
                           salt=struct.pack("<Q", subkey_id) + bytes(8),
                           person=ctx + bytes(8)).digest()


def crosscheck_derive():
    v = load("derive.txt")
    ops, mem = int(v["opslimit"]), int(v["memlimit"])
    org_pk = nacl.signing.SigningKey(bytes.fromhex(v["org_seed"])).verify_key.encode()
    check("derive org_sign_pk", v["org_sign_pk"], org_pk.hex())
    salt = hashlib.blake2b(b"meldpunt/v1/code-salt" + org_pk, digest_size=16).digest()
    check("derive salt", v["salt"], salt.hex())
    for case in ("a", "b"):
        code = v[f"{case}.code"]
        canonical = code.replace("-", "").encode()
        master = nacl.bindings.crypto_pwhash_alg(32, canonical, salt, ops, mem,
                                                 nacl.bindings.crypto_pwhash_ALG_ARGON2ID13)
        check(f"derive {case}.master", v[f"{case}.master"], master.hex())
        message_sk = kdf(master, 32, 1, b"MPreport")
        check(f"derive {case}.message_sk", v[f"{case}.message_sk"], message_sk.hex())
        check(f"derive {case}.message_pk", v[f"{case}.message_pk"], x25519_base(message_sk).hex())
        fetch_scalar = int.from_bytes(kdf(master, 64, 2, b"MPreport"), "little") % L
        check(f"derive {case}.fetch_sk", v[f"{case}.fetch_sk"], fetch_scalar.to_bytes(32, "little").hex())
        check(f"derive {case}.fetch_pk", v[f"{case}.fetch_pk"],
              ristretto_encode(ed_mul(fetch_scalar, BASE)).hex())


def crosscheck_sign():
    v = load("sign.txt")
    key = nacl.signing.SigningKey(bytes.fromhex(v["seed"]))
    check("sign pk", v["pk"], key.verify_key.encode().hex())
    for n in range(1, 100):
        if f"sig{n}.domain" not in v:
            break
        signed = v[f"sig{n}.domain"].encode() + b"\x00" + bytes.fromhex(v[f"sig{n}.message"])
        check(f"sig{n}.signature", v[f"sig{n}.signature"], key.sign(signed).signature.hex())


def text_field(s):
    b = s.encode("utf-8")
    return struct.pack("<H", len(b)) + b


def entry_bytes(v, p):
    return (bytes.fromhex(v[p + "id"]) + bytes([int(v[p + "role"])]) + text_field(v[p + "name"])
            + text_field(v[p + "description_nl"]) + text_field(v[p + "description_en"])
            + bytes.fromhex(v[p + "sign_pk"]) + bytes.fromhex(v[p + "message_pk"])
            + bytes.fromhex(v[p + "fetch_pk"]))


def crosscheck_directory():
    v = load("directory.txt")
    org = nacl.signing.SigningKey(bytes.fromhex(v["org_seed"]))
    check("directory org_sign_pk", v["org_sign_pk"], org.verify_key.encode().hex())
    count = int(v["count"])
    body = (b"MPDIR\x00\x00\x01" + org.verify_key.encode() + struct.pack("<Q", int(v["serial"]))
            + struct.pack("<H", count))
    for i in range(1, count + 1):
        body += entry_bytes(v, f"entry{i}.")
    signed = body + org.sign(b"meldpunt/v1/directory\x00" + body).signature
    check("directory signed", v["signed"], signed.hex())

    adviser = nacl.signing.SigningKey(bytes.fromhex(v["card.adviser_seed"]))
    check("card adviser sign_pk", v["entry1.sign_pk"], adviser.verify_key.encode().hex())
    entry = entry_bytes(v, "entry1.")
    card_bytes = entry + adviser.sign(b"meldpunt/v1/card\x00" + entry).signature
    card = "mpcard1." + base64.urlsafe_b64encode(card_bytes).decode().rstrip("=")
    check("card", v["card"], card)


def blake2b256(data, key=b""):
    return hashlib.blake2b(data, digest_size=32, key=key).digest()


def crosscheck_envelope_v2():
    """Opens v2_envelope as the adviser does (PROTOCOL.md, "Opening"): the
    header names the prekeys by id, k_body binds both prekey DHs."""
    v = {k: bytes.fromhex(x) for k, x in load("envelope.txt").items()}
    env = v["v2_envelope"]
    check("v2 version byte", "02", env[:1].hex())
    e_pk, header, body = env[1:33], env[33:81], env[81:]
    recipient_pk = x25519_base(v["recipient_sk"])
    medium_pk, onetime_pk = x25519_base(v["medium_sk"]), x25519_base(v["prekey_sk"])
    check("v2 medium_pk", v["medium_pk"].hex(), medium_pk.hex())
    dh_static = x25519(v["recipient_sk"], e_pk)
    k_header = blake2b256(b"meldpunt/v2/env-header" + e_pk + recipient_pk, key=dh_static)
    check("v2_k_header", v["v2_k_header"].hex(), k_header.hex())
    nonce = bytes(24)
    ids = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(header, env[:33], nonce, k_header)
    check("v2 header ids", (onetime_pk[:16] + medium_pk[:16]).hex(), ids.hex())
    dh_medium = x25519(v["medium_sk"], e_pk)
    dh_onetime = x25519(v["prekey_sk"], e_pk)
    check("v2_dh_medium", v["v2_dh_medium"].hex(), dh_medium.hex())
    k_body = blake2b256(b"meldpunt/v2/env-body" + dh_medium + dh_onetime + e_pk + recipient_pk + medium_pk
                        + onetime_pk, key=dh_static)
    check("v2_k_body", v["v2_k_body"].hex(), k_body.hex())
    inner = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(body, env[:81], nonce, k_body)
    sender_pk, auth, padded = inner[:32], inner[32:64], inner[64:]
    check("v2 sender_pk", v["sender_pk"].hex(), sender_pk.hex())
    payload = padded.rstrip(b"\x00")
    check("v2 padding marker", "80", payload[-1:].hex())
    check("v2 payload", v["payload"].hex(), payload[:-1].hex())
    dh_auth = x25519(v["recipient_sk"], sender_pk)
    check("v2 auth", auth.hex(),
          blake2b256(b"meldpunt/v1/env-auth" + e_pk + recipient_pk + blake2b256(padded), key=dh_auth).hex())
    # Without the one-time prekey: its DH and key are zero, its id is zero.
    k_body_m = blake2b256(b"meldpunt/v2/env-body" + dh_medium + bytes(32) + e_pk + recipient_pk + medium_pk
                          + bytes(32), key=dh_static)
    check("v2_medium_only_k_body", v["v2_medium_only_k_body"].hex(), k_body_m.hex())
    header_m = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(bytes(16) + medium_pk[:16],
                                                                        b"\x02" + e_pk, nonce, k_header)
    check("v2_medium_only_header", v["v2_medium_only_header"].hex(), header_m.hex())


if __name__ == "__main__":
    crosscheck_code()
    crosscheck_derive()
    crosscheck_sign()
    crosscheck_directory()
    crosscheck_envelope_v2()
    if FAILURES:
        print(f"{len(FAILURES)} mismatch(es)")
        sys.exit(1)
    print("all vectors match")
