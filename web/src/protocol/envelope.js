// Envelopes (docs/PROTOCOL.md Part 2 "Envelopes"): seal version 2 for a
// reporter -> adviser letter (to the adviser's message key, its current
// medium-term prekey and, while the relay has one, a one-time prekey), and
// open what a reporter receives (adviser replies: no prekeys; version 1 is
// still opened, as the C++ code does).
import { sodium, wipe } from './sodium.js';
import { ascii, concat, equalBytes } from './bytes.js';
import { fail, KIND } from './errors.js';

export const SIZE_CLASSES = Object.freeze([4096, 32768, 262144]);
export const OVERHEAD = 161;
export const MAX_PAYLOAD = 262144 - OVERHEAD - 1; // 261982

const NONCE = new Uint8Array(24); // every AEAD key is used once (fresh e)
const ZERO32 = new Uint8Array(32);
const D = {
  header2: ascii('meldpunt/v2/env-header'),
  body2: ascii('meldpunt/v2/env-body'),
  header1: ascii('meldpunt/v1/env-header'),
  body1: ascii('meldpunt/v1/env-body'),
  auth: ascii('meldpunt/v1/env-auth'),
};

/** Smallest size class whose capacity (N - 162) holds the payload. */
export function sizeClassFor(payloadLength) {
  for (const n of SIZE_CLASSES) if (payloadLength <= n - OVERHEAD - 1) return n;
  return fail(KIND.tooLarge, 'payload too large for an envelope');
}

function dh(sk, pk, kind) {
  try {
    return sodium.crypto_scalarmult(sk, pk); // throws on an all-zero result
  } catch {
    return fail(kind, 'key agreement with a low-order key');
  }
}

const H = (key, ...parts) => sodium.crypto_generichash(32, concat(...parts), key);

function authTag(dhAuth, ePk, recipientPk, padded) {
  const paddedHash = sodium.crypto_generichash(32, padded, null);
  return H(dhAuth, D.auth, ePk, recipientPk, paddedHash);
}

function pad(payload, blockSize) {
  const padded = new Uint8Array(blockSize);
  padded.set(payload);
  padded[payload.length] = 0x80;
  return padded;
}

/**
 * Deterministic core of sealEnvelope (ephemeral secret given), exported for
 * the known-answer vectors only.
 */
export function sealEnvelopeWithEphemeral(sender, recipientPk, prekeys, payload, e, minSize = 0) {
  const { mediumPk = null, onetimePk = null } = prekeys;
  const n = Math.max(sizeClassFor(payload.length), minSize);
  if (!SIZE_CLASSES.includes(n)) fail(KIND.malformed, 'not an envelope size class');
  const secrets = [];
  try {
    const ePk = sodium.crypto_scalarmult_base(e);
    const dhStatic = dh(e, recipientPk, KIND.malformed); secrets.push(dhStatic);
    const dhMedium = mediumPk ? dh(e, mediumPk, KIND.malformed) : new Uint8Array(32); secrets.push(dhMedium);
    const dhOnetime = onetimePk ? dh(e, onetimePk, KIND.malformed) : new Uint8Array(32); secrets.push(dhOnetime);
    const mediumField = mediumPk ?? ZERO32;
    const onetimeField = onetimePk ?? ZERO32;
    const version = Uint8Array.of(2);
    const ids = concat(onetimeField.subarray(0, 16), mediumField.subarray(0, 16));
    const kHeader = H(dhStatic, D.header2, ePk, recipientPk); secrets.push(kHeader);
    const header = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(ids, concat(version, ePk), null, NONCE, kHeader);
    const kBody = H(dhStatic, D.body2, dhMedium, dhOnetime, ePk, recipientPk, mediumField, onetimeField);
    secrets.push(kBody);
    const padded = pad(payload, n - OVERHEAD); secrets.push(padded);
    const dhAuth = dh(sender.secretKey, recipientPk, KIND.malformed); secrets.push(dhAuth);
    const auth = authTag(dhAuth, ePk, recipientPk, padded);
    const inner = concat(sender.publicKey, auth, padded); secrets.push(inner);
    const body = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(inner, concat(version, ePk, header), null, NONCE,
      kBody);
    return concat(version, ePk, header, body);
  } finally {
    wipe(...secrets);
  }
}

/**
 * Seals payload (a letter) from sender { secretKey, publicKey } (X25519) to
 * recipientPk with prekeys { mediumPk, onetimePk } (either may be null; a
 * letter to an adviser always has mediumPk, §5.1), in the smallest size
 * class that holds it and is at least minSize (padded deposits).
 */
export function sealEnvelope(sender, recipientPk, prekeys, payload, minSize = 0) {
  const e = sodium.randombytes_buf(32);
  try {
    return sealEnvelopeWithEphemeral(sender, recipientPk, prekeys, payload, e, minSize);
  } finally {
    wipe(e);
  }
}

/**
 * A letter to an adviser (§5.1): sealed to the adviser's message key, its
 * current medium-term prekey (required: never to the long-term key alone)
 * and the one-time prekey when the relay still had one. The prekeys must
 * come from readPrekeyBundle (signed by the directory's adviser, unexpired).
 */
