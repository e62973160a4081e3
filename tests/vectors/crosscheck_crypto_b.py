#!/usr/bin/python3
"""Independent cross-check of the envelope and clue known-answer vectors.

Recomputes tests/vectors/envelope.txt and tests/vectors/clue.txt from fixed
inputs with an implementation that shares no code with crypto/src:
  - X25519 and XChaCha20-Poly1305-IETF from PyNaCl (Debian: python3-nacl),
  - BLAKE2b from Python's hashlib,
  - ISO/IEC 7816-4 padding written out here,
  - ristretto255 written out here from RFC 9496 (PyNaCl 1.5 has no
    ristretto255 bindings), checked against the RFC's generator multiples.

  /usr/bin/python3 crosscheck_crypto_b.py          compare with the files (exit 1 on mismatch)
  /usr/bin/python3 crosscheck_crypto_b.py --write  (re)write the files

The C++ test suite ("[crypto][envelope]", "[crypto][clue]") compares
crypto/src's output with the same files byte for byte, so the two
implementations agree exactly when both pass.
"""

import hashlib
import os
import sys

import nacl.bindings as nb

HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------- helpers


def blake2b256(data, key=b""):
    return hashlib.blake2b(data, key=key, digest_size=32).digest()


def iso7816_pad(payload, padded_len):
    assert len(payload) < padded_len
    return payload + b"\x80" + b"\x00" * (padded_len - len(payload) - 1)


# ------------------------------------------------------ ristretto255 (RFC 9496)

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = (-121665 * pow(121666, P - 2, P)) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def inv(x):
    return pow(x, P - 2, P)


def is_neg(x):
    return (x % P) & 1


def ct_abs(x):
    x %= P
    return (P - x) % P if is_neg(x) else x


