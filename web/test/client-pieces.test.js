// Unit tests of the client's pieces: the HTTP door's framing and its strict
// decoder, the policy and fetch decoders, the retrieval session's padding
// and bounds, proof of work, file chunks and names, deposits' classes.
import test from 'node:test';
import assert from 'node:assert/strict';
import { ready, sodium } from '../src/protocol/sodium.js';
import { ascii, concat, u32le, u64le, fromHex } from '../src/protocol/bytes.js';
import { requestBody, powDigest, meets } from '../src/protocol/pow.js';
import { encodeLetter, decodeLetter, LETTER_KIND } from '../src/protocol/letter.js';
import { encodeFrames, decodeReply, HttpTransport, MAX_REPLY_FRAMES } from '../src/client/transport.js';
import { decodePolicy, decodeFetch, depositWork, pay, refusal } from '../src/client/relay.js';
import { paddedRetrievalCount, parallelConnections, drawDecoys, retrieveMessages, deleteMessages } from '../src/client/retrieval.js';
import { encodeChunk, decodeChunk, sanitiseFileName, fileToSend, pieceBodies, assemble, CHUNK_TYPE, PIECE_BODY_BYTES, deriveFileKeys } from '../src/client/files.js';
import { paddedClass, makeDecoy, letterBytes } from '../src/client/deposits.js';
import { recogniseInThread } from '../src/client/recognise.js';
import { makeClue } from '../src/protocol/clue.js';
import { ClientError } from '../src/client/errors.js';

await ready();

const frame = (b) => concat(u32le(b.length), b);

test('framing: request encoding as the contract; refusals before sending', () => {
  const body = encodeFrames([Uint8Array.of(1, 9)]);
  assert.deepEqual(body, Uint8Array.of(2, 0, 0, 0, 1, 9));
  assert.deepEqual(encodeFrames([Uint8Array.of(1, 5), new Uint8Array(16)]).length, 4 + 2 + 4 + 16);
  assert.throws(() => encodeFrames([]), ClientError);
  assert.throws(() => encodeFrames(Array(51).fill(Uint8Array.of(1))), (e) => e.kind === 'too-large');
  assert.throws(() => encodeFrames([Uint8Array.of(1, 3), new Uint8Array(262145)]), (e) => e.kind === 'too-large');
});

test('framing: the reply decoder is strict and bounded', () => {
  const good = concat(frame(Uint8Array.of(1, 0)), frame(ascii('abc')), frame(new Uint8Array(0)));
  const r = decodeReply(good);
  assert.equal(r.status, 0);
  assert.deepEqual(r.fields.map((f) => f.length), [3, 0]);
  const bad = (b, what) => assert.throws(() => decodeReply(b), (e) => e.kind === 'bad-reply', what);
  bad(new Uint8Array(0), 'empty');
  bad(good.subarray(0, good.length - 1), 'truncated length');
  bad(concat(good, Uint8Array.of(1)), 'trailing byte');
  bad(concat(frame(Uint8Array.of(1, 0)), u32le(10), ascii('abc')), 'frame past the end');
  bad(frame(Uint8Array.of(1, 0, 0)), 'header of 3 bytes');
  bad(frame(Uint8Array.of(2, 0)), 'version 2');
  bad(concat(...Array(MAX_REPLY_FRAMES + 1).fill(frame(Uint8Array.of(1, 0)))), 'too many frames');
  bad(concat(frame(Uint8Array.of(1, 0)), u32le(0xffffffff)), 'huge length');
  // Every truncation of a good reply fails cleanly, never throws anything else.
  for (let n = 0; n < good.length; n++) {
    try { decodeReply(good.subarray(0, n)); } catch (e) { assert.ok(e instanceof ClientError); }
  }
});

