// docs/PROTOCOL.md Part 1 §7 against tests/vectors/directory.txt (version 1)
// and version 2 and 3 directories signed here from the text of §7.3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ready, sodium } from '../src/protocol/sodium.js';
import { verifyDirectory, checkFreshness, findAdviser, MAX_SIGNED_DIRECTORY } from '../src/protocol/directory.js';
import { fromHex, toHex, concat } from '../src/protocol/bytes.js';
import { loadVectors } from '../test-support/vectors.js';
import { encodeBody, signBody, orgKeyPair } from '../test-support/directory-builder.js';

await ready();
const v = loadVectors('directory.txt');
const org = orgKeyPair(fromHex(v.get('org_seed')));
const orgPk = fromHex(v.get('org_sign_pk'));
const signed = fromHex(v.get('signed'));

function vectorEntry(n) {
  const g = (f) => v.get(`entry${n}.${f}`);
  return { id: fromHex(g('id')), role: Number(g('role')), name: g('name'), descriptionNl: g('description_nl'),
    descriptionEn: g('description_en'), signPk: fromHex(g('sign_pk')), messagePk: fromHex(g('message_pk')),
    fetchPk: fromHex(g('fetch_pk')) };
}
const entries = [vectorEntry(1), vectorEntry(2)];

test('directory.txt: the version 1 vector verifies with every field', () => {
  assert.equal(toHex(org.publicKey), v.get('org_sign_pk'));
  const d = verifyDirectory(signed, orgPk);
  assert.equal(d.version, 1);
  assert.equal(d.serial, BigInt(v.get('serial')));
  assert.equal(d.validUntil, 0n);
  assert.equal(d.entries.length, Number(v.get('count')));
  for (const [i, e] of d.entries.entries()) {
    const want = entries[i];
    assert.deepEqual([toHex(e.id), e.role, e.name, e.descriptionNl, e.descriptionEn, toHex(e.signPk),
      toHex(e.messagePk), toHex(e.fetchPk)],
    [toHex(want.id), want.role, want.name, want.descriptionNl, want.descriptionEn, toHex(want.signPk),
      toHex(want.messagePk), toHex(want.fetchPk)]);
  }
  assert.equal(findAdviser(d, entries[1].id).name, 'Extern Bureau');
  // The builder (from PROTOCOL.md) reproduces the vector's body byte for byte.
  assert.equal(toHex(signBody(encodeBody({ version: 1, orgPk, serial: 7, entries }), org.privateKey)), v.get('signed'));
});

test('any change of any byte is refused', () => {
  for (let i = 0; i < signed.length; i++) {
    const bad = signed.slice(); bad[i] ^= 0x01;
    assert.throws(() => verifyDirectory(bad, orgPk), (e) => e.kind === 'unauthorised', `byte ${i}`);
  }
});

test('truncated, oversized and foreign directories are refused', () => {
  for (const n of [0, 1, 113, signed.length - 1]) {
    assert.throws(() => verifyDirectory(signed.subarray(0, n), orgPk), (e) => ['malformed', 'unauthorised'].includes(e.kind), `${n}`);
  }
  assert.throws(() => verifyDirectory(new Uint8Array(MAX_SIGNED_DIRECTORY + 1), orgPk), (e) => e.kind === 'too-large');
  assert.throws(() => verifyDirectory(concat(signed, Uint8Array.of(0)), orgPk), (e) => e.kind === 'unauthorised');
  const other = sodium.crypto_sign_keypair().publicKey;
  assert.throws(() => verifyDirectory(signed, other), (e) => e.kind === 'unauthorised');
});

const groups = [{ id: 'staff', labelNl: 'Medewerkers', labelEn: 'Staff' }, { id: 'members', labelNl: 'Leden', labelEn: 'Members' }];
const kinds = [{ id: 'harassment', labelNl: 'Intimidatie', labelEn: 'Harassment' }];
const v3 = (over = {}) => signBody(encodeBody({ version: 3, orgPk, serial: 9, validUntil: 2000000000, entries, groups, kinds,
  coverage: [{ flags: 0, groups: 0b01, kinds: 0b1 }, { flags: 3, groups: 0, kinds: 0 }], ...over }), org.privateKey);

