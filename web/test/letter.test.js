// docs/PROTOCOL.md Part 3 "Letters", "Reply signatures", "History" and
// "Hand-over". Letters have no vector file (their known answers live in the
// C++ tests); the layout test below spells the bytes out field by field from
// the text, the reply signature is sign.txt's sig5, and the flow test uses
// the keys of derive.txt and directory.txt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ready, sodium } from '../src/protocol/sodium.js';
import { encodeLetter, decodeLetter, LETTER_KIND, maxBodyBytes } from '../src/protocol/letter.js';
import { replySignedMessage, replyStatus, UNSIGNED_REPLY_CUTOFF } from '../src/protocol/reply.js';
import { encodeHistory, decodeHistory } from '../src/protocol/history.js';
import { encodeProposal, decodeProposal, encodeAnswer, decodeAnswer, encodeTransfer, decodeTransfer, verifyHandover,
  signHandover, DECISION } from '../src/protocol/handover.js';
import { sealEnvelope, sealToAdviser, openEnvelope } from '../src/protocol/envelope.js';
import { verifyDirectory, findAdviser } from '../src/protocol/directory.js';
import { signDetached, DOMAIN } from '../src/protocol/sign.js';
import { fromHex, toHex, ascii, concat } from '../src/protocol/bytes.js';
import { loadVectors } from '../test-support/vectors.js';

await ready();
const sv = loadVectors('sign.txt');
const dv = loadVectors('derive.txt');
const yv = loadVectors('directory.txt');
const id = (b) => new Uint8Array(16).fill(b);
const token = new Uint8Array(32).fill(0xd0);

test('a report encodes to the layout of the text, field by field', () => {
  const bytes = encodeLetter({ kind: LETTER_KIND.report, sentAt: 1700000000, directorySerial: 7, adviserId: id(0xa1),
    reporterFetchPk: new Uint8Array(32).fill(0xf0), deleteToken: token, recipients: [id(0xa1), id(0xa2)],
    body: ascii('hoi') });
  const expected = [
    '02', '01', // version 2, kind 1
    '00f1536500000000', // sent_at u64 LE
    '0700000000000000', // directory serial u64 LE
    'a1'.repeat(16), 'f0'.repeat(32), 'd0'.repeat(32), // adviser id, reporter fetch pk, delete token
    '02', 'a1'.repeat(16), 'a2'.repeat(16), // recipient count and ids
    '03000000', '686f69', // body length u32 LE, body
  ].join('');
  assert.equal(toHex(bytes), expected);
  const l = decodeLetter(bytes);
  assert.equal(l.sentAt, 1700000000n);
  assert.equal(l.directorySerial, 7n);
  assert.equal(l.recipients.length, 2);
  assert.equal(new TextDecoder().decode(l.body), 'hoi');
  // Version 1: the same without the directory serial, read with serial 0.
  const v1 = concat(Uint8Array.of(1), bytes.subarray(1, 10), bytes.subarray(18));
  assert.equal(decodeLetter(v1).directorySerial, 0n);
  assert.equal(toHex(decodeLetter(v1).body), '686f69');
});

test('sign.txt sig5: the reply signature message and its verification', () => {
  const adviserId = fromHex(sv.get('sig5.message')).subarray(0, 16);
  const body = ascii('Dank voor je melding.');
  const message = replySignedMessage(adviserId, fromHex(dv.get('a.message_pk')), 1700000000n, body);
  assert.equal(toHex(message), sv.get('sig5.message'));
  // The signing adviser as a directory entry of its own (sign.txt's key pair).
  const directory = { entries: [{ id: adviserId, signPk: fromHex(sv.get('pk')), messagePk: new Uint8Array(32).fill(5) }] };
  const senderPk = directory.entries[0].messagePk;
  const letter = decodeLetter(encodeLetter({ kind: LETTER_KIND.reply, sentAt: 1700000000, adviserId, deleteToken: token,
    body, signature: fromHex(sv.get('sig5.signature')) }));
  const status = (l, over = {}) => replyStatus({ letter: l, senderPk, directory, reporterMessagePk: fromHex(dv.get('a.message_pk')),
    now: 0, ...over });
  assert.equal(status(letter), 'signed');
  assert.equal(status(letter, { reporterMessagePk: fromHex(dv.get('b.message_pk')) }), 'refused'); // moved to another reporter
  assert.equal(status({ ...letter, sentAt: letter.sentAt + 1n }), 'refused'); // redated
  assert.equal(status(letter, { senderPk: new Uint8Array(32).fill(6) }), 'refused'); // not the directory's message key
  assert.equal(status({ ...letter, adviserId: id(0xee) }), 'refused'); // adviser not in the directory
  const unsigned = { ...letter, signature: null };
  assert.equal(status(unsigned, { now: UNSIGNED_REPLY_CUTOFF - 1n }), 'unsigned');
  assert.equal(status(unsigned, { now: UNSIGNED_REPLY_CUTOFF }), 'refused');
});