test('transport: POST /api with the frames, errors and timeouts as kinds', async () => {
  let seen;
  const fetchFn = async (url, init) => {
    seen = { url, init };
    return new Response(concat(frame(Uint8Array.of(1, 0)), frame(ascii('x'))), { status: 200 });
  };
  const t = new HttpTransport({ base: 'http://relay.test/', fetchFn });
  const r = await t.call([Uint8Array.of(1, 9)]);
  assert.equal(seen.url, 'http://relay.test/api');
  assert.equal(seen.init.method, 'POST');
  assert.equal(seen.init.credentials, 'omit');
  assert.deepEqual(new Uint8Array(seen.init.body), Uint8Array.of(2, 0, 0, 0, 1, 9));
  assert.equal(r.fields.length, 1);
  const status = new HttpTransport({ fetchFn: async () => new Response(null, { status: 413 }) });
  await assert.rejects(status.call([Uint8Array.of(1, 9)]), (e) => e.kind === 'too-large' && e.httpStatus === 413);
  const down = new HttpTransport({ fetchFn: async () => { throw new TypeError('fetch failed'); } });
  await assert.rejects(down.call([Uint8Array.of(1, 9)]), (e) => e.kind === 'network');
  const slow = new HttpTransport({ timeoutMs: 50, fetchFn: (url, init) => new Promise((_, reject) => {
    init.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
  }) });
  await assert.rejects(slow.call([Uint8Array.of(1, 9)]), (e) => e.kind === 'timeout');
  const big = new HttpTransport({ fetchFn: async () => new Response('x', { status: 200, headers: { 'content-length': String(2 ** 30) } }) });
  await assert.rejects(big.call([Uint8Array.of(1, 9)]), (e) => e.kind === 'bad-reply');
});

test('relay refusals carry status, name and the printable text only', () => {
  const e = refusal(13, [ascii('slow down')]);
  assert.equal(e.kind, 'rate-limited');
  assert.equal(e.relayText, 'slow down');
  assert.equal(refusal(6, []).kind, 'storage-full');
  assert.equal(refusal(4, []).statusName, 'not-found');
  assert.equal(refusal(42, [Uint8Array.of(7)]).relayText, '');
});

test('policy: 4, 5 and 9 fields; 6 to 8 refused; bounds', () => {
  const base = [new Uint8Array(32), Uint8Array.of(20), u32le(60), u32le(7)];
  const four = decodePolicy(base);
  assert.equal(four.maxAttachmentBytes, 10485760n);
  assert.equal(four.priced, false);
  assert.equal(depositWork(four, [4096, 4096]), 1n << 20n);
  assert.equal(decodePolicy([...base, u64le(5)]).maxAttachmentBytes, 5n);
  const prices = [u64le(4096), u64le(3), concat(u64le(10), u64le(20), u64le(80)), u64le(1234)];
  const nine = decodePolicy([...base, u64le(5), ...prices, ascii('later field')]);
  assert.equal(nine.priced, true);
  assert.equal(nine.storedMessages, 1234n);
  assert.equal(depositWork(nine, [4096, 32768, 262144, 4096]), 120n);
  for (const n of [6, 7, 8]) assert.throws(() => decodePolicy([...base, u64le(5), ...prices].slice(0, n)), (e) => e.kind === 'bad-reply');
  assert.throws(() => decodePolicy(base.slice(0, 3)), (e) => e.kind === 'bad-reply');
  assert.throws(() => decodePolicy([base[0], Uint8Array.of(33), base[2], base[3]]), (e) => e.kind === 'too-large');
  assert.throws(() => decodePolicy([...base, u64le(268435457)]), (e) => e.kind === 'too-large');
});

test('fetch answer: entries a multiple of 64 × 64 bytes, ids strictly ascending and no more than entries', () => {
  const entries = new Uint8Array(64 * 64);
  const id = (b) => new Uint8Array(16).fill(b);
  assert.equal(decodeFetch([entries, concat(id(1), id(2))]).stored.length, 2);
  // Byte order, not libsodium's little-endian sodium_compare: 01 00.. < 00 01.. as numbers, not as bytes.
  const a = new Uint8Array(16); a[0] = 0; a[15] = 1;
  const b = new Uint8Array(16); b[0] = 1;
  assert.equal(decodeFetch([entries, concat(a, b)]).stored.length, 2);
  assert.throws(() => decodeFetch([entries, concat(b, a)]), (e) => e.kind === 'bad-reply');
  assert.throws(() => decodeFetch([entries, concat(id(2), id(1))]), (e) => e.kind === 'bad-reply');
  assert.throws(() => decodeFetch([entries, concat(id(1), id(1))]), (e) => e.kind === 'bad-reply');
  assert.throws(() => decodeFetch([new Uint8Array(64 * 63), new Uint8Array(0)]), (e) => e.kind === 'bad-reply');
  assert.throws(() => decodeFetch([entries, new Uint8Array(15)]), (e) => e.kind === 'bad-reply');
  assert.throws(() => decodeFetch([entries]), (e) => e.kind === 'bad-reply');
});

