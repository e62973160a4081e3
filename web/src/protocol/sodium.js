// libsodium for the page and for node: the one place the protocol code gets
// its primitives from. libsodium-wrappers-sumo is libsodium compiled to
// WebAssembly (with a pure JS fallback), pinned with its integrity hash in
// web/package-lock.json and bundled at build time: no CDN, no other runtime
// dependency. The sumo build is needed for ristretto255 and crypto_kdf.
//
// What JavaScript cannot guarantee about secrets (for docs/THREAT_MODEL.md):
// the protocol code keeps secrets in Uint8Arrays and wipes them with
// sodium.memzero when done, but there is no mlock (a secret may reach swap
// or a crash dump), the garbage collector may move or copy buffers before
// they are wiped, strings (the typed code, a passphrase) are immutable and
// cannot be wiped at all, and the wrappers copy arguments into the
// WebAssembly heap (they free, but do not always wipe, those copies). Wiping
// narrows the window; it does not close it.
import sodium from 'libsodium-wrappers-sumo';

let readyPromise = null;

/** Resolves once libsodium is initialised; call before any protocol function. */
export function ready() {
  if (!readyPromise) readyPromise = sodium.ready.then(() => sodium);
  return readyPromise;
}

/** Wipes each given Uint8Array (null and undefined are skipped). */
export function wipe(...buffers) {
  for (const b of buffers) if (b instanceof Uint8Array) sodium.memzero(b);
}

export { sodium };
