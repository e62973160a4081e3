// Byte helpers shared by the protocol modules: hex, strict base64url
// (docs/PROTOCOL.md Part 1 §1: no padding, one accepted text form per byte
// string), little-endian integers and a bounded reader for untrusted bytes.
import { fail, KIND } from './errors.js';

export function concat(...parts) {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

export function fromHex(hex) {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) fail(KIND.malformed, 'not hex');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(2 * i, 2), 16);
  return out;
}

export function toHex(bytes) {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

const encoder = new TextEncoder();
export function ascii(text) { return encoder.encode(text); }

/** Strict UTF-8 decoding (overlong forms and surrogates refused). */
export function utf8Decode(bytes) {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return fail(KIND.malformed, 'text is not valid UTF-8');
  }
}

export function u16le(v) { const b = new Uint8Array(2); new DataView(b.buffer).setUint16(0, v, true); return b; }
export function u32le(v) { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, v, true); return b; }
export function u64le(v) {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(v), true);
  return b;
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64URL_VALUE = new Map([...B64URL].map((c, i) => [c, i]));

export function toBase64url(bytes) {
  let out = '';
  let i = 0;
  for (; i + 3 <= bytes.length; i += 3) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += B64URL[v >> 18] + B64URL[(v >> 12) & 63] + B64URL[(v >> 6) & 63] + B64URL[v & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const v = bytes[i] << 16;
    out += B64URL[v >> 18] + B64URL[(v >> 12) & 63];
  } else if (rest === 2) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += B64URL[v >> 18] + B64URL[(v >> 12) & 63] + B64URL[(v >> 6) & 63];
  }
  return out;
}

/**
 * Strict base64url without padding: characters outside the alphabet, a
 * length of 1 mod 4 and non-zero trailing bits are refused, so every byte
 * string has exactly one accepted text form (as sodium_base642bin with
 * sodium_base64_VARIANT_URLSAFE_NO_PADDING and no ignored characters).
 */
export function fromBase64url(text) {
  if (text.length % 4 === 1) fail(KIND.malformed, 'base64url of impossible length');
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (const c of text) {
    const v = B64URL_VALUE.get(c);
    if (v === undefined) fail(KIND.malformed, 'character outside base64url');
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
    acc &= (1 << bits) - 1;
  }
  if (acc !== 0) fail(KIND.malformed, 'base64url with non-zero trailing bits');
  return out.subarray(0, o);
}

/**
 * Bounded reader over untrusted bytes: every read checks the remaining
 * length first and fails with kMalformed ("short input") instead of reading
 * past the end.
 */
export class Reader {
  constructor(bytes) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = 0;
  }
  remaining() { return this.bytes.length - this.pos; }
  need(n) { if (this.remaining() < n) fail(KIND.malformed, 'short input'); }
  u8() { this.need(1); return this.bytes[this.pos++]; }
  u16() { this.need(2); const v = this.view.getUint16(this.pos, true); this.pos += 2; return v; }
  u32() { this.need(4); const v = this.view.getUint32(this.pos, true); this.pos += 4; return v; }
  /** u64 little-endian as a BigInt (serials and times may exceed 2^53). */
  u64() { this.need(8); const v = this.view.getBigUint64(this.pos, true); this.pos += 8; return v; }
  take(n) { this.need(n); const v = this.bytes.subarray(this.pos, this.pos + n); this.pos += n; return v; }
  rest() { return this.take(this.remaining()); }
  end() { if (this.remaining() !== 0) fail(KIND.malformed, 'trailing bytes'); }
}

/** Constant-time equality of two byte strings of the same length. */
export function equalBytes(sodium, a, b) {
  return a.length === b.length && sodium.memcmp(a, b);
}
