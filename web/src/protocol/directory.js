// Signed adviser directory: verification of versions 1, 2 and 3 (with the
// signpost) against the organisation key of the page's channel address
// (docs/PROTOCOL.md Part 1 §7.1, §7.3), and the reporter's freshness rule.
// Strict and bounded: at most 256 KiB, the signature is checked before any
// byte is parsed, every length field is bounded before it is used, and no
// trailing byte is accepted.
import { sodium } from './sodium.js';
import { Reader, utf8Decode, toHex, equalBytes } from './bytes.js';
import { fail, KIND } from './errors.js';
import { verifyDetached, DOMAIN } from './sign.js';
import { textAcceptable } from './text.js';
import { isValidPoint } from './clue.js';

export const MAX_SIGNED_DIRECTORY = 256 * 1024;
export const MAX_ENTRIES = 64;
export const MAX_NAME = 128;
export const MAX_DESCRIPTION = 1024;
export const MAX_CATEGORIES = 32;
export const MAX_CATEGORY_ID = 32;
export const MAX_CATEGORY_LABEL = 96;
const BODY_HEADER = 8 + 32 + 8 + 2;
const SIGNATURE = 64;
/** Version 1 directories are refused from 2027-07-01 00:00 UTC (§7.3 "Freshness"). */
export const LEGACY_DIRECTORY_CUTOFF = 1814400000n;

const MAGIC_PREFIX = [0x4d, 0x50, 0x44, 0x49, 0x52, 0x00, 0x00];
const EVERY_GROUP = 0x01;
const EVERY_KIND = 0x02;

export const ROLES = Object.freeze({ 1: 'internal', 2: 'external', 3: 'committee', 4: 'integrity' });

const malformed = (what) => fail(KIND.malformed, `directory: ${what}`);

function text(r, lengthBytes, max, allowEmpty, allowNewline, what) {
  const len = lengthBytes === 2 ? r.u16() : r.u8();
  if (len > max || (!allowEmpty && len === 0)) malformed(`${what} length out of bounds`);
  const bytes = r.take(len);
  if (!textAcceptable(bytes, allowNewline)) malformed(`${what} is not acceptable text`);
  return utf8Decode(bytes);
}

function decodeEntry(r) {
  const id = r.take(16).slice();
  const role = r.u8();
  if (!ROLES[role]) malformed('unknown role');
  const name = text(r, 2, MAX_NAME, false, false, 'name');
  const descriptionNl = text(r, 2, MAX_DESCRIPTION, true, true, 'description');
  const descriptionEn = text(r, 2, MAX_DESCRIPTION, true, true, 'description');
  const signPk = r.take(32).slice();
  const messagePk = r.take(32).slice();
  const fetchPk = r.take(32).slice();
  if (!isValidPoint(fetchPk)) malformed('fetch key is not a valid ristretto255 point');
  return { id, role, name, descriptionNl, descriptionEn, signPk, messagePk, fetchPk,
    coverage: { everyGroup: false, everyKind: false, groups: 0, kinds: 0 } };
}

function decodeCategories(r, what) {
  const count = r.u8();
  if (count === 0 || count > MAX_CATEGORIES) malformed(`a signpost needs 1 to 32 ${what}s`);
  const list = [];
  for (let i = 0; i < count; i++) {
    const idLen = r.u8();
    if (idLen === 0 || idLen > MAX_CATEGORY_ID) malformed(`${what} id length out of bounds`);
    const id = String.fromCharCode(...r.take(idLen));
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(id)) malformed(`${what} id is not a-z, 0-9 and inner '-'`);
    const labelNl = text(r, 1, MAX_CATEGORY_LABEL, false, false, `${what} label`);
    const labelEn = text(r, 1, MAX_CATEGORY_LABEL, false, false, `${what} label`);
    if (list.some((c) => c.id === id)) malformed(`${what} ${i + 1} repeats an id`);
    list.push({ id, labelNl, labelEn });
  }
  return list;
}

