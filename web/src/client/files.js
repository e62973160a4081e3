// Attachments both ways (docs/PROTOCOL.md "Attachments (kind-6 letters)",
// *File keys*), as client/src/attachment.cpp and file_key.cpp: a file in
// pieces of 258 048 bytes, each the body of one kind-6 letter sealed once to
// the file's own key (derived from a random seed the message announces),
// deposited before the message; received by recognising the fetch answer
// with the keys of the files replies announce.
import { sodium, wipe } from '../protocol/sodium.js';
import { Reader, concat, equalBytes, toHex, u16le, u64le } from '../protocol/bytes.js';
import { ProtocolError, KIND } from '../protocol/errors.js';
import { fileBlockBytes, PIECE_DATA_BYTES, MAX_FILE_BYTES, MAX_LETTER_FILES, LETTER_KIND } from '../protocol/letter.js';

export { fileBlockBytes };
export const CHUNK_VERSION = 1;
export const CHUNK_TYPE = Object.freeze({ piece: 1, description: 2 });
export const CHUNK_HEADER_BYTES = 63;
export const PIECE_BODY_BYTES = 258366; // header 63 + name field 255 + data 258 048
export const MAX_FILE_KEYS_PER_FETCH = 64;
export const MAX_SAVED_NAME_BYTES = 200;
const FILE_KDF_CONTEXT = 'MPfile01';

export function pieceCount(total) { return Math.ceil(Number(total) / PIECE_DATA_BYTES); }

/** crypto::derive_file_keys: the file's message and fetch key pairs from its seed; the caller wipes the secrets. */
export function deriveFileKeys(seed) {
  const messageSk = sodium.crypto_kdf_derive_from_key(32, 1, FILE_KDF_CONTEXT, seed);
  const wide = sodium.crypto_kdf_derive_from_key(64, 2, FILE_KDF_CONTEXT, seed);
  const fetchSk = sodium.crypto_core_ristretto255_scalar_reduce(wide);
  wipe(wide);
  return { messageSk, messagePk: sodium.crypto_scalarmult_base(messageSk), fetchSk,
    fetchPk: sodium.crypto_scalarmult_ristretto255_base(fetchSk) };
}

const bad = (why) => { throw new ProtocolError(KIND.malformed, `attachment chunk: ${why}`); };

export function encodeChunk({ type, fileId, index, count, total, digest, name, data = null }) {
  const parts = [Uint8Array.of(CHUNK_VERSION, type), fileId, u16le(index), u16le(count), u64le(total), digest, Uint8Array.of(name.length), name];
  if (type === CHUNK_TYPE.piece) {
    const body = new Uint8Array(PIECE_BODY_BYTES);
    body.set(concat(...parts, data));
    return body;
  }
  return concat(...parts);
}

/** decode_attachment_chunk: strict (a chunk that decodes encodes back to the same bytes). */
export function decodeChunk(body) {
  const r = new Reader(body);
  if (r.u8() !== CHUNK_VERSION) bad('version');
  const type = r.u8();
  if (type !== CHUNK_TYPE.piece && type !== CHUNK_TYPE.description) bad('type');
  const fileId = r.take(16).slice();
  const index = r.u16();
  const count = r.u16();
  const total = r.u64();
  if (total > BigInt(MAX_FILE_BYTES)) throw new ProtocolError(KIND.tooLarge, 'attachment over 64 MiB');
  if (total === 0n || count !== pieceCount(total) || index >= count) bad('sizes');
  const digest = r.take(32).slice();
  const nameLength = r.u8();
  if (nameLength === 0) bad('name');
  const name = r.take(nameLength).slice();
  if (type === CHUNK_TYPE.description) {
    if (index !== 0) bad('description index');
    r.end();
    return { type, fileId, index, count, total, digest, name, data: null };
  }
  if (body.length !== PIECE_BODY_BYTES) bad('piece size');
  const n = index === count - 1 ? Number(total) - index * PIECE_DATA_BYTES : PIECE_DATA_BYTES;
  const data = r.take(n).slice();
  if (!r.rest().every((b) => b === 0)) bad('padding');
  return { type, fileId, index, count, total, digest, name, data };
}

function isDeviceName(stem) {
  const u = stem.toUpperCase().replace(/ +$/, '');
  if (['CON', 'PRN', 'AUX', 'NUL', 'CONIN$', 'CONOUT$'].includes(u)) return true;
  return /^(COM|LPT)([0-9]|\u00b9|\u00b2|\u00b3)$/.test(u);
}