test('retrieval: K = 16 quanta, decoys without repeats from the others, shuffled, at most 4 at once', async () => {
  assert.deepEqual([0, 1, 16, 17, 33].map(paddedRetrievalCount), [16, 16, 16, 32, 48]);
  const stored = Array.from({ length: 40 }, (_, i) => new Uint8Array(16).fill(i));
  const own = [stored[3], stored[7]];
  const decoys = drawDecoys(own, stored);
  assert.equal(decoys.length, 14);
  assert.equal(new Set(decoys.map((d) => d[0])).size, 14);
  assert.ok(decoys.every((d) => d[0] !== 3 && d[0] !== 7));
  assert.equal(drawDecoys(own, stored.slice(0, 5)).length, 4); // a small store cannot hide the count
  let open = 0, most = 0;
  const asked = [];
  const relay = { async getMessage(id) {
    open++; most = Math.max(most, open); asked.push(id[0]);
    await new Promise((r) => setTimeout(r, 260)); // longer than the longest pause: the first four overlap
    open--;
    return id[0] === 7 ? null : Uint8Array.of(id[0]);
  } };
  const got = await retrieveMessages(relay, own, stored);
  assert.deepEqual(got, [Uint8Array.of(3), null]);
  assert.equal(asked.length, 16);
  assert.equal(most, 4);
  const deleted = [];
  const failed = await deleteMessages({ async deleteMessage(id) { deleted.push(id[0]); if (id[0] === 2) throw new ClientError('relay', 'no'); } },
    [1, 2, 3].map((b) => ({ id: new Uint8Array(16).fill(b), token: new Uint8Array(32) })));
  assert.equal(failed, 1);
  assert.equal(deleted.length, 3);
});

test('retrieval: four connections at once per quantum of 16, at most 32, as client::parallel_connections', async () => {
  assert.deepEqual([1, 16, 17, 48, 49, 128, 129, 1000].map(parallelConnections), [4, 4, 8, 12, 16, 32, 32, 32]);
  // A session of three quanta (33 own letters, 48 requests) keeps 12 under way.
  const stored = Array.from({ length: 60 }, (_, i) => new Uint8Array(16).fill(i));
  const own = stored.slice(0, 33);
  let open = 0, most = 0;
  const relay = { async getMessage(id) {
    open++; most = Math.max(most, open);
    await new Promise((r) => setTimeout(r, 400)); // longer than the longest pause: the first ones overlap
    open--;
    return Uint8Array.of(id[0]);
  } };
  const got = await retrieveMessages(relay, own, stored);
  assert.equal(got.length, 33);
  assert.equal(most, 12);
});

test('proof of work: the proof meets the price; the known answer of PROTOCOL.md', async () => {
  const challenge = new Uint8Array(32).fill(4);
  const body = requestBody(4);
  assert.ok(meets(powDigest(challenge, body, 1046n), 1000n));
  assert.ok(!meets(powDigest(challenge, body, 1045n), 1000n));
  const proof = await pay(challenge, body, 4096n);
  const nonce = new DataView(proof.buffer, proof.byteOffset + 32, 8).getBigUint64(0, true);
  assert.ok(meets(powDigest(challenge, body, nonce), 4096n));
  assert.deepEqual(proof.subarray(0, 32), challenge);
  await assert.rejects(pay(challenge, body, (1n << 36n) + 1n), (e) => e.kind === 'too-large');
});

test('attachment chunks: pieces of exactly 258 366 bytes, strict decoding, assembly and digest', () => {
  const bytes = sodium.randombytes_buf(258048 + 10);
  const file = fileToSend({ name: 'a/b/rapport.pdf', bytes }, 10485760);
  assert.equal(file.count, 2);
  const pieces = [...pieceBodies(file)];
  assert.ok(pieces.every((p) => p.length === PIECE_BODY_BYTES));
  const chunks = pieces.map(decodeChunk);
  assert.equal(chunks[1].data.length, 10);
  const entry = file.entry(true);
  assert.equal(assemble(entry, chunks).status, 'intact');
  assert.equal(assemble(entry, chunks.slice(0, 1)).status, 'incomplete');
  const damaged = chunks.map((c) => ({ ...c, data: c.data.slice() }));
  damaged[0].data[0] ^= 1;
  assert.equal(assemble(entry, damaged).status, 'damaged');
  const other = { ...entry, fileId: new Uint8Array(16) };
  assert.equal(assemble(other, chunks).have, 0); // a piece counts only for its own entry
  const bad = pieces[1].slice(); bad[PIECE_BODY_BYTES - 1] = 1;
  assert.throws(() => decodeChunk(bad), (e) => e.kind === 'malformed');
  const desc = encodeChunk({ type: CHUNK_TYPE.description, fileId: file.fileId, index: 0, count: 2, total: file.total, digest: file.digest, name: file.name });
  assert.equal(decodeChunk(desc).type, CHUNK_TYPE.description);
  assert.throws(() => decodeChunk(concat(desc, Uint8Array.of(0))), (e) => e.kind === 'malformed');
  const huge = desc.slice(); new DataView(huge.buffer).setBigUint64(22, 64n * 1024n * 1024n + 1n, true);
  assert.throws(() => decodeChunk(huge), (e) => e.kind === 'too-large');
  assert.throws(() => fileToSend({ name: 'x', bytes: new Uint8Array(0) }, 100), (e) => e.kind === 'malformed');
  assert.throws(() => fileToSend({ name: 'x', bytes: new Uint8Array(101) }, 100), (e) => e.kind === 'too-large');
  assert.throws(() => fileToSend({ name: 'x', bytes: new Uint8Array(1) }, 0), (e) => e.kind === 'too-large');
});

