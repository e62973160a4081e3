// The relay operations a reporter uses (docs/PROTOCOL.md Part 3 "Relay
// API", "Proof of work", "Prices"), each request on a connection of its own
// (one POST), with the proof of work its price asks and the project
// clients' retry of rate-limited requests: pauses of 1, 2, 4 and 8 s plus up
// to half again at random, five attempts in all, each announced to the
// caller (STEP.retry).
import { sodium } from '../protocol/sodium.js';
import { concat, u64le, toHex } from '../protocol/bytes.js';
import { verifyDirectory, checkFreshness } from '../protocol/directory.js';
import { readPrekeyBundle } from '../protocol/prekeys.js';
import { depositBody, requestBody, PowSearch, MAX_PRICE, OP } from '../protocol/pow.js';
import { ClientError, ERROR, STEP, clientFail, sleep, throwIfAborted } from './errors.js';
import { STATUS } from './transport.js';

export const OPS = Object.freeze({ getDirectory: 1, getPrekeys: 2, deposit: 3, fetch: 4, getMessage: 5, delete: 6, getPolicy: 9 });
export const PRICED_ATTEMPTS = 5;
export const MAX_DEPOSITS = 16;
const header = (op) => Uint8Array.of(1, op);

/** A reply with a status other than ok -> the ClientError the UI sees. */
export function refusal(status, fields) {
  const name = STATUS[status] ?? `status ${status}`;
  let text = '';
  if (fields.length === 1 && fields[0].length <= 200 && fields[0].every((b) => b >= 0x20 && b < 0x7f)) {
    text = String.fromCharCode(...fields[0]);
  }
  const kind = status === 13 ? ERROR.rateLimited : status === 6 ? ERROR.storageFull : ERROR.relay;
  return new ClientError(kind, `the relay refused: ${name}${text ? ` (${text})` : ''}`, { status, statusName: name, relayText: text });
}

async function callOk(transport, frames, options) {
  const { status, fields } = await transport.call(frames, options);
  if (status !== 0) throw refusal(status, fields);
  return fields;
}

const u32 = (b) => new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
const u64 = (b) => new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);

/** get-policy fields -> policy (decode_policy): 4, 5 or ≥ 9 fields. */
export function decodePolicy(fields) {
  const bad = (why) => clientFail(ERROR.badReply, `the relay sent a malformed policy: ${why}`);
  if (fields.length < 4 || fields[0].length !== 32 || fields[1].length !== 1 || fields[2].length !== 4 || fields[3].length !== 4) bad('fields');
  if (fields.length >= 5 && fields[4].length !== 8) bad('attachment limit');
  if (fields.length >= 6 && fields.length < 9) bad('prices come together');
  const difficulty = fields[1][0];
  if (difficulty > 32) clientFail(ERROR.tooLarge, 'the relay asks for more proof of work than this client will do');
  const policy = {
    challenge: fields[0].slice(), difficulty, retentionDays: u32(fields[2]), retentionFuzzDays: u32(fields[3]),
    maxAttachmentBytes: 10485760n, priced: false, fetchWork: 0n, prekeysWork: 0n, envelopeWork: [0n, 0n, 0n], storedMessages: 0n,
  };
  if (fields.length >= 5) {
    policy.maxAttachmentBytes = u64(fields[4]);
    if (policy.maxAttachmentBytes > 268435456n) clientFail(ERROR.tooLarge, 'the relay announces an attachment limit above 256 MiB');
  }
  if (fields.length >= 9) {
    if (fields[5].length !== 8 || fields[6].length !== 8 || fields[7].length !== 24 || fields[8].length !== 8) bad('prices');
    policy.priced = true;
    policy.fetchWork = u64(fields[5]);
    policy.prekeysWork = u64(fields[6]);
    policy.envelopeWork = [0, 8, 16].map((o) => u64(fields[7].subarray(o, o + 8)));
    policy.storedMessages = u64(fields[8]);
  }
  return policy;
}

/** deposit_work: the sum of the classes' prices, or 2^difficulty before prices. */
export function depositWork(policy, sizes) {
  if (!policy.priced) return policy.difficulty === 0 ? 0n : 1n << BigInt(policy.difficulty);
  const index = { 4096: 0, 32768: 1, 262144: 2 };
  return sizes.reduce((t, s) => t + policy.envelopeWork[index[s]], 0n);
}

function randomNonceStart() {
  return new DataView(sodium.randombytes_buf(8).buffer).getBigUint64(0, true);
}

/**
 * Finds a proof worth `work` digests over `body`, yielding to the event
 * loop about every 30 ms (the page stays responsive) and reporting
 * STEP.work progress. The search starts at 64 random bits (two clients
 * paying for the same fetch body must not find the same nonce) and gives up
 * after 64 times the expected work, as the C++ clients do.
 */
