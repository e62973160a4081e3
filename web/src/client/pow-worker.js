// Module worker: searches proof-of-work nonces off the page's main thread
// (relay.js, createWorkerSolver). Each run searches from its own random
// start until it finds a nonce, is told to stop, or spends its budget.
import { ready, sodium } from '../protocol/sodium.js';
import { powDigest, meets } from '../protocol/pow.js';

const running = new Set();
const stopped = new Set();
self.addEventListener('message', async (event) => {
  const m = event.data;
  if (m.stop) { if (running.has(m.id)) stopped.add(m.id); return; }
  await ready();
  const { id, challenge, body, work, budget } = m;
  running.add(id);
  try { await search(id, challenge, body, work, budget); } finally { running.delete(id); stopped.delete(id); }
});

async function search(id, challenge, body, work, budget) {
  const w = BigInt(work);
  let nonce = new DataView(sodium.randombytes_buf(8).buffer).getBigUint64(0, true);
  const mask = (1n << 64n) - 1n;
  for (let tried = 0n; tried < BigInt(budget); ) {
    for (let i = 0; i < 4096; i++, tried++, nonce = (nonce + 1n) & mask) {
      if (meets(powDigest(challenge, body, nonce), w)) { self.postMessage({ id, nonce }); return; }
    }
    self.postMessage({ id, tried: 4096 });
    await new Promise((r) => setTimeout(r, 0)); // lets a stop message in
    if (stopped.has(id)) { self.postMessage({ id, stopped: true }); return; }
  }
  self.postMessage({ id, nonce: null });
}
