// The page's client library (README.md in this folder): openChannel() and
// the Channel it returns. Sessions (one code) are in session.js.
import { ready, wipe } from '../protocol/sodium.js';
import { toHex, fromHex } from '../protocol/bytes.js';
import { parseAddress } from '../protocol/address.js';
import { makeCode, parseCode, displayForm, canonicalBytes } from '../protocol/code.js';
import { deriveReporterKeys, KDF_PRODUCTION } from '../protocol/derive.js';
import { findAdviser, ROLES } from '../protocol/directory.js';
import { ClientError, ERROR, STEP, asClientError, clientFail } from './errors.js';
import { HttpTransport } from './transport.js';
import { Relay, createWorkerSolver } from './relay.js';
import { paddedReaders, maxBodyBytesWith, MAX_READERS } from './deposits.js';
import { sanitiseFileName } from './files.js';
import { MAX_FILE_BYTES } from '../protocol/letter.js';
import { recogniseInThread, createWorkerRecogniser } from './recognise.js';
import { Session, sendMessage } from './session.js';

export { ClientError, ERROR, STEP, createWorkerRecogniser, createWorkerSolver, HttpTransport };

/** Runs fn, turning every failure into a ClientError. */
export async function guarded(fn) {
  try {
    return await fn();
  } catch (e) {
    throw asClientError(e);
  }
}

function coverageOf(entry, directory) {
  const pick = (mask, list) => list.filter((_, i) => (mask >>> i) & 1).map((c) => c.id);
  return { everyGroup: entry.coverage.everyGroup, everyKind: entry.coverage.everyKind,
    groups: pick(entry.coverage.groups, directory.groups), kinds: pick(entry.coverage.kinds, directory.kinds) };
}