export async function pay(challenge, body, work, { onProgress, signal } = {}) {
  const w = BigInt(work);
  if (w === 0n) return concat(challenge, u64le(0n));
  if (w > MAX_PRICE) clientFail(ERROR.tooLarge, 'the relay asks for more proof of work than this client will do');
  const budget = w * 64n;
  let nonce = randomNonceStart();
  const mask = (1n << 64n) - 1n;
  const search = new PowSearch(challenge, body, w);
  try {
    for (let tried = 0n; tried < budget;) {
      throwIfAborted(signal);
      // Slices of about 30 ms: a page stays responsive, and the timer
      // between slices (at least 4 ms once timers nest) costs little.
      const until = Date.now() + 30;
      do {
        const found = search.run(nonce, 2048);
        if (found !== null) return concat(challenge, u64le(found));
        nonce = (nonce + 2048n) & mask;
        tried += 2048n;
      } while (Date.now() < until && tried < budget);
      onProgress?.({ step: STEP.work, done: Number(tried), total: Number(w) });
      await sleep(0, signal);
    }
  } finally {
    search.close();
  }
  return clientFail(ERROR.rateLimited, "no proof of work found for the relay's price");
}

/**
 * A solver running in module workers started from pow-worker.js (one per
 * core): every worker searches from its own random start, the first nonce
 * found wins and the others are stopped. Pass it as openChannel({ solver }).
 * Same result and refusals as pay().
 */
export function createWorkerSolver(workers) {
  const pool = Array.isArray(workers) ? workers : [workers];
  let seq = 0;
  return async (challenge, body, work, { onProgress, signal } = {}) => {
    const w = BigInt(work);
    if (w === 0n) return concat(challenge, u64le(0n));
    if (w > MAX_PRICE) clientFail(ERROR.tooLarge, 'the relay asks for more proof of work than this client will do');
    const id = ++seq;
    const budget = (w * 64n) / BigInt(pool.length) + 1n;
    let tried = 0;
    return new Promise((resolve, reject) => {
      let finished = 0;
      const listeners = [];
      const end = (fn) => {
        pool.forEach((worker, i) => { worker.removeEventListener('message', listeners[i]); worker.postMessage({ id, stop: true }); });
        signal?.removeEventListener?.('abort', onAbort);
        fn();
      };
      const onAbort = () => end(() => reject(new ClientError(ERROR.cancelled, 'cancelled')));
      signal?.addEventListener?.('abort', onAbort, { once: true });
      pool.forEach((worker, i) => {
        listeners[i] = (event) => {
          const m = event.data;
          if (m?.id !== id) return;
          if (m.tried) { tried += m.tried; onProgress?.({ step: STEP.work, done: tried, total: Number(w) }); return; }
          if (m.nonce !== undefined && m.nonce !== null) { end(() => resolve(concat(challenge, u64le(BigInt(m.nonce))))); return; }
          if (++finished === pool.length) end(() => reject(new ClientError(ERROR.rateLimited, "no proof of work found for the relay's price")));
        };
        worker.addEventListener('message', listeners[i]);
        worker.postMessage({ id, challenge, body, work: w, budget });
      });
    });
  };
}

const rateLimited = (e) => e.kind === ERROR.rateLimited;

/**
 * Runs attempt() again after rate-limited refusals, or whatever
 * `retryable(e)` accepts (1, 2, 4, 8 s + up to half again). The STEP.retry
 * event says whether the answer was lost (`lost`) rather than refused.
 */
export async function withBackoff(attempt, { onProgress, signal, retryable = rateLimited } = {}) {
  for (let a = 1; ; a++) {
    try {
      return await attempt();
    } catch (e) {
      if (!(e instanceof ClientError) || !retryable(e) || a === PRICED_ATTEMPTS) throw e;
      const base = 1000 << (a - 1);
      const waitMs = base + (sodium.randombytes_uniform(base / 2 + 1));
      onProgress?.({ step: STEP.retry, attempt: a + 1, of: PRICED_ATTEMPTS, waitMs, reason: e.message, lost: !rateLimited(e) });
      await sleep(waitMs, signal);
    }
  }
}

/** No answer to a request that was sent (or may have been): the network, a timeout, a cancel while it was on its way. */
const answerLost = (e) => e instanceof ClientError && (e.kind === ERROR.network || e.kind === ERROR.timeout || e.kind === ERROR.cancelled);

export class Relay {
  /** solver: pay() in this thread by default, or createWorkerSolver(workers). */
  constructor(transport, solver = pay) { this.transport = transport; this.pay = solver; }

  async policy(options = {}) {
    return decodePolicy(await callOk(this.transport, [header(OPS.getPolicy)], options));
  }

  /** get-directory, verified against the address's organisation key and minimum serial, fresh. */
  async directory(address, { highestSerial = 0n, now = Math.floor(Date.now() / 1000), ...options } = {}) {
    const fields = await callOk(this.transport, [header(OPS.getDirectory)], options);
    if (fields.length !== 1) clientFail(ERROR.badReply, 'the relay sent a malformed directory reply');
    const directory = verifyDirectory(fields[0], address.orgKey);
    checkFreshness(directory, { highestSerial, minSerial: address.minSerial, now });
    return directory;
  }

