// The deterministic fuzz smoke tests' shared tools (robustness.test.js for
// the protocol core, client-robustness.test.js for the client): a seeded
// xorshift32 so a failure reproduces from its round number, one mutation
// step, and `survives`, which feeds a parser mutated seeds and lets only the
// errors it is allowed to throw through.
import assert from 'node:assert/strict';

/**
 * seed: the 32-bit start of this file's sequence; allowed(e): whether an
 * exception is a clean refusal. -> { rand, mutate, survives }.
 */
export function fuzzer(seed, allowed) {
  let state = seed >>> 0;
  function rand(n) { // xorshift32
    state ^= state << 13; state >>>= 0; state ^= state >>> 17; state ^= state << 5; state >>>= 0;
    return state % n;
  }
  /** One of: flip a bit, set a byte, cut the end off, append up to 7 random bytes. */
  function mutate(bytes) {
    const b = bytes.slice();
    const op = rand(4);
    if (op === 0 && b.length) b[rand(b.length)] ^= 1 << rand(8);
    if (op === 1 && b.length) b[rand(b.length)] = rand(256);
    if (op === 2) return b.subarray(0, rand(b.length + 1));
    if (op === 3) {
      const extra = new Uint8Array(rand(8)).map(() => rand(256));
      const out = new Uint8Array(b.length + extra.length);
      out.set(b);
      out.set(extra, b.length);
      return out;
    }
    return b;
  }
  /** `rounds` times: a seed mutated one to three times, parsed; any exception must be allowed. */
  function survives(name, parse, seeds, rounds) {
    for (let i = 0; i < rounds; i++) {
      let input = seeds[rand(seeds.length)];
      for (let k = rand(3) + 1; k > 0; k--) input = mutate(input);
      try { parse(input); } catch (e) {
        assert.ok(allowed(e), `${name}: ${e?.name}: ${e?.message} on round ${i}`);
      }
    }
  }
  return { rand, mutate, survives };
}
