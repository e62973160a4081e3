// The client's flows end to end against a test-only in-memory relay
// (test-support/fake-relay.js) and test advisers (fake-adviser.js), both
// written from docs/PROTOCOL.md: report, check with new replies, reply,
// rotate with the move marker, hand-over, files both ways, forged replies,
// and what the relay sees (padded deposits, retrieval sessions of 16).
import test from 'node:test';
import assert from 'node:assert/strict';
import { ready, sodium } from '../src/protocol/sodium.js';
import { ascii, toHex } from '../src/protocol/bytes.js';
import { formatAddress } from '../src/protocol/address.js';
import { KDF_INSECURE_FOR_TESTS } from '../src/protocol/derive.js';
import { LETTER_KIND, encodeLetter } from '../src/protocol/letter.js';
import { sealEnvelope } from '../src/protocol/envelope.js';
import { makeClue, newDeleteToken, deleteVerifier } from '../src/protocol/clue.js';
import { encodeBody, signBody } from '../test-support/directory-builder.js';
import { FakeRelay } from '../test-support/fake-relay.js';
import { makeAdviser, inbox, reply, legacyReply, propose, receiveFiles } from '../test-support/fake-adviser.js';
import { openChannel, NewCode, ERROR } from '../src/client/index.js';
import { fileToSend, encodeChunk, CHUNK_TYPE } from '../src/client/files.js';

await ready();

async function setup({ advisers = 3, prices } = {}) {
  const org = sodium.crypto_sign_keypair();
  const list = Array.from({ length: advisers }, (_, i) => makeAdviser(`Adviser ${i + 1}`));
  const body = encodeBody({ version: 2, orgPk: org.publicKey, serial: 5, validUntil: Math.floor(Date.now() / 1000) + 86400 * 30,
    entries: list.map((a) => a.entry()) });
  const relay = new FakeRelay({ signedDirectory: signBody(body, org.privateKey), prices });
  const prekeys = list.map((a) => relay.addAdviserPrekeys(a.sign, { onetime: 20 }));
  relay.address = formatAddress({ relayKey: sodium.randombytes_buf(32), orgKey: org.publicKey, minSerial: 0n, endpoint: 'tcp://127.0.0.1:1' });
  const channel = await openChannel({ transport: relay, kdf: KDF_INSECURE_FOR_TESTS });
  return { relay, list, prekeys, channel };
}

const ops = (relay, op) => relay.log.filter((l) => l.op === op);

test('report: one padded deposit of n + 1 envelopes of one class; only the chosen adviser reads it', async () => {
  const { relay, list, prekeys, channel } = await setup({ prices: { envelope: [16n, 32n, 128n], prekeys: 8n } });
  assert.equal(channel.advisers.length, 3);
  assert.equal(channel.maxReaders, 3);
  const code = channel.newCode();
  assert.ok(code.matches(code.display.toLowerCase()));
  assert.ok(!code.matches('0000-0000-0000-0000-0000-0000'));
  const result = await channel.report({ code, advisers: [channel.advisers[1].id], text: 'Er is iets gebeurd.' });
  assert.match(result.code, /^([0-9A-Z]{4}-){5}[0-9A-Z]{4}$/);
  assert.equal(code.display, ''); // wiped
  const deposits = ops(relay, 3);
  assert.equal(deposits.length, 1);
  const envelopes = deposits[0].fields.filter((_, i) => i > 0 && i % 3 === 0);
  assert.equal(envelopes.length, 4); // n = 3 report envelopes (1 real, 2 decoys) + the sent copy
  assert.equal(new Set(envelopes.map((e) => e.length)).size, 1);
  assert.equal(inbox(relay, list[1], prekeys[1]).length, 1);
  assert.equal(inbox(relay, list[0], prekeys[0]).length, 0);
  assert.equal(inbox(relay, list[2], prekeys[2]).length, 0);
  const letter = inbox(relay, list[1], prekeys[1])[0].letter;
  assert.equal(letter.kind, LETTER_KIND.report);
  assert.equal(new TextDecoder().decode(letter.body), 'Er is iets gebeurd.');
  // Choosing two advisers deposits the same count and class.
  relay.log.length = 0;
  await channel.report({ code: channel.newCode(), advisers: [channel.advisers[0].id, channel.advisers[2].id], text: 'Er is iets gebeurd!' });
  const again = ops(relay, 3)[0].fields.filter((_, i) => i > 0 && i % 3 === 0);
  assert.deepEqual(again.map((e) => e.length), envelopes.map((e) => e.length));
});

