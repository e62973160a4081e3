// One code's conversation (README.md "Session"): check, reply, rotate,
// hand-over answers and files, as reporter-client's check, reply, rotate
// and answer_proposals. Every call fetches the conversation again.
import { sodium, wipe } from '../protocol/sodium.js';
import { toHex, utf8Decode } from '../protocol/bytes.js';
import { openEnvelope } from '../protocol/envelope.js';
import { decodeLetter, LETTER_KIND } from '../protocol/letter.js';
import { checkFreshness, findAdviser } from '../protocol/directory.js';
import { wipeReporterKeys } from '../protocol/derive.js';
import { ClientError, ERROR, STEP, clientFail } from './errors.js';
import { retrieveMessages, deleteMessages } from './retrieval.js';
import { buildConversation, nextOwnTime } from './conversation.js';
import { buildReport, buildRotation, buildHandoverAnswer, recipientsFor, prepareLetter, paddedReaders } from './deposits.js';
import { fileToSend, pieceBodies, deriveFileKeys, decodeChunk, assemble, sanitiseFileName, CHUNK_TYPE, MAX_FILE_KEYS_PER_FETCH } from './files.js';
import { guardedSession } from './guard.js';

const enc = new TextEncoder();
const ZERO16 = new Uint8Array(16);
const ZERO32 = new Uint8Array(32);

/** Wipes the files assembled from kind-6 letters (conversation.letterFiles). */
function forgetLetterFiles(conversation) {
  for (const r of conversation.letterFiles.values()) wipe(r.bytes);
  conversation.letterFiles.clear();
}

/** Opens each retrieved envelope with `recipient`; -> { letters: [{ id, senderPk, letter }], unreadable }. */
function openAll(own, envelopes, recipient) {
  const letters = [];
  let unreadable = 0;
  own.forEach((id, i) => {
    const envelope = envelopes[i];
    if (envelope === null) return; // deleted or expired since the fetch
    if (envelope === undefined) { unreadable++; return; }
    try {
      const opened = openEnvelope(envelope, recipient);
      try {
        letters.push({ id, senderPk: opened.senderPk, letter: decodeLetter(opened.payload) });
      } finally {
        wipe(opened.payload);
      }
    } catch {
      unreadable++;
    }
  });
  return { letters, unreadable };
}

/**
 * Deposits `pieces` (PreparedPiece: { item, token }) first, in requests of
 * at most 16, then `last` in one request. If a deposit fails, the pieces
 * already stored are deleted (stopping at the first delete the relay does
 * not answer) and the error says how many may remain (error.mayRemain);
 * but when the message itself may have been stored (`unconfirmed`), its
 * pieces stay: it would name them.
 */
async function depositPiecesThenMessage(relay, pieces, last, { onProgress, signal }) {
  const stored = [];
  let inFlight = 0;
  let message = false;
  try {
    for (let i = 0; i < pieces.length; i += 16) {
      const batch = pieces.slice(i, i + 16);
      inFlight = batch.length;
      const ids = await relay.deposit(batch.map((p) => p.item), { onProgress, signal });
      inFlight = 0;
      ids.forEach((id, k) => stored.push({ id, token: batch[k].token }));
      onProgress?.({ step: STEP.pieces, done: stored.length, total: pieces.length });
    }
    inFlight = 0;
    message = true;
    return await relay.deposit(last, { onProgress, signal });
  } catch (e) {
    if (stored.length === 0 || (message && e?.kind === ERROR.unconfirmed)) throw e;
    let left = stored.length;
    for (const p of stored) {
      try { await relay.deleteMessage(p.id, p.token); left--; } catch (d) { if (d?.kind === ERROR.timeout || d?.kind === ERROR.network) break; left--; }
    }
    const unanswered = e?.kind === ERROR.unconfirmed ? inFlight : 0;
    throw new ClientError(ERROR.partial, `${e.message}; at most ${left + unanswered} file pieces may remain stored until they expire`,
      { mayRemain: left + unanswered, cause: e });
  } finally {
    for (const p of pieces) wipe(p.token);
  }
}

