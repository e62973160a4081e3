// docs/PROTOCOL.md Part 3 "Channel address" against tests/vectors/address.txt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ready } from '../src/protocol/sodium.js';
import { parseAddress, formatAddress } from '../src/protocol/address.js';
import { toBase64url } from '../src/protocol/bytes.js';
import { loadVectors } from '../test-support/vectors.js';

await ready();
const v = loadVectors('address.txt');

test('address.txt: both checked forms and the older form parse to the vector keys', () => {
  for (const [name, serial, checked] of [['address', 0n, true], ['address_min_serial', BigInt(v.get('min_serial')), true],
    ['address_v1', 0n, false]]) {
    const a = parseAddress(v.get(name));
    assert.equal(toBase64url(a.relayKey), v.get('relay_key'), name);
    assert.equal(toBase64url(a.orgKey), v.get('org_key'), name);
    assert.equal(a.endpoint, v.get('endpoint'), name);
    assert.equal(a.minSerial, serial, name);
    assert.equal(a.checked, checked, name);
    if (checked) assert.equal(formatAddress(a), v.get(name));
  }
});

test('pasted whitespace, wrapped lines and no-break spaces are ignored', () => {
  const text = v.get('address_min_serial');
  const wrapped = `  ${text.slice(0, 40)}\n${text.slice(40, 90)}\u00a0\t${text.slice(90)}\r\n`;
  assert.equal(parseAddress(wrapped).minSerial, BigInt(v.get('min_serial')));
});

test('every single changed character of a checked address is refused as mistyped', () => {
  const text = v.get('address');
  const at = text.indexOf('@');
  for (let i = 'meldpunt2:'.length; i < at; i++) {
    if (text[i] === '.') continue;
    const c = text[i] === 'A' ? 'B' : 'A';
    const bad = text.slice(0, i) + c + text.slice(i + 1);
    assert.throws(() => parseAddress(bad), (e) => e.kind === 'malformed' && /mistyped/.test(e.message), `char ${i}`);
  }
  const port = text.replace(':7450', ':7451');
  assert.throws(() => parseAddress(port), /check characters do not match/);
});

test('malformed addresses: bounds, characters, serials, endpoints', () => {
  const text = v.get('address');
  const serialForm = (serial) => v.get('address_min_serial').replace(`.${v.get('min_serial')}.`, `.${serial}.`);
  assert.throws(() => parseAddress(' '.repeat(4097)), /too long/);
  assert.throws(() => parseAddress(text + 'x'.repeat(600)), /too long/);
  assert.throws(() => parseAddress(`${text.slice(0, 20)}\u201c${text.slice(20)}`), (e) => /position 21/.test(e.message)
    && /mistyped/.test(e.message) && !e.message.includes('\u201c'));
  assert.throws(() => parseAddress(`a\n${text}\u0001`), /line 2, column/);
  assert.throws(() => parseAddress(serialForm('012')), /serial is damaged/);
  assert.throws(() => parseAddress(serialForm('18446744073709551616')), /serial is damaged/);
  assert.throws(() => parseAddress(text.replace('tcp://', 'udp://')), /tcp:\/\/host:port/);
  assert.throws(() => parseAddress(text.replace(':7450', ':745000')), /tcp:\/\/host:port/);
  assert.throws(() => parseAddress(text.replace('meldpunt2:', 'meldpunt3:')), /must start with/);
  assert.throws(() => parseAddress(text.replace('@', '')), /no '@'/);
  assert.throws(() => parseAddress(v.get('address_v1').replace('nzEA', 'nzE')), /relay key/);
});
