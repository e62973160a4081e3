// The dependency pin (issue: libsodium-wrappers-sumo, one exact version,
// sha512 integrity in the lock file, nothing else at run time).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ready } from '../src/protocol/sodium.js';

const web = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${web}/package.json`, 'utf8'));
const lock = JSON.parse(readFileSync(`${web}/package-lock.json`, 'utf8'));

test('package.json pins exactly one dependency to an exact version', () => {
  const deps = Object.keys(pkg.dependencies ?? {});
  assert.deepEqual(deps, ['libsodium-wrappers-sumo']);
  assert.match(pkg.dependencies['libsodium-wrappers-sumo'], /^\d+\.\d+\.\d+$/);
  assert.equal(pkg.devDependencies, undefined);
  assert.equal(pkg.optionalDependencies, undefined);
});

test('the lock file holds a sha512 integrity for every package, and only the pinned one and its libsodium', () => {
  const pinned = pkg.dependencies['libsodium-wrappers-sumo'];
  const packages = Object.entries(lock.packages).filter(([path]) => path !== '');
  assert.deepEqual(packages.map(([path]) => path).sort(),
    ['node_modules/libsodium-sumo', 'node_modules/libsodium-wrappers-sumo']);
  for (const [path, entry] of packages) {
    assert.match(entry.integrity, /^sha512-[A-Za-z0-9+/]{86}==$/, path);
    assert.ok(!entry.hasInstallScript, `${path} must not need install scripts`);
  }
  assert.equal(lock.packages['node_modules/libsodium-wrappers-sumo'].version, pinned);
});

test('the installed libsodium is the one the lock names and has the sumo functions', async () => {
  const installed = JSON.parse(readFileSync(`${web}/node_modules/libsodium-wrappers-sumo/package.json`, 'utf8'));
  assert.equal(installed.version, pkg.dependencies['libsodium-wrappers-sumo']);
  const sodium = await ready();
  for (const f of ['crypto_pwhash', 'crypto_kdf_derive_from_key', 'crypto_scalarmult_ristretto255',
    'crypto_core_ristretto255_scalar_reduce', 'crypto_aead_xchacha20poly1305_ietf_encrypt', 'unpad', 'memzero', 'memcmp']) {
    assert.equal(typeof sodium[f], 'function', f);
  }
});