/** new and reply: prekeys, the padded report deposit, files' pieces first. */
export async function sendMessage(channel, keys, { to, text, files = [], sentAt, onProgress, signal }) {
  if (typeof text !== 'string') clientFail(ERROR.invalid, 'text must be a string');
  if (files.length > 8) clientFail(ERROR.tooLarge, 'at most 8 files per message');
  const { relay, directory } = channel;
  const policy = await relay.policy({ signal });
  const toSend = files.map((f) => fileToSend(f, policy.maxAttachmentBytes));
  const body = enc.encode(text);
  try {
    const bundle = await relay.prekeys(directory, { onProgress, signal });
    const { recipients, withoutOneTime } = recipientsFor(directory, bundle, to);
    const items = buildReport({ keys, directory, to, recipients, body, sentAt, files: toSend });
    const pieces = [];
    for (const f of toSend) {
      const fk = deriveFileKeys(f.keySeed);
      try {
        for (const chunk of pieceBodies(f)) {
          const letter = { kind: LETTER_KIND.attachment, sentAt, directorySerial: directory.serial, adviserId: ZERO16,
            reporterFetchPk: ZERO32, recipients: [], body: chunk };
          const token = sodium.randombytes_buf(32);
          const item = prepareLetterWithToken(letter, { messagePk: fk.messagePk, fetchPk: fk.fetchPk },
            { secretKey: keys.messageSk, publicKey: keys.messagePk }, token);
          wipe(chunk);
          pieces.push({ item, token });
        }
      } finally {
        wipe(fk.messageSk, fk.fetchSk);
      }
    }
    await depositPiecesThenMessage(relay, pieces, items, { onProgress, signal });
    return { withoutOneTime };
  } finally {
    wipe(body);
    for (const f of toSend) wipe(f.keySeed);
  }
}

/** As prepareLetter, with the delete token chosen by the caller (kept to undo a failed upload). */
function prepareLetterWithToken(letter, to, sender, token) {
  return prepareLetter(letter, to, sender, 262144, token);
}

export class Session {
  constructor(channel, keys) {
    this.channel = channel;
    this.keys = keys;
    this.downloads = new Map();
  }

