// Test-only in-memory relay speaking the HTTP door's framing (docs/PROTOCOL.md
// "HTTP door", "Relay API"), written from the text: get-policy (prices
// chosen by the test), get-directory, get-prekeys (a bundle built from the
// advisers the test registers), deposit (checks the proof against the
// price), fetch (blinds every clue as "Clues", Blind; pads to a multiple of
// 64; sorted ids), get-message, delete (token verifier). It records every
// request so tests can check what a live operator would see.
import { sodium } from '../src/protocol/sodium.js';
import { ascii, concat, u16le, u32le, u64le, toHex, equalBytes } from '../src/protocol/bytes.js';
import { deleteVerifier } from '../src/protocol/clue.js';
import { depositBody, requestBody, powDigest, meets } from '../src/protocol/pow.js';
import { signDetached, DOMAIN } from '../src/protocol/sign.js';
import { encodeFrames, decodeReply } from '../src/client/transport.js';
import { compareBytes } from '../src/client/relay.js';

const CLUE = ascii('meldpunt/v1/clue');
const ok = (...fields) => [Uint8Array.of(1, 0), ...fields];
const refuse = (status, text) => [Uint8Array.of(1, status), ascii(text)];

export class FakeRelay {
  constructor({ signedDirectory, prices = {}, retentionDays = 60 }) {
    this.signedDirectory = signedDirectory;
    this.challenge = sodium.randombytes_buf(32);
    this.prices = { envelope: [0n, 0n, 0n], fetch: 0n, prekeys: 0n, ...prices };
    this.retentionDays = retentionDays;
    this.messages = new Map(); // hex id -> { id, clue, verifier, envelope }
    this.prekeys = []; // { signSk, signPk, onetime: [pk], medium: { pk, day } }
    this.log = []; // { op, fields }
    this.failNext = null; // test hook: (op) => status or null
    this.concurrent = 0;
    this.maxConcurrent = 0;
  }

