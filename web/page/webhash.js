// The page's own web hash (WEB contract point 4, docs/PROTOCOL.md "HTTP
// door"): BLAKE2b-256 over, for each name in MANIFEST order,
//   u16-LE len(name) || name || u64-LE len(content) || content
// the same value `relay web-hash --web-root DIR` prints. The page fetches
// MANIFEST and every file it names again from its own origin (no-store) and
// hashes what it got. A server that serves a bad page can also make this
// show the good value (it controls this code): the value helps a person who
// compares it, the THREAT_MODEL says how far that goes.

const MAX_MANIFEST = 64 * 1024;
const MAX_FILES = 256;
const NAME = /^[A-Za-z0-9._-]+$/;

async function get(name) {
  const response = await fetch(name, { cache: 'no-store', credentials: 'omit', redirect: 'error', referrerPolicy: 'no-referrer' });
  if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Parses MANIFEST text by the contract's rules; throws on anything else. */
export function manifestNames(bytes) {
  if (bytes.length > MAX_MANIFEST) throw new Error('MANIFEST too large');
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  if (!text.endsWith('\n')) throw new Error('MANIFEST does not end with a newline');
  const names = text.slice(0, -1).split('\n');
  if (names.length > MAX_FILES) throw new Error('MANIFEST names too many files');
  for (let i = 0; i < names.length; i++) {
    const n = names[i];
    if (!NAME.test(n) || n.startsWith('.')) throw new Error('MANIFEST holds a name outside the rules');
    if (i > 0 && !(names[i - 1] < n)) throw new Error('MANIFEST is not sorted bytewise');
  }
  if (!names.includes('MANIFEST')) throw new Error('MANIFEST does not list itself');
  return names;
}

function u16le(n) {
  return new Uint8Array([n & 0xff, (n >>> 8) & 0xff]);
}

function u64le(n) {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
}

/** Lowercase hex of the web hash, computed with libsodium's crypto_generichash. */
export async function computeWebHash(sodium) {
  const manifest = await get('MANIFEST');
  const names = manifestNames(manifest);
  const state = sodium.crypto_generichash_init(null, 32);
  for (const name of names) {
    const content = name === 'MANIFEST' ? manifest : await get(name);
    const nameBytes = new TextEncoder().encode(name);
    sodium.crypto_generichash_update(state, u16le(nameBytes.length));
    sodium.crypto_generichash_update(state, nameBytes);
    sodium.crypto_generichash_update(state, u64le(content.length));
    sodium.crypto_generichash_update(state, content);
  }
  return sodium.to_hex(sodium.crypto_generichash_final(state, 32));
}

/** The hash in groups of eight for comparing by eye (spaces do not count). */
export function grouped(hex) {
  return hex.match(/.{1,8}/g).join(' ');
}