test('report refusals: no adviser, unknown adviser, too many, an adviser without a medium-term prekey', async () => {
  const { relay, channel } = await setup();
  await assert.rejects(channel.report({ code: channel.newCode(), advisers: [], text: 'x' }), (e) => e.kind === ERROR.invalid);
  await assert.rejects(channel.report({ code: channel.newCode(), advisers: ['00'.repeat(16)], text: 'x' }), (e) => e.kind === ERROR.invalid);
  await assert.rejects(channel.report({ code: channel.newCode(), advisers: channel.advisers.map((a) => a.id).concat(['11'.repeat(16)]), text: 'x' }),
    (e) => e.kind === ERROR.tooLarge);
  relay.prekeys[0].medium = null;
  await assert.rejects(channel.report({ code: channel.newCode(), advisers: [channel.advisers[0].id], text: 'x' }),
    (e) => e.kind === ERROR.noPrekey && e.advisers[0] === channel.advisers[0].id);
  assert.equal(ops(relay, 3).length, 0); // nothing was deposited
});

test('check, reply, rotate: new replies marked, 16 get-messages per session, the old code moved', async () => {
  const { relay, list, prekeys, channel } = await setup({ prices: { fetch: 64n } });
  const { code } = await channel.report({ code: channel.newCode(), advisers: [channel.advisers[0].id], text: 'Melding' });
  const report = inbox(relay, list[0], prekeys[0])[0];
  reply(relay, list[0], report, 'Dank voor je melding.');
  // Someone holding no signing key of the directory: not shown.
  const forger = sodium.crypto_box_keypair();
  const token = newDeleteToken();
  const forged = encodeLetter({ kind: LETTER_KIND.reply, sentAt: 9999999999n, adviserId: list[0].id, deleteToken: token, body: ascii('forged') });
  relay.messages.set('ff'.repeat(16), { id: new Uint8Array(16).fill(0xff), clue: makeClue(report.letter.reporterFetchPk),
    verifier: deleteVerifier(token), envelope: sealEnvelope({ secretKey: forger.privateKey, publicKey: forger.publicKey }, report.senderPk, {}, forged) });

  const session = await channel.open(code.toLowerCase().replace(/-/g, ' '));
  relay.log.length = 0;
  const c = await session.check();
  assert.equal(ops(relay, 5).length, relay.messages.size < 16 ? relay.messages.size : 16);
  assert.equal(c.messages.length, 2);
  assert.equal(c.messages[0].fromReporter, true);
  assert.equal(c.messages[1].text, 'Dank voor je melding.');
  assert.equal(c.messages[1].isNew, true);
  assert.equal(c.messages[1].signed, 'signed');
  assert.equal(c.messages[1].adviserName, 'Adviser 1');
  assert.equal(c.newReplies, 1);
  assert.equal(c.ignored, 1);
  assert.deepEqual(c.currentReaders, [channel.advisers[0].id]);

  await new Promise((r) => setTimeout(r, 2100)); // times have one-second resolution; a tie counts as new
  await session.reply({ text: 'Graag gedaan' });
  const after = await session.check();
  assert.equal(after.newReplies, 0);
  assert.equal(after.messages.at(-1).text, 'Graag gedaan');

  const next = channel.newCode();
  const rotated = await session.rotate({ code: next });
  assert.equal(rotated.deletedOld, true);
  assert.equal(rotated.notDeleted, 0);
  const notices = inbox(relay, list[0], prekeys[0]).filter((r) => r.letter.kind === LETTER_KIND.rotate);
  assert.equal(notices.length, 1);
  const moved = await session.check();
  assert.ok(moved.movedAt > 0);
  assert.equal(moved.messages.length, 0);
  await assert.rejects(session.reply({ text: 'x' }), (e) => e.kind === ERROR.moved);
  session.close();
  await assert.rejects(session.check(), (e) => e.kind === ERROR.invalid);
});

test('rotate carries the conversation to the new code', async () => {
  const { relay, list, prekeys, channel } = await setup();
  const { code } = await channel.report({ code: channel.newCode(), advisers: [channel.advisers[0].id], text: 'Melding' });
  reply(relay, list[0], inbox(relay, list[0], prekeys[0])[0], 'Antwoord');
  const old = await channel.open(code);
  const fresh = channel.newCode();
  const display = fresh.display;
  await old.rotate({ code: fresh });
  const session = await channel.open(display);
  const c = await session.check();
  assert.deepEqual(c.messages.map((m) => [m.text, m.fromHistory]), [['Melding', true], ['Antwoord', true]]);
  assert.equal(c.messages[1].signed, 'signed');
  assert.deepEqual(c.currentReaders, [channel.advisers[0].id]);
});

