// Test-only adviser for the client tests: reads what reporters deposited at
// a FakeRelay with its keys and prekeys, and replies or proposes a hand-over
// as docs/PROTOCOL.md describes (kind 2 signed, kind 7 signed, files sealed
// to per-file keys with a version-3 reply announcing them).
import { sodium, wipe } from '../src/protocol/sodium.js';
import { ascii, concat, toHex } from '../src/protocol/bytes.js';
import { openEnvelope, sealEnvelope } from '../src/protocol/envelope.js';
import { encodeLetter, decodeLetter, LETTER_KIND } from '../src/protocol/letter.js';
import { makeClue, deleteVerifier, newDeleteToken } from '../src/protocol/clue.js';
import { replySignedMessage } from '../src/protocol/reply.js';
import { signDetached, DOMAIN } from '../src/protocol/sign.js';
import { encodeProposal, signHandover } from '../src/protocol/handover.js';
import { fileToSend, pieceBodies, deriveFileKeys, decodeChunk, assemble } from '../src/client/files.js';

export function makeAdviser(name) {
  const sign = sodium.crypto_sign_keypair();
  const message = sodium.crypto_box_keypair();
  const fetchSk = sodium.crypto_core_ristretto255_scalar_random();
  return { name, id: sodium.randombytes_buf(16), sign, message, fetchSk, fetchPk: sodium.crypto_scalarmult_ristretto255_base(fetchSk),
    entry() {
      return { id: this.id, role: 1, name, signPk: sign.publicKey, messagePk: message.publicKey, fetchPk: this.fetchPk };
    } };
}

/** Every letter at the relay this adviser can open: [{ id, senderPk, letter }]. */
export function inbox(relay, adviser, prekeys) {
  const out = [];
  for (const m of relay.messages.values()) {
    try {
      const opened = openEnvelope(m.envelope, { secretKey: adviser.message.privateKey, publicKey: adviser.message.publicKey }, {
        medium: () => prekeys.medium?.sk ?? null,
        onetime: (id) => prekeys.onetimeSk.find((sk) => toHex(sodium.crypto_scalarmult_base(sk).subarray(0, 16)) === toHex(id)) ?? null,
      });
      out.push({ id: m.id, senderPk: opened.senderPk, letter: decodeLetter(opened.payload) });
    } catch { /* not for this adviser */ }
  }
  return out;
}

function store(relay, clue, token, envelope) {
  const id = sodium.randombytes_buf(16);
  relay.messages.set(toHex(id), { id, clue, verifier: deleteVerifier(token), envelope });
  return id;
}

/** A signed kind-2 reply to the reporter of `report` ({ senderPk, letter }), optionally with files. */
export function reply(relay, adviser, report, text, { sentAt = BigInt(Math.floor(Date.now() / 1000)) + 1n, files = [] } = {}) {
  const body = ascii(text);
  const toSend = files.map((f) => fileToSend(f, 10485760));
  for (const f of toSend) {
    const fk = deriveFileKeys(f.keySeed);
    for (const chunk of pieceBodies(f)) {
      const token = newDeleteToken();
      const letter = encodeLetter({ kind: LETTER_KIND.attachment, sentAt, deleteToken: token, body: chunk });
      store(relay, makeClue(fk.fetchPk), token,
        sealEnvelope({ secretKey: adviser.message.privateKey, publicKey: adviser.message.publicKey }, fk.messagePk, {}, letter, 262144));
    }
  }
  const signature = signDetached(DOMAIN.reply, replySignedMessage(adviser.id, report.senderPk, sentAt, body), adviser.sign.privateKey);
  const token = newDeleteToken();
  const letter = encodeLetter({ kind: LETTER_KIND.reply, sentAt, adviserId: adviser.id, deleteToken: token, body, signature,
    files: toSend.map((f) => f.entry(true)) });
  return store(relay, makeClue(report.letter.reporterFetchPk), token,
    sealEnvelope({ secretKey: adviser.message.privateKey, publicKey: adviser.message.publicKey }, report.senderPk, {}, letter));
}

/**
 * A reply as advisers' clients from before file keys sent files: each piece
 * a kind-6 letter naming the adviser, sealed to the reporter's own key with
 * its clue (so it is among the reporter's own letters), and a signed kind-2
 * reply without a file block. `sealer`: the key pair that seals the pieces
 * ({ secretKey, publicKey }; the adviser's by default, another one forges them).
 * text null: the pieces only.
 */
export function legacyReply(relay, adviser, report, text, { sentAt = BigInt(Math.floor(Date.now() / 1000)) + 1n, files = [],
  sealer = { secretKey: adviser.message.privateKey, publicKey: adviser.message.publicKey } } = {}) {
  for (const f of files.map((file) => fileToSend(file, 10485760))) {
    for (const chunk of pieceBodies(f)) {
      const token = newDeleteToken();
      const letter = encodeLetter({ kind: LETTER_KIND.attachment, sentAt, adviserId: adviser.id, deleteToken: token, body: chunk });
      store(relay, makeClue(report.letter.reporterFetchPk), token, sealEnvelope(sealer, report.senderPk, {}, letter, 262144));
    }
  }
  if (text === null) return null;
  const body = ascii(text);
  const signature = signDetached(DOMAIN.reply, replySignedMessage(adviser.id, report.senderPk, sentAt, body), adviser.sign.privateKey);
  const token = newDeleteToken();
  const letter = encodeLetter({ kind: LETTER_KIND.reply, sentAt, adviserId: adviser.id, deleteToken: token, body, signature });
  return store(relay, makeClue(report.letter.reporterFetchPk), token,
    sealEnvelope({ secretKey: adviser.message.privateKey, publicKey: adviser.message.publicKey }, report.senderPk, {}, letter));
}

export function propose(relay, adviser, report, newAdviser, note, sentAt = BigInt(Math.floor(Date.now() / 1000)) + 2n) {
  const proposalId = sodium.randombytes_buf(16);
  const signature = signHandover(adviser.id, report.senderPk, proposalId, newAdviser.id, adviser.sign.privateKey);
  const token = newDeleteToken();
  const letter = encodeLetter({ kind: LETTER_KIND.handoverProposal, sentAt, adviserId: adviser.id, deleteToken: token,
    body: encodeProposal({ proposalId, newAdviserId: newAdviser.id, note: ascii(note), signature }) });
  store(relay, makeClue(report.letter.reporterFetchPk), token,
    sealEnvelope({ secretKey: adviser.message.privateKey, publicKey: adviser.message.publicKey }, report.senderPk, {}, letter));
  return proposalId;
}

/** The files a reporter's letter announces, assembled from the pieces at the relay (file keys). */
export function receiveFiles(relay, received) {
  return received.letter.files.map((entry) => {
    const fk = deriveFileKeys(entry.keySeed);
    const chunks = [];
    for (const m of relay.messages.values()) {
      try {
        const opened = openEnvelope(m.envelope, { secretKey: fk.messageSk, publicKey: fk.messagePk });
        if (!sodium.memcmp(opened.senderPk, received.senderPk)) continue;
        chunks.push(decodeChunk(decodeLetter(opened.payload).body));
      } catch { /* not a piece of this file */ }
    }
    wipe(fk.messageSk, fk.fetchSk);
    return assemble(entry, chunks);
  });
}

export { concat };
