// Module worker: searches proof-of-work nonces off the page's main thread
// (relay.js, createWorkerSolver). Each run searches from its own random
// start until it finds a nonce, is told to stop, or spends its budget.
import { ready, sodium } from '../protocol/sodium.js';
import { PowSearch } from '../protocol/pow.js';

// How long a run searches between looks at its messages (a stop) and its
// progress reports: long enough that the pause between slices (a timer,
// which browsers hold back to at least 4 ms once timers nest) costs a few
// per cent, short enough that a stopped run ends at once.
const SLICE_MS = 50;

const running = new Set();
const stopped = new Set();
self.addEventListener('message', async (event) => {
  const m = event.data;
  if (m.stop) { if (running.has(m.id)) stopped.add(m.id); return; }
  // Marked running before anything is awaited, so a stop that arrives
  // while libsodium loads still ends this run.
  running.add(m.id);
  try {
    await ready();
    await search(m.id, m.challenge, m.body, m.work, m.budget);
  } finally {
    running.delete(m.id);
    stopped.delete(m.id);
  }
});

async function search(id, challenge, body, work, budget) {
  const mask = (1n << 64n) - 1n;
  let nonce = new DataView(sodium.randombytes_buf(8).buffer).getBigUint64(0, true);
  const finder = new PowSearch(challenge, body, BigInt(work));
  try {
    for (let tried = 0n; tried < BigInt(budget);) {
      if (stopped.has(id)) { self.postMessage({ id, stopped: true }); return; }
      const until = performance.now() + SLICE_MS;
      let slice = 0;
      do {
        const found = finder.run(nonce, 4096);
        if (found !== null) { self.postMessage({ id, nonce: found }); return; }
        nonce = (nonce + 4096n) & mask;
        slice += 4096;
      } while (performance.now() < until && tried + BigInt(slice) < BigInt(budget));
      tried += BigInt(slice);
      self.postMessage({ id, tried: slice });
      await new Promise((r) => setTimeout(r, 0)); // lets a stop message in
    }
    self.postMessage({ id, nonce: null });
  } finally {
    finder.close();
  }
}
