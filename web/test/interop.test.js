// "A code made in the page works in reporter-client and the other way
// round" (issue 17): codes made here are derived by the C++ code
// (tests/tools/derive_keys, the same crypto:: functions reporter-client
// uses) and codes made by the C++ code are parsed and derived here, and the
// public keys must agree. ctest web_protocol passes the tool's path in
// MELDPUNT_DERIVE_KEYS; without it (npm test alone) the test is skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { ready, sodium } from '../src/protocol/sodium.js';
import { makeCode, parseCode, displayForm, canonicalBytes } from '../src/protocol/code.js';
import { deriveReporterKeys, KDF_INSECURE_FOR_TESTS, KDF_PRODUCTION } from '../src/protocol/derive.js';
import { toHex, toBase64url } from '../src/protocol/bytes.js';

await ready();
const tool = process.env.MELDPUNT_DERIVE_KEYS;
const skip = tool ? false : 'MELDPUNT_DERIVE_KEYS is not set (ctest web_protocol sets it)';
const org = sodium.crypto_sign_keypair().publicKey;

function cxxKeys(display, insecure) {
  // The code goes to the tool on stdin, never in argv.
  const out = execFileSync(tool, insecure ? [toBase64url(org), 'insecure'] : [toBase64url(org)],
    { input: `${display}\n`, encoding: 'utf8', timeout: 60000 });
  return Object.fromEntries(out.trim().split('\n').map((l) => l.split(' ')));
}

function jsKeys(symbols, params) {
  const k = deriveReporterKeys(canonicalBytes(symbols), org, params);
  return { message_pk: toHex(k.messagePk), fetch_pk: toHex(k.fetchPk) };
}

test('codes made in the page derive to the same keys in the C++ code', { skip }, () => {
  for (let i = 0; i < 3; i++) {
    const code = makeCode();
    assert.deepEqual(cxxKeys(displayForm(code), true), jsKeys(code, KDF_INSECURE_FOR_TESTS));
  }
});

test('codes made by the C++ code parse and derive to the same keys in the page', { skip }, () => {
  for (let i = 0; i < 3; i++) {
    const display = execFileSync(tool, ['generate'], { encoding: 'utf8' }).trim();
    assert.deepEqual(jsKeys(parseCode(display), KDF_INSECURE_FOR_TESTS), cxxKeys(display, true));
  }
});

test('one code with the production Argon2id parameters (256 MiB) agrees too', { skip }, () => {
  const code = makeCode();
  assert.deepEqual(jsKeys(code, KDF_PRODUCTION), cxxKeys(displayForm(code), false));
});
