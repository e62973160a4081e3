// The client's one error type (README.md "Errors"): the UI chooses its text
// by `kind`; messages are English and never contain secret input.
import { ProtocolError } from '../protocol/errors.js';

export const ERROR = Object.freeze({
  network: 'network', timeout: 'timeout', relay: 'relay', rateLimited: 'rate-limited',
  storageFull: 'storage-full', badReply: 'bad-reply', badCode: 'bad-code', noConversation: 'no-conversation',
  moved: 'moved', noPrekey: 'no-prekey', tooLarge: 'too-large', invalid: 'invalid', cancelled: 'cancelled',
  protocol: 'protocol', partial: 'partial', unconfirmed: 'unconfirmed',
});

export const STEP = Object.freeze({
  directory: 'directory', derive: 'derive', prekeys: 'prekeys', work: 'work', deposit: 'deposit', fetch: 'fetch',
  recognise: 'recognise', retrieve: 'retrieve', delete: 'delete', pieces: 'pieces', retry: 'retry',
});

export class ClientError extends Error {
  constructor(kind, message, extra = {}) {
    super(message);
    this.name = 'ClientError';
    this.kind = kind;
    Object.assign(this, extra);
  }
}

export function clientFail(kind, message, extra) {
  throw new ClientError(kind, message, extra);
}

/** A ProtocolError becomes a ClientError (bad-code and too-large keep their kind). */
export function asClientError(e) {
  if (e instanceof ClientError) return e;
  if (e instanceof ProtocolError) {
    if (e.kind === 'bad-code') return new ClientError(ERROR.badCode, e.message, { reason: e.reason, group: e.group });
    if (e.kind === 'too-large') return new ClientError(ERROR.tooLarge, e.message, { cause: e });
    return new ClientError(ERROR.protocol, e.message, { cause: e });
  }
  if (e?.name === 'AbortError') return new ClientError(ERROR.cancelled, 'cancelled');
  return new ClientError(ERROR.network, `unexpected failure: ${e?.message ?? e}`);
}

export function throwIfAborted(signal) {
  if (signal?.aborted) throw new ClientError(ERROR.cancelled, 'cancelled');
}

/** A pause that ends early (with 'cancelled') when the signal aborts. */
export function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) { reject(new ClientError(ERROR.cancelled, 'cancelled')); return; }
    const t = setTimeout(() => { signal?.removeEventListener?.('abort', onAbort); resolve(); }, ms);
    const onAbort = () => { clearTimeout(t); reject(new ClientError(ERROR.cancelled, 'cancelled')); };
    signal?.addEventListener?.('abort', onAbort, { once: true });
  });
}
