// Retrieval sessions (docs/PROTOCOL.md "Connections and retrieval
// sessions"), as client/src/retrieval.cpp: the get-messages of one fetch
// answer padded with decoys to K = 16 (or the next multiple of 16), own and
// decoys shuffled together, each on a connection of its own (one POST)
// after a pause of 0–250 ms, at most parallelConnections(n) open at once (4
// per quantum of 16, at most 32); decoy envelopes are dropped unopened.
// Deletes likewise, shuffled, not padded.
import { sodium } from '../protocol/sodium.js';
import { toHex } from '../protocol/bytes.js';
import { STEP, sleep } from './errors.js';

export const RETRIEVAL_QUANTUM = 16;
export const MAX_PAUSE_MS = 250;
export const PARALLEL_CONNECTIONS = 4; // per quantum of RETRIEVAL_QUANTUM requests
export const MAX_PARALLEL_CONNECTIONS = 32;

/** Connections under way at once for a session of `requests` requests (client::parallel_connections). */
export function parallelConnections(requests) {
  const quanta = Math.max(1, Math.ceil(requests / RETRIEVAL_QUANTUM));
  return Math.min(MAX_PARALLEL_CONNECTIONS, quanta * PARALLEL_CONNECTIONS);
}

export function paddedRetrievalCount(own) {
  return Math.max(1, Math.ceil(own / RETRIEVAL_QUANTUM)) * RETRIEVAL_QUANTUM;
}

/** Fisher–Yates over randombytes_uniform (unbiased). */
export function shuffle(items) {
  for (let i = items.length; i > 1; i--) {
    const j = sodium.randombytes_uniform(i);
    [items[i - 1], items[j]] = [items[j], items[i - 1]];
  }
  return items;
}

/** Decoys drawn uniformly without repeats from the stored ids minus own. */
export function drawDecoys(own, stored) {
  const mine = new Set(own.map(toHex));
  const pool = [];
  const seen = new Set();
  for (const id of stored) {
    const h = toHex(id);
    if (!mine.has(h) && !seen.has(h)) { seen.add(h); pool.push(id); }
  }
  const wanted = Math.min(paddedRetrievalCount(own.length) - own.length, pool.length);
  for (let i = 0; i < wanted; i++) {
    const j = i + sodium.randombytes_uniform(pool.length - i);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, wanted);
}

/** Runs job(i) for each i of order, each after a random pause, at most parallelConnections(order.length) at once. */
async function runSpread(order, job, signal) {
  let next = 0;
  const worker = async () => {
    for (let n = next++; n < order.length; n = next++) {
      await sleep(sodium.randombytes_uniform(MAX_PAUSE_MS + 1), signal);
      await job(order[n]);
    }
  };
  const workers = [];
  for (let t = 0; t < Math.min(parallelConnections(order.length), order.length); t++) workers.push(worker());
  const results = await Promise.allSettled(workers);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * get-message for every own id, padded and shuffled with decoys. Returns,
 * in the order of `own`, the envelope, null (gone since the fetch) or
 * undefined (a reply of the wrong shape).
 */
export async function retrieveMessages(relay, own, stored, { onProgress, signal } = {}) {
  const ids = [...own, ...drawDecoys(own, stored)];
  const order = shuffle(ids.map((_, i) => i));
  const answers = new Array(own.length);
  let done = 0;
  onProgress?.({ step: STEP.retrieve, done, total: ids.length });
  await runSpread(order, async (i) => {
    const envelope = await relay.getMessage(ids[i], { signal });
    if (i < own.length) answers[i] = envelope; // a decoy's envelope is someone else's: dropped
    onProgress?.({ step: STEP.retrieve, done: ++done, total: ids.length });
  }, signal);
  return answers;
}

/** Deletes [{ id, token }] each alone, shuffled; returns how many failed. */
export async function deleteMessages(relay, requests, { onProgress, signal } = {}) {
  const order = shuffle(requests.map((_, i) => i));
  let failed = 0;
  let done = 0;
  await runSpread(order, async (i) => {
    try {
      await relay.deleteMessage(requests[i].id, requests[i].token, { signal });
    } catch (e) {
      if (e?.kind === 'cancelled') throw e;
      failed++;
    }
    onProgress?.({ step: STEP.delete, done: ++done, total: requests.length });
  }, signal);
  return failed;
}
