// Recognising a fetch answer's entries (docs/PROTOCOL.md "Clues",
// Recognise): one ristretto255 scalar multiplication per entry per key, the
// slow part of a check. Done in chunks so it can yield to the page between
// them, or run in a module worker (recognise-worker.js) fed the same
// arguments. Each id is returned once per key, however often the answer
// names it.
import { ready } from '../protocol/sodium.js';
import { recognise, ENTRY_BYTES } from '../protocol/clue.js';
import { toHex } from '../protocol/bytes.js';
import { STEP, sleep } from './errors.js';

export const CHUNK_ENTRIES = 1024;

/** Synchronous core: entries (n × 64 bytes) from `from` to `to` against each key. */
export function recogniseRange(entries, keys, from, to, found) {
  for (let i = from; i < to; i++) {
    const entry = entries.subarray(i * ENTRY_BYTES, (i + 1) * ENTRY_BYTES);
    for (let k = 0; k < keys.length; k++) {
      const id = recognise(entry, keys[k]);
      if (id && !found[k].has(toHex(id))) found[k].set(toHex(id), id);
    }
  }
}

/** In this thread, yielding between chunks. Returns, per key, its ids (16-byte arrays). */
export async function recogniseInThread(entries, keys, { onProgress, signal } = {}) {
  await ready();
  const total = entries.length / ENTRY_BYTES;
  const found = keys.map(() => new Map());
  for (let from = 0; from < total; from += CHUNK_ENTRIES) {
    const to = Math.min(total, from + CHUNK_ENTRIES);
    recogniseRange(entries, keys, from, to, found);
    onProgress?.({ step: STEP.recognise, done: to, total });
    if (to < total) await sleep(0, signal);
  }
  return found.map((m) => [...m.values()]);
}

/**
 * A recogniser running in module workers started from recognise-worker.js:
 * `createWorkerRecogniser([new Worker(new URL('./recognise-worker.js',
 * import.meta.url), { type: 'module' }), ...])` (one worker per core: the
 * entries are split into equal ranges). The keys are copied to each worker
 * and wiped there after the run; the caller still wipes its own.
 */
export function createWorkerRecogniser(workers) {
  const pool = Array.isArray(workers) ? workers : [workers];
  let seq = 0;
  const runOne = (worker, entries, keys, onPart) => new Promise((resolve, reject) => {
    const id = ++seq;
    const onMessage = (event) => {
      const m = event.data;
      if (m?.id !== id) return;
      if (m.progress) { onPart(m.done); return; }
      worker.removeEventListener('message', onMessage);
      if (m.error) reject(new Error(m.error)); else resolve(m.found);
    };
    worker.addEventListener('message', onMessage);
    worker.postMessage({ id, entries, keys: keys.map((k) => k.slice()) });
  });
  return async (entries, keys, { onProgress } = {}) => {
    const total = entries.length / ENTRY_BYTES;
    const per = Math.ceil(total / pool.length);
    const done = pool.map(() => 0);
    const parts = pool.map((w, i) => {
      const slice = entries.slice(Math.min(total, i * per) * ENTRY_BYTES, Math.min(total, (i + 1) * per) * ENTRY_BYTES);
      return runOne(w, slice, keys, (d) => {
        done[i] = d;
        onProgress?.({ step: STEP.recognise, done: done.reduce((a, b) => a + b, 0), total });
      });
    });
    const results = await Promise.all(parts);
    return keys.map((_, k) => {
      const seen = new Map();
      for (const r of results) for (const id of r[k]) seen.set(toHex(id), id);
      return [...seen.values()];
    });
  };
}