/** A fresh code: shown once, typed back, then handed to report/rotate (which wipe it). */
export class NewCode {
  #symbols;
  constructor(symbols = makeCode()) { this.#symbols = symbols; this.display = displayForm(symbols); }
  matches(typed) {
    let s;
    try { s = parseCode(typed); } catch { return false; }
    try { return s.length === this.#symbols.length && s.every((v, i) => v === this.#symbols[i]); } finally { wipe(s); }
  }
  /** Canonical code bytes for the key derivation (the caller wipes them). */
  canonical() {
    if (!this.#symbols) clientFail(ERROR.invalid, 'this code was wiped');
    return canonicalBytes(this.#symbols);
  }
  wipe() { wipe(this.#symbols); this.#symbols = null; this.display = ''; }
}

export class Channel {
  constructor({ address, directory, policy, relay, kdf, recogniser }) {
    this.address = address;
    this.directory = directory;
    this.relay = relay;
    this.kdf = kdf;
    this.recogniser = recogniser;
    this.rawPolicy = policy;
    this.directorySerial = directory.serial;
    this.advisers = directory.entries.map((e) => ({ id: toHex(e.id), name: e.name, role: ROLES[e.role],
      descriptionNl: e.descriptionNl, descriptionEn: e.descriptionEn, coverage: coverageOf(e, directory) }));
    this.groups = directory.groups;
    this.kinds = directory.kinds;
    this.maxReaders = paddedReaders(directory);
    this.policy = { retentionDays: policy.retentionDays, retentionFuzzDays: policy.retentionFuzzDays,
      maxAttachmentBytes: Number(policy.maxAttachmentBytes), storedMessages: Number(policy.storedMessages) };
  }

  /** Largest text in UTF-8 bytes with `files` ([{ name, bytes }]) announced. */
  maxBodyBytes(files = []) {
    const enc = new TextEncoder();
    return maxBodyBytesWith(this.maxReaders, files.map((f) => ({ name: enc.encode(sanitiseFileName(f.name)) })));
  }

  /**
   * Throws what sending { text, files } would be refused for (text too
   * long, more than 8 files, an empty file, a file over the relay's limit or
   * 64 MiB, any file when the relay takes none), before a code is derived or
   * anything is sent; the UI may call it while the reporter writes.
   */
  checkMessage({ text, files = [] }) {
    if (typeof text !== 'string') clientFail(ERROR.invalid, 'text must be a string');
    if (!Array.isArray(files) || files.length > 8) clientFail(ERROR.tooLarge, 'at most 8 files per message');
    const limit = Math.min(this.policy.maxAttachmentBytes, MAX_FILE_BYTES);
    for (const f of files) {
      if (!(f?.bytes instanceof Uint8Array) || typeof f.name !== 'string') clientFail(ERROR.invalid, 'a file is { name, bytes }');
      if (f.bytes.length === 0) clientFail(ERROR.invalid, 'an empty file cannot be sent');
      if (f.bytes.length > limit) clientFail(ERROR.tooLarge, limit === 0 ? 'this channel accepts no files' : `a file is larger than ${limit} bytes`);
    }
    const max = this.maxBodyBytes(files);
    if (new TextEncoder().encode(text).length > max) clientFail(ERROR.tooLarge, `message too long (at most ${max} bytes)`, { maxBytes: max });
  }

  newCode() { return new NewCode(); }

  /** Hex adviser ids -> 16-byte ids of this directory; refuses unknown ones. */
  adviserIds(ids) {
    return ids.map((h) => {
      let id;
      try { id = fromHex(h); } catch { id = null; }
      if (!id || id.length !== 16 || !findAdviser(this.directory, id)) clientFail(ERROR.invalid, 'not an adviser of this directory');
      return id;
    });
  }

  async deriveKeys(canonical, onProgress) {
    onProgress?.({ step: STEP.derive, done: 0, total: 1 });
    await new Promise((r) => setTimeout(r, 0)); // let the page paint before the Argon2id work
    try {
      return deriveReporterKeys(canonical, this.address.orgKey, this.kdf);
    } finally {
      wipe(canonical);
      onProgress?.({ step: STEP.derive, done: 1, total: 1 });
    }
  }

  /** A new report (README.md): -> { code, withoutOneTime }. */
  report({ code, advisers, text, files = [], onProgress, signal }) {
    return guarded(async () => {
      if (!(code instanceof NewCode)) clientFail(ERROR.invalid, 'report needs the NewCode from newCode()');
      try {
        if (!Array.isArray(advisers) || advisers.length === 0) clientFail(ERROR.invalid, 'no adviser chosen');
        if (new Set(advisers).size !== advisers.length) clientFail(ERROR.invalid, 'an adviser is chosen twice');
        if (advisers.length > this.maxReaders) clientFail(ERROR.tooLarge, `at most ${this.maxReaders} advisers`);
        const to = this.adviserIds(advisers);
        this.checkMessage({ text, files });
        const display = code.display;
        const keys = await this.deriveKeys(code.canonical(), onProgress);
        try {
          const result = await sendMessage(this, keys, { to, text, files, sentAt: BigInt(Math.floor(Date.now() / 1000)), onProgress, signal });
          return { code: display, withoutOneTime: result.withoutOneTime };
        } finally {
          wipe(keys.messageSk, keys.fetchSk);
        }
      } finally {
        code.wipe();
      }
    });
  }

  /** Parses and derives a typed code: -> Session. */
  open(codeText, { onProgress } = {}) {
    return guarded(async () => {
      const symbols = parseCode(codeText);
      const canonical = canonicalBytes(symbols);
      wipe(symbols);
      const keys = await this.deriveKeys(canonical, onProgress);
      return new Session(this, keys);
    });
  }
}

/**
 * Opens the channel the page belongs to (README.md): the address (GET
 * /channel unless given), the verified directory and the policy.
 */
export function openChannel({ base = '', address, transport, fetchFn, onProgress, signal, kdf = KDF_PRODUCTION, recogniser, solver } = {}) {
  return guarded(async () => {
    await ready();
    const t = transport ?? new HttpTransport({ base, fetchFn });
    onProgress?.({ step: STEP.directory, done: 0, total: 2 });
    const text = address ?? await t.channelAddress({ signal });
    const parsed = parseAddress(text.trim());
    const relay = new Relay(t, solver);
    const directory = await relay.directory(parsed, { signal });
    onProgress?.({ step: STEP.directory, done: 1, total: 2 });
    const policy = await relay.policy({ signal });
    onProgress?.({ step: STEP.directory, done: 2, total: 2 });
    return new Channel({ address: parsed, directory, policy, relay, kdf, recogniser: recogniser ?? recogniseInThread });
  });
}

export { MAX_READERS };