test('hand-over: the offer is shown, accepting sends the answer and the history to the new adviser', async () => {
  const { relay, list, prekeys, channel } = await setup();
  const { code } = await channel.report({ code: channel.newCode(), advisers: [channel.advisers[0].id], text: 'Melding' });
  const report = inbox(relay, list[0], prekeys[0])[0];
  propose(relay, list[0], report, list[2], 'Mijn collega neemt het over');
  const session = await channel.open(code);
  const c = await session.check();
  assert.equal(c.offers.length, 1);
  assert.equal(c.offers[0].toName, 'Adviser 3');
  assert.equal(c.offers[0].note, 'Mijn collega neemt het over');
  relay.log.length = 0;
  await session.answerHandover({ offer: c.offers[0], accept: true });
  const sizes = ops(relay, 3)[0].fields.filter((_, i) => i > 0 && i % 3 === 0).length;
  assert.equal(sizes, 3); // answer, history, copy
  const atNew = inbox(relay, list[2], prekeys[2]).filter((r) => r.letter.kind === LETTER_KIND.handoverHistory);
  assert.equal(atNew.length, 1);
  const after = await session.check();
  assert.equal(after.offers.length, 0);
  assert.deepEqual(after.currentReaders, [channel.advisers[2].id]);
  assert.equal(after.answers[0].accepted, true);
});

test('declining deposits as many envelopes as accepting, of the same classes', async () => {
  const { relay, list, prekeys, channel } = await setup();
  const { code } = await channel.report({ code: channel.newCode(), advisers: [channel.advisers[0].id], text: 'Melding' });
  propose(relay, list[0], inbox(relay, list[0], prekeys[0])[0], list[1], 'note');
  const session = await channel.open(code);
  const c = await session.check();
  relay.log.length = 0;
  await session.answerHandover({ offer: c.offers[0], accept: false });
  const env = ops(relay, 3)[0].fields.filter((_, i) => i > 0 && i % 3 === 0);
  assert.equal(env.length, 3);
  assert.equal(inbox(relay, list[1], prekeys[1]).length, 0);
  assert.deepEqual((await session.check()).currentReaders, [channel.advisers[0].id]);
});

test('files both ways: pieces to per-file keys, announced in the letters; a reply\'s file downloads intact', async () => {
  const { relay, list, prekeys, channel } = await setup();
  const big = sodium.randombytes_buf(300000); // two pieces
  const { code } = await channel.report({ code: channel.newCode(), advisers: [channel.advisers[0].id], text: 'Met bijlage',
    files: [{ name: '../evil\u202e.pdf', bytes: big }] });
  const deposits = ops(relay, 3);
  assert.equal(deposits.length, 2); // pieces first, then the message
  const report = inbox(relay, list[0], prekeys[0]).find((r) => r.letter.kind === LETTER_KIND.report);
  assert.equal(report.letter.files.length, 1);
  const [got] = receiveFiles(relay, report);
  assert.equal(got.status, 'intact');
  assert.deepEqual(got.bytes, big);
  assert.equal(new TextDecoder().decode(report.letter.files[0].name), 'evil_.pdf');

  const small = ascii('verslag');
  reply(relay, list[0], report, 'Zie bijlage', { files: [{ name: 'verslag.txt', bytes: small }] });
  const session = await channel.open(code);
  const c = await session.check();
  const theirs = c.files.find((f) => !f.fromReporter);
  assert.equal(theirs.status, 'intact');
  assert.equal(theirs.name, 'verslag.txt');
  assert.deepEqual(session.downloadFile(theirs).bytes, small);
  const mine = c.files.find((f) => f.fromReporter);
  assert.equal(mine.status, 'not-here');
  assert.equal(mine.size, 300000);
  assert.equal(c.messages.find((m) => m.text === 'Zie bijlage').files.length, 1);
  // Rotating keeps the old letters: the files stay with the old code.
  const r = await session.rotate({ code: channel.newCode() });
  assert.equal(r.deletedOld, false);
  assert.equal(r.keptForFiles, true);
});

