// The client's parsers of untrusted bytes (the relay's replies, letters of
// version 3, attachment chunks), fed mutated input: each returns or throws
// a ClientError / ProtocolError, never another exception (a deterministic
// fuzz smoke test, as robustness.test.js for the protocol core).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ready, sodium } from '../src/protocol/sodium.js';
import { ProtocolError } from '../src/protocol/errors.js';
import { concat, u32le, u64le, ascii } from '../src/protocol/bytes.js';
import { decodeLetter, encodeLetter, LETTER_KIND } from '../src/protocol/letter.js';
import { decodeReply, encodeFrames } from '../src/client/transport.js';
import { decodePolicy, decodeFetch } from '../src/client/relay.js';
import { decodeChunk, fileToSend, pieceBodies, sanitiseFileName } from '../src/client/files.js';
import { ClientError } from '../src/client/errors.js';

await ready();

let seed = 0x2545f491;
function rand(n) {
  seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0;
  return seed % n;
}
function mutate(bytes) {
  const b = bytes.slice();
  const op = rand(4);
  if (op === 0 && b.length) b[rand(b.length)] ^= 1 << rand(8);
  if (op === 1 && b.length) b[rand(b.length)] = rand(256);
  if (op === 2) return b.subarray(0, rand(b.length + 1));
  if (op === 3) return concat(b, new Uint8Array(rand(8)).map(() => rand(256)));
  return b;
}
function survives(name, parse, seeds, rounds) {
  for (let i = 0; i < rounds; i++) {
    let input = seeds[rand(seeds.length)];
    for (let k = rand(3) + 1; k > 0; k--) input = mutate(input);
    try { parse(input); } catch (e) {
      assert.ok(e instanceof ProtocolError || e instanceof ClientError, `${name}: ${e?.name}: ${e?.message} on round ${i}`);
    }
  }
}
const fields = (bytes) => decodeReply(bytes).fields;

test('reply framing, policy and fetch answers', () => {
  const policy = encodeFrames([Uint8Array.of(1, 0), new Uint8Array(32), Uint8Array.of(8), u32le(60), u32le(7), u64le(10), u64le(4096),
    u64le(3), new Uint8Array(24), u64le(2)]);
  const fetch = encodeFrames([Uint8Array.of(1, 0), new Uint8Array(64 * 64), concat(new Uint8Array(16), new Uint8Array(16).fill(1))]);
  survives('decodeReply', decodeReply, [policy, fetch], 3000);
  survives('decodePolicy', (b) => decodePolicy(fields(b)), [policy], 3000);
  survives('decodeFetch', (b) => decodeFetch(fields(b)), [fetch], 2000);
});

test('version-3 letters and attachment chunks', () => {
  const file = fileToSend({ name: 'a.txt', bytes: ascii('inhoud') }, 100);
  const letter = encodeLetter({ kind: LETTER_KIND.report, sentAt: 1, deleteToken: new Uint8Array(32), body: ascii('m'), files: [file.entry(true)] });
  survives('decodeLetter v3', decodeLetter, [letter], 3000);
  const [piece] = [...pieceBodies(file)];
  survives('decodeChunk', decodeChunk, [piece, piece.subarray(0, 70)], 300);
  for (let i = 0; i < 500; i++) {
    const name = sodium.randombytes_buf(rand(300));
    const safe = sanitiseFileName(name);
    assert.ok(safe.length > 0 && new TextEncoder().encode(safe).length <= 200 && !/[/\\\u0000-\u001f]/.test(safe), safe);
  }
});
