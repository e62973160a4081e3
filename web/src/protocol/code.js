// Reporter code: generation with check symbols and parsing with typo
// location (docs/PROTOCOL.md Part 1 §2, §2.1, §2.2). Same rules as
// crypto/src/code.cpp, so a code made in the page works in reporter-client
// and the other way round.
import { sodium, wipe } from './sodium.js';
import { fail, KIND, ProtocolError } from './errors.js';

export const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const DATA_SYMBOLS = 22;
export const SYMBOLS = 24;
export const MAX_INPUT = 128; // §2.2 step 1

// GF(32) = GF(2)[x] / (x^5 + x^2 + 1), α = x = 2 (order 31).
const EXP = new Uint8Array(62);
const LOG = new Int8Array(32).fill(-1);
{
  let v = 1;
  for (let i = 0; i < 31; i++) {
    EXP[i] = v; EXP[i + 31] = v; LOG[v] = i;
    v <<= 1;
    if (v & 32) v ^= 0b100101;
  }
}
function mul(a, b) { return a === 0 || b === 0 ? 0 : EXP[LOG[a] + LOG[b]]; }
function div(a, b) { return a === 0 ? 0 : EXP[(LOG[a] - LOG[b] + 31) % 31]; }

function syndromes(symbols) {
  let s1 = 0, s2 = 0;
  for (let i = 0; i < symbols.length; i++) {
    s1 ^= symbols[i];
    s2 ^= mul(EXP[i % 31], symbols[i]);
  }
  return [s1, s2];
}

/** The two check symbols c_22, c_23 for 22 data symbols (§2.1). */
export function checkSymbols(data) {
  if (data.length !== DATA_SYMBOLS) fail(KIND.badCode, 'need 22 data symbols');
  let a = 0, b = 0;
  for (let i = 0; i < DATA_SYMBOLS; i++) {
    if (data[i] > 31) fail(KIND.badCode, 'symbol out of range');
    a ^= data[i];
    b ^= mul(EXP[i], data[i]);
  }
  const c22 = div(b ^ mul(EXP[23], a), EXP[22] ^ EXP[23]);
  return [c22, a ^ c22];
}

/**
 * A code from 22 data symbol values: 24 symbol values (Uint8Array; the
 * caller wipes it). makeCode() draws the data symbols from the CSPRNG.
 */
export function codeFromData(data) {
  const symbols = new Uint8Array(SYMBOLS);
  symbols.set(data.subarray(0, DATA_SYMBOLS));
  const [c22, c23] = checkSymbols(symbols.subarray(0, DATA_SYMBOLS));
  symbols[22] = c22; symbols[23] = c23;
  return symbols;
}

export function makeCode() {
  const random = sodium.randombytes_buf(DATA_SYMBOLS);
  // Low 5 bits of each byte: 256 is a multiple of 32, so this is unbiased.
  for (let i = 0; i < random.length; i++) random[i] &= 31;
  const symbols = codeFromData(random);
  wipe(random);
  return symbols;
}

/** Canonical form as ASCII bytes: the Argon2id password (§3). */
export function canonicalBytes(symbols) {
  const out = new Uint8Array(SYMBOLS);
  for (let i = 0; i < SYMBOLS; i++) out[i] = ALPHABET.charCodeAt(symbols[i]);
  return out;
}

/** Display form, six groups of four: shown once to the reporter. */
export function displayForm(symbols) {
  let s = '';
  for (let i = 0; i < SYMBOLS; i++) {
    if (i > 0 && i % 4 === 0) s += '-';
    s += ALPHABET[symbols[i]];
  }
  return s;
}

function symbolValue(byte) {
  let c = byte;
  if (c >= 0x61 && c <= 0x7a) c -= 0x20; // lower to upper case
  if (c === 0x4f) c = 0x30; // O -> 0
  if (c === 0x49 || c === 0x4c) c = 0x31; // I, L -> 1
  const i = c < 0x80 ? ALPHABET.indexOf(String.fromCharCode(c)) : -1;
  return i;
}

/**
 * Parses typed text (a string or UTF-8 bytes) into 24 symbol values, or
 * throws ProtocolError(kind 'bad-code') whose `reason` is 'wrong-length',
 * 'bad-character' (with `group`, 0 past the 24th symbol), 'typo' (with `group`, a single wrong
 * symbol located) or 'check-failed' (swap or several wrong). The message
 * never contains the typed text.
 */
export function parseCode(input) {
  if (typeof input === 'string' && input.length > MAX_INPUT) {
    throw codeError('wrong-length', 0, 'wrong length: a code has 24 characters'); // refused unread (§2.2 step 1)
  }
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  try {
    if (bytes.length > MAX_INPUT) throw codeError('wrong-length', 0, 'wrong length: a code has 24 characters');
    const symbols = new Uint8Array(SYMBOLS);
    let n = 0;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (b === 0x20 || b === 0x2d || b === 0x5f || b === 0x2e) continue;
      const v = symbolValue(b);
      if (v < 0) {
        wipe(symbols);
        if (n >= SYMBOLS) throw codeError('bad-character', 0, 'a character that cannot be in a code, after 24 symbols');
        const group = Math.floor(n / 4) + 1;
        throw codeError('bad-character', group, `bad character in group ${group}`);
      }
      if (n < SYMBOLS) symbols[n] = v;
      n++;
    }
    if (n !== SYMBOLS) {
      wipe(symbols);
      throw codeError('wrong-length', 0, 'wrong length: a code has 24 characters');
    }
    const [s1, s2] = syndromes(symbols);
    if (s1 === 0 && s2 === 0) return symbols;
    wipe(symbols);
    if (s1 !== 0 && s2 !== 0) {
      const p = LOG[div(s2, s1)];
      if (p < SYMBOLS) {
        const group = Math.floor(p / 4) + 1;
        throw codeError('typo', group, `check failed: probably a typo in group ${group}`);
      }
    }
    throw codeError('check-failed', 0, 'check failed: two characters swapped or several wrong');
  } finally {
    if (bytes !== input) wipe(bytes);
  }
}

function codeError(reason, group, message) {
  const e = new ProtocolError(KIND.badCode, message);
  e.reason = reason;
  e.group = group;
  return e;
}