export function sealToAdviser(sender, adviserMessagePk, { mediumPk, onetimePk = null }, payload, minSize = 0) {
  if (!mediumPk) fail(KIND.notFound, 'no valid medium-term prekey for this adviser: nothing is sent to them');
  return sealEnvelope(sender, adviserMessagePk, { mediumPk, onetimePk }, payload, minSize);
}

function decrypt(ciphertext, ad, key) {
  try {
    return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, ciphertext, ad, NONCE, key);
  } catch {
    return fail(KIND.unauthorised, 'envelope does not open');
  }
}

/** Looks a prekey up by id; its public key must start with the id (or equal `full`). */
function heldPrekey(lookup, id, full, what) {
  const sk = lookup ? lookup(id) : null;
  if (!sk) fail(KIND.notFound, `the ${what} key it was sent to is no longer held`);
  const pk = sodium.crypto_scalarmult_base(sk);
  const matches = full ? equalBytes(sodium, pk, full) : equalBytes(sodium, pk.subarray(0, 16), id);
  if (!matches) fail(KIND.notFound, `the ${what} key it was sent to is no longer held`);
  return { sk, pk };
}

/**
 * Opens an envelope with the recipient's X25519 key pair. lookups
 * { onetime(id), medium(id) } return a held prekey secret or null (a
 * reporter holds none). Returns { senderPk, payload, onetimePk, mediumPk };
 * the caller wipes payload. Checks run in the order of the "Opening" table.
 */
export function openEnvelope(envelope, recipient, lookups = {}) {
  if (!SIZE_CLASSES.includes(envelope.length)) fail(KIND.malformed, 'envelope of no size class');
  const version = envelope[0];
  if (version !== 1 && version !== 2) fail(KIND.malformed, 'unknown envelope version');
  const secrets = [];
  try {
    const ePk = envelope.subarray(1, 33);
    const header = envelope.subarray(33, 81);
    const body = envelope.subarray(81);
    const recipientPk = recipient.publicKey;
    const dhStatic = dh(recipient.secretKey, ePk, KIND.unauthorised); secrets.push(dhStatic);
    const kHeader = H(dhStatic, version === 2 ? D.header2 : D.header1, ePk, recipientPk); secrets.push(kHeader);
    const ids = decrypt(header, concat(envelope.subarray(0, 1), ePk), kHeader);
    let kBody, onetimePk = null, mediumPk = null;
    const isZero = (b) => b.every((x) => x === 0);
    if (version === 2) {
      const onetimeId = ids.subarray(0, 16);
      const mediumId = ids.subarray(16, 32);
      let dhMedium = new Uint8Array(32), dhOnetime = new Uint8Array(32);
      secrets.push(dhMedium, dhOnetime);
      let medium = null, onetime = null;
      if (!isZero(mediumId)) medium = heldPrekey(lookups.medium, mediumId, null, 'medium-term');
      if (!isZero(onetimeId)) onetime = heldPrekey(lookups.onetime, onetimeId, null, 'one-time');
      if (medium) { dhMedium = dh(medium.sk, ePk, KIND.unauthorised); secrets.push(dhMedium); mediumPk = medium.pk; }
      if (onetime) { dhOnetime = dh(onetime.sk, ePk, KIND.unauthorised); secrets.push(dhOnetime); onetimePk = onetime.pk; }
      kBody = H(dhStatic, D.body2, dhMedium, dhOnetime, ePk, recipientPk, mediumPk ?? ZERO32, onetimePk ?? ZERO32);
    } else {
      let dhPrekey = new Uint8Array(32);
      secrets.push(dhPrekey);
      if (!isZero(ids)) {
        const onetime = heldPrekey(lookups.onetime, ids.subarray(0, 16), ids, 'one-time');
        dhPrekey = dh(onetime.sk, ePk, KIND.unauthorised); secrets.push(dhPrekey);
        onetimePk = onetime.pk;
      }
      kBody = H(dhStatic, D.body1, dhPrekey, ePk, recipientPk, onetimePk ?? ZERO32);
    }
    secrets.push(kBody);
    const inner = decrypt(body, concat(envelope.subarray(0, 1), ePk, header), kBody); secrets.push(inner);
    const senderPk = inner.slice(0, 32);
    const auth = inner.subarray(32, 64);
    const padded = inner.subarray(64);
    // sodium.unpad checks the padding in constant time; it returns a view of
    // a copy of the whole area, wiped here once its length is known.
    let length;
    try {
      const view = sodium.unpad(padded, envelope.length - OVERHEAD);
      length = view.length;
      wipe(new Uint8Array(view.buffer, view.byteOffset, padded.length));
    } catch {
      fail(KIND.unauthorised, 'envelope padding is invalid');
    }
    const dhAuth = dh(recipient.secretKey, senderPk, KIND.unauthorised); secrets.push(dhAuth);
    const expected = authTag(dhAuth, ePk, recipientPk, padded); secrets.push(expected);
    if (!equalBytes(sodium, expected, auth)) fail(KIND.unauthorised, 'envelope sender authentication failed');
    return { senderPk, payload: padded.slice(0, length), onetimePk, mediumPk };
  } finally {
    wipe(...secrets);
  }
}
