// The page's web root (web/build.mjs): reproducible, every script and
// stylesheet under subresource integrity, nothing inline that the
// Content-Security-Policy would refuse, a MANIFEST by the contract's rules,
// and the page's own text table complete in both languages.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build, write, webHash } from '../build.mjs';
import { complete, languageFrom, t, tn } from '../page/i18n.js';
import { manifestNames } from '../page/webhash.js';
import { shown } from '../page/view.js';

test('two builds give the same bytes, and written twice the same folder', () => {
  const a = build();
  const b = build();
  assert.deepEqual(a.names, b.names);
  for (const n of a.names) assert.ok(a.files[n].equals(b.files[n]), n);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meldpunt-web-'));
  try {
    write(dir, a.files, a.names);
    write(dir, b.files, b.names);
    assert.deepEqual(fs.readdirSync(dir).sort(), [...a.names].sort());
    for (const n of a.names) assert.ok(fs.readFileSync(path.join(dir, n)).equals(a.files[n]), n);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the build refuses to write into a folder that is not a web root', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meldpunt-web-'));
  try {
    fs.writeFileSync(path.join(dir, 'precious.txt'), 'keep me');
    const { files, names } = build();
    const buildMjs = fileURLToPath(new URL('../build.mjs', import.meta.url));
    const { status } = spawnSync(process.execPath, [buildMjs, '--out', dir]);
    assert.equal(status, 2);
    assert.equal(fs.readFileSync(path.join(dir, 'precious.txt'), 'utf8'), 'keep me');
    assert.ok(names.length > 0 && files.MANIFEST.length > 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('every script and stylesheet carries its sha384 integrity; nothing inline', () => {
  const { files } = build();
  const html = files['index.html'].toString('utf8');
  const refs = [...html.matchAll(/<(script|link)\b[^>]*>/g)].map((m) => m[0]);
  assert.ok(refs.length >= 4);
  for (const tag of refs) {
    const src = /(?:src|href)="([^"]+)"/.exec(tag)[1];
    if (/\brel="icon"/.test(tag)) continue; // integrity does not apply to icons (next test)
    const integrity = /integrity="(sha384-[^"]+)"/.exec(tag);
    assert.ok(integrity, `${src} has no integrity`);
    assert.equal(integrity[1], 'sha384-' + crypto.createHash('sha384').update(files[src]).digest('base64'), src);
  }
  const withoutComments = html.replace(/<!--[\s\S]*?-->/g, '');
  assert.doesNotMatch(withoutComments, /<script(?![^>]*\bsrc=)[^>]*>/);
  assert.doesNotMatch(withoutComments, /<style\b|\sstyle=|\son[a-z]+=|javascript:/i);
  assert.doesNotMatch(withoutComments, /https?:\/\//, 'the page names no other origin');
  assert.match(withoutComments, /<noscript>/);
});

test('the page names its icon, an inert SVG in the web root, so no browser asks for /favicon.ico', () => {
  const { files, names } = build();
  const html = files['index.html'].toString('utf8');
  const icon = /<link rel="icon" href="([^"]+)" type="image\/svg\+xml">/.exec(html);
  assert.ok(icon, 'index.html has a <link rel="icon">');
  assert.ok(names.includes(icon[1]), `${icon[1]} is in the MANIFEST`);
  const svg = files[icon[1]].toString('utf8');
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.doesNotMatch(svg, /<script|<foreignObject|\shref=|xlink:|\son[a-z]+=|url\(/i);
});

test('MANIFEST follows the contract and the web hash is BLAKE2b-256 over it', async () => {
  const { files, names } = build();
  assert.deepEqual(manifestNames(files.MANIFEST), names);
  assert.ok(names.includes('index.html') && names.includes('app.js') && names.includes('libsodium-sumo.js'));
  // The contract's encoding, written out independently.
  const { default: sodium } = await import('libsodium-wrappers-sumo');
  await sodium.ready;
  const parts = [];
  for (const n of names) {
    const len = Buffer.alloc(2);
    len.writeUInt16LE(n.length);
    const size = Buffer.alloc(8);
    size.writeBigUInt64LE(BigInt(files[n].length));
    parts.push(len, Buffer.from(n), size, files[n]);
  }
  const expected = sodium.to_hex(sodium.crypto_generichash(32, Buffer.concat(parts), null));
  assert.equal(await webHash(files, names), expected);
});

test('MANIFEST parsing refuses what the contract does not allow', () => {
  const enc = (s) => new TextEncoder().encode(s);
  assert.throws(() => manifestNames(enc('app.js\nMANIFEST\n')), /sorted/);
  assert.throws(() => manifestNames(enc('MANIFEST\n../x\n')), /rules/);
  assert.throws(() => manifestNames(enc('.hidden\nMANIFEST\n')), /rules/);
  assert.throws(() => manifestNames(enc('app.js\n')), /itself/);
  assert.throws(() => manifestNames(enc('MANIFEST')), /newline/);
});

test('the page texts exist in both languages; the language follows the first browser language', () => {
  assert.ok(complete());
  assert.equal(languageFrom(['nl-NL', 'en']), 'nl');
  assert.equal(languageFrom(['nl']), 'nl');
  assert.equal(languageFrom(['nl-BE']), 'nl');
  assert.equal(languageFrom(['en-GB', 'nl']), 'en');
  assert.equal(languageFrom(['nds']), 'en');
  assert.equal(languageFrom([]), 'en');
  assert.equal(t('nl', 'tooMany', 14), 'Eén bericht bereikt hoogstens 14 adviseurs; kies er minder.');
  // Real singular and plural forms, never "reply/replies" or "antwoord(en)".
  assert.equal(tn('en', 'newCount', 1), '1 new reply since your last message (marked NEW).');
  assert.equal(tn('en', 'newCount', 2), '2 new replies since your last message (marked NEW).');
  assert.equal(tn('nl', 'newCount', 1), '1 nieuw antwoord sinds je laatste bericht (gemarkeerd met NIEUW).');
  assert.equal(tn('nl', 'newCount', 2), '2 nieuwe antwoorden sinds je laatste bericht (gemarkeerd met NIEUW).');
});

test('text from outside the page loses control and reordering characters', () => {
  assert.equal(shown('a\u202Eb\u200Bc\u0007d\u2066e'), 'a?b?c?d?e');
  assert.equal(shown('line 1\r\nline 2\ttab'), 'line 1\nline 2\ttab');
  assert.equal(shown('\u{E0041}x'), '?x');
  assert.equal(shown('emoji 😀 stays'), 'emoji 😀 stays');
});
