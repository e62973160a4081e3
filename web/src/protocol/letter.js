// Letters, the plaintext inside envelopes (docs/PROTOCOL.md Part 3 "Letters
// (inside envelopes)"): encoding of version 2 and strict decoding of
// versions 1, 2 and 3 (version 3: the file block announcing attachment
// files with their keys, "Attachments (kind-6 letters)", *File keys*).
import { Reader, concat, toHex, u16le, u32le, u64le } from './bytes.js';
import { fail, KIND } from './errors.js';
import { MAX_PAYLOAD } from './envelope.js';

export const LETTER_VERSION = 2;
export const LETTER_VERSION_WITH_FILES = 3;
export const MAX_LETTER_FILES = 8;
export const FILE_ENTRY_FIXED_BYTES = 91;
export const PIECE_DATA_BYTES = 258048;
export const MAX_FILE_BYTES = 64 * 1024 * 1024;
export const LETTER_VERSION_WITHOUT_SERIAL = 1;
export const HEADER_BYTES = 99;
export const MAX_RECIPIENTS = 64;
export const SIGNATURE_BLOCK_VERSION = 1;
export const SIGNATURE_BLOCK_BYTES = 65;
export const ROTATE_BODY_BYTES = 32;

export const LETTER_KIND = Object.freeze({
  report: 1, reply: 2, sentCopy: 3, rotate: 4, history: 5, attachment: 6,
  handoverProposal: 7, handoverAnswer: 8, handoverHistory: 9,
});
/** The kinds this module encodes: all (kind-6 bodies are built by the client's files.js). */
const SUPPORTED = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9]);
const FILE_KINDS = new Set([1, 2, 3]);

/** Bytes of the file block announcing `files` (0 without files). */
export function fileBlockBytes(files) {
  if (!files || files.length === 0) return 0;
  return 1 + files.reduce((t, f) => t + FILE_ENTRY_FIXED_BYTES + f.name.length, 0);
}

function encodeFileBlock(files) {
  const parts = [Uint8Array.of(files.length)];
  for (const f of files) {
    if (f.fileId.length !== 16 || f.digest.length !== 32 || f.keySeed.length !== 32 || f.name.length < 1 || f.name.length > 255) {
      fail(KIND.malformed, 'file key entry of the wrong size');
    }
    parts.push(f.fileId, u64le(f.totalSize), u16le(f.pieceCount), f.digest, f.keySeed, Uint8Array.of(f.name.length), f.name);
  }
  return concat(...parts);
}

function decodeFileBlock(r) {
  const count = r.u8();
  if (count === 0 || count > MAX_LETTER_FILES) fail(KIND.malformed, 'letter is malformed');
  const files = [];
  const ids = new Set();
  const seeds = new Set();
  for (let i = 0; i < count; i++) {
    const fileId = r.take(16).slice();
    const totalSize = r.u64();
    const pieceCount = r.u16();
    const digest = r.take(32).slice();
    const keySeed = r.take(32).slice();
    const nameLength = r.u8();
    if (nameLength === 0) fail(KIND.malformed, 'letter is malformed');
    const name = r.take(nameLength).slice();
    if (totalSize === 0n || totalSize > BigInt(MAX_FILE_BYTES)) fail(KIND.malformed, 'letter is malformed');
    if (BigInt(pieceCount) !== (totalSize + BigInt(PIECE_DATA_BYTES) - 1n) / BigInt(PIECE_DATA_BYTES)) fail(KIND.malformed, 'letter is malformed');
    const idHex = toHex(fileId);
    const seedHex = toHex(keySeed);
    if (ids.has(idHex) || (keySeed.some((b) => b !== 0) && seeds.has(seedHex))) fail(KIND.malformed, 'letter is malformed');
    ids.add(idHex);
    seeds.add(seedHex);
    files.push({ fileId, totalSize, pieceCount, digest, keySeed, name });
  }
  return files;
}

const ZERO16 = new Uint8Array(16);
const ZERO32 = new Uint8Array(32);

/** Largest body for n recipients (kind 2: 65 bytes less for the signature block). */
export function maxBodyBytes(recipientCount, kind = LETTER_KIND.report) {
  const max = MAX_PAYLOAD - HEADER_BYTES - 16 * recipientCount - 4;
  return kind === LETTER_KIND.reply ? max - SIGNATURE_BLOCK_BYTES : max;
}

/**
 * Encodes a version 2 letter. fields: { kind, sentAt, directorySerial,
 * adviserId (16, zero by default), reporterFetchPk (32, zero by default),
 * deleteToken (32), recipients (array of 16-byte ids), body, signature (64,
 * kind 2 only) }. BigInt or number for the integers.
 */
