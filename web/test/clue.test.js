// docs/PROTOCOL.md Part 2 "Clues" against tests/vectors/clue.txt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ready, sodium } from '../src/protocol/sodium.js';
import { makeClue, makeClueWithScalar, recognise, deleteVerifier } from '../src/protocol/clue.js';
import { fromHex, toHex, concat, ascii } from '../src/protocol/bytes.js';
import { loadVectors } from '../test-support/vectors.js';

await ready();
const v = loadVectors('clue.txt');
const h = (k) => fromHex(v.get(k));

test('clue.txt: fetch key and clue from the fixed scalar', () => {
  assert.equal(toHex(sodium.crypto_scalarmult_ristretto255_base(h('fetch_sk'))), v.get('fetch_pk'));
  assert.equal(toHex(makeClueWithScalar(h('fetch_pk'), h('x'))), v.get('clue'));
});

test('clue.txt: the blinded entry is recognised and its id unsealed', () => {
  const entry = h('entry');
  assert.equal(toHex(entry.subarray(0, 32)), v.get('entry_r'));
  const T = sodium.crypto_scalarmult_ristretto255(h('fetch_sk'), h('entry_r'));
  assert.equal(toHex(T), v.get('entry_t'));
  assert.equal(toHex(sodium.crypto_generichash(32, concat(ascii('meldpunt/v1/clue'), h('entry_r'), T), null)),
    v.get('entry_k'));
  assert.equal(toHex(recognise(entry, h('fetch_sk'))), v.get('id'));
});

test('entries of other keys, tampered tags, padding and invalid points are not ours', () => {
  const entry = h('entry');
  const other = sodium.crypto_core_ristretto255_scalar_random();
  assert.equal(recognise(entry, other), null);
  const tampered = entry.slice(); tampered[40] ^= 1;
  assert.equal(recognise(tampered, h('fetch_sk')), null);
  const padding = concat(sodium.crypto_core_ristretto255_random(), sodium.randombytes_buf(32));
  assert.equal(recognise(padding, h('fetch_sk')), null);
  assert.equal(recognise(concat(new Uint8Array(32), entry.subarray(32)), h('fetch_sk')), null);
  assert.equal(recognise(concat(new Uint8Array(32).fill(0xff), entry.subarray(32)), h('fetch_sk')), null);
  assert.equal(recognise(entry.subarray(0, 63), h('fetch_sk')), null);
});

test('a fresh clue is recognised after blinding as the relay does it', () => {
  const clue = makeClue(h('fetch_pk'));
  const r = sodium.crypto_core_ristretto255_scalar_random();
  const R = sodium.crypto_scalarmult_ristretto255(r, clue.subarray(0, 32));
  const T = sodium.crypto_scalarmult_ristretto255(r, clue.subarray(32));
  const k = sodium.crypto_generichash(32, concat(ascii('meldpunt/v1/clue'), R, T), null);
  const id = sodium.randombytes_buf(16);
  const sealed = id.map((b, i) => b ^ k[16 + i]);
  assert.deepEqual(recognise(concat(R, k.subarray(0, 16), sealed), h('fetch_sk')), id);
});

test('make refuses an invalid or identity fetch key', () => {
  assert.throws(() => makeClue(new Uint8Array(32)), (e) => e.kind === 'malformed');
  assert.throws(() => makeClue(new Uint8Array(32).fill(0xff)), (e) => e.kind === 'malformed');
  // 00…00 80 decodes as the identity; libsodium 1.0.18's is_valid_point accepts it
  // (docs/SECURITY.md), the page's 1.0.22 refuses it too, and clue.js checks the bit itself.
  const identityHighBit = new Uint8Array(32); identityHighBit[31] = 0x80;
  assert.throws(() => makeClue(identityHighBit), (e) => e.kind === 'malformed');
});

test('clue.txt: delete verifier', () => {
  assert.equal(toHex(deleteVerifier(h('delete_token'))), v.get('delete_verifier'));
  assert.throws(() => deleteVerifier(new Uint8Array(31)));
});
