// Every parser of untrusted bytes or text, fed mutated and random input:
// it returns or throws a ProtocolError, never another exception, within a
// bounded number of cases (a deterministic fuzz smoke test; JavaScript has
// no libFuzzer, and these parsers mirror the C++ ones that have targets).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ready, sodium } from '../src/protocol/sodium.js';
import { ProtocolError } from '../src/protocol/errors.js';
import { parseCode } from '../src/protocol/code.js';
import { parseAddress } from '../src/protocol/address.js';
import { verifyDirectory } from '../src/protocol/directory.js';
import { openEnvelope } from '../src/protocol/envelope.js';
import { recognise } from '../src/protocol/clue.js';
import { decodeLetter, encodeLetter } from '../src/protocol/letter.js';
import { decodeHistory, encodeHistory } from '../src/protocol/history.js';
import { decodeProposal, decodeAnswer, decodeTransfer } from '../src/protocol/handover.js';
import { readPrekeyBundle } from '../src/protocol/prekeys.js';
import { fromHex, ascii } from '../src/protocol/bytes.js';
import { loadVectors } from '../test-support/vectors.js';
import { encodeBody, signBody, orgKeyPair } from '../test-support/directory-builder.js';
import { fuzzer } from '../test-support/mutate.js';

await ready();

const { rand, survives } = fuzzer(0x9e3779b9, (e) => e instanceof ProtocolError);

test('letters, histories and hand-over bodies', () => {
  const token = new Uint8Array(32);
  const history = encodeHistory({ truncated: false, entries: [
    { sentAt: 1n, fromReporter: true, recipients: [new Uint8Array(16)], body: ascii('a'), files: [] },
    { sentAt: 2n, fromReporter: false, adviserId: new Uint8Array(16), body: ascii('b'),
      signature: { reporterMessagePk: new Uint8Array(32), signature: new Uint8Array(64) },
      files: [{ size: 1n, digest: new Uint8Array(32), name: ascii('f') }] }] });
  const letters = [1, 2, 3, 5, 8].map((kind) => encodeLetter({ kind, sentAt: 1, deleteToken: token,
    recipients: [new Uint8Array(16)], body: kind === 5 ? history : ascii('x') }));
  survives('letter', decodeLetter, letters, 3000);
  survives('history', decodeHistory, [history], 3000);
  const proposal = new Uint8Array([1, ...new Uint8Array(32), 1, 0, 0x41, ...new Uint8Array(64)]);
  survives('proposal', decodeProposal, [proposal], 1000);
  survives('answer', decodeAnswer, [new Uint8Array([1, ...new Uint8Array(16), 1, ...new Uint8Array(16)])], 1000);
  survives('transfer', decodeTransfer, [new Uint8Array([1, ...new Uint8Array(96), ...history])], 1000);
});

test('directory bodies that the organisation signed (the parser sees only signed bytes)', () => {
  const v = loadVectors('directory.txt');
  const org = orgKeyPair(fromHex(v.get('org_seed')));
  const signed = fromHex(v.get('signed'));
  const body = signed.subarray(0, signed.length - 64);
  // Re-sign each mutated body so the parser behind the signature is reached.
  survives('directory', (b) => verifyDirectory(signBody(b, org.privateKey), org.publicKey), [body,
    encodeBody({ version: 3, orgPk: org.publicKey, serial: 1, validUntil: 9, entries: [],
      groups: [{ id: 'a', labelNl: 'A', labelEn: 'A' }], kinds: [{ id: 'b', labelNl: 'B', labelEn: 'B' }] })], 1500);
  survives('prekeys', (b) => readPrekeyBundle(b, verifyDirectory(signed, org.publicKey), 0),
    [new Uint8Array([1, 0, ...new Uint8Array(228)])], 1000);
});

test('envelopes, clue entries, codes and addresses', () => {
  const e = loadVectors('envelope.txt');
  const recipient = { secretKey: fromHex(e.get('recipient_sk')), publicKey: fromHex(e.get('recipient_pk')) };
  survives('envelope', (b) => openEnvelope(b, recipient, { onetime: () => null, medium: () => null }),
    [fromHex(e.get('v2_envelope')), fromHex(e.get('envelope_no_prekey'))], 300);
  const c = loadVectors('clue.txt');
  survives('clue entry', (b) => recognise(b, fromHex(c.get('fetch_sk'))), [fromHex(c.get('entry'))], 1000);
  const code = ascii(loadVectors('code.txt').get('code4.display'));
  survives('code', parseCode, [code], 3000);
  const a = loadVectors('address.txt');
  const dec = new TextDecoder();
  survives('address', (b) => parseAddress(dec.decode(b)), [ascii(a.get('address')), ascii(a.get('address_min_serial')), ascii(a.get('address_v1'))], 3000);
  assert.ok(sodium);
});