const utf8 = new TextEncoder();
function cutUtf8(s, limit) {
  let out = '';
  for (const ch of s) { if (utf8.encode(out + ch).length > limit) break; out += ch; }
  return out;
}

/**
 * A file name made safe to offer as a download (client::sanitise_file_name):
 * last path component; control, invisible and bidirectional characters and
 * the Windows-reserved ones replaced by '_'; spaces collapsed; at most 4
 * combining marks on a character; no leading dots, dashes, tildes or
 * spaces, no trailing dots or spaces; device names prefixed with '_'; at
 * most 200 UTF-8 bytes keeping an extension of up to 16 bytes. Input: bytes
 * (invalid UTF-8 becomes '_') or a string. Returns a string.
 */
export function sanitiseFileName(name) {
  const text = typeof name === 'string' ? name : new TextDecoder('utf-8', { fatal: false }).decode(name).replace(/\ufffd/g, '_');
  const base = text.slice(Math.max(text.lastIndexOf('/'), text.lastIndexOf('\\')) + 1);
  let clean = '';
  let afterBase = false;
  let marks = 0;
  for (const ch of base) {
    if (/[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}<>:"|?*\u115f\u1160\u3164\uffa0\u2800]/u.test(ch)) { clean += '_'; afterBase = false; }
    else if (/\p{Zs}/u.test(ch)) { if (!clean.endsWith(' ')) clean += ' '; afterBase = false; }
    else if (/\p{M}/u.test(ch)) {
      if (afterBase && marks < 4) { clean += ch; marks++; } else { clean += '_'; afterBase = false; }
    } else { clean += ch; afterBase = !'.-~'.includes(ch); marks = 0; }
  }
  clean = clean.replace(/^[.\-~ ]+/, '').replace(/[. ]+$/, '');
  if (!clean) return 'attachment';
  const dot = clean.indexOf('.');
  if (isDeviceName(dot < 0 ? clean : clean.slice(0, dot))) clean = `_${clean}`;
  if (utf8.encode(clean).length <= MAX_SAVED_NAME_BYTES) return clean;
  const lastDot = clean.lastIndexOf('.');
  const ext = lastDot > 0 && utf8.encode(clean.slice(lastDot)).length <= 16 ? clean.slice(lastDot) : '';
  let stem = cutUtf8(ext ? clean.slice(0, lastDot) : clean, MAX_SAVED_NAME_BYTES - utf8.encode(ext).length).replace(/[. ]+$/, '');
  const out = (stem + ext).replace(/[. ]+$/, '');
  return out || 'attachment';
}

/**
 * A file to send: { name: string, bytes: Uint8Array } -> FileToSend with a
 * random id and key seed, its digest and the sanitised name. Refused: empty,
 * above min(policy limit, 64 MiB), or any file when the policy allows none.
 */
export function fileToSend({ name, bytes }, maxAttachmentBytes) {
  const limit = Math.min(Number(maxAttachmentBytes), MAX_FILE_BYTES);
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw new ProtocolError(KIND.malformed, 'an empty file cannot be sent');
  if (bytes.length > limit) throw new ProtocolError(KIND.tooLarge, limit === 0 ? 'this channel accepts no files' : `a file is larger than ${limit} bytes`);
  const nameBytes = utf8.encode(sanitiseFileName(name));
  const file = {
    fileId: sodium.randombytes_buf(16), keySeed: sodium.randombytes_buf(32), digest: sodium.crypto_generichash(32, bytes, null),
    total: BigInt(bytes.length), count: pieceCount(bytes.length), name: nameBytes, bytes,
    entry(withSeed) {
      return { fileId: file.fileId, totalSize: file.total, pieceCount: file.count, digest: file.digest,
        keySeed: withSeed ? file.keySeed : new Uint8Array(32), name: file.name };
    },
  };
  return file;
}

/** The file's pieces, each a kind-6 letter body. */
export function* pieceBodies(file) {
  for (let i = 0; i < file.count; i++) {
    const data = file.bytes.subarray(i * PIECE_DATA_BYTES, Math.min(file.bytes.length, (i + 1) * PIECE_DATA_BYTES));
    yield encodeChunk({ type: CHUNK_TYPE.piece, fileId: file.fileId, index: i, count: file.count, total: file.total,
      digest: file.digest, name: file.name, data });
  }
}

/** client::match_piece: a piece counts only for the entry whose id, size, count, name and digest it carries. */
export function matchPiece(entry, chunk) {
  return chunk.type === CHUNK_TYPE.piece && equalBytes(sodium, chunk.fileId, entry.fileId) && chunk.total === entry.totalSize
    && chunk.count === entry.pieceCount && chunk.name.length === entry.name.length && equalBytes(sodium, chunk.name, entry.name)
    && equalBytes(sodium, chunk.digest, entry.digest);
}

/**
 * Assembles the pieces found for one announced file: { status: 'intact' |
 * 'incomplete' | 'damaged', have, bytes | null }. Duplicates of an index:
 * the first counts.
 */
export function assemble(entry, chunks) {
  const byIndex = new Map();
  for (const c of chunks) if (matchPiece(entry, c) && !byIndex.has(c.index)) byIndex.set(c.index, c.data);
  if (byIndex.size < entry.pieceCount) return { status: 'incomplete', have: byIndex.size, bytes: null };
  const bytes = new Uint8Array(Number(entry.totalSize));
  for (const [i, data] of byIndex) bytes.set(data, i * PIECE_DATA_BYTES);
  const ok = equalBytes(sodium, sodium.crypto_generichash(32, bytes, null), entry.digest);
  if (!ok) { wipe(bytes); return { status: 'damaged', have: byIndex.size, bytes: null }; }
  return { status: 'intact', have: byIndex.size, bytes };
}

/**
 * The kind-6 letters among the code's own (docs/PROTOCOL.md "Attachments":
 * what clients from before file keys sealed to each reader), read as
 * reporter-client's collect_attachments: a description sealed by this
 * code's key (`ownPk`) is a file the code sent; a piece sealed by the key
 * the signed directory lists for the adviser the letter names is part of a
 * file that adviser sent; anything else is ignored. Pieces combine per
 * (adviser, file id), the earliest sent_at counting; pieces that disagree
 * about their file make it damaged. Each letter's body is wiped (the chunk
 * holds its own copy until assembled). `letters`: [{ senderPk, letter }].
 * -> { sent: [file], received: [{ file, result }] (result as assemble()),
 * ignored }; a file is a conversation file record (conversation.js) whose
 * `entry`, for a received one, carries no key seed: its pieces are here.
 */
export function readLetterAttachments(letters, ownPk, directory) {
  const out = { sent: [], received: [], ignored: 0 };
  const partial = new Map();
  for (const r of letters) {
    let chunk;
    try {
      chunk = decodeChunk(r.letter.body);
    } catch {
      out.ignored++;
      continue;
    } finally {
      wipe(r.letter.body);
    }
    if (equalBytes(sodium, r.senderPk, ownPk)) {
      // Our own record of a file sent; a code never sends itself pieces.
      if (chunk.type !== CHUNK_TYPE.description) { out.ignored++; wipe(chunk.data); continue; }
      out.sent.push({ sentAt: r.letter.sentAt, fromReporter: true, adviserId: null, recipients: r.letter.recipients,
        size: chunk.total, digest: chunk.digest, name: chunk.name, fromHistory: false });
      continue;
    }
    const adviser = directory.entries.find((e) => equalBytes(sodium, e.id, r.letter.adviserId));
    if (!adviser || !equalBytes(sodium, adviser.messagePk, r.senderPk) || chunk.type !== CHUNK_TYPE.piece) {
      out.ignored++;
      if (chunk.data) wipe(chunk.data);
      continue;
    }
    const key = toHex(adviser.id) + toHex(chunk.fileId);
    let p = partial.get(key);
    if (!p) {
      p = { adviserId: adviser.id, sentAt: r.letter.sentAt, conflict: false, chunks: [],
        entry: { fileId: chunk.fileId, totalSize: chunk.total, pieceCount: chunk.count, digest: chunk.digest, name: chunk.name,
          keySeed: new Uint8Array(32) } };
      partial.set(key, p);
    } else if (!matchPiece(p.entry, chunk)) {
      p.conflict = true;
    }
    if (r.letter.sentAt < p.sentAt) p.sentAt = r.letter.sentAt;
    p.chunks.push(chunk);
  }
  for (const p of partial.values()) {
    const e = p.entry;
    const result = p.conflict ? { status: 'damaged', have: 0, bytes: null } : assemble(e, p.chunks);
    for (const c of p.chunks) wipe(c.data);
    out.received.push({ file: { sentAt: p.sentAt, fromReporter: false, adviserId: p.adviserId, size: e.totalSize, digest: e.digest,
      name: e.name, fromHistory: false, entry: e }, result });
  }
  const bySentAt = (a, b) => (a.sentAt < b.sentAt ? -1 : a.sentAt > b.sentAt ? 1 : 0);
  out.sent.sort(bySentAt);
  out.received.sort((a, b) => bySentAt(a.file, b.file));
  return out;
}

export { MAX_LETTER_FILES, LETTER_KIND, toHex };
