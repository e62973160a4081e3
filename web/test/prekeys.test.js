// The get-prekeys bundle filter (PROTOCOL.md Part 3 get-prekeys, §5.1). The
// bundle layout has no vector file; the bundle is built here from the text,
// with prekey signatures checked against sign.txt's medium-prekey vector.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ready, sodium } from '../src/protocol/sodium.js';
import { readPrekeyBundle } from '../src/protocol/prekeys.js';
import { verifyDirectory } from '../src/protocol/directory.js';
import { signDetached, DOMAIN } from '../src/protocol/sign.js';
import { fromHex, toHex, concat, u16le, u32le } from '../src/protocol/bytes.js';
import { loadVectors } from '../test-support/vectors.js';

await ready();
const dv = loadVectors('directory.txt');
const sv = loadVectors('sign.txt');
const directory = verifyDirectory(fromHex(dv.get('signed')), fromHex(dv.get('org_sign_pk')));
const adviser = sodium.crypto_sign_seed_keypair(fromHex(dv.get('card.adviser_seed'))); // entry 1's sign key

function part(signKp, { onetime = true, medium = true, expiry = 20014, badSig = false } = {}) {
  const otPk = onetime ? sodium.crypto_box_keypair().publicKey : new Uint8Array(32);
  const otSig = onetime ? signDetached(DOMAIN.prekey, otPk, signKp.privateKey) : new Uint8Array(64);
  const mPk = medium ? fromHex(sv.get('sig4.message')).subarray(0, 32) : new Uint8Array(32);
  const mSig = medium ? signDetached(DOMAIN.mediumPrekey, concat(mPk, u32le(expiry)), signKp.privateKey) : new Uint8Array(64);
  if (badSig) mSig[0] ^= 1;
  return concat(signKp.publicKey, otPk, otSig, mPk, u32le(expiry), mSig);
}
const bundle = (...parts) => concat(u16le(parts.length), ...parts);

test('the medium-term prekey signature is the one of sign.txt sig4', () => {
  const p = part(adviser);
  assert.equal(toHex(p.subarray(228 - 64)), sv.get('sig4.signature'));
});

test('prekeys of directory advisers with good signatures are kept', () => {
  const got = readPrekeyBundle(bundle(part(adviser)), directory, 20014);
  const item = got.get(dv.get('entry1.id'));
  assert.ok(item.onetimePk && item.mediumPk);
  assert.equal(item.mediumExpiryDay, 20014);
});

test('strangers, bad signatures, expired and absent prekeys are dropped', () => {
  const stranger = sodium.crypto_sign_keypair();
  assert.equal(readPrekeyBundle(bundle(part(stranger)), directory, 0).size, 0);
  assert.equal(readPrekeyBundle(bundle(part(adviser, { badSig: true, onetime: false })), directory, 0).size, 0);
  assert.equal(readPrekeyBundle(bundle(part(adviser, { onetime: false })), directory, 20015).size, 0);
  const onlyOnetime = readPrekeyBundle(bundle(part(adviser, { medium: false })), directory, 0).get(dv.get('entry1.id'));
  assert.equal(onlyOnetime.mediumPk, null);
});

test('a bundle of the wrong size is refused', () => {
  const b = bundle(part(adviser));
  assert.throws(() => readPrekeyBundle(b.subarray(0, b.length - 1), directory, 0), (e) => e.kind === 'malformed');
  assert.throws(() => readPrekeyBundle(concat(b, Uint8Array.of(0)), directory, 0), (e) => e.kind === 'malformed');
  assert.throws(() => readPrekeyBundle(Uint8Array.of(1), directory, 0), (e) => e.kind === 'malformed');
  assert.throws(() => readPrekeyBundle(concat(u16le(257), new Uint8Array(257 * 228)), directory, 0), (e) => e.kind === 'malformed');
});
