// Clues (docs/PROTOCOL.md Part 2 "Clues"): make one for a recipient's
// ristretto255 fetch key, recognise blinded entries from a fetch, and the
// delete token's verifier. The relay's blinding is not the page's job.
import { sodium, wipe } from './sodium.js';
import { ascii, concat, equalBytes } from './bytes.js';
import { fail, KIND } from './errors.js';

export const CLUE_BYTES = 64;
export const ENTRY_BYTES = 64;
export const ID_BYTES = 16;
export const DELETE_TOKEN_BYTES = 32;

const CLUE_DOMAIN = ascii('meldpunt/v1/clue');
const DELETE_DOMAIN = ascii('meldpunt/v1/delete');

function isIdentity(p) { return p.every((b) => b === 0); }

/**
 * A canonical ristretto255 encoding other than the identity. The top bit is
 * checked here because libsodium's is_valid_point accepts 00…00 80, which
 * decodes as the identity (docs/SECURITY.md, fuzz finding on clues).
 */
export function isValidPoint(p) {
  return p.length === 32 && !isIdentity(p) && (p[31] & 0x80) === 0 && sodium.crypto_core_ristretto255_is_valid_point(p);
}

/** Deterministic core of makeClue, exported for the known-answer vectors only. */
export function makeClueWithScalar(fetchPk, x) {
  if (!isValidPoint(fetchPk)) fail(KIND.malformed, 'fetch key is not a valid ristretto255 point');
  const X = sodium.crypto_scalarmult_ristretto255_base(x);
  const Z = sodium.crypto_scalarmult_ristretto255(x, fetchPk);
  return concat(X, Z);
}

/** clue = x*G || x*S with a fresh random non-zero x (wiped). */
export function makeClue(fetchPk) {
  const x = sodium.crypto_core_ristretto255_scalar_random();
  try {
    return makeClueWithScalar(fetchPk, x);
  } finally {
    wipe(x);
  }
}

/**
 * Recognises one 64-byte entry of a fetch answer with the fetch secret s:
 * returns the 16-byte message id when the entry is ours, else null (also for
 * an invalid R, a padding entry or the wrong length).
 */
export function recognise(entry, fetchSk) {
  if (entry.length !== ENTRY_BYTES) return null;
  const R = entry.subarray(0, 32);
  let T;
  try {
    T = sodium.crypto_scalarmult_ristretto255(fetchSk, R);
  } catch {
    return null; // invalid encoding or identity product: not ours
  }
  const k = sodium.crypto_generichash(32, concat(CLUE_DOMAIN, R, T), null);
  try {
    if (!equalBytes(sodium, k.subarray(0, 16), entry.subarray(32, 48))) return null;
    const id = new Uint8Array(ID_BYTES);
    for (let i = 0; i < ID_BYTES; i++) id[i] = entry[48 + i] ^ k[16 + i];
    return id;
  } finally {
    wipe(T, k);
  }
}

/** A fresh delete token (goes inside the letter) and its verifier (to the relay). */
export function deleteVerifier(token) {
  if (token.length !== DELETE_TOKEN_BYTES) fail(KIND.malformed, 'delete token must be 32 bytes');
  return sodium.crypto_generichash(32, concat(DELETE_DOMAIN, token), null);
}

export function newDeleteToken() {
  return sodium.randombytes_buf(DELETE_TOKEN_BYTES);
}
