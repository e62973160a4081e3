// The reporter's side of a conversation, rebuilt from the relay on every
// run, as reporter-client/src/conversation.cpp and conversation_history.cpp:
// own letters (sent copies, history letters, answer copies, move markers)
// count only when sealed by this code's key, replies and proposals only when
// sealed by the key the signed directory lists for the adviser they name;
// replays shown once; new replies marked; current readers from the newest
// own letter; open hand-over proposals; the history rotate and hand-over
// carry.
import { sodium } from '../protocol/sodium.js';
import { equalBytes, toHex } from '../protocol/bytes.js';
import { LETTER_KIND } from '../protocol/letter.js';
import { decodeHistory, MAX_HISTORY_ENTRIES, MAX_FILE_NOTES, MAX_FILE_NOTE_NAME } from '../protocol/history.js';
import { decodeAnswer, decodeProposal, verifyHandover, DECISION } from '../protocol/handover.js';
import { findAdviser } from '../protocol/directory.js';
import { verifyReplySignature, UNSIGNED_REPLY_CUTOFF } from '../protocol/reply.js';
import { readLetterAttachments } from './files.js';

const nowSeconds = () => Math.floor(Date.now() / 1000);
const same = (a, b) => equalBytes(sodium, a, b);
const includesId = (list, id) => list.some((x) => same(x, id));