def sqrt_ratio_m1(u, v):
    u %= P
    v %= P
    r = (u * pow(v, 3, P)) * pow(u * pow(v, 7, P), (P - 5) // 8, P) % P
    check = v * r * r % P
    correct = check == u
    flipped = check == (-u) % P
    flipped_i = check == (-u * SQRT_M1) % P
    if flipped or flipped_i:
        r = r * SQRT_M1 % P
    return (correct or flipped), ct_abs(r)


_, INVSQRT_A_MINUS_D = sqrt_ratio_m1(1, (-1 - D) % P)


def edwards_add(p1, p2):
    (x1, y1), (x2, y2) = p1, p2
    t = D * x1 * x2 * y1 * y2 % P
    return ((x1 * y2 + y1 * x2) * inv(1 + t) % P, (y1 * y2 + x1 * x2) * inv(1 - t) % P)


def edwards_mul(n, pt):
    acc = (0, 1)
    while n:
        if n & 1:
            acc = edwards_add(acc, pt)
        pt = edwards_add(pt, pt)
        n >>= 1
    return acc


def ristretto_decode(b):
    s = int.from_bytes(b, "little")
    if s >= P or is_neg(s):
        return None
    ss = s * s % P
    u1 = (1 - ss) % P
    u2 = (1 + ss) % P
    u2_sqr = u2 * u2 % P
    v = (-(D * u1 * u1) - u2_sqr) % P
    was_square, invsqrt = sqrt_ratio_m1(1, v * u2_sqr)
    den_x = invsqrt * u2 % P
    den_y = invsqrt * den_x * v % P
    x = ct_abs(2 * s * den_x)
    y = u1 * den_y % P
    t = x * y % P
    if not was_square or is_neg(t) or y == 0:
        return None
    return (x, y)


def ristretto_encode(pt):
    x0, y0 = pt
    z0, t0 = 1, x0 * y0 % P
    u1 = (z0 + y0) * (z0 - y0) % P
    u2 = x0 * y0 % P
    _, invsqrt = sqrt_ratio_m1(1, u1 * u2 * u2)
    den1 = invsqrt * u1 % P
    den2 = invsqrt * u2 % P
    z_inv = den1 * den2 * t0 % P
    rotate = is_neg(t0 * z_inv)
    x, y = (y0 * SQRT_M1 % P, x0 * SQRT_M1 % P) if rotate else (x0, y0)
    den_inv = den1 * INVSQRT_A_MINUS_D % P if rotate else den2
    if is_neg(x * z_inv):
        y = (-y) % P
    s = ct_abs(den_inv * (z0 - y))
    return s.to_bytes(32, "little")


def _base_point():
    y = 4 * inv(5) % P
    x2 = (y * y - 1) * inv(D * y * y + 1) % P
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P != 0:
        x = x * SQRT_M1 % P
    if is_neg(x):
        x = P - x
    return (x, y)


BASE = _base_point()


def ristretto_scalarmult(scalar_bytes, point_bytes):
    """libsodium's crypto_scalarmult_ristretto255: None for an invalid point or identity."""
    pt = ristretto_decode(point_bytes)
    if pt is None:
        return None
    n = int.from_bytes(scalar_bytes, "little") & ((1 << 255) - 1)
    out = ristretto_encode(edwards_mul(n, pt))
    return None if out == bytes(32) else out


def ristretto_base(scalar_bytes):
    return ristretto_scalarmult(scalar_bytes, ristretto_encode(BASE))


def self_test_ristretto():
    # RFC 9496, appendix A.1: encodings of 0*B .. 3*B.
    expected = [
        "0000000000000000000000000000000000000000000000000000000000000000",
        "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76",
        "6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919",
        "94741f5d5d52755ece4f23f044ee27d5d1ea1e2bd196b462166b16152a9d0259",
    ]
    for i, hx in enumerate(expected):
        enc = ristretto_encode(edwards_mul(i, BASE))
        assert enc.hex() == hx, (i, enc.hex())
        assert ristretto_decode(enc) is not None
    # A negative (odd) encoding and a non-canonical one are rejected.
    assert ristretto_decode(bytes([1]) + bytes(31)) is None
    assert ristretto_decode(b"\xff" * 32) is None


# ---------------------------------------------------------------- envelope

ENV_SIZES = (4096, 32768, 262144)
ENV_OVERHEAD = 161


def seal_envelope(sender_sk, sender_pk, recipient_pk, prekey_pk, ephemeral_sk, payload, trace):
    size = next(s for s in ENV_SIZES if len(payload) <= s - ENV_OVERHEAD - 1)
    version = b"\x01"
    e_pk = nb.crypto_scalarmult_base(ephemeral_sk)
    dh_static = nb.crypto_scalarmult(ephemeral_sk, recipient_pk)
    dh_prekey = nb.crypto_scalarmult(ephemeral_sk, prekey_pk) if prekey_pk else bytes(32)
    prekey_field = prekey_pk if prekey_pk else bytes(32)
    nonce = bytes(24)
    k_header = blake2b256(b"meldpunt/v1/env-header" + e_pk + recipient_pk, key=dh_static)
    header = nb.crypto_aead_xchacha20poly1305_ietf_encrypt(prekey_field, version + e_pk, nonce, k_header)
    k_body = blake2b256(b"meldpunt/v1/env-body" + dh_prekey + e_pk + recipient_pk + prekey_field,
                        key=dh_static)
    padded = iso7816_pad(payload, size - ENV_OVERHEAD)
    dh_auth = nb.crypto_scalarmult(sender_sk, recipient_pk)
    padded_hash = blake2b256(padded)
    auth = blake2b256(b"meldpunt/v1/env-auth" + e_pk + recipient_pk + padded_hash, key=dh_auth)
    inner = sender_pk + auth + padded
    body = nb.crypto_aead_xchacha20poly1305_ietf_encrypt(inner, version + e_pk + header, nonce, k_body)
    envelope = version + e_pk + header + body
    assert len(envelope) == size
    trace.update(ephemeral_pk=e_pk, dh_static=dh_static, dh_prekey=dh_prekey, k_header=k_header,
                 header=header, k_body=k_body, dh_auth=dh_auth, padded_hash=padded_hash, auth=auth)
    return envelope


def seal_envelope_v2(sender_sk, sender_pk, recipient_pk, onetime_pk, medium_pk, ephemeral_sk, payload, trace):
    """Version 2: the medium-term prekey and, if given, a one-time prekey (docs/PROTOCOL.md)."""
    size = next(s for s in ENV_SIZES if len(payload) <= s - ENV_OVERHEAD - 1)
    version = b"\x02"
    e_pk = nb.crypto_scalarmult_base(ephemeral_sk)
    dh_static = nb.crypto_scalarmult(ephemeral_sk, recipient_pk)
    dh_medium = nb.crypto_scalarmult(ephemeral_sk, medium_pk) if medium_pk else bytes(32)
    dh_onetime = nb.crypto_scalarmult(ephemeral_sk, onetime_pk) if onetime_pk else bytes(32)
    medium_field = medium_pk if medium_pk else bytes(32)
    onetime_field = onetime_pk if onetime_pk else bytes(32)
    ids = onetime_field[:16] + medium_field[:16]
    nonce = bytes(24)
    k_header = blake2b256(b"meldpunt/v2/env-header" + e_pk + recipient_pk, key=dh_static)
    header = nb.crypto_aead_xchacha20poly1305_ietf_encrypt(ids, version + e_pk, nonce, k_header)
    k_body = blake2b256(b"meldpunt/v2/env-body" + dh_medium + dh_onetime + e_pk + recipient_pk
                        + medium_field + onetime_field, key=dh_static)
    padded = iso7816_pad(payload, size - ENV_OVERHEAD)
    dh_auth = nb.crypto_scalarmult(sender_sk, recipient_pk)
    auth = blake2b256(b"meldpunt/v1/env-auth" + e_pk + recipient_pk + blake2b256(padded), key=dh_auth)
    inner = sender_pk + auth + padded
    body = nb.crypto_aead_xchacha20poly1305_ietf_encrypt(inner, version + e_pk + header, nonce, k_body)
    envelope = version + e_pk + header + body
    assert len(envelope) == size
    trace.update(dh_medium=dh_medium, k_header=k_header, header=header, k_body=k_body, tag=body[-16:])
    return envelope


def envelope_vectors():
    v = {}
    v["sender_sk"] = bytes(range(0x01, 0x21))
    v["recipient_sk"] = bytes(range(0x21, 0x41))
    v["prekey_sk"] = bytes(range(0x41, 0x61))
    v["ephemeral_sk"] = bytes(range(0x61, 0x81))
    v["sender_pk"] = nb.crypto_scalarmult_base(v["sender_sk"])
    v["recipient_pk"] = nb.crypto_scalarmult_base(v["recipient_sk"])
    v["prekey_pk"] = nb.crypto_scalarmult_base(v["prekey_sk"])
    v["payload"] = b"Melding: de testmachine in hal 3 wordt niet gekeurd."
    trace = {}
    v["envelope"] = seal_envelope(v["sender_sk"], v["sender_pk"], v["recipient_pk"], v["prekey_pk"],
                                  v["ephemeral_sk"], v["payload"], trace)
    for name in ("ephemeral_pk", "dh_static", "dh_prekey", "k_header", "header", "k_body", "dh_auth",
                 "padded_hash", "auth"):
        v[name] = trace[name]
    trace2 = {}
    v["envelope_no_prekey"] = seal_envelope(v["sender_sk"], v["sender_pk"], v["recipient_pk"], None,
                                            v["ephemeral_sk"], v["payload"], trace2)
    v["k_body_no_prekey"] = trace2["k_body"]
    # Version 2: the same inputs plus a medium-term prekey.
    v["medium_sk"] = bytes(range(0x81, 0xa1))
    v["medium_pk"] = nb.crypto_scalarmult_base(v["medium_sk"])
    trace3 = {}
    v["v2_envelope"] = seal_envelope_v2(v["sender_sk"], v["sender_pk"], v["recipient_pk"], v["prekey_pk"],
                                        v["medium_pk"], v["ephemeral_sk"], v["payload"], trace3)
    v["v2_dh_medium"] = trace3["dh_medium"]
    v["v2_k_header"] = trace3["k_header"]
    v["v2_header"] = trace3["header"]
    v["v2_k_body"] = trace3["k_body"]
    trace4 = {}
    seal_envelope_v2(v["sender_sk"], v["sender_pk"], v["recipient_pk"], None, v["medium_pk"],
                     v["ephemeral_sk"], v["payload"], trace4)
    v["v2_medium_only_header"] = trace4["header"]
    v["v2_medium_only_k_body"] = trace4["k_body"]
    v["v2_medium_only_tag"] = trace4["tag"]
    return v


# ------------------------------------------------------------------- clues


def clue_key(r_point, t_point):
    return blake2b256(b"meldpunt/v1/clue" + r_point + t_point)


def clue_vectors():
    v = {}
    # Scalars below the group order L (top byte 0x0?), so any implementation
    # reads them the same way.
    v["fetch_sk"] = bytes(range(0x11, 0x30)) + b"\x05"
    v["fetch_pk"] = ristretto_base(v["fetch_sk"])
    v["x"] = bytes(range(0x31, 0x50)) + b"\x06"
    v["r"] = bytes(range(0x51, 0x70)) + b"\x07"
    v["id"] = bytes.fromhex("00112233445566778899aabbccddeeff")
    big_x = ristretto_base(v["x"])
    big_z = ristretto_scalarmult(v["x"], v["fetch_pk"])
    v["clue"] = big_x + big_z
    big_r = ristretto_scalarmult(v["r"], big_x)
    big_t = ristretto_scalarmult(v["r"], big_z)
    k = clue_key(big_r, big_t)
    v["entry_r"] = big_r
    v["entry_t"] = big_t
    v["entry_k"] = k
    v["entry"] = big_r + k[:16] + bytes(a ^ b for a, b in zip(v["id"], k[16:]))
    # The recipient's view: T' = s*R equals T.
    assert ristretto_scalarmult(v["fetch_sk"], big_r) == big_t
    v["delete_token"] = bytes(range(0xa0, 0xc0))
    v["delete_verifier"] = blake2b256(b"meldpunt/v1/delete" + v["delete_token"])
    return v


# -------------------------------------------------------------------- files


def render(title, vectors):
    lines = ["# " + line for line in title.strip().splitlines()]
    lines += ["%s = %s" % (name, value.hex()) for name, value in vectors.items()]
    return "\n".join(lines) + "\n"


ENV_TITLE = """
Envelope known-answer vectors (docs/PROTOCOL.md), one `name = hex` per line.
Written by tests/vectors/crosscheck_crypto_b.py; checked byte for byte by tests/test_crypto_envelope.cpp.
envelope: the inputs sealed with prekey_pk as a version 1 envelope (opened, no longer sealed);
envelope_no_prekey: the same inputs without a prekey (version 1).
The values up to k_body_no_prekey are intermediates of the version 1 envelopes, for readers and implementers.
v2_envelope: version 2, sealed with prekey_pk (one-time) and medium_pk (medium-term), with its
intermediates; v2_medium_only_*: the same inputs without the one-time prekey (header, k_body, body tag).
"""

CLUE_TITLE = """
Clue known-answer vectors (docs/PROTOCOL.md), one `name = hex` per line.
Written by tests/vectors/crosscheck_crypto_b.py; checked byte for byte by tests/test_crypto_clue.cpp.
clue = make_clue(fetch_pk) with scalar x; entry = blind_clue(clue, id) with scalar r;
entry_r, entry_t, entry_k are R, T and k of that entry.
"""


def main():
    self_test_ristretto()
    files = {
        "envelope.txt": render(ENV_TITLE, envelope_vectors()),
        "clue.txt": render(CLUE_TITLE, clue_vectors()),
    }
    write = "--write" in sys.argv[1:]
    failed = False
    for name, text in files.items():
        path = os.path.join(HERE, name)
        if write:
            with open(path, "w") as f:
                f.write(text)
            print("wrote", path)
            continue
        with open(path) as f:
            current = f.read()
        if current == text:
            print("ok", name)
        else:
            failed = True
            print("MISMATCH", name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
