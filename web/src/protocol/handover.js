// Hand-over letters (docs/PROTOCOL.md Part 3 "Hand-over (kinds 7, 8 and
// 9)"): the reporter decodes and checks an adviser's proposal, and writes
// the answer and, after accepting, the transfer to the new adviser.
import { Reader, concat, u16le } from './bytes.js';
import { fail, KIND } from './errors.js';
import { signDetached, verifyDetached, DOMAIN } from './sign.js';
import { encodeHistory, decodeHistory } from './history.js';

export const HANDOVER_VERSION = 1;
export const MAX_NOTE_BYTES = 4096;
export const DECISION = Object.freeze({ accept: 1, decline: 2 });

const bad = () => fail(KIND.malformed, 'hand-over letter is malformed');

/** The signed bytes: proposing adviser id ‖ reporter message pk ‖ proposal id ‖ new adviser id. */
export function handoverMessage(proposingAdviserId, reporterMessagePk, proposalId, newAdviserId) {
  return concat(proposingAdviserId, reporterMessagePk, proposalId, newAdviserId);
}

export function verifyHandover(proposingAdviserId, reporterMessagePk, proposalId, newAdviserId, signature, signPk) {
  return verifyDetached(DOMAIN.handover, handoverMessage(proposingAdviserId, reporterMessagePk, proposalId, newAdviserId),
    signature, signPk);
}

/** Kind 7 body -> { proposalId, newAdviserId, note (bytes), signature }. */
export function decodeProposal(body) {
  const r = new Reader(body);
  if (r.u8() !== HANDOVER_VERSION) bad();
  const proposalId = r.take(16).slice();
  const newAdviserId = r.take(16).slice();
  const noteLength = r.u16();
  if (noteLength > MAX_NOTE_BYTES) bad();
  const note = r.take(noteLength).slice();
  const signature = r.take(64).slice();
  r.end();
  return { proposalId, newAdviserId, note, signature };
}

/** Test and adviser side of kind 7, so the reporter's decoder is checked against an encoder of the text. */
export function encodeProposal({ proposalId, newAdviserId, note, signature }) {
  if (note.length > MAX_NOTE_BYTES) fail(KIND.malformed, 'note over 4096 bytes');
  return concat(Uint8Array.of(HANDOVER_VERSION), proposalId, newAdviserId, u16le(note.length), note, signature);
}

/** Kind 8 body. */
export function encodeAnswer({ proposalId, decision, newAdviserId }) {
  if (decision !== DECISION.accept && decision !== DECISION.decline) fail(KIND.malformed, 'unknown decision');
  return concat(Uint8Array.of(HANDOVER_VERSION), proposalId, Uint8Array.of(decision), newAdviserId);
}

export function decodeAnswer(body) {
  const r = new Reader(body);
  if (r.u8() !== HANDOVER_VERSION) bad();
  const proposalId = r.take(16).slice();
  const decision = r.u8();
  if (decision !== DECISION.accept && decision !== DECISION.decline) bad();
  const newAdviserId = r.take(16).slice();
  r.end();
  return { proposalId, decision, newAdviserId };
}

/** Kind 9 body: the signed proposal followed by the history (as kind 5). */
export function encodeTransfer({ proposingAdviserId, proposalId, signature, history }) {
  return concat(Uint8Array.of(HANDOVER_VERSION), proposingAdviserId, proposalId, signature, encodeHistory(history));
}

export function decodeTransfer(body) {
  const r = new Reader(body);
  if (r.u8() !== HANDOVER_VERSION) bad();
  const proposingAdviserId = r.take(16).slice();
  const proposalId = r.take(16).slice();
  const signature = r.take(64).slice();
  return { proposingAdviserId, proposalId, signature, history: decodeHistory(r.rest()) };
}

/** Adviser side of the signature, used by tests to make proposals. */
export function signHandover(proposingAdviserId, reporterMessagePk, proposalId, newAdviserId, adviserSecretKey) {
  return signDetached(DOMAIN.handover, handoverMessage(proposingAdviserId, reporterMessagePk, proposalId, newAdviserId),
    adviserSecretKey);
}
