// docs/PROTOCOL.md Part 1 §2 against tests/vectors/code.txt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ready } from '../src/protocol/sodium.js';
import { ALPHABET, codeFromData, displayForm, canonicalBytes, parseCode, makeCode } from '../src/protocol/code.js';
import { fromHex } from '../src/protocol/bytes.js';
import { loadVectors } from '../test-support/vectors.js';

await ready();
const v = loadVectors('code.txt');
const cases = v.keys().filter((k) => k.endsWith('.data')).map((k) => k.slice(0, -5));

test('every code vector: check symbols, display form, parse back', () => {
  assert.ok(cases.length >= 4);
  for (const c of cases) {
    const symbols = codeFromData(fromHex(v.get(`${c}.data`)));
    const display = v.get(`${c}.display`);
    assert.equal(displayForm(symbols), display, c);
    assert.equal(new TextDecoder().decode(canonicalBytes(symbols)), display.replaceAll('-', ''));
    assert.deepEqual(parseCode(display), symbols);
    assert.deepEqual(parseCode(display.toLowerCase().replaceAll('-', ' ')), symbols);
  }
});

test('look-alikes and separators are accepted (§2.2 step 2)', () => {
  // code1 is all zeros: O/o read as 0.
  const zeros = v.get('code1.display');
  assert.deepEqual(parseCode(zeros.replaceAll('0', 'o')), parseCode(zeros));
  assert.deepEqual(parseCode(zeros.replaceAll('-', '_').replaceAll('0', 'O')), parseCode(zeros));
});

function substitute(display, pos, symbol) {
  const chars = display.replaceAll('-', '').split('');
  chars[pos] = symbol;
  return chars.join('');
}

test('every single wrong symbol is located in its group', () => {
  for (const c of cases) {
    const canonical = v.get(`${c}.display`).replaceAll('-', '');
    for (let pos = 0; pos < 24; pos++) {
      for (const s of ALPHABET) {
        if (s === canonical[pos]) continue;
        assert.throws(() => parseCode(substitute(canonical, pos, s)),
          (e) => e.kind === 'bad-code' && e.reason === 'typo' && e.group === Math.floor(pos / 4) + 1
            && !e.message.includes(canonical));
      }
    }
  }
});

test('the worked example of §2.2: 0 for the 9 in code2 names group 3, a swap is generic', () => {
  const canonical = v.get('code2.display').replaceAll('-', '');
  assert.throws(() => parseCode(substitute(canonical, 9, '0')), (e) => e.reason === 'typo' && e.group === 3);
  const swapped = canonical.slice(0, 4) + canonical[5] + canonical[4] + canonical.slice(6);
  assert.throws(() => parseCode(swapped), (e) => e.reason === 'check-failed');
});

test('bad characters, wrong length and oversized input are refused', () => {
  const display = v.get('code4.display');
  assert.throws(() => parseCode(display.replace('HX8M', 'HU8M')), (e) => e.reason === 'bad-character' && e.group === 3);
  assert.throws(() => parseCode(display.slice(0, -1)), (e) => e.reason === 'wrong-length');
  assert.throws(() => parseCode(display + '0'), (e) => e.reason === 'wrong-length');
  assert.throws(() => parseCode(display + ' '.repeat(100)), (e) => e.reason === 'wrong-length');
  assert.throws(() => parseCode(display.replace('Z', 'é')), (e) => e.reason === 'bad-character' && e.group === 1);
  assert.throws(() => parseCode(`${display}-00!`), (e) => e.reason === 'bad-character' && e.group === 0);
});

test('made codes are valid and differ', () => {
  const a = makeCode();
  const b = makeCode();
  assert.deepEqual(parseCode(displayForm(a)), a);
  assert.notDeepEqual(a, b);
});