export function encodeLetter(f) {
  if (!SUPPORTED.has(f.kind)) fail(KIND.malformed, 'letter kind not supported here');
  const recipients = f.recipients ?? [];
  if (recipients.length > MAX_RECIPIENTS) fail(KIND.malformed, 'more than 64 recipients');
  if (f.deleteToken?.length !== 32) fail(KIND.malformed, 'delete token must be 32 bytes');
  if (f.signature && f.kind !== LETTER_KIND.reply) fail(KIND.malformed, 'only a reply carries a signature block');
  if (f.kind === LETTER_KIND.rotate && f.body.length !== ROTATE_BODY_BYTES) fail(KIND.malformed, 'rotate body is a 32-byte key');
  const files = f.files ?? [];
  if (files.length > 0 && !FILE_KINDS.has(f.kind)) fail(KIND.malformed, 'only kinds 1, 2 and 3 announce files');
  if (files.length > MAX_LETTER_FILES) fail(KIND.tooLarge, 'more than 8 files');
  if (f.body.length + fileBlockBytes(files) > maxBodyBytes(recipients.length, f.signature ? LETTER_KIND.reply : f.kind)) {
    fail(KIND.tooLarge, 'letter body too large for an envelope');
  }
  const adviserId = f.adviserId ?? ZERO16;
  const fetchPk = f.reporterFetchPk ?? ZERO32;
  if (adviserId.length !== 16 || fetchPk.length !== 32 || recipients.some((r) => r.length !== 16)) {
    fail(KIND.malformed, 'letter field of the wrong size');
  }
  const parts = [Uint8Array.of(files.length > 0 ? LETTER_VERSION_WITH_FILES : LETTER_VERSION, f.kind), u64le(f.sentAt), u64le(f.directorySerial ?? 0),
    adviserId, fetchPk, f.deleteToken, Uint8Array.of(recipients.length), ...recipients,
    u32le(f.body.length), f.body];
  if (files.length > 0) parts.push(encodeFileBlock(files));
  if (f.signature) {
    if (f.signature.length !== 64) fail(KIND.malformed, 'signature must be 64 bytes');
    parts.push(Uint8Array.of(SIGNATURE_BLOCK_VERSION), f.signature);
  }
  return concat(...parts);
}

/**
 * decode_letter: the whole envelope payload. Refuses (malformed) another
 * version, a kind outside 1..9, more than 64 recipients, short input, and
 * any byte after the body except one signature block after a kind-2 body.
 * A kind-6 body is left uninterpreted here (the client's files.js decodes
 * it as an attachment chunk). A kind-4 body must be 32 bytes.
 */
export function decodeLetter(payload) {
  const r = new Reader(payload);
  const version = r.u8();
  if (version !== LETTER_VERSION && version !== LETTER_VERSION_WITHOUT_SERIAL && version !== LETTER_VERSION_WITH_FILES) {
    fail(KIND.malformed, 'letter is malformed');
  }
  const kind = r.u8();
  if (kind < 1 || kind > 9) fail(KIND.malformed, 'letter is malformed');
  const sentAt = r.u64();
  if (version === LETTER_VERSION_WITH_FILES && !FILE_KINDS.has(kind)) fail(KIND.malformed, 'letter is malformed');
  const directorySerial = version !== LETTER_VERSION_WITHOUT_SERIAL ? r.u64() : 0n;
  const adviserId = r.take(16).slice();
  const reporterFetchPk = r.take(32).slice();
  const deleteToken = r.take(32).slice();
  const count = r.u8();
  if (count > MAX_RECIPIENTS) fail(KIND.malformed, 'letter is malformed');
  const recipients = [];
  for (let i = 0; i < count; i++) recipients.push(r.take(16).slice());
  const bodyLength = r.u32();
  const body = r.take(bodyLength).slice();
  const files = version === LETTER_VERSION_WITH_FILES ? decodeFileBlock(r) : [];
  let signature = null;
  if (r.remaining() !== 0) {
    if (kind !== LETTER_KIND.reply || r.remaining() !== SIGNATURE_BLOCK_BYTES || r.u8() !== SIGNATURE_BLOCK_VERSION) {
      fail(KIND.malformed, 'letter is malformed');
    }
    signature = r.take(64).slice();
  }
  if (kind === LETTER_KIND.rotate && body.length !== ROTATE_BODY_BYTES) fail(KIND.malformed, 'rotate body is not a key');
  return { version, kind, sentAt, directorySerial, adviserId, reporterFetchPk, deleteToken, recipients, body, files, signature };
}