  #live() {
    if (!this.keys) clientFail(ERROR.invalid, 'this session was closed');
    return this.keys;
  }

  /** fetch → recognise → retrieval session → open → conversation (and the fetch answer). */
  async load({ onProgress, signal, keepFiles = false } = {}) {
    const keys = this.#live();
    const { relay, directory, recogniser } = this.channel;
    const answer = await relay.fetch({ onProgress, signal });
    const [own] = await recogniser(answer.entries, [keys.fetchSk], { onProgress, signal });
    const envelopes = await retrieveMessages(relay, own, answer.stored, { onProgress, signal });
    const { letters, unreadable } = openAll(own, envelopes, { secretKey: keys.messageSk, publicKey: keys.messagePk });
    const conversation = buildConversation(letters, keys, directory, { unreadable });
    // Files assembled from kind-6 letters to this code: only a check offers them.
    if (!keepFiles) forgetLetterFiles(conversation);
    try {
      checkFreshness(directory, { highestSerial: conversation.highestDirectorySerial, minSerial: this.channel.address.minSerial,
        now: Math.floor(Date.now() / 1000) });
    } catch (e) {
      forgetLetterFiles(conversation);
      throw e;
    }
    return { conversation, answer, ownIds: own };
  }

  /** The files replies announce: their pieces, in a retrieval session of their own. */
  async #receiveFiles(conversation, answer, ownIds, { onProgress, signal }) {
    const { relay, directory, recogniser } = this.channel;
    const announced = conversation.files.filter((f) => !f.fromReporter && !f.fromHistory && f.entry?.keySeed.some((b) => b !== 0))
      .sort((a, b) => (a.sentAt > b.sentAt ? -1 : a.sentAt < b.sentAt ? 1 : 0))
      .slice(0, MAX_FILE_KEYS_PER_FETCH);
    const results = new Map();
    if (announced.length === 0) return results;
    const fileKeys = announced.map((f) => deriveFileKeys(f.entry.keySeed));
    try {
      const found = await recogniser(answer.entries, fileKeys.map((k) => k.fetchSk), { onProgress, signal });
      const read = new Set(ownIds.map(toHex));
      const ids = [];
      const keyOf = new Map();
      found.forEach((list, k) => list.forEach((id) => {
        const h = toHex(id);
        if (read.has(h) || keyOf.has(h)) return;
        keyOf.set(h, k);
        ids.push(id);
      }));
      const chunksPer = announced.map(() => []);
      if (ids.length > 0) {
        const envelopes = await retrieveMessages(relay, ids, answer.stored, { onProgress, signal });
        ids.forEach((id, i) => {
          const k = keyOf.get(toHex(id));
          const envelope = envelopes[i];
          if (!envelope) return;
          try {
            const opened = openEnvelope(envelope, { secretKey: fileKeys[k].messageSk, publicKey: fileKeys[k].messagePk });
            const adviser = findAdviser(directory, announced[k].adviserId);
            const letter = decodeLetter(opened.payload);
            wipe(opened.payload);
            if (!adviser || letter.kind !== LETTER_KIND.attachment || !sodium.memcmp(opened.senderPk, adviser.messagePk)) return;
            chunksPer[k].push(decodeChunk(letter.body));
          } catch { /* not a piece of this file: ignored */ }
        });
      }
      announced.forEach((f, k) => results.set(f, assemble(f.entry, chunksPer[k])));
      return results;
    } finally {
      for (const k of fileKeys) wipe(k.messageSk, k.fetchSk);
    }
  }

  /** check (README.md): the conversation with new replies marked and the advisers' files. */
  check({ onProgress, signal } = {}) {
    return guardedSession(async () => {
      const { conversation, answer, ownIds } = await this.load({ onProgress, signal, keepFiles: true });
      let files;
      try {
        files = await this.#receiveFiles(conversation, answer, ownIds, { onProgress, signal });
      } catch (e) {
        forgetLetterFiles(conversation);
        throw e;
      }
      for (const [f, result] of conversation.letterFiles) files.set(f, result);
      this.#forgetDownloads();
      this.last = conversation;
      return present(conversation, this.channel.directory, files, this.downloads);
    });
  }

  #forgetDownloads() {
    for (const d of this.downloads.values()) wipe(d.bytes);
    this.downloads.clear();
  }

  /** An intact file of the last check: { name, bytes, digest } (a copy; the caller wipes it). */
  downloadFile(file) {
    const d = this.downloads.get(file?.key);
    if (!d) clientFail(ERROR.invalid, 'no such intact file in the last check');
    return { name: d.name, bytes: d.bytes.slice(), digest: d.digest };
  }

  #refuseMoved(conversation) {
    if (conversation.movedAt !== 0n) {
      throw new ClientError(ERROR.moved, 'this conversation moved to a new code', { movedAt: Number(conversation.movedAt) });
    }
    if (conversation.currentRecipients.length === 0) clientFail(ERROR.noConversation, 'no conversation found for this code');
  }

  reply({ text, files = [], onProgress, signal } = {}) {
    return guardedSession(async () => {
      const keys = this.#live();
      this.channel.checkMessage({ text, files });
      const { conversation } = await this.load({ onProgress, signal });
      this.#refuseMoved(conversation);
      return sendMessage(this.channel, keys, { to: conversation.currentRecipients, text, files,
        sentAt: nextOwnTime(conversation), onProgress, signal });
    });
  }

  rotate({ code, keepOld = false, onProgress, signal } = {}) {
    return guardedSession(async () => {
      if (!code || typeof code.canonical !== 'function') clientFail(ERROR.invalid, 'rotate needs the NewCode from newCode()');
      let newKeys = null;
      try {
        const oldKeys = this.#live();
        const { relay, directory } = this.channel;
        const { conversation } = await this.load({ onProgress, signal });
        this.#refuseMoved(conversation);
        newKeys = await this.channel.deriveKeys(code.canonical(), onProgress);
        if (sodium.memcmp(newKeys.messagePk, oldKeys.messagePk)) clientFail(ERROR.invalid, 'the new code is the old one');
        const bundle = await relay.prekeys(directory, { onProgress, signal });
        const { recipients } = recipientsFor(directory, bundle, conversation.currentRecipients);
        const rotation = buildRotation({ oldKeys, newKeys, directory, conversation, recipients });
        await relay.deposit(rotation.items, { onProgress, signal });
        const holdsFiles = conversation.letters.some((r) => r.letter.kind === LETTER_KIND.attachment
          || (r.letter.kind === LETTER_KIND.reply && r.letter.files.length > 0));
        let deletedOld = false;
        let notDeleted = 0;
        if (!holdsFiles && !keepOld && rotation.dropped === 0) {
          notDeleted = await deleteMessages(relay, conversation.letters.map((r) => ({ id: r.id, token: r.letter.deleteToken })),
            { onProgress, signal });
          deletedOld = true;
        }
        return { deletedOld, notDeleted, truncated: rotation.dropped > 0, keptForFiles: holdsFiles };
      } finally {
        code.wipe();
        if (newKeys) wipeReporterKeys(newKeys);
      }
    });
  }

  answerHandover({ offer, accept, onProgress, signal } = {}) {
    return guardedSession(async () => {
      const keys = this.#live();
      const { relay, directory } = this.channel;
      const { conversation } = await this.load({ onProgress, signal });
      this.#refuseMoved(conversation);
      const pending = conversation.pendingProposals.find((p) => toHex(p.proposal.proposalId) === offer?.proposalId);
      if (!pending) clientFail(ERROR.invalid, 'this hand-over question is no longer open');
      const bundle = await relay.prekeys(directory, { onProgress, signal });
      const to = accept ? [pending.from.id, pending.to.id] : [pending.from.id];
      const { recipients } = recipientsFor(directory, bundle, to);
      const letters = buildHandoverAnswer({ keys, directory, conversation, pending, accept: !!accept, recipients });
      await relay.deposit(letters.items, { onProgress, signal });
      return { readers: letters.readers.map(toHex), dropped: letters.dropped };
    });
  }

  close() {
    if (this.keys) wipeReporterKeys(this.keys);
    this.keys = null;
    this.#forgetDownloads();
  }
}