  async #priced(op, frames, timeoutMs, options) {
    return withBackoff(async () => {
      const policy = await this.policy(options);
      if (!policy.priced) return callOk(this.transport, [header(op)], { ...options, timeoutMs });
      const work = op === OP.fetch ? policy.fetchWork : policy.prekeysWork;
      const proof = await this.pay(policy.challenge, requestBody(op), work, options);
      // The relay computes a fetch at about 0.1 ms per stored message.
      const extra = op === OP.fetch ? Number(policy.storedMessages / 10n) : 0;
      return callOk(this.transport, [header(op), proof], { ...options, timeoutMs: (timeoutMs ?? this.transport.timeoutMs) + extra });
    }, options);
  }

  /** get-prekeys, kept only where signed by a directory adviser (readPrekeyBundle). Map id hex -> item. */
  async prekeys(directory, options = {}) {
    options.onProgress?.({ step: STEP.prekeys, done: 0, total: 1 });
    const fields = await this.#priced(OP.getPrekeys, null, undefined, options);
    if (fields.length !== 1) clientFail(ERROR.badReply, 'the relay sent a malformed prekey reply');
    const today = Math.floor(Date.now() / 86400000);
    return readPrekeyBundle(fields[0], directory, today);
  }

  /**
   * One deposit request of 1..16 { clue, verifier, envelope }, priced per
   * the policy asked just before; returns the 16-byte ids in request order.
   *
   * A deposit whose answer is lost may have been stored (docs/PROTOCOL.md
   * "Deposit retries"): it is sent again byte for byte (a new proof, the
   * same envelopes), with the pauses of rate-limited retries, and its
   * receivers keep one copy of a letter. If no attempt is answered, the
   * error is `unconfirmed` (it may have arrived), never "nothing was sent".
   */
  async deposit(items, options = {}) {
    if (items.length < 1 || items.length > MAX_DEPOSITS) clientFail(ERROR.invalid, 'between 1 and 16 envelopes per deposit');
    const body = depositBody(items);
    let maybeStored = false;
    let fields;
    try {
      fields = await withBackoff(async () => {
        const policy = await this.policy(options);
        const proof = await this.pay(policy.challenge, body, depositWork(policy, items.map((i) => i.envelope.length)), options);
        options.onProgress?.({ step: STEP.deposit, done: 0, total: items.length });
        const frames = [header(OPS.deposit), proof];
        for (const i of items) frames.push(i.clue, i.verifier, i.envelope);
        try {
          return await callOk(this.transport, frames, options);
        } catch (e) {
          if (answerLost(e)) maybeStored = true;
          throw e;
        }
      }, { ...options, retryable: (e) => rateLimited(e) || (maybeStored && answerLost(e) && e.kind !== ERROR.cancelled) });
    } catch (e) {
      if (!maybeStored) throw e;
      throw new ClientError(ERROR.unconfirmed, `the relay did not confirm the deposit; it may have been stored (${e.message})`, { cause: e });
    }
    if (fields.length !== items.length || fields.some((f) => f.length !== 16)) {
      clientFail(ERROR.badReply, 'the relay answered a deposit with the wrong ids');
    }
    return fields.map((f) => f.slice());
  }

  /** fetch: { entries (n × 64 bytes, n ≥ 64, multiple of 64), stored: [16-byte ids] strictly ascending }. */
  async fetch(options = {}) {
    options.onProgress?.({ step: STEP.fetch, done: 0, total: 1 });
    const fields = await this.#priced(OP.fetch, null, undefined, options);
    return decodeFetch(fields);
  }

  /** get-message: the envelope, or null when it is gone (not-found). */
  async getMessage(id, options = {}) {
    try {
      const fields = await callOk(this.transport, [header(OPS.getMessage), id], options);
      if (fields.length !== 1) return undefined; // unreadable
      return fields[0];
    } catch (e) {
      if (e instanceof ClientError && e.status === 4) return null;
      throw e;
    }
  }

  async deleteMessage(id, token, options = {}) {
    await callOk(this.transport, [header(OPS.delete), id, token], options);
  }
}

/** Byte order (lexicographic), as the relay sorts ids; sodium.compare reads numbers little-endian. */
export function compareBytes(a, b) {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

export function decodeFetch(fields) {
  const bad = (why) => clientFail(ERROR.badReply, `the relay sent a malformed fetch reply: ${why}`);
  if (fields.length !== 2) bad('fields');
  const [entries, ids] = fields;
  if (entries.length % (64 * 64) !== 0 || entries.length === 0) bad('entries');
  if (ids.length % 16 !== 0 || ids.length / 16 > entries.length / 64) bad('ids');
  const stored = [];
  for (let o = 0; o < ids.length; o += 16) {
    const id = ids.subarray(o, o + 16);
    if (stored.length && compareBytes(stored[stored.length - 1], id) >= 0) bad('ids not ascending');
    stored.push(id);
  }
  return { entries, stored, storedHex: new Set(stored.map(toHex)) };
}
