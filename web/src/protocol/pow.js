// Proof of work as the clients solve it (docs/PROTOCOL.md Part 3 "Proof of
// work", "Prices"): the request body digest, the proof digest, the "meets W"
// rule and the search for a nonce. The price itself comes from get-policy.
import { sodium } from './sodium.js';
import { ascii, concat, u32le, u64le } from './bytes.js';
import { fail, KIND } from './errors.js';

const U64_MAX = (1n << 64n) - 1n;
/** All prices are capped at 2^36 (Prices). */
export const MAX_PRICE = 1n << 36n;
export const OP = Object.freeze({ getPrekeys: 2, fetch: 4 });

const H = (...parts) => sodium.crypto_generichash(32, concat(...parts), null);
const NUL = new Uint8Array(1);

/** Body digest of a deposit: each { clue, verifier, envelope } in request order. */
export function depositBody(deposits) {
  const parts = [ascii('meldpunt/v1/deposit-body'), NUL];
  for (const d of deposits) parts.push(d.clue, d.verifier, u32le(d.envelope.length), d.envelope);
  return H(...parts);
}

/** Body digest of a fetch or get-prekeys (op 4 or 2). */
export function requestBody(op) {
  return H(ascii('meldpunt/v1/request-body'), NUL, Uint8Array.of(op));
}

export function powDigest(challenge, body, nonce) {
  return H(ascii('meldpunt/v1/deposit-pow'), NUL, challenge, body, u64le(nonce));
}

/** meets W ⇔ W = 0, or u64be(digest[0..8]) ≤ ⌊(2^64 − 1) / W⌋. */
export function meets(digest, price) {
  const w = BigInt(price);
  if (w === 0n) return true;
  const head = new DataView(digest.buffer, digest.byteOffset, 8).getBigUint64(0, false);
  return head <= U64_MAX / w;
}

/**
 * Finds the first nonce from `start` whose digest meets the price; returns
 * { nonce (BigInt), proof = challenge || u64(nonce) }. maxTries bounds the
 * work (a relay could announce an absurd price; above MAX_PRICE is
 * refused at once, as the C++ clients refuse it); onProgress(tries) is called
 * every 4096 tries so a page can show progress or give up.
 */
export function solve(challenge, body, price, { start = 0n, maxTries = Infinity, onProgress = null } = {}) {
  if (challenge.length !== 32 || body.length !== 32) fail(KIND.malformed, 'challenge and body are 32 bytes');
  if (BigInt(price) > MAX_PRICE) fail(KIND.tooLarge, 'price above the protocol cap');
  let nonce = BigInt(start);
  for (let tries = 0; tries < maxTries; tries++, nonce++) {
    if (meets(powDigest(challenge, body, nonce), price)) return { nonce, proof: concat(challenge, u64le(nonce)) };
    if (onProgress && tries % 4096 === 4095) onProgress(tries + 1);
  }
  return fail(KIND.tooLarge, 'no proof found within the allowed work');
}

/**
 * A deposit's price: the sum over its envelopes of the work get-policy
 * announces for each size class (envelopeWork = [w4096, w32768, w262144],
 * BigInts). solve() refuses a total above MAX_PRICE, as the C++ clients do.
 */
export function depositPrice(envelopeSizes, envelopeWork) {
  const index = { 4096: 0, 32768: 1, 262144: 2 };
  let total = 0n;
  for (const size of envelopeSizes) {
    if (index[size] === undefined) fail(KIND.malformed, 'not an envelope size class');
    total += BigInt(envelopeWork[index[size]]);
  }
  return total;
}
