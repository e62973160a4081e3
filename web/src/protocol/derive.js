// Reporter key derivation from the code (docs/PROTOCOL.md Part 1 §3):
// salt = BLAKE2b-128("meldpunt/v1/code-salt" || org_sign_pk), master =
// Argon2id v1.3, then crypto_kdf subkeys 1 (X25519 message key) and 2
// (ristretto255 fetch key, 64 bytes reduced mod ℓ), context "MPreport".
import { sodium, wipe } from './sodium.js';
import { ascii, concat } from './bytes.js';
import { fail, KIND } from './errors.js';

/** Production parameters (§3); reporter-client uses exactly these. */
export const KDF_PRODUCTION = Object.freeze({ opslimit: 3, memlimit: 268435456 });
/** reporter-client --insecure-test-kdf: for automated tests only (§3). */
export const KDF_INSECURE_FOR_TESTS = Object.freeze({ opslimit: 1, memlimit: 8388608 });

const KDF_CONTEXT = 'MPreport';
const MESSAGE_SUBKEY = 1;
const FETCH_SUBKEY = 2;

export function codeSalt(orgSignPk) {
  if (orgSignPk.length !== 32) fail(KIND.malformed, 'organisation key must be 32 bytes');
  return sodium.crypto_generichash(16, concat(ascii('meldpunt/v1/code-salt'), orgSignPk), null);
}

/** Argon2id master key; the caller wipes it. */
export function masterKey(canonicalCode, orgSignPk, params = KDF_PRODUCTION) {
  if (canonicalCode.length !== 24) fail(KIND.badCode, 'canonical code must be 24 symbols');
  return sodium.crypto_pwhash(32, canonicalCode, codeSalt(orgSignPk), params.opslimit, params.memlimit,
    sodium.crypto_pwhash_ALG_ARGON2ID13);
}

/**
 * The reporter's four keys from the master key. Returns { messageSk,
 * messagePk, fetchSk, fetchPk }; the caller wipes the secrets with
 * wipeReporterKeys when the session ends. The master key is not wiped here.
 */
export function keysFromMaster(master) {
  const messageSk = sodium.crypto_kdf_derive_from_key(32, MESSAGE_SUBKEY, KDF_CONTEXT, master);
  const wide = sodium.crypto_kdf_derive_from_key(64, FETCH_SUBKEY, KDF_CONTEXT, master);
  const fetchSk = sodium.crypto_core_ristretto255_scalar_reduce(wide);
  wipe(wide);
  return {
    messageSk,
    messagePk: sodium.crypto_scalarmult_base(messageSk),
    fetchSk,
    fetchPk: sodium.crypto_scalarmult_ristretto255_base(fetchSk),
  };
}

/** Code (24 symbol values or canonical ASCII) -> reporter keys; wipes the master key. */
export function deriveReporterKeys(canonicalCode, orgSignPk, params = KDF_PRODUCTION) {
  const master = masterKey(canonicalCode, orgSignPk, params);
  try {
    return keysFromMaster(master);
  } finally {
    wipe(master);
  }
}

export function wipeReporterKeys(keys) {
  wipe(keys.messageSk, keys.fetchSk);
}