test('malformed letters are refused', () => {
  const good = encodeLetter({ kind: LETTER_KIND.sentCopy, sentAt: 1, deleteToken: token, recipients: [id(1)], body: ascii('x') });
  const mutate = (f) => { const b = good.slice(); f(b); return b; };
  for (const [what, bytes] of [
    ['version 3', mutate((b) => { b[0] = 3; })],
    ['kind 0', mutate((b) => { b[1] = 0; })],
    ['kind 10', mutate((b) => { b[1] = 10; })],
    ['65 recipients', concat(good.subarray(0, 98), Uint8Array.of(65), new Uint8Array(65 * 16), Uint8Array.of(0, 0, 0, 0))],
    ['short', good.subarray(0, good.length - 1)],
    ['header only', good.subarray(0, 50)],
    ['trailing byte', concat(good, Uint8Array.of(0))],
    ['signature block on kind 3', concat(good, Uint8Array.of(1), new Uint8Array(64))],
    ['body length past the end', mutate((b) => { b[good.length - 5] = 9; })],
  ]) assert.throws(() => decodeLetter(bytes), (e) => e.kind === 'malformed', what);
  const reply = encodeLetter({ kind: LETTER_KIND.reply, sentAt: 1, deleteToken: token, body: ascii('x'), signature: new Uint8Array(64) });
  const badBlock = reply.slice(); badBlock[reply.length - 65] = 2;
  assert.throws(() => decodeLetter(badBlock), (e) => e.kind === 'malformed');
  assert.throws(() => decodeLetter(concat(reply, Uint8Array.of(0))), (e) => e.kind === 'malformed');
  assert.equal(decodeLetter(reply.subarray(0, reply.length - 65)).signature, null); // unsigned reply
  const rotate = encodeLetter({ kind: LETTER_KIND.rotate, sentAt: 1, deleteToken: token, body: new Uint8Array(32) });
  assert.throws(() => decodeLetter(concat(rotate.subarray(0, rotate.length - 36), Uint8Array.of(31, 0, 0, 0), new Uint8Array(31))),
    (e) => e.kind === 'malformed');
  assert.throws(() => encodeLetter({ kind: LETTER_KIND.rotate, sentAt: 1, deleteToken: token, body: new Uint8Array(32),
    files: [{ fileId: new Uint8Array(16), totalSize: 1n, pieceCount: 1, digest: new Uint8Array(32), keySeed: new Uint8Array(32),
      name: ascii('a') }] }), (e) => e.kind === 'malformed'); // a file block only in kinds 1, 2 and 3
  assert.throws(() => encodeLetter({ kind: 1, sentAt: 1, deleteToken: token, body: new Uint8Array(maxBodyBytes(0) + 1) }),
    (e) => e.kind === 'too-large');
});

const history = {
  truncated: true,
  entries: [
    { sentAt: 10n, fromReporter: true, recipients: [id(1), id(2)], body: ascii('melding'), signature: null,
      files: [{ size: 5n, digest: new Uint8Array(32).fill(9), name: ascii('a.pdf') }] },
    { sentAt: 11n, fromReporter: false, adviserId: id(1), body: ascii('antwoord'),
      signature: { reporterMessagePk: new Uint8Array(32).fill(3), signature: new Uint8Array(64).fill(4) }, files: [] },
  ],
};

test('history: round trip, version 1, and every refusal of the text', () => {
  const bytes = encodeHistory(history);
  const h = decodeHistory(bytes);
  assert.equal(h.truncated, true);
  assert.equal(h.entries.length, 2);
  assert.deepEqual(h.entries[0].files[0].name, ascii('a.pdf'));
  assert.deepEqual(h.entries[1].signature.signature, new Uint8Array(64).fill(4));
  assert.deepEqual(h.entries[1].adviserId, id(1));
  // Version 1: entries end after the body.
  const v1 = concat(Uint8Array.of(1, 0, 1, 0), new Uint8Array(8), Uint8Array.of(2), id(1), Uint8Array.of(0),
    Uint8Array.of(2, 0, 0, 0), ascii('ok'));
  assert.equal(new TextDecoder().decode(decodeHistory(v1).entries[0].body), 'ok');
  const mutate = (f) => { const b = bytes.slice(); f(b); return b; };
  const firstSigned = 4 + 8 + 1 + 16 + 1 + 32 + 4 + 7; // the reporter entry's `signed` byte
  for (const [what, b] of [
    ['version 3', mutate((x) => { x[0] = 3; })],
    ['unknown flag', mutate((x) => { x[1] = 2; })],
    ['count beyond the bytes', mutate((x) => { x[2] = 0xff; })],
    ['unknown from', mutate((x) => { x[12] = 3; })],
    ['signed reporter entry', mutate((x) => { x[firstSigned] = 1; })],
    ['signed byte 2', mutate((x) => { x[firstSigned] = 2; })],
    ['65 file notes', mutate((x) => { x[firstSigned + 1] = 65; })],
    ['trailing byte', concat(bytes, Uint8Array.of(0))],
    ['short', bytes.subarray(0, bytes.length - 1)],
  ]) assert.throws(() => decodeHistory(b), (e) => e.kind === 'malformed', what);
  const emptyName = mutate((x) => { x[firstSigned + 2 + 8 + 32] = 0; });
  assert.throws(() => decodeHistory(emptyName), (e) => e.kind === 'malformed');
});