test('version-3 letters: the file block round-trips and its rules are enforced', () => {
  const file = fileToSend({ name: 'x.txt', bytes: ascii('hallo') }, 100);
  const token = new Uint8Array(32);
  const letter = encodeLetter({ kind: LETTER_KIND.report, sentAt: 1, deleteToken: token, body: ascii('m'), files: [file.entry(true)] });
  assert.equal(letter[0], 3);
  const d = decodeLetter(letter);
  assert.equal(d.files.length, 1);
  assert.deepEqual(d.files[0].keySeed, file.keySeed);
  assert.equal(decodeLetter(encodeLetter({ kind: LETTER_KIND.report, sentAt: 1, deleteToken: token, body: ascii('m') }))[0], undefined);
  const twice = encodeLetter({ kind: LETTER_KIND.report, sentAt: 1, deleteToken: token, body: ascii('m'), files: [file.entry(true), file.entry(true)] });
  assert.throws(() => decodeLetter(twice), (e) => e.kind === 'malformed');
  const wrongCount = letter.slice(); wrongCount[99 + 4 + 1 + 1 + 16 + 8] = 2;
  assert.throws(() => decodeLetter(wrongCount), (e) => e.kind === 'malformed');
});

test('file names are made safe', () => {
  assert.equal(sanitiseFileName('../../etc/passwd'), 'passwd');
  assert.equal(sanitiseFileName('C:\\Users\\x\\report.pdf'), 'report.pdf');
  assert.equal(sanitiseFileName('cv\u202egpj.exe'), 'cv_gpj.exe');
  assert.equal(sanitiseFileName('...hidden'), 'hidden');
  assert.equal(sanitiseFileName('con.txt'), '_con.txt');
  assert.equal(sanitiseFileName('a\u0000b'), 'a_b');
  assert.equal(sanitiseFileName('a    b'), 'a b');
  assert.equal(sanitiseFileName(''), 'attachment');
  assert.equal(sanitiseFileName(Uint8Array.of(0xff, 0x41)), '_A');
  const long = sanitiseFileName(`${'é'.repeat(150)}.pdf`);
  assert.ok(new TextEncoder().encode(long).length <= 200 && long.endsWith('.pdf'));
});

test('padded classes and decoys: a decoy fills its class and nobody can tell it', () => {
  assert.equal(paddedClass(14, 0), 4096);
  assert.equal(letterBytes(1, 10), 99 + 16 + 4 + 10);
  assert.equal(paddedClass(1, 4096 - 162 - 99 - 16 - 4), 4096);
  assert.equal(paddedClass(1, 4096 - 162 - 99 - 16 - 4 + 1), 32768);
  for (const c of [4096, 32768, 262144]) {
    const d = makeDecoy(c);
    assert.equal(d.envelope.length, c);
    assert.equal(d.clue.length, 64);
    assert.equal(d.verifier.length, 32);
  }
});

test('recognition in chunks finds each id once per key, with progress', async () => {
  const a = sodium.crypto_core_ristretto255_scalar_random();
  const b = sodium.crypto_core_ristretto255_scalar_random();
  const blind = (clue, id) => {
    const r = sodium.crypto_core_ristretto255_scalar_random();
    const R = sodium.crypto_scalarmult_ristretto255(r, clue.subarray(0, 32));
    const T = sodium.crypto_scalarmult_ristretto255(r, clue.subarray(32));
    const k = sodium.crypto_generichash(32, concat(ascii('meldpunt/v1/clue'), R, T), null);
    return concat(R, k.subarray(0, 16), id.map((x, i) => x ^ k[16 + i]));
  };
  const idA = new Uint8Array(16).fill(1), idB = new Uint8Array(16).fill(2);
  const list = [blind(makeClue(sodium.crypto_scalarmult_ristretto255_base(a)), idA), blind(makeClue(sodium.crypto_scalarmult_ristretto255_base(a)), idA),
    blind(makeClue(sodium.crypto_scalarmult_ristretto255_base(b)), idB)];
  while (list.length < 2100) list.push(concat(sodium.crypto_core_ristretto255_random(), sodium.randombytes_buf(32)));
  const events = [];
  const [forA, forB] = await recogniseInThread(concat(...list), [a, b], { onProgress: (e) => events.push(e) });
  assert.deepEqual(forA, [idA]);
  assert.deepEqual(forB, [idB]);
  assert.deepEqual(events.map((e) => e.done), [1024, 2048, 2100]);
  assert.ok(deriveFileKeys(new Uint8Array(32)).fetchPk.length === 32);
});

