// Module worker: recognises fetch entries off the page's main thread
// (recognise.js, createWorkerRecogniser). Holds the keys only for one run.
import { ready, wipe } from '../protocol/sodium.js';
import { recogniseRange, CHUNK_ENTRIES } from './recognise.js';

self.addEventListener('message', async (event) => {
  const { id, entries, keys } = event.data;
  try {
    await ready();
    const total = entries.length / 64;
    const found = keys.map(() => new Map());
    for (let from = 0; from < total; from += CHUNK_ENTRIES) {
      const to = Math.min(total, from + CHUNK_ENTRIES);
      recogniseRange(entries, keys, from, to, found);
      self.postMessage({ id, progress: true, done: to, total });
    }
    self.postMessage({ id, found: found.map((m) => [...m.values()]) });
  } catch (e) {
    self.postMessage({ id, error: String(e?.message ?? e) });
  } finally {
    wipe(...keys);
  }
});
