// docs/PROTOCOL.md Part 1 §3 and §4 against tests/vectors/derive.txt and sign.txt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ready, sodium } from '../src/protocol/sodium.js';
import { codeSalt, masterKey, keysFromMaster, deriveReporterKeys, KDF_INSECURE_FOR_TESTS } from '../src/protocol/derive.js';
import { parseCode, canonicalBytes } from '../src/protocol/code.js';
import { signDetached, verifyDetached } from '../src/protocol/sign.js';
import { fromHex, toHex, ascii } from '../src/protocol/bytes.js';
import { loadVectors } from '../test-support/vectors.js';

await ready();
const d = loadVectors('derive.txt');
const s = loadVectors('sign.txt');

test('derive.txt: the vector parameters are the insecure test ones', () => {
  assert.equal(Number(d.get('opslimit')), KDF_INSECURE_FOR_TESTS.opslimit);
  assert.equal(Number(d.get('memlimit')), KDF_INSECURE_FOR_TESTS.memlimit);
});

test('derive.txt: org key, salt, master and the four keys of every case', () => {
  const orgPk = sodium.crypto_sign_seed_keypair(fromHex(d.get('org_seed'))).publicKey;
  assert.equal(toHex(orgPk), d.get('org_sign_pk'));
  assert.equal(toHex(codeSalt(orgPk)), d.get('salt'));
  const params = { opslimit: Number(d.get('opslimit')), memlimit: Number(d.get('memlimit')) };
  for (const c of ['a', 'b']) {
    const code = canonicalBytes(parseCode(d.get(`${c}.code`)));
    const master = masterKey(code, orgPk, params);
    assert.equal(toHex(master), d.get(`${c}.master`));
    const k = keysFromMaster(master);
    assert.equal(toHex(k.messageSk), d.get(`${c}.message_sk`));
    assert.equal(toHex(k.messagePk), d.get(`${c}.message_pk`));
    assert.equal(toHex(k.fetchSk), d.get(`${c}.fetch_sk`));
    assert.equal(toHex(k.fetchPk), d.get(`${c}.fetch_pk`));
    assert.deepEqual(deriveReporterKeys(code, orgPk, params).fetchPk, k.fetchPk);
  }
});

test('another organisation key gives unrelated keys', () => {
  const orgPk = fromHex(d.get('org_sign_pk'));
  const other = orgPk.slice(); other[0] ^= 1;
  const params = KDF_INSECURE_FOR_TESTS;
  const code = canonicalBytes(parseCode(d.get('a.code')));
  assert.notEqual(toHex(deriveReporterKeys(code, other, params).messagePk), d.get('a.message_pk'));
});

test('sign.txt: every domain-separated signature, and no other domain or message verifies it', () => {
  const kp = sodium.crypto_sign_seed_keypair(fromHex(s.get('seed')));
  assert.equal(toHex(kp.publicKey), s.get('pk'));
  const cases = s.keys().filter((k) => k.endsWith('.domain')).map((k) => k.slice(0, -7));
  assert.ok(cases.length >= 5);
  for (const c of cases) {
    const domain = s.get(`${c}.domain`);
    const message = fromHex(s.get(`${c}.message`));
    const signature = fromHex(s.get(`${c}.signature`));
    assert.equal(toHex(signDetached(domain, message, kp.privateKey)), s.get(`${c}.signature`), c);
    assert.ok(verifyDetached(domain, message, signature, kp.publicKey), c);
    assert.ok(!verifyDetached(`${domain}x`, message, signature, kp.publicKey), c);
    assert.ok(!verifyDetached(domain, new Uint8Array([...message, 0]), signature, kp.publicKey), c);
    // Without the NUL separator the bytes differ, so the raw signature fails.
    assert.ok(!sodium.crypto_sign_verify_detached(signature, new Uint8Array([...ascii(domain), ...message]), kp.publicKey));
  }
});
