// Reply signatures (docs/PROTOCOL.md Part 3 "Reply signatures", domain
// meldpunt/v1/reply of §4): an adviser's reply is shown only if it verifies
// under the directory's sign key of the adviser the letter names; unsigned
// replies are shown marked until the cut-off, then refused.
import { concat, u64le } from './bytes.js';
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
 * How a decoded kind-2 letter may be shown: 'signed', 'unsigned' (before the
 * cut-off, marked as not signed) or 'refused'. adviser is the directory
 * entry for letter.adviserId and senderPk the envelope's authenticated
 * sender; the caller has already checked senderPk === adviser.messagePk.
 */
export function replyStatus(letter, adviser, reporterMessagePk, now) {
  if (!letter.signature) return BigInt(now) < UNSIGNED_REPLY_CUTOFF ? 'unsigned' : 'refused';
  return verifyReplySignature(letter.adviserId, reporterMessagePk, letter.sentAt, letter.body, letter.signature,
    adviser.signPk) ? 'signed' : 'refused';
}
