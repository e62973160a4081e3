// docs/PROTOCOL.md Part 3 "Proof of work": the known answers quoted there
// (they exist as C++ test data in tests/test_pricing.cpp and
// tests/test_relay_operations.cpp, not in tests/vectors; these tests read
// them from docs/PROTOCOL.md itself so they stay one copy).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ready, sodium } from '../src/protocol/sodium.js';
import { requestBody, depositBody, powDigest, meets, solve, depositPrice, PowSearch, OP, MAX_PRICE } from '../src/protocol/pow.js';
import { toHex, concat, ascii, u64le } from '../src/protocol/bytes.js';
import { DOCS_DIR } from '../test-support/vectors.js';

await ready();
const doc = readFileSync(join(DOCS_DIR, 'PROTOCOL.md'), 'utf8');
const section = doc.slice(doc.indexOf('### Proof of work'), doc.indexOf('### Flood control'));
const grab = (re) => { const m = section.replace(/\s+/g, ' ').match(re); assert.ok(m, String(re)); return m[1]; };
const fill = (n, b) => new Uint8Array(n).fill(b);

test('request bodies of fetch and get-prekeys', () => {
  assert.equal(toHex(requestBody(OP.fetch)), grab(/request body of fetch \(op 4\) = `([0-9a-f]{64})`/));
  assert.equal(toHex(requestBody(OP.getPrekeys)), grab(/get-prekeys \(op 2\) = `([0-9a-f]{64})`/));
});

test('first nonce meeting W = 1000 for the fetch body', () => {
  const nonce = BigInt(grab(/meeting W = 1000 is (\d+)/));
  const { nonce: found, proof } = solve(fill(32, 4), requestBody(OP.fetch), 1000);
  assert.equal(found, nonce);
  assert.equal(toHex(powDigest(fill(32, 4), requestBody(OP.fetch), nonce)), grab(/is \d+ \(digest `([0-9a-f]{64})`/));
  assert.deepEqual(proof, concat(fill(32, 4), u64le(nonce)));
});

test('deposit body, digests and the 12-zero-bit nonce', () => {
  const body = depositBody([{ clue: fill(64, 1), verifier: fill(32, 2), envelope: fill(4096, 3) }]);
  assert.equal(toHex(body), grab(/body = ([0-9a-f]{64})/));
  assert.equal(toHex(powDigest(fill(32, 4), body, 0n)), grab(/digest \(nonce 0\) = ([0-9a-f]{64})/));
  const nonce = BigInt(grab(/first nonce with ≥ 12 zero bits = (\d+)/));
  assert.equal(solve(fill(32, 4), body, 1 << 12).nonce, nonce);
  assert.equal(toHex(powDigest(fill(32, 4), body, nonce)), grab(/digest \(nonce [1-9]\d*\) = ([0-9a-f]{64})/));
  // The relay's challenge formula, for completeness (keyed BLAKE2b).
  const challenge = sodium.crypto_generichash(32, concat(ascii('meldpunt/v1/pow-challenge'), new Uint8Array(1), u64le(7)),
    fill(32, 5));
  assert.equal(toHex(challenge), grab(/period 7\) = ([0-9a-f]{64})/));
});

test('meets: W = 0 always, W = 2^d is d leading zero bits, bounds', () => {
  assert.ok(meets(fill(32, 0xff), 0));
  const d = fill(32, 0); d[1] = 0x10; // 11 leading zero bits
  assert.ok(meets(d, 1 << 11));
  assert.ok(!meets(d, 1 << 12));
  assert.ok(meets(fill(32, 0xff), 1));
  assert.throws(() => solve(fill(32, 4), requestBody(OP.fetch), MAX_PRICE + 1n), (e) => e.kind === 'too-large');
  assert.throws(() => solve(fill(32, 4), requestBody(OP.fetch), 1n << 30n, { maxTries: 10 }), (e) => e.kind === 'too-large');
});

test('deposit price sums the announced work of each envelope', () => {
  assert.equal(depositPrice([4096, 4096, 262144], [1n << 20n, 1n << 21n, 1n << 23n]), (2n << 20n) + (1n << 23n));
  assert.throws(() => depositPrice([4095], [1n, 1n, 1n]));
});

test('the fast search finds exactly the nonce the digest rule finds, across the 32- and 64-bit carries', () => {
  const reference = (challenge, body, price, start, count) => {
    for (let i = 0n; i < BigInt(count); i++) {
      const nonce = (start + i) & ((1n << 64n) - 1n);
      if (meets(powDigest(challenge, body, nonce), price)) return nonce;
    }
    return null;
  };
  const challenge = sodium.randombytes_buf(32);
  const body = requestBody(OP.fetch);
  const starts = [0n, (1n << 32n) - 20n, (1n << 64n) - 20n, 0x0123456789abcdefn];
  for (const price of [1n, 7n, 64n, 1000n, 1n << 40n]) {
    for (const start of starts) {
      const fast = new PowSearch(challenge, body, price);
      const slow = new PowSearch(challenge, body, price, { raw: false }); // the crypto_generichash path
      try {
        const want = reference(challenge, body, price, start, 300);
        assert.equal(fast.run(start, 300), want, `price ${price} from ${start}`);
        assert.equal(slow.run(start, 300), want, `fallback, price ${price} from ${start}`);
      } finally {
        fast.close();
      }
    }
  }
  // W = 0 needs no work: the first nonce tried.
  const free = new PowSearch(challenge, body, 0n);
  assert.equal(free.run(5n, 1), 5n);
  free.close();
  assert.throws(() => new PowSearch(new Uint8Array(31), body, 1n), /32 bytes/);
});
