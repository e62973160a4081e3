// Test-only signer of directory bodies, written from docs/PROTOCOL.md §7.1
// and §7.3 (version 2 and 3 directories exist as vectors only in the C++
// tests' own data, so the JS tests build them from the text). It encodes
// whatever it is given, valid or not, so negative tests can sign bad bodies.
import { sodium } from '../src/protocol/sodium.js';
import { concat, ascii, u16le, u32le, u64le } from '../src/protocol/bytes.js';
import { signDetached, DOMAIN } from '../src/protocol/sign.js';

export function encodeEntry(e) {
  const t = (s) => { const b = typeof s === 'string' ? ascii(s) : s; return concat(u16le(b.length), b); };
  return concat(e.id, Uint8Array.of(e.role), t(e.name), t(e.descriptionNl ?? ''), t(e.descriptionEn ?? ''),
    e.signPk, e.messagePk, e.fetchPk);
}

export function encodeCategory(c) {
  const t = (s) => { const b = ascii(s); return concat(Uint8Array.of(b.length), b); };
  return concat(t(c.id), t(c.labelNl), t(c.labelEn));
}

export function encodeBody({ version, orgPk, serial, validUntil = 0, entries, groups = [], kinds = [],
  coverage = [], count = entries.length }) {
  const parts = [Uint8Array.of(0x4d, 0x50, 0x44, 0x49, 0x52, 0, 0, version), orgPk, u64le(serial)];
  if (version >= 2) parts.push(u64le(validUntil));
  parts.push(u16le(count), ...entries.map(encodeEntry));
  if (version === 3) {
    parts.push(Uint8Array.of(groups.length), ...groups.map(encodeCategory));
    parts.push(Uint8Array.of(kinds.length), ...kinds.map(encodeCategory));
    for (const c of coverage) parts.push(Uint8Array.of(c.flags), u32le(c.groups), u32le(c.kinds));
  }
  return concat(...parts);
}

export function signBody(body, orgSecretKey) {
  return concat(body, signDetached(DOMAIN.directory, body, orgSecretKey));
}

export function orgKeyPair(seed) { return sodium.crypto_sign_seed_keypair(seed); }