// node's worker_threads standing in for the page's module workers.
async function workerShim(file) {
  const { Worker } = await import('node:worker_threads');
  const url = new URL(file, import.meta.url);
  return () => {
    const w = new Worker(`const { parentPort } = require('node:worker_threads');
      globalThis.self = { addEventListener: (t, f) => parentPort.on('message', (data) => f({ data })),
        postMessage: (m) => parentPort.postMessage(m) };
      import(${JSON.stringify(url.href)});`, { eval: true });
    const listeners = new Map();
    return { postMessage: (m) => w.postMessage(m), terminate: () => w.terminate(),
      addEventListener: (t, f) => { const g = (data) => f({ data }); listeners.set(f, g); w.on('message', g); },
      removeEventListener: (t, f) => w.off('message', listeners.get(f)) };
  };
}

test('worker solver: the first proof of the pool wins and meets the price; the others stop', async () => {
  const { createWorkerSolver } = await import('../src/client/relay.js');
  const shim = await workerShim('../src/client/pow-worker.js');
  const pool = [shim(), shim()];
  try {
    const solve = createWorkerSolver(pool);
    const challenge = sodium.randombytes_buf(32);
    const body = requestBody(2);
    for (const price of [1n, 1n << 16n, 1n << 20n]) {
      const proof = await solve(challenge, body, price);
      const nonce = new DataView(proof.buffer, proof.byteOffset + 32, 8).getBigUint64(0, true);
      assert.ok(meets(powDigest(challenge, body, nonce), price));
    }
    // Progress: a worker reports after each 50 ms slice of its search. The
    // search is fast enough that a proof at a few million digests often comes
    // before the first report, so the report is awaited in a search of 2^35
    // (about one chance in 10^4 of a proof within the first slice), which
    // the test then cancels: the solver stops every worker and rejects.
    const events = [];
    const cancel = new AbortController();
    const guard = setTimeout(() => cancel.abort(), 20000);
    await assert.rejects(solve(challenge, body, 1n << 35n, {
      signal: cancel.signal,
      onProgress: (e) => { events.push(e); cancel.abort(); },
    }), (e) => e.kind === 'cancelled');
    clearTimeout(guard);
    assert.ok(events.some((e) => e.step === 'work' && e.done > 0 && e.total === 2 ** 35), JSON.stringify(events));
    await assert.rejects(solve(challenge, body, (1n << 36n) + 1n), (e) => e.kind === 'too-large');
  } finally {
    for (const w of pool) await w.terminate();
  }
});

test('worker recogniser: ranges split over the pool, results merged once per id', async () => {
  const { createWorkerRecogniser } = await import('../src/client/recognise.js');
  const shim = await workerShim('../src/client/recognise-worker.js');
  const pool = [shim(), shim()];
  try {
    const s = sodium.crypto_core_ristretto255_scalar_random();
    const S = sodium.crypto_scalarmult_ristretto255_base(s);
    const entries = [];
    const id = new Uint8Array(16).fill(9);
    for (let i = 0; i < 130; i++) entries.push(concat(sodium.crypto_core_ristretto255_random(), sodium.randombytes_buf(32)));
    const clue = makeClue(S);
    for (const at of [5, 120]) {
      const r = sodium.crypto_core_ristretto255_scalar_random();
      const R = sodium.crypto_scalarmult_ristretto255(r, clue.subarray(0, 32));
      const T = sodium.crypto_scalarmult_ristretto255(r, clue.subarray(32));
      const k = sodium.crypto_generichash(32, concat(ascii('meldpunt/v1/clue'), R, T), null);
      entries[at] = concat(R, k.subarray(0, 16), id.map((x, i) => x ^ k[16 + i]));
    }
    const found = await createWorkerRecogniser(pool)(concat(...entries), [s]);
    assert.deepEqual(found, [[id]]);
  } finally {
    for (const w of pool) await w.terminate();
  }
});
