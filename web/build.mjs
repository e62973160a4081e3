#!/usr/bin/env node
// Builds the reporter page's web root (WEB contract: a flat folder served by
// `relay serve`'s HTTP door) from web/page/, web/src/ and the pinned
// libsodium-wrappers-sumo in web/node_modules (`npm ci`, see build.sh):
//
//   index.html               the page, with subresource integrity on every script and stylesheet
//   style.css                the page's only stylesheet
//   libsodium-sumo.js        libsodium's browser build (WebAssembly inside, pure-JS fallback), as published
//   libsodium-wrappers.js    its JavaScript API (sets globalThis.sodium)
//   app.js                   web/page/app.js and everything it imports, as one classic script
//   recognise-worker.js      the client's workers (recognising fetch entries, proof of work),
//   pow-worker.js            each as one classic worker script
//   favicon.svg              the page's icon (<link rel="icon">), so no browser asks for a /favicon.ico that is not there
//   MANIFEST                 the file names, sorted bytewise, MANIFEST included
//
// Deterministic: the output depends only on the input files (no time, no
// absolute path, no random order), so two builds of one commit are byte
// identical and the web hash an organisation publishes can be rebuilt by
// anyone. The bundler is a few dozen lines because the page's modules keep
// to a small subset of module syntax (named imports, `export` in front of
// declarations, `export { ... }`); anything else stops the build with the
// file and line, rather than bundling it wrongly.
//
// Usage: node web/build.mjs --out DIR     (prints the web hash on success)

import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';

const WEB = path.dirname(fileURLToPath(import.meta.url));
const SODIUM_SPEC = 'libsodium-wrappers-sumo';
const LIBSODIUM = path.join(WEB, 'node_modules/libsodium-sumo/dist/modules-sumo/libsodium-sumo.js');
const WRAPPERS = path.join(WEB, 'node_modules/libsodium-wrappers-sumo/dist/modules-sumo/libsodium-wrappers.js');

function fail(message) {
  process.stderr.write(`build.mjs: ${message}\n`);
  process.exit(2);
}

const rel = (file) => path.relative(WEB, file).split(path.sep).join('/');

// ---- a small bundler for the page's own ES modules ----

const IMPORT_NAMED = /^import\s*\{([^}]*)\}\s*from\s*'([^']+)';[ \t]*$/gm;
const IMPORT_DEFAULT = /^import\s+([A-Za-z_$][\w$]*)\s+from\s*'([^']+)';[ \t]*$/gm;
const EXPORT_FROM = /^export\s*\{([^}]*)\}\s*from\s*'([^']+)';[ \t]*$/gm;
const EXPORT_LIST = /^export\s*\{([^}]*)\};?[ \t]*$/gm;
const EXPORT_DECL = /^export\s+((?:async\s+)?function\*?|const|class)\s+([A-Za-z_$][\w$]*)/gm;

function specifiers(list) {
  return list.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
    const m = /^([A-Za-z_$][\w$]*)(?:\s+as\s+([A-Za-z_$][\w$]*))?$/.exec(s);
    if (!m) throw new Error(`cannot read import/export specifier '${s}'`);
    return { name: m[1], local: m[2] || m[1] };
  });
}

