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

const POW_PREFIX = concat(ascii('meldpunt/v1/deposit-pow'), NUL); // 24 bytes
const POW_INPUT_BYTES = POW_PREFIX.length + 32 + 32 + 8; // 96: one BLAKE2b block

/**
 * The nonce search for one (challenge, body, price), built for speed: the
 * 96-byte digest input is written once into libsodium's own WebAssembly
 * memory and only the nonce's 8 bytes change per try, so a try is one
 * BLAKE2b call with no allocation, no copy and no BigInt. The wrappers'
 * crypto_generichash (as powDigest uses) allocates, copies in and out and
 * checks its arguments on every call: measured about 14 times slower, and
 * at 10,000 stored messages the fetch's price (1.28 million digests) made
 * the page's check wait on it (bench/results/web_page.md). Nothing here is
 * secret (challenge, body and nonce are sent in the clear). A libsodium.js
 * without its raw module (or raw: false, for tests) falls back to powDigest.
 * close() frees the memory.
 */
export class PowSearch {
  constructor(challenge, body, price, { raw = true } = {}) {
    if (challenge.length !== 32 || body.length !== 32) fail(KIND.malformed, 'challenge and body are 32 bytes');
    const w = BigInt(price);
    if (w < 0n) fail(KIND.malformed, 'a price is not negative');
    const limit = w === 0n ? U64_MAX : U64_MAX / w;
    this.limitHi = Number(limit >> 32n);
    this.limitLo = Number(limit & 0xffffffffn);
    this.challenge = challenge;
    this.body = body;
    this.price = w;
    const lib = sodium.libsodium;
    this.lib = raw && lib && typeof lib._crypto_generichash === 'function' && typeof lib._malloc === 'function' ? lib : null;
    if (this.lib) {
      this.ptr = this.lib._malloc(POW_INPUT_BYTES + 32);
      if (!this.ptr) this.lib = null;
      else this.lib.HEAPU8.set(concat(POW_PREFIX, challenge, body, new Uint8Array(8)), this.ptr);
    }
  }

  /**
   * Tries `count` nonces from `start` (BigInt, counting on modulo 2^64);
   * returns the first whose digest meets the price (BigInt), or null.
   */
  run(start, count) {
    let lo = Number(BigInt(start) & 0xffffffffn);
    let hi = Number((BigInt(start) >> 32n) & 0xffffffffn);
    if (!this.lib) {
      for (let i = 0; i < count; i++) {
        const nonce = (BigInt(hi) << 32n) | BigInt(lo);
        if (meets(powDigest(this.challenge, this.body, nonce), this.price)) return nonce;
        lo = (lo + 1) >>> 0;
        if (lo === 0) hi = (hi + 1) >>> 0;
      }
      return null;
    }
    const { lib, ptr, limitHi, limitLo } = this;
    const heap = lib.HEAPU8; // read per run: libsodium's memory may have grown since
    const at = ptr + POW_INPUT_BYTES - 8;
    const out = ptr + POW_INPUT_BYTES;
    for (let i = 0; i < count; i++) {
      heap[at] = lo; heap[at + 1] = lo >>> 8; heap[at + 2] = lo >>> 16; heap[at + 3] = lo >>> 24;
      heap[at + 4] = hi; heap[at + 5] = hi >>> 8; heap[at + 6] = hi >>> 16; heap[at + 7] = hi >>> 24;
      lib._crypto_generichash(out, 32, ptr, POW_INPUT_BYTES, 0, 0, 0);
      // meets: u64be(digest[0..8]) <= limit, compared as two 32-bit halves.
      const dHi = ((heap[out] << 24) | (heap[out + 1] << 16) | (heap[out + 2] << 8) | heap[out + 3]) >>> 0;
      if (dHi < limitHi || (dHi === limitHi
        && (((heap[out + 4] << 24) | (heap[out + 5] << 16) | (heap[out + 6] << 8) | heap[out + 7]) >>> 0) <= limitLo)) {
        return (BigInt(hi) << 32n) | BigInt(lo);
      }
      lo = (lo + 1) >>> 0;
      if (lo === 0) hi = (hi + 1) >>> 0;
    }
    return null;
  }

  close() {
    if (this.lib && this.ptr) this.lib._free(this.ptr);
    this.ptr = 0;
    this.lib = null;
  }
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
  const search = new PowSearch(challenge, body, price);
  try {
    let nonce = BigInt(start) & U64_MAX;
    for (let tries = 0; tries < maxTries; tries += 4096, nonce = (nonce + 4096n) & U64_MAX) {
      const found = search.run(nonce, Math.min(4096, maxTries - tries));
      if (found !== null) return { nonce: found, proof: concat(challenge, u64le(found)) };
      if (onProgress && maxTries - tries >= 4096) onProgress(tries + 4096);
    }
  } finally {
    search.close();
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
