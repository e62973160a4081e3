// Reply signatures (docs/PROTOCOL.md Part 3 "Reply signatures", domain
// meldpunt/v1/reply of §4): an adviser's reply is shown only if it verifies
// under the directory's sign key of the adviser the letter names; unsigned
// replies are shown marked until the cut-off, then refused.
import { sodium } from './sodium.js';
import { concat, u64le, equalBytes } from './bytes.js';
import { findAdviser } from './directory.js';
import { verifyDetached, DOMAIN } from './sign.js';

/** 2027-03-01 00:00 UTC (protocol::kUnsignedReplyCutoff). */
export const UNSIGNED_REPLY_CUTOFF = 1803859200n;

export function replySignedMessage(adviserId, reporterMessagePk, sentAt, body) {
  return concat(adviserId, reporterMessagePk, u64le(sentAt), body);
}

export function verifyReplySignature(adviserId, reporterMessagePk, sentAt, body, signature, adviserSignPk) {
  return verifyDetached(DOMAIN.reply, replySignedMessage(adviserId, reporterMessagePk, sentAt, body), signature,
    adviserSignPk);
}

/**
 * Whether and how a decoded kind-2 letter may be shown: 'signed',
 * 'unsigned' (before the cut-off, shown marked as not signed) or 'refused'.
 * A reply counts only if the directory lists the adviser the letter names
 * and its envelope's authenticated sender (senderPk) is that adviser's
 * message key; then its signature must verify under the adviser's sign key.
 */
export function replyStatus({ letter, senderPk, directory, reporterMessagePk, now }) {
  const adviser = findAdviser(directory, letter.adviserId);
  if (!adviser || !equalBytes(sodium, adviser.messagePk, senderPk)) return 'refused';
  if (!letter.signature) return BigInt(now) < UNSIGNED_REPLY_CUTOFF ? 'unsigned' : 'refused';
  return verifyReplySignature(letter.adviserId, reporterMessagePk, letter.sentAt, letter.body, letter.signature,
    adviser.signPk) ? 'signed' : 'refused';
}
