// The deposits a reporter makes (docs/PROTOCOL.md "Padded deposits"), as
// reporter-client/src/deposits.cpp and client/src/decoy.cpp: letters to
// advisers filled up with decoys to n = min(advisers in the directory, 14),
// every letter sealed in the class it would need naming n recipients, the
// envelopes shuffled. build* functions do no network work (unit-tested).
import { sodium, wipe } from '../protocol/sodium.js';
import { toHex } from '../protocol/bytes.js';
import { sealEnvelope, sizeClassFor, OVERHEAD } from '../protocol/envelope.js';
import { encodeLetter, LETTER_KIND, HEADER_BYTES, maxBodyBytes } from '../protocol/letter.js';
import { makeClue, deleteVerifier, newDeleteToken } from '../protocol/clue.js';
import { findAdviser } from '../protocol/directory.js';
import { encodeHistory } from '../protocol/history.js';
import { encodeAnswer, encodeTransfer, DECISION } from '../protocol/handover.js';
import { ClientError, ERROR, clientFail } from './errors.js';
import { shuffle } from './retrieval.js';
import { historyOf, nextOwnTime, readersAfter } from './conversation.js';
import { fileBlockBytes } from '../protocol/letter.js';

export const MAX_READERS = 14; // 16 envelopes per deposit less rotate's history and move marker
export const TRANSFER_HEADER_BYTES = 1 + 16 + 16 + 64;

export function paddedReaders(directory) { return Math.min(directory.entries.length, MAX_READERS); }
export function letterBytes(n, bodyBytes, fileBytes = 0) { return HEADER_BYTES + 16 * n + 4 + bodyBytes + fileBytes; }
export function paddedClass(n, bodyBytes) { return sizeClassFor(letterBytes(n, bodyBytes)); }
export function maxBodyBytesWith(n, files = []) {
  const room = maxBodyBytes(n);
  const block = fileBlockBytes(files);
  return block < room ? room - block : 0;
}

/**
 * Encodes `letter` with a fresh delete token and seals it from `sender`
 * ({ secretKey, publicKey }) to `to` ({ messagePk, fetchPk, onetimePk,
 * mediumPk }) in at least class minSize: { clue, verifier, envelope }.
 */
export function prepareLetter(letter, to, sender, minSize, givenToken = null) {
  const token = givenToken ?? newDeleteToken();
  const payload = encodeLetter({ ...letter, deleteToken: token });
  try {
    const envelope = sealEnvelope(sender, to.messagePk, { mediumPk: to.mediumPk ?? null, onetimePk: to.onetimePk ?? null },
      payload, minSize);
    return { clue: makeClue(to.fetchPk), verifier: deleteVerifier(token), envelope };
  } finally {
    wipe(payload);
    if (!givenToken) wipe(token);
  }
}

/** A real envelope to nobody, of class `sizeClass`: every throwaway secret wiped at once. */
export function makeDecoy(sizeClass) {
  const payload = sodium.randombytes_buf(sizeClass - OVERHEAD - 1);
  const sender = sodium.crypto_box_keypair();
  const recipient = sodium.crypto_box_keypair();
  const medium = sodium.crypto_box_keypair();
  const fetchSk = sodium.crypto_core_ristretto255_scalar_random();
  const token = newDeleteToken();
  try {
    const envelope = sealEnvelope({ secretKey: sender.privateKey, publicKey: sender.publicKey }, recipient.publicKey,
      { mediumPk: medium.publicKey }, payload, sizeClass);
    return { clue: makeClue(sodium.crypto_scalarmult_ristretto255_base(fetchSk)), verifier: deleteVerifier(token), envelope };
  } finally {
    wipe(sender.privateKey, recipient.privateKey, medium.privateKey, fetchSk, token, payload);
  }
}

export function padWithDecoys(items, count, sizeClass) {
  while (items.length < count) items.push(makeDecoy(sizeClass));
}

const self = (keys) => ({ messagePk: keys.messagePk, fetchPk: keys.fetchPk });
const sender = (keys) => ({ secretKey: keys.messageSk, publicKey: keys.messagePk });

/**
 * Keys for letters to each adviser id of `to` from a verified bundle
 * (Relay.prekeys). Throws no-prekey (error.advisers) when an adviser has no
 * valid medium-term prekey: never sealed to the long-term key alone.
 */
export function recipientsFor(directory, bundle, to) {
  const withoutMedium = [];
  const withoutOneTime = [];
  const recipients = to.map((id) => {
    const adviser = findAdviser(directory, id);
    if (!adviser) clientFail(ERROR.noPrekey, 'an adviser of this conversation is no longer in the directory', { advisers: [toHex(id)] });
    const p = bundle.get(toHex(id));
    if (!p?.mediumPk) withoutMedium.push(toHex(id));
    if (!p?.onetimePk) withoutOneTime.push(toHex(id));
    return { messagePk: adviser.messagePk, fetchPk: adviser.fetchPk, onetimePk: p?.onetimePk ?? null, mediumPk: p?.mediumPk ?? null };
  });
  if (withoutMedium.length) {
    throw new ClientError(ERROR.noPrekey, 'the relay has no current signed medium-term key for an adviser; nothing was sent',
      { advisers: withoutMedium });
  }
  return { recipients, withoutOneTime };
}

