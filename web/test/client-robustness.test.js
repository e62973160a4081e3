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
import { fuzzer } from '../test-support/mutate.js';

await ready();

const { rand, survives } = fuzzer(0x2545f491, (e) => e instanceof ProtocolError || e instanceof ClientError);
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
