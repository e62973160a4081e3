// DOM helpers for the page. Every text from outside the page (advisers'
// names and descriptions, message bodies, file names) reaches the document
// through textContent only, never as markup, and through shown() first.

/** The element with this id (throws when the page lacks it: a build error). */
export function $(id) {
  const e = document.getElementById(id);
  if (!e) throw new Error(`page has no #${id}`);
  return e;
}

/** A new element with optional class and text. */
export function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined && text !== null) e.textContent = text;
  return e;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
}

// docs/SECURITY.md §9, as the terminal clients apply it: control characters
// (C0 but tab and newline, DEL, C1), characters that reorder text or show as
// nothing (bidi marks, embeddings, overrides and isolates, zero-width
// characters, U+2028/2029, variation selectors, tag characters) and lone
// surrogates become '?', so a body cannot make itself look like another
// sender's words or hide a part of itself.
const UNSAFE = new RegExp(
  '[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e' +
  '\\u2060-\\u206f\\ufe00-\\ufe0f\\ufeff\\ufff9-\\ufffb]|[\\u{e0000}-\\u{e007f}\\u{e0100}-\\u{e01ef}]|' +
  '[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]', 'gu');

/** Text from outside the page, made safe to show. */
export function shown(text) {
  return String(text ?? '').replace(/\r\n?/g, '\n').replace(UNSAFE, '?');
}

/** 1.5 MiB style sizes, like reporter-client's. */
export function size(bytes, lang) {
  const units = lang === 'nl' ? ['bytes', 'KiB', 'MiB'] : ['bytes', 'KiB', 'MiB'];
  if (bytes < 1024) return `${bytes} ${units[0]}`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} ${units[1]}`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} ${units[2]}`;
}

/** A unix time in the reader's local time, day and minute. */
export function when(seconds, lang) {
  const f = new Intl.DateTimeFormat(lang === 'nl' ? 'nl-NL' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' });
  return f.format(new Date(seconds * 1000));
}

/** A day (for "moved on ..."). */
export function day(seconds, lang) {
  const f = new Intl.DateTimeFormat(lang === 'nl' ? 'nl-NL' : 'en-GB', { dateStyle: 'long' });
  return f.format(new Date(seconds * 1000));
}

/** Names joined for a sentence: "A", "A and B", "A, B and C". */
export function names(list, lang) {
  const and = lang === 'nl' ? ' en ' : ' and ';
  if (list.length <= 1) return list.join('');
  return list.slice(0, -1).join(', ') + and + list[list.length - 1];
}

/** Offers bytes as a file download named name (the browser asks where). */
export function download(name, bytes) {
  const blob = new Blob([bytes], { type: 'application/octet-stream' });
  const url = URL.createObjectURL(blob);
  const a = el('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