  /** Transport interface of the client (HttpTransport.call). */
  async call(frames, { timeoutMs } = {}) {
    const body = encodeFrames(frames); // the same bytes a POST would carry
    this.concurrent++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.concurrent);
    try {
      await new Promise((r) => setTimeout(r, 1));
      return decodeReply(encodeFrames(this.handle(decodeRequest(body))));
    } finally {
      this.concurrent--;
    }
  }

  async channelAddress() { return this.address; }

  addAdviserPrekeys(signKeyPair, { onetime = 1, medium = true, mediumDay = Math.floor(Date.now() / 86400000) + 7 } = {}) {
    const entry = { signSk: signKeyPair.privateKey, signPk: signKeyPair.publicKey, onetime: [], onetimeSk: [], medium: null };
    for (let i = 0; i < onetime; i++) {
      const kp = sodium.crypto_box_keypair();
      entry.onetime.push(kp.publicKey);
      entry.onetimeSk.push(kp.privateKey);
    }
    if (medium) {
      const kp = sodium.crypto_box_keypair();
      entry.medium = { pk: kp.publicKey, sk: kp.privateKey, day: mediumDay };
    }
    this.prekeys.push(entry);
    return entry;
  }

  handle(frames) {
    const op = frames[0][1];
    this.log.push({ op, fields: frames.slice(1) });
    const forced = this.failNext?.(op);
    if (forced) return refuse(forced, 'refused by the test');
    const f = frames.slice(1);
    switch (op) {
      case 9: {
        const stored = u64le(this.messages.size);
        const work = concat(...this.prices.envelope.map((w) => u64le(w)));
        return ok(this.challenge, Uint8Array.of(0), u32le(this.retentionDays), u32le(7), u64le(10485760),
          u64le(this.prices.fetch), u64le(this.prices.prekeys), work, stored);
      }
      case 1: return ok(this.signedDirectory);
      case 2: {
        if (!this.paid(f[0], requestBody(2), this.prices.prekeys)) return refuse(13, 'no proof');
        const parts = [u16le(this.prekeys.length)];
        for (const p of this.prekeys) {
          const ot = p.onetime.shift();
          parts.push(p.signPk);
          if (ot) parts.push(ot, signDetached(DOMAIN.prekey, ot, p.signSk)); else parts.push(new Uint8Array(96));
          if (p.medium) {
            parts.push(p.medium.pk, u32le(p.medium.day),
              signDetached(DOMAIN.mediumPrekey, concat(p.medium.pk, u32le(p.medium.day)), p.signSk));
          } else parts.push(new Uint8Array(100));
        }
        return ok(concat(...parts));
      }
      case 3: {
        if ((f.length - 1) % 3 !== 0) return refuse(1, 'deposit needs a proof');
        const items = [];
        for (let i = 1; i < f.length; i += 3) items.push({ clue: f[i], verifier: f[i + 1], envelope: f[i + 2] });
        const index = { 4096: 0, 32768: 1, 262144: 2 };
        const price = items.reduce((t, it) => t + this.prices.envelope[index[it.envelope.length]], 0n);
        if (!this.paid(f[0], depositBody(items), price)) return refuse(13, 'no proof');
        const ids = items.map((it) => {
          const id = sodium.randombytes_buf(16);
          this.messages.set(toHex(id), { id, clue: it.clue.slice(), verifier: it.verifier.slice(), envelope: it.envelope.slice() });
          return id;
        });
        return ok(...ids);
      }
      case 4: {
        if (this.prices.fetch > 0n && !this.paid(f[0], requestBody(4), this.prices.fetch)) return refuse(13, 'no proof');
        const entries = [];
        for (const m of this.messages.values()) {
          const r = sodium.crypto_core_ristretto255_scalar_random();
          const R = sodium.crypto_scalarmult_ristretto255(r, m.clue.subarray(0, 32));
          const T = sodium.crypto_scalarmult_ristretto255(r, m.clue.subarray(32, 64));
          const k = sodium.crypto_generichash(32, concat(CLUE, R, T), null);
          const sealed = m.id.map((b, i) => b ^ k[16 + i]);
          entries.push(concat(R, k.subarray(0, 16), sealed));
        }
        while (entries.length === 0 || entries.length % 64 !== 0) {
          entries.push(concat(sodium.crypto_core_ristretto255_random(), sodium.randombytes_buf(32)));
        }
        for (let i = entries.length; i > 1; i--) {
          const j = sodium.randombytes_uniform(i);
          [entries[i - 1], entries[j]] = [entries[j], entries[i - 1]];
        }
        const ids = [...this.messages.values()].map((m) => m.id).sort(compareBytes);
        return ok(concat(...entries), concat(...ids));
      }
      case 5: {
        const m = this.messages.get(toHex(f[0]));
        return m ? ok(m.envelope) : refuse(4, 'no such message');
      }
      case 6: {
        const m = this.messages.get(toHex(f[0]));
        if (!m) return refuse(4, 'no such message');
        if (!equalBytes(sodium, deleteVerifier(f[1]), m.verifier)) return refuse(5, 'token does not verify');
        this.messages.delete(toHex(f[0]));
        return ok();
      }
      default: return refuse(2, 'unknown operation');
    }
  }

  paid(proof, body, price) {
    if (price === 0n) return true;
    if (!proof || proof.length !== 40 || !equalBytes(sodium, proof.subarray(0, 32), this.challenge)) return false;
    const nonce = new DataView(proof.buffer, proof.byteOffset + 32, 8).getBigUint64(0, true);
    return meets(powDigest(this.challenge, body, nonce), price);
  }
}

function decodeRequest(body) {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const frames = [];
  for (let pos = 0; pos < body.length;) {
    const n = view.getUint32(pos, true);
    frames.push(body.subarray(pos + 4, pos + 4 + n));
    pos += 4 + n;
  }
  return frames;
}