test('version 2 and version 3 with a signpost verify', () => {
  const d2 = verifyDirectory(signBody(encodeBody({ version: 2, orgPk, serial: 8, validUntil: 2000000000, entries }),
    org.privateKey), orgPk);
  assert.equal(d2.version, 2);
  assert.equal(d2.validUntil, 2000000000n);
  const d3 = verifyDirectory(v3(), orgPk);
  assert.equal(d3.version, 3);
  assert.deepEqual(d3.groups, groups);
  assert.deepEqual(d3.kinds, kinds);
  assert.deepEqual(d3.entries[0].coverage, { everyGroup: false, everyKind: false, groups: 1, kinds: 1 });
  assert.deepEqual(d3.entries[1].coverage, { everyGroup: true, everyKind: true, groups: 0, kinds: 0 });
  // An empty coverage is allowed: the entry is not in the signpost.
  verifyDirectory(v3({ coverage: [{ flags: 0, groups: 0, kinds: 0 }, { flags: 3, groups: 0, kinds: 0 }] }), orgPk);
});

test('signed but malformed bodies are refused with the right kind', () => {
  const bad = (over, kind = 'malformed') => assert.throws(() => verifyDirectory(v3(over), orgPk), (e) => e.kind === kind,
    JSON.stringify(Object.keys(over)));
  const cover = (c0) => ({ coverage: [c0, { flags: 3, groups: 0, kinds: 0 }] });
  bad(cover({ flags: 4, groups: 1, kinds: 1 }));
  bad(cover({ flags: 0, groups: 0b100, kinds: 1 }));
  bad(cover({ flags: 1, groups: 1, kinds: 1 }));
  bad(cover({ flags: 0, groups: 1, kinds: 0 }));
  bad({ coverage: [{ flags: 0, groups: 1, kinds: 1 }] }); // a coverage short
  bad({ validUntil: 0 });
  bad({ groups: [] });
  bad({ groups: [groups[0], groups[0]] });
  bad({ groups: [{ ...groups[0], id: '-staff' }] });
  bad({ groups: [{ ...groups[0], labelNl: '' }] });
  bad({ kinds: [{ ...kinds[0], labelEn: 'x'.repeat(97) }] });
  bad({ entries: [entries[0], entries[0]] });
  bad({ entries: [{ ...entries[0], role: 5 }, entries[1]] });
  bad({ entries: [{ ...entries[0], name: '' }, entries[1]] });
  bad({ entries: [{ ...entries[0], name: 'x'.repeat(129) }, entries[1]] });
  bad({ entries: [{ ...entries[0], name: 'Anna\u202Eevil' }, entries[1]] });
  bad({ entries: [{ ...entries[0], name: 'Anna\nB' }, entries[1]] });
  bad({ entries: [{ ...entries[0], descriptionNl: 'a\u0007b' }, entries[1]] });
  bad({ entries: [{ ...entries[0], name: Uint8Array.of(0x41, 0xc0, 0x80) }, entries[1]] });
  bad({ entries: [{ ...entries[0], fetchPk: new Uint8Array(32) }, entries[1]] });
  bad({ entries: [{ ...entries[0], fetchPk: Uint8Array.from({ length: 32 }, (_, i) => (i === 31 ? 0x80 : 0)) }, entries[1]] });
  bad({ count: 65 });
  bad({ count: 3 });
  bad({ orgPk: sodium.crypto_sign_keypair().publicKey });
  bad({ version: 4 }, 'unsupported-version');
  const trailing = encodeBody({ version: 2, orgPk, serial: 1, validUntil: 5, entries });
  assert.throws(() => verifyDirectory(signBody(concat(trailing, Uint8Array.of(0)), org.privateKey), orgPk),
    (e) => e.kind === 'malformed');
  // Descriptions may hold newlines.
  verifyDirectory(v3({ entries: [{ ...entries[0], descriptionEn: 'line\nline' }, entries[1]] }), orgPk);
});

test('freshness: serial, minimum serial, valid-until and the version 1 cut-off', () => {
  const d3 = verifyDirectory(v3(), orgPk);
  checkFreshness(d3, { highestSerial: 9n, minSerial: 9n, now: 2000000000 });
  assert.throws(() => checkFreshness(d3, { highestSerial: 10n, now: 1 }), (e) => e.kind === 'replay');
  assert.throws(() => checkFreshness(d3, { minSerial: 10n, now: 1 }), (e) => e.kind === 'replay');
  assert.throws(() => checkFreshness(d3, { now: 2000000001 }), (e) => e.kind === 'replay');
  const d1 = verifyDirectory(signed, orgPk);
  checkFreshness(d1, { now: 1814399999 });
  assert.throws(() => checkFreshness(d1, { now: 1814400000 }), (e) => e.kind === 'replay');
});