/** Reads one module: its body without import/export syntax, its imports and exports. */
function parseModule(file) {
  let source = fs.readFileSync(file, 'utf8');
  const deps = [];
  const exports = [];
  const resolve = (spec) => (spec === SODIUM_SPEC ? SODIUM_SPEC : path.resolve(path.dirname(file), spec));
  source = source.replace(EXPORT_FROM, (_, list, spec) => {
    const dep = resolve(spec);
    deps.push(dep);
    const names = specifiers(list);
    for (const s of names) exports.push({ name: s.local, local: `__reexport_${s.local}` });
    return `const { ${names.map((s) => `${s.name}: __reexport_${s.local}`).join(', ')} } = ${varOf(dep)};`;
  });
  source = source.replace(IMPORT_NAMED, (_, list, spec) => {
    const dep = resolve(spec);
    deps.push(dep);
    const names = specifiers(list);
    return `const { ${names.map((s) => (s.name === s.local ? s.name : `${s.name}: ${s.local}`)).join(', ')} } = ${varOf(dep)};`;
  });
  source = source.replace(IMPORT_DEFAULT, (_, local, spec) => {
    if (spec !== SODIUM_SPEC) throw new Error(`${rel(file)}: default import only of ${SODIUM_SPEC}`);
    return `const ${local} = __sodium;`;
  });
  source = source.replace(EXPORT_LIST, (_, list) => {
    for (const s of specifiers(list)) exports.push({ name: s.local, local: s.name });
    return '';
  });
  source = source.replace(EXPORT_DECL, (_, kind, name) => {
    exports.push({ name, local: name });
    return `${kind} ${name}`;
  });
  // Left-over module syntax outside comment lines: dynamic import(),
  // import.meta, export default, `let` exports and the like.
  const lines = source.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line.startsWith('*') || line.startsWith('//') || line.startsWith('/*')) continue;
    if (/^(import|export)\b|\bimport\s*\(|\bimport\.meta\b/.test(line)) {
      throw new Error(`${rel(file)}: module syntax this bundler does not handle: ${line.slice(0, 60)}`);
    }
  }
  return { file, body: source, deps: deps.filter((d) => d !== SODIUM_SPEC), exports };
}

const varNames = new Map();
function varOf(file) {
  if (file === SODIUM_SPEC) return '__sodium';
  if (!varNames.has(file)) varNames.set(file, `__m_${rel(file).replace(/[^A-Za-z0-9]/g, '_')}`);
  return varNames.get(file);
}

/** Every module reachable from entry, dependencies first; refuses cycles. */
function collect(entry) {
  const order = [];
  const state = new Map(); // file -> 'visiting' | 'done'
  const visit = (file, from) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'visiting') throw new Error(`import cycle through ${rel(file)}`);
    if (!fs.existsSync(file)) throw new Error(`${from ? rel(from) : 'entry'} imports ${rel(file)}, which does not exist`);
    state.set(file, 'visiting');
    const m = parseModule(file);
    for (const d of m.deps) visit(d, file);
    state.set(file, 'done');
    order.push(m);
  };
  visit(path.resolve(entry), null);
  return order;
}

/** One classic script running entry and its modules in dependency order. */
export function bundle(entry, prelude = '') {
  const modules = collect(entry);
  const parts = [`// Built by web/build.mjs from ${rel(path.resolve(entry))}; do not edit.\n`, prelude,
    "(function () {\n'use strict';\nconst __sodium = globalThis.sodium;\n"];
  for (const m of modules) {
    const names = m.exports.map((e) => (e.name === e.local ? e.name : `${e.name}: ${e.local}`));
    parts.push(`// ---- ${rel(m.file)}\nconst ${varOf(m.file)} = (function () {\n${m.body}\nreturn Object.freeze({ ${names.join(', ')} });\n})();\n`);
  }
  parts.push('})();\n');
  return parts.join('');
}

// ---- the web root ----

function sri(bytes) {
  return 'sha384-' + crypto.createHash('sha384').update(bytes).digest('base64');
}

function indexHtml(files) {
  let html = fs.readFileSync(path.join(WEB, 'page/index.html'), 'utf8');
  if (/<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:/i.test(html.replace(/<!--[\s\S]*?-->/g, ''))) {
    fail('page/index.html has inline script or style, which the Content-Security-Policy forbids');
  }
  // Subresource integrity does not apply to icons; the web hash covers favicon.svg.
  const styles = `<link rel="stylesheet" href="style.css" integrity="${sri(files['style.css'])}">\n`
    + '<link rel="icon" href="favicon.svg" type="image/svg+xml">';
  const scripts = ['libsodium-sumo.js', 'libsodium-wrappers.js', 'app.js']
    .map((n) => `<script src="${n}" integrity="${sri(files[n])}" defer></script>`).join('\n');
  if (!html.includes('<!--STYLES-->') || !html.includes('<!--SCRIPTS-->')) fail('page/index.html lacks its <!--STYLES--> or <!--SCRIPTS--> mark');
  return html.replace('<!--STYLES-->', styles).replace('<!--SCRIPTS-->', scripts);
}

