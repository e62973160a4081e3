// docs/PROTOCOL.md Part 2 "Envelopes" against tests/vectors/envelope.txt.
// Sealing is checked on the version 2 vectors (a reporter's letter to an
// adviser: medium-term prekey, with and without a one-time prekey); opening
// on every vector, versions 1 and 2. A version 2 envelope without prekeys (an
// adviser's reply to a reporter) has no vector of its own: it follows the
// same key schedule with both prekey fields zero and is checked round trip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ready, sodium } from '../src/protocol/sodium.js';
import { sealEnvelope, sealEnvelopeWithEphemeral, openEnvelope, sizeClassFor, MAX_PAYLOAD } from '../src/protocol/envelope.js';
import { fromHex, toHex } from '../src/protocol/bytes.js';
import { loadVectors } from '../test-support/vectors.js';

await ready();
const v = loadVectors('envelope.txt');
const h = (k) => fromHex(v.get(k));
const sender = { secretKey: h('sender_sk'), publicKey: h('sender_pk') };
const recipient = { secretKey: h('recipient_sk'), publicKey: h('recipient_pk') };
const byId = (sk) => (id) => (toHex(sodium.crypto_scalarmult_base(sk).subarray(0, 16)) === toHex(id) ? sk : null);
const lookups = { onetime: byId(h('prekey_sk')), medium: byId(h('medium_sk')) };

test('envelope.txt: key pairs of the fixed secrets', () => {
  for (const k of ['sender', 'recipient', 'prekey', 'medium']) {
    assert.equal(toHex(sodium.crypto_scalarmult_base(h(`${k}_sk`))), v.get(`${k}_pk`), k);
  }
});

test('envelope.txt: version 2 sealed with medium-term and one-time prekeys, byte for byte', () => {
  const env = sealEnvelopeWithEphemeral(sender, h('recipient_pk'),
    { mediumPk: h('medium_pk'), onetimePk: h('prekey_pk') }, h('payload'), h('ephemeral_sk'));
  assert.equal(toHex(env), v.get('v2_envelope'));
  assert.equal(toHex(env.subarray(33, 81)), v.get('v2_header'));
});

test('envelope.txt: version 2 with the medium-term prekey only (header and body tag)', () => {
  const env = sealEnvelopeWithEphemeral(sender, h('recipient_pk'), { mediumPk: h('medium_pk') }, h('payload'),
    h('ephemeral_sk'));
  assert.equal(toHex(env.subarray(33, 81)), v.get('v2_medium_only_header'));
  assert.equal(toHex(env.subarray(env.length - 16)), v.get('v2_medium_only_tag'));
  const opened = openEnvelope(env, recipient, lookups);
  assert.equal(toHex(opened.payload), v.get('payload'));
  assert.equal(toHex(opened.mediumPk), v.get('medium_pk'));
  assert.equal(opened.onetimePk, null);
});

test('envelope.txt: every vector envelope opens to the payload and the sender', () => {
  for (const name of ['envelope', 'envelope_no_prekey', 'v2_envelope']) {
    const opened = openEnvelope(h(name), recipient, lookups);
    assert.equal(toHex(opened.payload), v.get('payload'), name);
    assert.equal(toHex(opened.senderPk), v.get('sender_pk'), name);
  }
  assert.equal(toHex(openEnvelope(h('envelope'), recipient, lookups).onetimePk), v.get('prekey_pk'));
});

test('a prekey no longer held is named, not guessed', () => {
  assert.throws(() => openEnvelope(h('v2_envelope'), recipient, { onetime: lookups.onetime }),
    (e) => e.kind === 'not-found' && /medium-term/.test(e.message));
  assert.throws(() => openEnvelope(h('v2_envelope'), recipient, { medium: lookups.medium }),
    (e) => e.kind === 'not-found' && /one-time/.test(e.message));
  assert.throws(() => openEnvelope(h('envelope'), recipient, {}), (e) => e.kind === 'not-found');
  // A lookup answering with another key is refused too.
  assert.throws(() => openEnvelope(h('v2_envelope'), recipient, { ...lookups, medium: () => h('prekey_sk') }),
    (e) => e.kind === 'not-found');
});

test('a tampered envelope is refused at every region', () => {
  const env = h('v2_envelope');
  for (const pos of [1, 20, 32, 33, 60, 80, 81, 100, 145, 2000, env.length - 17, env.length - 1]) {
    const bad = env.slice(); bad[pos] ^= 0x01;
    assert.throws(() => openEnvelope(bad, recipient, lookups), (e) => e.kind === 'unauthorised', `byte ${pos}`);
  }
  const v1 = env.slice(); v1[0] = 1; // the version is authenticated too
  assert.throws(() => openEnvelope(v1, recipient, lookups), (e) => e.kind === 'unauthorised');
  const v3 = env.slice(); v3[0] = 3;
  assert.throws(() => openEnvelope(v3, recipient, lookups), (e) => e.kind === 'malformed');
  assert.throws(() => openEnvelope(env.subarray(0, 4095), recipient, lookups), (e) => e.kind === 'malformed');
  assert.throws(() => openEnvelope(new Uint8Array([...env, 0]), recipient, lookups), (e) => e.kind === 'malformed');
  const other = sodium.crypto_box_keypair();
  assert.throws(() => openEnvelope(env, { secretKey: other.privateKey, publicKey: other.publicKey }, lookups),
    (e) => e.kind === 'unauthorised');
});

test('a forged sender (wrong sender key pair) fails authentication', () => {
  const liar = { secretKey: sodium.randombytes_buf(32), publicKey: h('sender_pk') };
  const env = sealEnvelope(liar, h('recipient_pk'), { mediumPk: h('medium_pk') }, h('payload'));
  assert.throws(() => openEnvelope(env, recipient, lookups), (e) => e.kind === 'unauthorised');
});

test('a reply without prekeys (adviser -> reporter) round trips in every size class', () => {
  for (const size of [0, 1, 3934, 3935, 32606, 32607, MAX_PAYLOAD]) {
    const payload = new Uint8Array(size).map((_, i) => (i * 131 + size) & 0xff);
    const env = sealEnvelope(sender, h('recipient_pk'), {}, payload);
    assert.equal(env.length, sizeClassFor(size));
    const opened = openEnvelope(env, recipient);
    assert.ok(Buffer.from(opened.payload).equals(Buffer.from(payload)));
    assert.equal(opened.mediumPk, null);
  }
  assert.throws(() => sealEnvelope(sender, h('recipient_pk'), {}, new Uint8Array(MAX_PAYLOAD + 1)),
    (e) => e.kind === 'too-large');
});

test('sealing to a low-order key is refused', () => {
  assert.throws(() => sealEnvelope(sender, new Uint8Array(32), {}, h('payload')), (e) => e.kind === 'malformed');
});