test('hand-over: a proposal verifies only for its reporter, adviser and new adviser; answers and transfers', () => {
  const adviser = sodium.crypto_sign_seed_keypair(fromHex(sv.get('seed')));
  const reporterPk = fromHex(dv.get('b.message_pk'));
  const proposalId = id(7);
  const signature = signHandover(id(1), reporterPk, proposalId, id(2), adviser.privateKey);
  const p = decodeProposal(encodeProposal({ proposalId, newAdviserId: id(2), note: ascii('Collega X'), signature }));
  assert.ok(verifyHandover(id(1), reporterPk, p.proposalId, p.newAdviserId, p.signature, adviser.publicKey));
  assert.ok(!verifyHandover(id(1), reporterPk, p.proposalId, id(3), p.signature, adviser.publicKey));
  assert.ok(!verifyHandover(id(1), fromHex(dv.get('a.message_pk')), p.proposalId, p.newAdviserId, p.signature, adviser.publicKey));
  assert.ok(!verifyHandover(id(9), reporterPk, p.proposalId, p.newAdviserId, p.signature, adviser.publicKey));
  const proposal = encodeProposal({ proposalId, newAdviserId: id(2), note: ascii('n'), signature });
  assert.throws(() => decodeProposal(concat(proposal, Uint8Array.of(0))), (e) => e.kind === 'malformed');
  assert.throws(() => decodeProposal(proposal.subarray(0, proposal.length - 1)), (e) => e.kind === 'malformed');
  const longNote = concat(Uint8Array.of(1), proposalId, id(2), Uint8Array.of(0x01, 0x10), new Uint8Array(4097), signature);
  assert.throws(() => decodeProposal(longNote), (e) => e.kind === 'malformed');
  const answer = encodeAnswer({ proposalId, decision: DECISION.accept, newAdviserId: id(2) });
  assert.equal(toHex(answer), `01${'07'.repeat(16)}01${'02'.repeat(16)}`);
  assert.deepEqual(decodeAnswer(answer).newAdviserId, id(2));
  const wrongDecision = answer.slice(); wrongDecision[17] = 3;
  assert.throws(() => decodeAnswer(wrongDecision), (e) => e.kind === 'malformed');
  const transfer = decodeTransfer(encodeTransfer({ proposingAdviserId: id(1), proposalId, signature, history }));
  assert.equal(transfer.history.entries.length, 2);
  assert.ok(verifyHandover(transfer.proposingAdviserId, reporterPk, transfer.proposalId, id(2), transfer.signature,
    adviser.publicKey));
});

test('flow: a report to a directory adviser and its signed reply, through envelopes', () => {
  // Adviser = directory entry 1 (sign seed of directory.txt, message key =
  // derive.txt case a); reporter = derive.txt case b.
  const directory = verifyDirectory(fromHex(yv.get('signed')), fromHex(yv.get('org_sign_pk')));
  const entry = findAdviser(directory, fromHex(yv.get('entry1.id')));
  const adviserSign = sodium.crypto_sign_seed_keypair(fromHex(yv.get('card.adviser_seed')));
  const adviser = { secretKey: fromHex(dv.get('a.message_sk')), publicKey: entry.messagePk };
  const reporter = { secretKey: fromHex(dv.get('b.message_sk')), publicKey: fromHex(dv.get('b.message_pk')) };
  const medium = sodium.crypto_box_keypair();

  const report = encodeLetter({ kind: LETTER_KIND.report, sentAt: 1700000000, directorySerial: directory.serial,
    adviserId: entry.id, reporterFetchPk: fromHex(dv.get('b.fetch_pk')), deleteToken: token, recipients: [entry.id],
    body: ascii('Melding') });
  assert.throws(() => sealToAdviser(reporter, entry.messagePk, { mediumPk: null }, report), (e) => e.kind === 'not-found');
  const env = sealToAdviser(reporter, entry.messagePk, { mediumPk: medium.publicKey }, report);
  const atAdviser = openEnvelope(env, adviser, { medium: () => medium.privateKey });
  assert.deepEqual(atAdviser.senderPk, reporter.publicKey);
  assert.equal(decodeLetter(atAdviser.payload).directorySerial, 7n);

  const body = ascii('Dank voor je melding.');
  const signature = signDetached(DOMAIN.reply, replySignedMessage(entry.id, reporter.publicKey, 1700000100n, body),
    adviserSign.privateKey);
  const reply = encodeLetter({ kind: LETTER_KIND.reply, sentAt: 1700000100, adviserId: entry.id, deleteToken: token, body, signature });
  const opened = openEnvelope(sealEnvelope(adviser, reporter.publicKey, {}, reply), reporter);
  assert.deepEqual(opened.senderPk, entry.messagePk); // shown only if the sender is the directory's key
  const letter = decodeLetter(opened.payload);
  assert.equal(replyStatus({ letter, senderPk: opened.senderPk, directory, reporterMessagePk: reporter.publicKey,
    now: 1700000100 }), 'signed');
});
