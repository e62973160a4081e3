// Channel address parsing (docs/PROTOCOL.md Part 3 "Channel address"): the
// relay key and the organisation key the page belongs to, the minimum
// directory serial, and the check that finds a copy mistake before any
// network traffic. Same rules as protocol/src/channel_address.cpp.
import { sodium } from './sodium.js';
import { ascii, concat, u64le, fromBase64url, toBase64url } from './bytes.js';
import { fail, KIND } from './errors.js';

export const MAX_PASTED_BYTES = 4096;
export const MAX_COMPACT = 512;
const PREFIX = 'meldpunt2:';
const PREFIX_V1 = 'meldpunt1:';
const CHECK_DOMAIN = 'meldpunt/v1/address';
const MAX_HOST = 255;
const U64_MAX = (1n << 64n) - 1n;

const bad = (what) => fail(KIND.malformed, `channel address: ${what}`);
const mistyped = (what) => fail(KIND.malformed, `channel address: this address is mistyped (${what}); copy it again`);
const isWhitespace = (c) => c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\v' || c === '\f' || c === '\u00a0';

/**
 * Removes pasted whitespace; refuses oversized text and any character that
 * is not printable ASCII, naming its position (never the character).
 */
function compact(text) {
  // A UTF-16 code unit is at least one UTF-8 byte: longer strings are refused unread.
  if (text.length > MAX_PASTED_BYTES || new TextEncoder().encode(text).length > MAX_PASTED_BYTES) bad('too long');
  const severalLines = text.includes('\n');
  let out = '';
  let character = 0, line = 1, column = 0;
  for (const c of text) { // by code point, like the C++ count of UTF-8 characters
    if (isWhitespace(c)) {
      if (c === '\n') { line++; column = 0; } else column++;
      character++;
      continue;
    }
    const code = c.codePointAt(0);
    if (code <= 0x20 || code >= 0x7f) {
      let where = `unexpected character at position ${character + 1}`;
      if (severalLines) where += ` (line ${line}, column ${column + 1})`;
      if (code >= 0x80) where += ', a non-ASCII character (e.g. a typographic quote or dash)';
      else where += ', a control character';
      bad(where);
    }
    out += c;
    if (out.length > MAX_COMPACT) bad('too long');
    character++; column++;
  }
  return out;
}

function plausibleEndpoint(endpoint) {
  if (!endpoint.startsWith('tcp://') || endpoint.length > 6 + MAX_HOST + 1 + 5) return false;
  const rest = endpoint.slice(6);
  const colon = rest.lastIndexOf(':');
  if (colon <= 0 || colon + 1 === rest.length) return false;
  return /^[0-9]{1,5}$/.test(rest.slice(colon + 1)); // the host is printable ASCII after compact()
}

function decodeKey(text) {
  try {
    const b = fromBase64url(text);
    return b.length === 32 ? b : null;
  } catch {
    return null;
  }
}

function decodeSerial(text) {
  if (!/^[1-9][0-9]{0,19}$/.test(text)) return null;
  const v = BigInt(text);
  return v <= U64_MAX ? v : null;
}

export function addressCheck({ relayKey, orgKey, minSerial, endpoint }) {
  const digest = sodium.crypto_generichash(32,
    concat(ascii(CHECK_DOMAIN), new Uint8Array(1), relayKey, orgKey, u64le(minSerial), ascii(endpoint)), null);
  return toBase64url(digest.subarray(0, 6));
}

export function formatAddress(a) {
  const serial = a.minSerial !== 0n ? `${a.minSerial}.` : '';
  return `${PREFIX}${toBase64url(a.relayKey)}.${toBase64url(a.orgKey)}.${serial}${addressCheck(a)}@${a.endpoint}`;
}

/**
 * parse_address: returns { relayKey, orgKey, minSerial (BigInt), endpoint,
 * checked } or throws ProtocolError(malformed). checked is false for the
 * older meldpunt1: form, which the page should mention to the reporter.
 */
export function parseAddress(pasted) {
  let text;
  try {
    text = compact(pasted);
  } catch (e) {
    if (pasted.replace(/^[ \t\r\n]*/, '').startsWith(PREFIX) && !e.message.endsWith('too long')) {
      mistyped(e.message.slice('channel address: '.length));
    }
    throw e;
  }
  if (text.startsWith(PREFIX)) return parseV2(text.slice(PREFIX.length));
  if (text.startsWith(PREFIX_V1)) return parseV1(text.slice(PREFIX_V1.length));
  return bad('must start with meldpunt2: (or the older meldpunt1:)');
}

function parseV2(text) {
  const at = text.indexOf('@');
  if (at < 0) mistyped("no '@' before the server's address");
  const parts = text.slice(0, at).split('.');
  if (parts.length > 4) mistyped('too many parts');
  if (parts.length !== 3 && parts.length !== 4) mistyped('parts are missing');
  const relayKey = decodeKey(parts[0]);
  if (!relayKey) mistyped('the relay key is damaged');
  const orgKey = decodeKey(parts[1]);
  if (!orgKey) mistyped('the organisation key is damaged');
  let minSerial = 0n;
  if (parts.length === 4) {
    minSerial = decodeSerial(parts[2]);
    if (minSerial === null) mistyped('the directory serial is damaged');
  }
  const endpoint = text.slice(at + 1);
  if (!plausibleEndpoint(endpoint)) mistyped("the server's address must look like tcp://host:port");
  const address = { relayKey, orgKey, minSerial, endpoint, checked: true };
  if (parts[parts.length - 1] !== addressCheck(address)) mistyped('its check characters do not match');
  return address;
}

function parseV1(text) {
  const at = text.indexOf('@');
  if (at < 0) bad("missing '@' before the endpoint");
  const keys = text.slice(0, at);
  const dot = keys.indexOf('.');
  if (dot < 0) bad("missing '.' between the two keys");
  const relayKey = decodeKey(keys.slice(0, dot));
  if (!relayKey) bad('relay key is not 32 bytes of base64url');
  const orgKey = decodeKey(keys.slice(dot + 1));
  if (!orgKey) bad('organisation key is not 32 bytes of base64url');
  const endpoint = text.slice(at + 1);
  if (!plausibleEndpoint(endpoint)) bad('endpoint must look like tcp://host:port');
  return { relayKey, orgKey, minSerial: 0n, endpoint, checked: false };
}
