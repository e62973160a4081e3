// Conversation history, the body of kind 5 and the tail of kind 9 (docs/
// PROTOCOL.md Part 3 "History (kind 5)"): encoded as version 2, decoded
// strictly in versions 1 and 2, with every count bounded by the bytes left.
import { Reader, concat, u16le, u32le, u64le } from './bytes.js';
import { fail, KIND } from './errors.js';

export const HISTORY_VERSION = 2;
export const HISTORY_VERSION_WITHOUT_SIGNATURES = 1;
export const HISTORY_TRUNCATED = 0x01;
export const MAX_HISTORY_ENTRIES = 0xffff;
export const MAX_FILE_NOTES = 64;
export const MAX_FILE_NOTE_NAME = 255;
const MAX_RECIPIENTS = 64;
const FROM_REPORTER = 1;
const FROM_ADVISER = 2;

const bad = () => fail(KIND.malformed, 'conversation history is malformed');

/**
 * history: { truncated, entries: [{ sentAt, fromReporter, adviserId (16),
 * recipients ([16]), body, signature: null | { reporterMessagePk, signature },
 * files: [{ size, digest (32), name (bytes) }] }] }
 */
export function encodeHistory(history) {
  if (history.entries.length > MAX_HISTORY_ENTRIES) fail(KIND.malformed, 'too many history entries');
  const parts = [Uint8Array.of(HISTORY_VERSION, history.truncated ? HISTORY_TRUNCATED : 0), u16le(history.entries.length)];
  for (const e of history.entries) {
    const recipients = e.fromReporter ? e.recipients ?? [] : [];
    if (recipients.length > MAX_RECIPIENTS) fail(KIND.malformed, 'too many recipients in a history entry');
    if (e.signature && e.fromReporter) fail(KIND.malformed, "a reporter's entry carries no signature");
    const files = e.files ?? [];
    if (files.length > MAX_FILE_NOTES) fail(KIND.malformed, 'too many file notes in a history entry');
    parts.push(u64le(e.sentAt), Uint8Array.of(e.fromReporter ? FROM_REPORTER : FROM_ADVISER),
      e.fromReporter ? new Uint8Array(16) : e.adviserId, Uint8Array.of(recipients.length), ...recipients,
      u32le(e.body.length), e.body);
    if (e.signature) parts.push(Uint8Array.of(1), e.signature.reporterMessagePk, e.signature.signature);
    else parts.push(Uint8Array.of(0));
    parts.push(Uint8Array.of(files.length));
    for (const f of files) {
      if (f.name.length < 1 || f.name.length > MAX_FILE_NOTE_NAME || f.digest.length !== 32) {
        fail(KIND.malformed, 'bad file note');
      }
      parts.push(u64le(f.size), f.digest, Uint8Array.of(f.name.length), f.name);
    }
  }
  return concat(...parts);
}

export function decodeHistory(bytes) {
  const r = new Reader(bytes);
  const version = r.u8();
  if (version !== HISTORY_VERSION && version !== HISTORY_VERSION_WITHOUT_SIGNATURES) bad();
  const v2 = version === HISTORY_VERSION;
  const flags = r.u8();
  if ((flags & ~HISTORY_TRUNCATED) !== 0) bad();
  const count = r.u16();
  if (count > Math.floor(r.remaining() / (v2 ? 32 : 30))) bad();
  const entries = [];
  for (let i = 0; i < count; i++) {
    const sentAt = r.u64();
    const from = r.u8();
    if (from !== FROM_REPORTER && from !== FROM_ADVISER) bad();
    const adviserId = r.take(16).slice();
    const n = r.u8();
    if (n > MAX_RECIPIENTS) bad();
    const recipients = [];
    for (let k = 0; k < n; k++) recipients.push(r.take(16).slice());
    const body = r.take(r.u32()).slice();
    const e = { sentAt, fromReporter: from === FROM_REPORTER, adviserId, recipients, body, signature: null, files: [] };
    if (v2) {
      const signed = r.u8();
      if (signed > 1 || (signed === 1 && e.fromReporter)) bad();
      if (signed === 1) e.signature = { reporterMessagePk: r.take(32).slice(), signature: r.take(64).slice() };
      const files = r.u8();
      if (files > MAX_FILE_NOTES) bad();
      for (let k = 0; k < files; k++) {
        const size = r.u64();
        const digest = r.take(32).slice();
        const nameLength = r.u8();
        if (nameLength === 0) bad();
        e.files.push({ size, digest, name: r.take(nameLength).slice() });
      }
    }
    entries.push(e);
  }
  r.end();
  return { version, truncated: (flags & HISTORY_TRUNCATED) !== 0, entries };
}
