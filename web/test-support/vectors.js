// Reads tests/vectors/*.txt at test time (`name = value` lines, `#`
// comments), so the tests check the same files as the C++ suite and never
// carry copies of their values.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
export const VECTORS_DIR = join(here, '..', '..', 'tests', 'vectors');
export const DOCS_DIR = join(here, '..', '..', 'docs');

export function loadVectors(name) {
  const text = readFileSync(join(VECTORS_DIR, name), 'utf8');
  const map = new Map();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.includes('=')) continue;
    const at = line.indexOf('=');
    const key = line.slice(0, at).trim();
    const value = line.slice(at + 1).trim();
    if (map.has(key)) throw new Error(`${name}: ${key} twice`);
    map.set(key, value);
  }
  return {
    get(key) {
      if (!map.has(key)) throw new Error(`${name}: no vector ${key}`);
      return map.get(key);
    },
    has(key) { return map.has(key); },
    keys() { return [...map.keys()]; },
  };
}