/** Each letter once per (sender, delete token): a relay may deposit one again. */
export function dropReplayed(letters) {
  const seen = new Set();
  const kept = letters.filter((r) => {
    const key = toHex(r.senderPk) + toHex(r.letter.deleteToken);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { kept, replayed: letters.length - kept.length };
}

/**
 * letters: [{ id, senderPk, letter (decoded) }]; keys: the code's; now:
 * unix seconds. Returns the conversation (entries sorted by time).
 */
export function buildConversation(letters, keys, directory, { now = nowSeconds(), unreadable = 0 } = {}) {
  const { kept, replayed } = dropReplayed(letters);
  const c = { letters: kept, entries: [], files: [], ignored: 0, unreadable, replayed, newReplies: 0, historyTruncated: false,
    currentRecipients: [], earlierReaders: [], pendingProposals: [], newestOwnSentAt: 0n, highestDirectorySerial: 0n, movedAt: 0n,
    answers: [], letterFiles: new Map() };
  const attachmentLetters = [];
  const answered = [];
  let newestOwnLetter = -1n;
  const noteOwn = (letter) => {
    if (letter.sentAt > c.newestOwnSentAt) c.newestOwnSentAt = letter.sentAt;
    if (letter.sentAt >= newestOwnLetter) { newestOwnLetter = letter.sentAt; c.currentRecipients = letter.recipients; }
  };
  for (const r of kept) {
    const L = r.letter;
    const own = same(r.senderPk, keys.messagePk);
    if (own && L.directorySerial > c.highestDirectorySerial) c.highestDirectorySerial = L.directorySerial;
    const e = { kind: 'message', sentAt: L.sentAt, fromReporter: false, adviserId: null, recipients: [], body: L.body,
      fromHistory: false, signature: null, files: L.files ?? [], letter: r };
    if (L.kind === LETTER_KIND.sentCopy && own) {
      e.fromReporter = true;
      e.recipients = L.recipients;
      noteOwn(L);
    } else if (L.kind === LETTER_KIND.history && own) {
      let history;
      try { history = decodeHistory(L.body); } catch { c.ignored++; continue; }
      noteOwn(L);
      c.historyTruncated ||= history.truncated;
      for (const h of history.entries) {
        c.entries.push({ kind: 'message', sentAt: h.sentAt, fromReporter: h.fromReporter, adviserId: h.fromReporter ? null : h.adviserId,
          recipients: h.recipients, body: h.body, fromHistory: true, signature: h.signature, files: [], letter: null });
        for (const f of h.files) {
          c.files.push({ sentAt: h.sentAt, fromReporter: h.fromReporter, adviserId: h.fromReporter ? null : h.adviserId,
            size: f.size, digest: f.digest, name: f.name, fromHistory: true });
        }
      }
      continue;
    } else if (L.kind === LETTER_KIND.rotate && own) {
      if (L.body.length !== 32) { c.ignored++; continue; }
      if (L.sentAt > c.movedAt) c.movedAt = L.sentAt;
      continue;
    } else if (L.kind === LETTER_KIND.handoverAnswer && own) {
      let answer;
      try { answer = decodeAnswer(L.body); } catch { c.ignored++; continue; }
      noteOwn(L);
      answered.push(answer.proposalId);
      Object.assign(e, { kind: 'answer', fromReporter: true, adviserId: L.adviserId, handoverTo: answer.newAdviserId,
        accepted: answer.decision === DECISION.accept, body: null });
    } else if (L.kind === LETTER_KIND.reply || L.kind === LETTER_KIND.handoverProposal) {
      const adviser = findAdviser(directory, L.adviserId);
      if (!adviser || !same(adviser.messagePk, r.senderPk)) { c.ignored++; continue; }
      e.adviserId = L.adviserId;
      if (L.kind === LETTER_KIND.reply && !L.signature && BigInt(now) >= UNSIGNED_REPLY_CUTOFF) { c.ignored++; continue; }
      if (L.kind === LETTER_KIND.reply && L.signature) {
        if (!verifyReplySignature(adviser.id, keys.messagePk, L.sentAt, L.body, L.signature, adviser.signPk)) { c.ignored++; continue; }
        e.signature = { reporterMessagePk: keys.messagePk, signature: L.signature };
      }
      if (L.kind === LETTER_KIND.handoverProposal) {
        let proposal;
        try { proposal = decodeProposal(L.body); } catch { c.ignored++; continue; }
        if (!verifyHandover(adviser.id, keys.messagePk, proposal.proposalId, proposal.newAdviserId, proposal.signature, adviser.signPk)) {
          c.ignored++;
          continue;
        }
        Object.assign(e, { kind: 'proposal', proposal, handoverTo: proposal.newAdviserId, body: proposal.note });
      }
    } else if (L.kind === LETTER_KIND.attachment) {
      attachmentLetters.push(r); // files.js checks, assembles and lists these (below)
      continue;
    } else {
      c.ignored++;
      continue;
    }
    c.entries.push(e);
    // Files the message announced (sent copy: without keys; reply: with).
    if (e.kind === 'message') {
      for (const f of e.files) {
        c.files.push({ sentAt: e.sentAt, fromReporter: e.fromReporter, adviserId: e.adviserId, size: f.totalSize, digest: f.digest,
          name: f.name, fromHistory: false, entry: f });
      }
    }
  }
  // Files in kind-6 letters to this code's own key (clients from before
  // file keys): their records join the announced ones, and the files
  // advisers sent this way are assembled here (c.letterFiles: record ->
  // assemble() result; the caller keeps or wipes the bytes).
  const legacy = readLetterAttachments(attachmentLetters, keys.messagePk, directory);
  c.ignored += legacy.ignored;
  c.files.push(...legacy.sent);
  for (const { file, result } of legacy.received) {
    c.files.push(file);
    c.letterFiles.set(file, result);
  }
  // Stable sort by time (Array.prototype.sort is stable).
  c.entries.sort((a, b) => (a.sentAt < b.sentAt ? -1 : a.sentAt > b.sentAt ? 1 : 0));
  let newestOwn = 0n;
  for (const e of c.entries) if (e.fromReporter && e.sentAt > newestOwn) newestOwn = e.sentAt;
  for (const e of c.entries) {
    e.isNew = e.kind === 'message' && !e.fromReporter && e.sentAt >= newestOwn;
    if (e.isNew) c.newReplies++;
  }
  const current = (id) => includesId(c.currentRecipients, id);
  const noteEarlier = (id) => {
    if (id && id.some((b) => b !== 0) && !current(id) && !includesId(c.earlierReaders, id)) c.earlierReaders.push(id);
  };
  for (const e of c.entries) {
    if (e.kind !== 'message') continue;
    if (e.fromReporter) e.recipients.forEach(noteEarlier); else noteEarlier(e.adviserId);
  }
  for (const e of c.entries) {
    if (e.kind === 'answer') c.answers.push(e);
    if (e.kind !== 'proposal' || !current(e.adviserId) || same(e.handoverTo, e.adviserId)) continue;
    const to = findAdviser(directory, e.handoverTo);
    if (!includesId(answered, e.proposal.proposalId) && to) {
      c.pendingProposals.push({ sentAt: e.sentAt, from: findAdviser(directory, e.adviserId), to, proposal: e.proposal });
    }
  }
  return c;
}

export function nextOwnTime(conversation, now = nowSeconds()) {
  const after = conversation.newestOwnSentAt + 1n;
  return BigInt(now) > after ? BigInt(now) : after;
}

export function readersAfter(conversation, pending, accept) {
  let readers = [...conversation.currentRecipients];
  if (accept) {
    readers = readers.filter((id) => !same(id, pending.from.id));
    if (!includesId(readers, pending.to.id)) readers.push(pending.to.id);
  }
  return readers;
}

const FILE_NOTE_FIXED = 41;
const SIGNATURE_FIELD = 96;
export const HISTORY_HEADER_BYTES = 4;

export function historyEntryBytes(e) {
  let size = 8 + 1 + 16 + 1 + e.recipients.length * 16 + 4 + e.body.length + 1 + (e.signature ? SIGNATURE_FIELD : 0) + 1;
  for (const f of e.files) size += FILE_NOTE_FIXED + f.name.length;
  return size;
}

/** The conversation as a history of at most maxBytes, newest kept: { history, dropped }. */
export function historyOf(conversation, maxBytes) {
  const ZERO = new Uint8Array(16);
  const all = [];
  for (const e of conversation.entries) {
    if (e.kind !== 'message') continue;
    all.push({ sentAt: e.sentAt, fromReporter: e.fromReporter, adviserId: e.fromReporter ? ZERO : e.adviserId,
      recipients: e.fromReporter ? e.recipients : [], body: e.body, signature: e.fromReporter ? null : e.signature, files: [] });
  }
  for (const f of conversation.files) {
    let w = all.find((h) => h.sentAt === f.sentAt && h.fromReporter === f.fromReporter && (f.fromReporter || same(h.adviserId, f.adviserId)));
    if (!w) {
      w = { sentAt: f.sentAt, fromReporter: f.fromReporter, adviserId: f.fromReporter ? ZERO : f.adviserId, recipients: [],
        body: new Uint8Array(0), signature: null, files: [] };
      all.push(w);
    }
    const noted = w.files.some((n) => same(n.digest, f.digest) && n.size === f.size && n.name.length === f.name.length && same(n.name, f.name));
    if (!noted && w.files.length < MAX_FILE_NOTES && f.name.length > 0 && f.name.length <= MAX_FILE_NOTE_NAME) {
      w.files.push({ size: f.size, digest: f.digest, name: f.name });
    }
  }
  all.sort((a, b) => (a.sentAt < b.sentAt ? -1 : a.sentAt > b.sentAt ? 1 : 0));
  let used = HISTORY_HEADER_BYTES;
  let first = all.length;
  while (first > 0) {
    const size = historyEntryBytes(all[first - 1]);
    if (used + size > maxBytes || all.length - first >= MAX_HISTORY_ENTRIES) break;
    used += size;
    first--;
  }
  return { history: { truncated: first > 0 || conversation.historyTruncated, entries: all.slice(first) }, dropped: first };
}
