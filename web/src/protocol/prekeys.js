// The get-prekeys bundle as a reporter reads it (docs/PROTOCOL.md Part 3
// "Operations in detail", get-prekeys; Part 1 §5.1): every part is kept only
// if its adviser is in the verified directory and its signature verifies
// under that adviser's sign key, and a medium-term prekey only while its
// expiry day is today or later. Everything else is dropped without error,
// so a relay cannot hand out prekeys whose secrets it holds.
import { Reader, concat, u32le, toHex } from './bytes.js';
import { fail, KIND } from './errors.js';
import { verifyDetached, DOMAIN } from './sign.js';

export const MAX_BUNDLE_ENTRIES = 256;
const ENTRY_BYTES = 228;

const isZero = (b) => b.every((x) => x === 0);

/**
 * Returns a Map from adviser id (hex) to { adviser, onetimePk | null,
 * mediumPk | null, mediumExpiryDay }. today is days since 1970-01-01 UTC by
 * the reporter's clock. Throws malformed for a bundle of the wrong size.
 */
export function readPrekeyBundle(bundle, directory, today) {
  const r = new Reader(bundle);
  const count = r.u16();
  if (count > MAX_BUNDLE_ENTRIES || bundle.length !== 2 + ENTRY_BYTES * count) {
    fail(KIND.malformed, 'prekey bundle has the wrong size');
  }
  const bySignPk = new Map(directory.entries.map((e) => [toHex(e.signPk), e]));
  const out = new Map();
  for (let i = 0; i < count; i++) {
    const signPk = r.take(32);
    const onetimePk = r.take(32);
    const onetimeSig = r.take(64);
    const mediumPk = r.take(32);
    const expiryBytes = r.take(4);
    const mediumSig = r.take(64);
    const adviser = bySignPk.get(toHex(signPk));
    if (!adviser) continue;
    const expiryDay = new DataView(expiryBytes.buffer, expiryBytes.byteOffset, 4).getUint32(0, true);
    const item = { adviser, onetimePk: null, mediumPk: null, mediumExpiryDay: 0 };
    if (!isZero(onetimePk) && verifyDetached(DOMAIN.prekey, onetimePk, onetimeSig, adviser.signPk)) {
      item.onetimePk = onetimePk.slice();
    }
    if (!isZero(mediumPk) && expiryDay >= today
        && verifyDetached(DOMAIN.mediumPrekey, concat(mediumPk, u32le(expiryDay)), mediumSig, adviser.signPk)) {
      item.mediumPk = mediumPk.slice();
      item.mediumExpiryDay = expiryDay;
    }
    if (item.onetimePk || item.mediumPk) out.set(toHex(adviser.id), item);
  }
  return out;
}
