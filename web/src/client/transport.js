// The relay's HTTP door as the page uses it (docs/PROTOCOL.md "HTTP door"):
// one relay request per POST /api, its frames each encoded u32-LE length ||
// bytes; the reply the same. Every POST is a connection of its own at the
// relay (fresh state), which is what the connection-separation rules ask of
// every get-message, delete, deposit and fetch.
import { concat, u32le } from '../protocol/bytes.js';
import { ClientError, ERROR } from './errors.js';

export const MAX_REQUEST_FRAMES = 50;
export const MAX_REQUEST_FRAME = 262144;
export const MAX_REQUEST_BYTES = 4459262;
/** Replies: a fetch answer is 64 bytes per stored message; the C++ clients accept 512 MiB. */
export const MAX_REPLY_BYTES = 512 * 1024 * 1024;
/** The most frames any reply has (a 16-envelope deposit: 17; policy: 10; later fields ignored). */
export const MAX_REPLY_FRAMES = 64;
export const DEFAULT_TIMEOUT_MS = 15000;

export const STATUS = Object.freeze({
  0: 'ok', 1: 'malformed', 2: 'unknown-operation', 3: 'too-large', 4: 'not-found', 5: 'unauthorised',
  6: 'storage-full', 7: 'internal', 8: 'replay', 9: 'unsupported-version', 13: 'rate-limited',
});

/** Frames (Uint8Arrays) -> the POST body. Refuses what the relay would refuse. */
export function encodeFrames(frames) {
  if (frames.length < 1 || frames.length > MAX_REQUEST_FRAMES) throw new ClientError(ERROR.tooLarge, 'a request has 1 to 50 frames');
  const parts = [];
  let total = 0;
  for (const f of frames) {
    if (!(f instanceof Uint8Array) || f.length > MAX_REQUEST_FRAME) throw new ClientError(ERROR.tooLarge, 'request frame too large');
    parts.push(u32le(f.length), f);
    total += 4 + f.length;
  }
  if (total > MAX_REQUEST_BYTES) throw new ClientError(ERROR.tooLarge, 'request too large');
  return concat(...parts);
}

/**
 * The reply body -> { status, fields }. Strict: every length must fit what
 * is left, no byte after the last frame, at least the header frame of
 * exactly 2 bytes with version 1, at most MAX_REPLY_FRAMES frames. Frames
 * are views into `body` (no copy of a large fetch answer).
 */
export function decodeReply(body) {
  const bad = (why) => { throw new ClientError(ERROR.badReply, `the relay's answer does not parse: ${why}`); };
  if (body.length > MAX_REPLY_BYTES) bad('too large');
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const frames = [];
  let pos = 0;
  while (pos < body.length) {
    if (frames.length === MAX_REPLY_FRAMES) bad('too many frames');
    if (body.length - pos < 4) bad('truncated length');
    const n = view.getUint32(pos, true);
    pos += 4;
    if (n > body.length - pos) bad('frame longer than the answer');
    frames.push(body.subarray(pos, pos + n));
    pos += n;
  }
  if (frames.length === 0 || frames[0].length !== 2) bad('no header');
  if (frames[0][0] !== 1) bad('unknown version');
  return { status: frames[0][1], fields: frames.slice(1) };
}

/** Reads a response body, refusing more than `max` bytes without buffering them. */
async function readBounded(response, max) {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > max) throw new ClientError(ERROR.badReply, 'the relay\'s answer is too large');
  if (!response.body?.getReader) {
    const b = new Uint8Array(await response.arrayBuffer());
    if (b.length > max) throw new ClientError(ERROR.badReply, 'the relay\'s answer is too large');
    return b;
  }
  const reader = response.body.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > max) {
      await reader.cancel().catch(() => {});
      throw new ClientError(ERROR.badReply, 'the relay\'s answer is too large');
    }
    chunks.push(value);
  }
  return chunks.length === 1 ? chunks[0] : concat(...chunks);
}

/**
 * HTTP transport. base: URL prefix ('' for the page's own origin; node
 * tests pass http://127.0.0.1:PORT). fetchFn: defaults to global fetch.
 */
export class HttpTransport {
  constructor({ base = '', fetchFn = globalThis.fetch, timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
    if (typeof fetchFn !== 'function') throw new ClientError(ERROR.invalid, 'no fetch available');
    this.base = base.replace(/\/$/, '');
    this.fetchFn = fetchFn;
    this.timeoutMs = timeoutMs;
  }

  async #request(path, init, timeoutMs, signal, max) {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; controller.abort(); }, timeoutMs);
    const onAbort = () => controller.abort();
    signal?.addEventListener?.('abort', onAbort, { once: true });
    try {
      if (signal?.aborted) throw new ClientError(ERROR.cancelled, 'cancelled');
      // Called unbound: a browser's fetch refuses a `this` other than the
      // window ("Illegal invocation"), and node's does not care.
      const fetchFn = this.fetchFn;
      const response = await fetchFn(`${this.base}${path}`, {
        ...init, signal: controller.signal, credentials: 'omit', cache: 'no-store', redirect: 'error', referrerPolicy: 'no-referrer',
      });
      if (response.status !== 200) {
        await response.body?.cancel?.().catch(() => {});
        // 503: the door refused the request before handing it on (its
        // answer budget full), so nothing was done: busy, as rate-limited.
        const kind = response.status === 413 ? ERROR.tooLarge : response.status === 503 ? ERROR.rateLimited : ERROR.network;
        throw new ClientError(kind, `the relay's web door answered HTTP ${response.status}`, { httpStatus: response.status });
      }
      return await readBounded(response, max);
    } catch (e) {
      if (e instanceof ClientError) throw e;
      if (timedOut) throw new ClientError(ERROR.timeout, `no answer from the relay within ${Math.round(timeoutMs / 1000)} s`);
      if (signal?.aborted) throw new ClientError(ERROR.cancelled, 'cancelled');
      throw new ClientError(ERROR.network, 'could not reach the relay');
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener?.('abort', onAbort);
    }
  }

  /** One request on a connection of its own: frames -> { status, fields }. */
  async call(frames, { timeoutMs = this.timeoutMs, signal } = {}) {
    const body = encodeFrames(frames);
    const reply = await this.#request('/api', {
      method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body,
    }, timeoutMs, signal, MAX_REPLY_BYTES);
    return decodeReply(reply);
  }

  /** GET /channel: the channel address text (at most 4096 bytes). */
  async channelAddress({ signal } = {}) {
    const bytes = await this.#request('/channel', { method: 'GET' }, this.timeoutMs, signal, 4096);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new ClientError(ERROR.badReply, 'the channel address is not text');
    }
  }
}