/** The web root's files by name, as bytes. */
export function build() {
  for (const f of [LIBSODIUM, WRAPPERS]) if (!fs.existsSync(f)) fail(`${rel(f)} is missing: run npm ci in web/ (web/build.sh does)`);
  const files = {};
  files['libsodium-sumo.js'] = fs.readFileSync(LIBSODIUM);
  files['libsodium-wrappers.js'] = fs.readFileSync(WRAPPERS);
  files['style.css'] = fs.readFileSync(path.join(WEB, 'page/style.css'));
  files['favicon.svg'] = fs.readFileSync(path.join(WEB, 'page/favicon.svg'));
  // An image only: nothing in it may run or load (img-src 'self' would let
  // an icon that names another file fetch it).
  if (/<script|<foreignObject|\shref=|xlink:|\son[a-z]+=|url\(|@import/i.test(files['favicon.svg'].toString('utf8'))) {
    fail('page/favicon.svg holds script, an event handler or a reference to another file');
  }
  files['app.js'] = Buffer.from(bundle(path.join(WEB, 'page/app.js')));
  // The client's module workers, each as one classic worker script that
  // loads libsodium first (page/app.js starts them by these names).
  for (const name of ['recognise-worker.js', 'pow-worker.js']) {
    const worker = path.join(WEB, 'src/client', name);
    files[name] = Buffer.from(bundle(worker, "importScripts('libsodium-sumo.js', 'libsodium-wrappers.js');\n"));
  }
  files['index.html'] = Buffer.from(indexHtml(files));
  const names = [...Object.keys(files), 'MANIFEST'].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  files.MANIFEST = Buffer.from(names.join('\n') + '\n');
  return { files, names };
}

/** The web hash (contract point 4) of a built root, with libsodium. */
export async function webHash(files, names) {
  const { default: sodium } = await import(SODIUM_SPEC);
  await sodium.ready;
  const state = sodium.crypto_generichash_init(null, 32);
  for (const name of names) {
    const n = Buffer.from(name);
    const head = Buffer.alloc(2 + n.length + 8);
    head.writeUInt16LE(n.length, 0);
    n.copy(head, 2);
    head.writeBigUInt64LE(BigInt(files[name].length), 2 + n.length);
    sodium.crypto_generichash_update(state, head);
    sodium.crypto_generichash_update(state, files[name]);
  }
  return sodium.to_hex(sodium.crypto_generichash_final(state, 32));
}

/**
 * Writes the root into out, each file replaced atomically. Files of an
 * earlier build that this one no longer has (named in the old MANIFEST) are
 * removed; a non-empty folder without a MANIFEST is refused, so a wrong
 * --out never loses anything.
 */
export function write(out, files, names) {
  fs.mkdirSync(out, { recursive: true });
  const manifest = path.join(out, 'MANIFEST');
  const present = fs.readdirSync(out).filter((n) => !n.startsWith('.'));
  if (present.length > 0 && !fs.existsSync(manifest)) fail(`${out} is not empty and holds no MANIFEST: not a web root`);
  const old = present.length > 0 ? fs.readFileSync(manifest, 'utf8').split('\n').filter(Boolean) : [];
  for (const name of names) {
    const tmp = path.join(out, `.${name}.tmp`);
    fs.writeFileSync(tmp, files[name], { mode: 0o644 });
    fs.renameSync(tmp, path.join(out, name));
  }
  for (const name of old) {
    if (!names.includes(name) && /^[A-Za-z0-9._-]+$/.test(name) && !name.startsWith('.')) fs.rmSync(path.join(out, name), { force: true });
  }
}

async function main() {
  const i = process.argv.indexOf('--out');
  if (i < 0 || !process.argv[i + 1]) fail('usage: node web/build.mjs --out DIR');
  const out = path.resolve(process.argv[i + 1]);
  let built;
  try {
    built = build();
  } catch (e) {
    fail(e.message);
  }
  write(out, built.files, built.names);
  process.stdout.write(`web root: ${out}\nweb hash: ${await webHash(built.files, built.names)}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