function decodeCoverage(r, groupCount, kindCount) {
  const flags = r.u8();
  const groups = r.u32();
  const kinds = r.u32();
  if ((flags & ~(EVERY_GROUP | EVERY_KIND)) !== 0) malformed('unknown coverage flags');
  const c = { everyGroup: (flags & EVERY_GROUP) !== 0, everyKind: (flags & EVERY_KIND) !== 0, groups, kinds };
  const mask = (n) => (n >= 32 ? 0xffffffff : (1 << n) - 1) >>> 0;
  if ((groups & ~mask(groupCount)) >>> 0 !== 0 || (kinds & ~mask(kindCount)) >>> 0 !== 0) {
    malformed('coverage names a group or kind that is not defined');
  }
  if ((c.everyGroup && groups !== 0) || (c.everyKind && kinds !== 0)) malformed("coverage lists groups or kinds beside 'every'");
  const empty = !c.everyGroup && !c.everyKind && groups === 0 && kinds === 0;
  if (!empty && ((!c.everyGroup && groups === 0) || (!c.everyKind && kinds === 0))) {
    malformed('coverage needs at least one group and one kind');
  }
  return c;
}

/**
 * verify_directory (§7.3): returns { version, orgSignPk, serial (BigInt),
 * validUntil (BigInt, 0n for version 1), entries, groups, kinds } or throws
 * ProtocolError: too-large, malformed, unauthorised, unsupported-version.
 */
export function verifyDirectory(signed, expectedOrgPk) {
  if (signed.length > MAX_SIGNED_DIRECTORY) fail(KIND.tooLarge, 'signed directory is larger than 256 KiB');
  if (signed.length < BODY_HEADER + SIGNATURE) malformed('too short');
  const body = signed.subarray(0, signed.length - SIGNATURE);
  const signature = signed.subarray(signed.length - SIGNATURE);
  // Authenticate first: the parser below only ever sees signed bytes.
  if (!verifyDetached(DOMAIN.directory, body, signature, expectedOrgPk)) {
    fail(KIND.unauthorised, 'directory signature does not verify');
  }
  const r = new Reader(body);
  const magic = r.take(8);
  if (!MAGIC_PREFIX.every((b, i) => magic[i] === b) || magic[7] < 1 || magic[7] > 3) {
    fail(KIND.unsupportedVersion, 'directory: unknown format or version');
  }
  const version = magic[7];
  const orgSignPk = r.take(32).slice();
  const serial = r.u64();
  let validUntil = 0n;
  if (version >= 2) {
    validUntil = r.u64();
    if (validUntil === 0n) malformed('no valid-until date');
  }
  const count = r.u16();
  if (!equalBytes(sodium, orgSignPk, expectedOrgPk)) malformed('names another organisation key');
  if (count > MAX_ENTRIES) malformed('too many entries');
  const entries = [];
  const seen = new Set();
  for (let i = 0; i < count; i++) {
    const e = decodeEntry(r);
    const key = toHex(e.id);
    if (seen.has(key)) malformed('repeated adviser id');
    seen.add(key);
    entries.push(e);
  }
  let groups = [];
  let kinds = [];
  if (version === 3) {
    groups = decodeCategories(r, 'group');
    kinds = decodeCategories(r, 'kind');
    for (const e of entries) e.coverage = decodeCoverage(r, groups.length, kinds.length);
  }
  r.end();
  return { version, orgSignPk, serial, validUntil, entries, groups, kinds };
}

/**
 * The reporter's freshness rule (§7.3 "Freshness"): refuses (replay) a
 * directory below the highest serial the reporter's own letters name or the
 * channel address's minimum serial, one past its valid-until date, and a
 * version 1 directory from the legacy cut-off on. now is unix seconds.
 */
export function checkFreshness(directory, { highestSerial = 0n, minSerial = 0n, now }) {
  const t = BigInt(now);
  if (directory.serial < BigInt(highestSerial) || directory.serial < BigInt(minSerial)) {
    fail(KIND.replay, 'directory is older than one already seen');
  }
  if (directory.version === 1 ? t >= LEGACY_DIRECTORY_CUTOFF : t > directory.validUntil) {
    fail(KIND.replay, 'directory has expired');
  }
}

/** The entry with this 16-byte id, or null. */
export function findAdviser(directory, id) {
  return directory.entries.find((e) => equalBytes(sodium, e.id, id)) ?? null;
}
