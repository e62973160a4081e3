// Deposits whose answer is lost (docs/PROTOCOL.md "Deposit retries"),
// against the test relay with a transport that loses answers after the
// relay has stored: the same bytes are sent again (a new proof), the
// adviser and the reporter each see the letter once, and a deposit never
// confirmed is reported as `unconfirmed` (it may have arrived), with the
// pieces of its files kept. And the door's 503 (nothing was done) is
// retried like rate-limited.
import test from 'node:test';
import assert from 'node:assert/strict';
import { ready, sodium } from '../src/protocol/sodium.js';
import { toHex } from '../src/protocol/bytes.js';
import { formatAddress } from '../src/protocol/address.js';
import { KDF_INSECURE_FOR_TESTS } from '../src/protocol/derive.js';
import { encodeBody, signBody } from '../test-support/directory-builder.js';
import { FakeRelay } from '../test-support/fake-relay.js';
import { makeAdviser, inbox } from '../test-support/fake-adviser.js';
import { openChannel, ERROR, STEP, ClientError, HttpTransport } from '../src/client/index.js';
import { encodeFrames } from '../src/client/transport.js';
import { dropReplayed } from '../src/client/conversation.js';

await ready();

const DEPOSIT = 3;

/** The relay's transport, but the answers to the first `lose` deposits are lost after the relay handled them. */
function losingAnswers(relay, lose, { onLost } = {}) {
  let lost = 0;
  return {
    channelAddress: async () => relay.address,
    async call(frames, options) {
      const reply = await relay.call(frames, options);
      if (frames[0][1] === DEPOSIT && lost < lose) {
        lost++;
        onLost?.();
        throw new ClientError(ERROR.network, 'could not reach the relay');
      }
      return reply;
    },
  };
}

async function setup(transportFor, { prices = { envelope: [4n, 8n, 16n] } } = {}) {
  const org = sodium.crypto_sign_keypair();
  const list = [makeAdviser('Adviser 1'), makeAdviser('Adviser 2')];
  const body = encodeBody({ version: 2, orgPk: org.publicKey, serial: 5, validUntil: Math.floor(Date.now() / 1000) + 86400 * 30,
    entries: list.map((a) => a.entry()) });
  const relay = new FakeRelay({ signedDirectory: signBody(body, org.privateKey), prices });
  const prekeys = list.map((a) => relay.addAdviserPrekeys(a.sign, { onetime: 20 }));
  relay.address = formatAddress({ relayKey: sodium.randombytes_buf(32), orgKey: org.publicKey, minSerial: 0n, endpoint: 'tcp://127.0.0.1:1' });
  const channel = await openChannel({ transport: transportFor(relay), kdf: KDF_INSECURE_FOR_TESTS });
  return { relay, list, prekeys, channel };
}

const deposits = (relay) => relay.log.filter((l) => l.op === DEPOSIT);
const triples = (fields) => fields.slice(1).map(toHex).join();

test('a deposit whose answer was lost is sent again byte for byte and read once', async () => {
  const events = [];
  const { relay, list, prekeys, channel } = await setup((r) => losingAnswers(r, 1));
  const { code } = await channel.report({ code: channel.newCode(), advisers: [channel.advisers[0].id], text: 'Eén keer',
    onProgress: (e) => events.push(e) });
  const [first, second] = deposits(relay);
  assert.equal(deposits(relay).length, 2);
  // The same clues, verifiers and envelopes; a proof of its own.
  assert.equal(triples(second.fields), triples(first.fields));
  assert.notEqual(toHex(second.fields[0]), toHex(first.fields[0]));
  assert.ok(events.some((e) => e.step === STEP.retry && e.lost === true));
  // Both copies are stored; the adviser keeps one (by delete token) ...
  const letters = inbox(relay, list[0], prekeys[0]);
  assert.equal(letters.length, 2);
  assert.equal(dropReplayed(letters).kept.length, 1);
  // ... and the reporter's conversation shows the message once.
  const session = await channel.open(code);
  const shown = await session.check();
  assert.deepEqual(shown.messages.map((m) => m.text), ['Eén keer']);
  session.close();
});

test('a deposit never confirmed is unconfirmed, not "nothing was sent", and its files stay', async () => {
  const controller = new AbortController();
  // The message deposit's answer is lost; the reporter gives up while the page waits to send it again.
  let deposited = 0;
  const { relay, channel } = await setup((r) => ({
    channelAddress: async () => r.address,
    async call(frames, options) {
      const reply = await r.call(frames, options);
      if (frames[0][1] === DEPOSIT && ++deposited === 2) {
        setTimeout(() => controller.abort(), 10);
        throw new ClientError(ERROR.timeout, 'no answer from the relay within 15 s');
      }
      return reply;
    },
  }));
  const file = { name: 'notes.txt', bytes: new TextEncoder().encode('inhoud van het bestand') };
  await assert.rejects(
    channel.report({ code: channel.newCode(), advisers: [channel.advisers[1].id], text: 'Met bijlage', files: [file], signal: controller.signal }),
    (e) => e.kind === ERROR.unconfirmed && /may have been stored/.test(e.message));
  // The piece deposit and the message deposit; no delete: the message may name the piece.
  assert.equal(deposits(relay).length, 2);
  assert.equal(relay.log.filter((l) => l.op === 6).length, 0);
  assert.equal(relay.messages.size, 1 + 3);
});

test('a deposit refused before it was sent is not unconfirmed', async () => {
  // The deposit fails at its get-policy (the fourth: channel, message, prekeys, deposit): nothing was sent.
  const { channel } = await setup((r) => ({
    channelAddress: async () => r.address,
    policies: 0,
    async call(frames, options) {
      if (frames[0][1] === 9 && ++this.policies > 3) throw new ClientError(ERROR.network, 'could not reach the relay');
      return r.call(frames, options);
    },
  }));
  await assert.rejects(channel.report({ code: channel.newCode(), advisers: [channel.advisers[0].id], text: 'x' }),
    (e) => e.kind === ERROR.network);
});

test("the door's 503 (nothing was handed on) is busy, retried like rate-limited", async () => {
  const ok = encodeFrames([Uint8Array.of(1, 0)]);
  const statuses = [503, 200];
  const transport = new HttpTransport({
    base: 'http://127.0.0.1:1',
    fetchFn: async () => {
      const status = statuses.shift();
      return { status, headers: new Map(), body: null, arrayBuffer: async () => (status === 200 ? ok.buffer : new ArrayBuffer(0)) };
    },
  });
  await assert.rejects(transport.call([Uint8Array.of(1, 9)]), (e) => e.kind === ERROR.rateLimited && e.httpStatus === 503);
  assert.equal((await transport.call([Uint8Array.of(1, 9)])).status, 0);
});