/** new and reply: n report envelopes (k real), the sent copy; shuffled. */
export function buildReport({ keys, directory, to, recipients, body, sentAt, files = [] }) {
  const n = paddedReaders(directory);
  if (to.length === 0) clientFail(ERROR.invalid, 'no adviser chosen');
  if (to.length > n) clientFail(ERROR.tooLarge, `too many advisers (at most ${n})`);
  if (body.length > maxBodyBytesWith(n, files)) clientFail(ERROR.tooLarge, 'message too long');
  const sizeClass = paddedClass(n, body.length + fileBlockBytes(files));
  const base = { sentAt, directorySerial: directory.serial, reporterFetchPk: keys.fetchPk, recipients: to, body };
  const out = to.map((id, i) => prepareLetter({ ...base, kind: LETTER_KIND.report, adviserId: id, files: files.map((f) => f.entry(true)) },
    recipients[i], sender(keys), sizeClass));
  padWithDecoys(out, n, sizeClass);
  out.push(prepareLetter({ ...base, kind: LETTER_KIND.sentCopy, files: files.map((f) => f.entry(false)) }, self(keys), sender(keys), sizeClass));
  return shuffle(out);
}

/** rotate: n kind-4 notices (sealed by the old key), the history for the new code, the move marker. */
export function buildRotation({ oldKeys, newKeys, directory, conversation, recipients }) {
  const to = conversation.currentRecipients;
  const n = paddedReaders(directory);
  if (to.length === 0) clientFail(ERROR.noConversation, 'no conversation found for this code');
  if (to.length > n) clientFail(ERROR.tooLarge, 'too many advisers');
  const sentAt = nextOwnTime(conversation);
  const noticeClass = paddedClass(n, 32);
  const items = to.map((id, i) => prepareLetter({ kind: LETTER_KIND.rotate, sentAt, directorySerial: directory.serial,
    adviserId: id, reporterFetchPk: newKeys.fetchPk, recipients: to, body: newKeys.messagePk }, recipients[i], sender(oldKeys), noticeClass));
  padWithDecoys(items, n, noticeClass);
  const { history, dropped } = historyOf(conversation, maxBodyBytes(n));
  const historyBody = encodeHistory(history);
  items.push(prepareLetter({ kind: LETTER_KIND.history, sentAt, directorySerial: directory.serial, reporterFetchPk: newKeys.fetchPk,
    recipients: to, body: historyBody }, self(newKeys), sender(newKeys), paddedClass(n, historyBody.length)));
  items.push(prepareLetter({ kind: LETTER_KIND.rotate, sentAt, directorySerial: 0n, reporterFetchPk: newKeys.fetchPk,
    recipients: to, body: newKeys.messagePk }, self(oldKeys), sender(oldKeys), noticeClass));
  return { items: shuffle(items), dropped };
}

export function handoverHistory(conversation, n) {
  return historyOf(conversation, maxBodyBytes(n) - TRANSFER_HEADER_BYTES);
}

/** The answer to a proposal: kind-8 answer, kind-9 history or a decoy of its class, kind-8 copy. */
export function buildHandoverAnswer({ keys, directory, conversation, pending, accept, recipients }) {
  const n = paddedReaders(directory);
  if (recipients.length !== (accept ? 2 : 1)) clientFail(ERROR.invalid, 'no keys for an adviser');
  const readers = readersAfter(conversation, pending, accept);
  if (readers.length > n) clientFail(ERROR.tooLarge, 'too many advisers');
  const sentAt = nextOwnTime(conversation);
  const answerBody = encodeAnswer({ proposalId: pending.proposal.proposalId, decision: accept ? DECISION.accept : DECISION.decline,
    newAdviserId: pending.to.id });
  const answer = { kind: LETTER_KIND.handoverAnswer, sentAt, directorySerial: directory.serial, adviserId: pending.from.id,
    reporterFetchPk: keys.fetchPk, recipients: readers, body: answerBody };
  const answerClass = paddedClass(n, answerBody.length);
  const items = [prepareLetter(answer, recipients[0], sender(keys), answerClass)];
  const { history, dropped } = handoverHistory(conversation, n);
  const transferBody = encodeTransfer({ proposingAdviserId: pending.from.id, proposalId: pending.proposal.proposalId,
    signature: pending.proposal.signature, history });
  const carryClass = paddedClass(n, transferBody.length);
  if (accept) {
    items.push(prepareLetter({ kind: LETTER_KIND.handoverHistory, sentAt, directorySerial: directory.serial, adviserId: pending.to.id,
      reporterFetchPk: keys.fetchPk, recipients: readers, body: transferBody }, recipients[1], sender(keys), carryClass));
  } else {
    items.push(makeDecoy(carryClass));
  }
  items.push(prepareLetter(answer, self(keys), sender(keys), answerClass));
  return { items: shuffle(items), readers, dropped: accept ? dropped : 0 };
}
