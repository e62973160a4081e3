// Domain-separated Ed25519 (docs/PROTOCOL.md Part 1 §4): every signature is
// over domain (ASCII) || 0x00 || message, so a signature made for one
// purpose never verifies for another.
import { sodium } from './sodium.js';
import { ascii, concat } from './bytes.js';

export const DOMAIN = Object.freeze({
  prekey: 'meldpunt/v1/prekey',
  mediumPrekey: 'meldpunt/v1/medium-prekey',
  card: 'meldpunt/v1/card',
  directory: 'meldpunt/v1/directory',
  reply: 'meldpunt/v1/reply',
  handover: 'meldpunt/v1/handover',
});

function signedBytes(domain, message) {
  if (domain.includes('\0')) throw new Error('domain contains NUL');
  return concat(ascii(domain), new Uint8Array(1), message);
}

/** Signs with a 64-byte Ed25519 secret key (seed || pk). */
export function signDetached(domain, message, secretKey) {
  return sodium.crypto_sign_detached(signedBytes(domain, message), secretKey);
}

/** True when signature (64 bytes) verifies; false for any malformed input. */
export function verifyDetached(domain, message, signature, publicKey) {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  try {
    return sodium.crypto_sign_verify_detached(signature, signedBytes(domain, message), publicKey);
  } catch {
    return false;
  }
}