const text = (bytes) => { try { return utf8Decode(bytes); } catch { return '\ufffd'; } };

/** The conversation as the UI sees it (README.md "Conversation"). */
export function present(c, directory, received, downloads) {
  const nameOf = (id) => (id ? findAdviser(directory, id)?.name ?? null : null);
  const files = [];
  let n = 0;
  for (const f of c.files) {
    const r = received.get(f);
    const key = `f${n++}`;
    const status = f.fromReporter || f.fromHistory || !r ? 'not-here' : r.status;
    const name = sanitiseFileName(f.name);
    if (r?.status === 'intact') downloads.set(key, { name, bytes: r.bytes, digest: toHex(f.digest) });
    files.push({ key, name, size: Number(f.size), fromReporter: f.fromReporter, adviser: f.adviserId ? toHex(f.adviserId) : null,
      sentAt: Number(f.sentAt), status, fromHistory: f.fromHistory, pieces: f.entry ? f.entry.pieceCount : 0, piecesHave: r?.have ?? 0 });
  }
  const filesOf = (e) => files.filter((f, i) => c.files[i].sentAt === e.sentAt && c.files[i].fromReporter === e.fromReporter
    && (e.fromReporter || (c.files[i].adviserId && e.adviserId && sodium.memcmp(c.files[i].adviserId, e.adviserId))));
  const messages = c.entries.filter((e) => e.kind === 'message').map((e) => ({
    sentAt: Number(e.sentAt), fromReporter: e.fromReporter, adviser: e.adviserId && !e.fromReporter ? toHex(e.adviserId) : null,
    adviserName: e.fromReporter ? null : nameOf(e.adviserId), to: e.recipients.map(toHex), text: text(e.body), isNew: e.isNew,
    signed: e.fromReporter ? null : e.signature ? 'signed' : 'unsigned', fromHistory: e.fromHistory, files: filesOf(e),
  }));
  return {
    messages, newReplies: c.newReplies,
    currentReaders: c.movedAt ? [] : c.currentRecipients.map(toHex), earlierReaders: c.earlierReaders.map(toHex),
    offers: c.movedAt ? [] : c.pendingProposals.map((p) => ({ proposalId: toHex(p.proposal.proposalId), from: toHex(p.from.id),
      fromName: p.from.name, to: toHex(p.to.id), toName: p.to.name, note: text(p.proposal.note), sentAt: Number(p.sentAt) })),
    answers: c.answers.map((a) => ({ sentAt: Number(a.sentAt), to: toHex(a.handoverTo), accepted: a.accepted })),
    files, movedAt: Number(c.movedAt), ignored: c.ignored + c.unreadable, truncated: c.historyTruncated,
  };
}

export { paddedReaders };
