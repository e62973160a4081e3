// The reporter page's entry: loads libsodium, opens the channel this page
// belongs to (GET /channel, the signed directory checked against its
// organisation key), shows the page's own web hash, and wires the screens.
// Nothing is written to any storage: no cookies, web storage, IndexedDB,
// cache or service worker, and the URL never changes (no history entry
// holds anything). pagehide and "Close and forget" drop what is held.

import { ready } from '../src/protocol/sodium.js';
import { openChannel, createWorkerRecogniser, createWorkerSolver } from '../src/client/index.js';
import { state, tr, applyTexts, initialLanguage, switchLanguage, show, busy, onProgress, forget, status } from './ui.js';
import { wireReport, startNew } from './report.js';
import { wireConversation, startCheck } from './conversation.js';
import { computeWebHash, grouped } from './webhash.js';
import { $ } from './view.js';

function home() {
  forget();
  show('s-intro');
}

function closeAndForget() {
  forget();
  show('s-intro');
  status(tr('closed'));
}

// Pools of workers (worker-src 'self'), one per core, for recognising fetch
// entries and for the proof of work; without workers the client does both
// in this thread, in chunks that keep the page responsive.
function pool(file) {
  const n = Math.max(1, Math.min(navigator.hardwareConcurrency || 2, 8));
  return Array.from({ length: n }, () => new Worker(file));
}

function workers() {
  try {
    return { recogniser: createWorkerRecogniser(pool('recognise-worker.js')), solver: createWorkerSolver(pool('pow-worker.js')) };
  } catch {
    return {};
  }
}

async function showHash(sodium) {
  const out = $('web-hash');
  out.textContent = tr('hashComputing');
  try {
    const hex = await computeWebHash(sodium);
    out.textContent = grouped(hex);
    out.dataset.hash = hex;
  } catch {
    out.textContent = tr('hashFailed');
  }
}

async function start() {
  initialLanguage();
  applyTexts();
  for (const id of ['lang-switch', 'close']) $(id).hidden = false;
  $('lang-switch').addEventListener('click', switchLanguage);
  $('close').addEventListener('click', closeAndForget);
  $('go-new').addEventListener('click', startNew);
  $('go-check').addEventListener('click', startCheck);
  wireReport(home);
  wireConversation(home);
  // Leaving the page (closing, navigating away, the back-forward cache)
  // forgets everything; a page restored from that cache starts over.
  window.addEventListener('pagehide', forget);
  window.addEventListener('pageshow', (e) => { if (e.persisted) home(); });

  // libsodium.js 0.8.4 falls back to plain JavaScript only when WebAssembly
  // exists but fails; without it (Tor Browser "Safer") it does not load at
  // all (measured: bench/results/web_page.md). Say so instead of failing.
  if (typeof WebAssembly === 'undefined') {
    $('s-loading').hidden = true;
    $('no-wasm').hidden = false;
    return;
  }
  let sodium;
  try {
    sodium = await ready();
  } catch {
    $('s-loading').hidden = true;
    $('error').textContent = tr('errNoCrypto');
    $('error').hidden = false;
    return;
  }
  showHash(sodium);
  const opened = await busy(async () => {
    state.channel = await openChannel({ onProgress, ...workers() });
    status('');
    return true;
  });
  if (opened) show('s-intro');
  else $('s-loading').hidden = true;
}

start();
