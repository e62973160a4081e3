// Text rules for what the directory shows a reporter (docs/PROTOCOL.md
// Part 1 §7.1): strict UTF-8 (no overlong forms, surrogates or code points
// above U+10FFFF), no control characters (C0, DEL, C1; '\n' only where
// allowed) and no bidirectional override/isolate characters, so directory
// text cannot disguise itself.
export function textAcceptable(bytes, allowNewline) {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const c = bytes[i];
    let cp, len;
    if (c < 0x80) { cp = c; len = 1; }
    else if (c >= 0xc2 && c <= 0xdf) { cp = c & 0x1f; len = 2; }
    else if (c >= 0xe0 && c <= 0xef) { cp = c & 0x0f; len = 3; }
    else if (c >= 0xf0 && c <= 0xf4) { cp = c & 0x07; len = 4; }
    else return false; // continuation byte, overlong lead 0xc0/0xc1, or > 0xf4
    if (n - i < len) return false;
    for (let k = 1; k < len; k++) {
      if ((bytes[i + k] & 0xc0) !== 0x80) return false;
      cp = (cp << 6) | (bytes[i + k] & 0x3f);
    }
    if ((len === 3 && cp < 0x800) || (len === 4 && (cp < 0x10000 || cp > 0x10ffff))) return false;
    if (cp >= 0xd800 && cp <= 0xdfff) return false;
    const control = cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
    if (control && !(allowNewline && cp === 0x0a)) return false;
    if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) return false;
    i += len;
  }
  return true;
}