test('files in kind-6 letters to the code (clients from before file keys) are read as reporter-client reads them', async () => {
  const { relay, list, prekeys, channel } = await setup();
  const { code } = await channel.report({ code: channel.newCode(), advisers: [channel.advisers[0].id], text: 'Oude melding' });
  const report = inbox(relay, list[0], prekeys[0]).find((r) => r.letter.kind === LETTER_KIND.report);
  const session = await channel.open(code);
  const keys = session.keys;
  // The reporter's own description of a file it sent (type 2, kind 6 to its own key), as old reporter-clients wrote it.
  const sent = fileToSend({ name: 'notitie.txt', bytes: ascii('mijn notitie') }, 100);
  const description = encodeChunk({ type: CHUNK_TYPE.description, fileId: sent.fileId, index: 0, count: 1, total: sent.total,
    digest: sent.digest, name: sent.name });
  const token = newDeleteToken();
  const id = sodium.randombytes_buf(16);
  relay.messages.set(toHex(id), { id, clue: makeClue(keys.fetchPk), verifier: deleteVerifier(token), envelope: sealEnvelope(
    { secretKey: keys.messageSk, publicKey: keys.messagePk }, keys.messagePk, {},
    encodeLetter({ kind: LETTER_KIND.attachment, sentAt: report.letter.sentAt, recipients: [list[0].id], deleteToken: token, body: description })) });
  // An adviser's reply with a two-piece file sealed to the reporter's key; a
  // forged piece of the same file (another sender naming the adviser) must not count.
  const big = sodium.randombytes_buf(300000);
  const sentAt = report.letter.sentAt + 5n;
  legacyReply(relay, list[0], report, 'Zie oude bijlage', { sentAt, files: [{ name: 'oud.bin', bytes: big }] });
  const forger = sodium.crypto_box_keypair();
  legacyReply(relay, list[0], report, null, { sentAt, files: [{ name: 'oud.bin', bytes: big.slice().fill(7) }],
    sealer: { secretKey: forger.privateKey, publicKey: forger.publicKey } });

  const c = await session.check();
  const theirs = c.files.find((f) => !f.fromReporter);
  assert.ok(theirs, 'the adviser\'s file is listed');
  assert.equal(theirs.status, 'intact');
  assert.equal(theirs.name, 'oud.bin');
  assert.equal(theirs.pieces, 2);
  assert.equal(theirs.adviser, toHex(list[0].id));
  assert.deepEqual(session.downloadFile(theirs).bytes, big);
  assert.equal(c.messages.find((m) => m.text === 'Zie oude bijlage').files.length, 1);
  const mine = c.files.find((f) => f.fromReporter);
  assert.ok(mine, 'the description is listed as a file this code sent');
  assert.equal(mine.name, 'notitie.txt');
  assert.equal(mine.size, 12);
  assert.equal(mine.status, 'not-here');
  assert.equal(c.messages.find((m) => m.text === 'Oude melding').files.length, 1);
  assert.equal(c.ignored, 2, 'the two forged pieces are ignored');
  session.close();
});

test('rate-limited requests are retried with the caller told, then succeed', async () => {
  const { relay, channel } = await setup();
  let refusals = 1;
  relay.failNext = (op) => (op === 3 && refusals-- > 0 ? 13 : null);
  const events = [];
  await channel.report({ code: channel.newCode(), advisers: [channel.advisers[0].id], text: 'x', onProgress: (e) => events.push(e) });
  const retry = events.find((e) => e.step === 'retry');
  assert.ok(retry && retry.attempt === 2 && retry.of === 5 && retry.waitMs >= 1000 && retry.waitMs <= 1500);
  relay.failNext = (op) => (op === 3 ? 6 : null);
  await assert.rejects(channel.report({ code: channel.newCode(), advisers: [channel.advisers[0].id], text: 'x' }),
    (e) => e.kind === ERROR.storageFull);
});

test('a mistyped code is refused before any request, with its group', async () => {
  const { relay, channel } = await setup();
  const code = new NewCode();
  const typed = code.display.split('');
  typed[6] = typed[6] === 'A' ? 'B' : 'A';
  const before = relay.log.length;
  await assert.rejects(channel.open(typed.join('')), (e) => e.kind === ERROR.badCode && e.group === 2);
  assert.equal(relay.log.length, before);
});

test('checkMessage refuses before anything is derived or sent', async () => {
  const { relay, channel } = await setup();
  const before = relay.log.length;
  assert.throws(() => channel.checkMessage({ text: 'x'.repeat(channel.maxBodyBytes() + 1) }), (e) => e.kind === ERROR.tooLarge && e.maxBytes > 0);
  assert.throws(() => channel.checkMessage({ text: 'x', files: [{ name: 'a', bytes: new Uint8Array(0) }] }), (e) => e.kind === ERROR.invalid);
  assert.throws(() => channel.checkMessage({ text: 'x', files: [{ name: 'a', bytes: new Uint8Array(10485761) }] }), (e) => e.kind === ERROR.tooLarge);
  channel.checkMessage({ text: 'x'.repeat(channel.maxBodyBytes([{ name: 'a.pdf', bytes: new Uint8Array(1) }])), files: [{ name: 'a.pdf', bytes: new Uint8Array(1) }] });
  await assert.rejects(channel.report({ code: channel.newCode(), advisers: [channel.advisers[0].id], text: 'x'.repeat(300000) }),
    (e) => e.kind === ERROR.tooLarge);
  assert.equal(relay.log.length, before);
});
