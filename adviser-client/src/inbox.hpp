// What adviser-client does with the relay: keep the prekey pool topped up,
// collect reports into the case store, and send replies.
//
// Order of effects in sync_inbox (no step can lose a report):
//   1. retry deletions left pending by an earlier run;
//   2. top up prekeys (the key file with the new secrets and counter is saved
//      before each upload, so the relay never holds a prekey we cannot open);
//   3. fetch, recognise, download and open our letters, and find the pieces
//      of files announced with a file key (collect: network only);
//   4. (apply: the store only, no network call; inbox_apply.hpp)
//      store every report addressed to us, hand-over answers (kind 8) and
//      cases handed to us (kind 9), and kRotate letters, all in the order the
//      reporter sent them (see the sort in apply_inbox), then the pieces; all
//      in one commit (a few for large files), each letter idempotent by
//      relay message id;
//   5. erase the used one-time prekey secrets and the medium-term prekey
//      secrets nothing can still need, and save the key file;
//   6. delete the stored messages at the relay with their tokens.
// A crash between any two steps is repaired by the next run.
#pragma once

#include <cstdint>
#include <optional>

#include "case_store.hpp"
#include "key_file.hpp"
#include "meldpunt/client/mailbox.hpp"
#include "meldpunt/client/relay_connection.hpp"
#include "meldpunt/protocol/letter.hpp"

namespace meldpunt::adviser {

// How many of our prekeys the relay should hold after a top-up.
inline constexpr std::uint32_t kPrekeyTarget = 50;

struct PrekeyTopUp {
  bool checked = false;        // the relay was asked (always, since uploads of zero prekeys exist)
  std::size_t uploaded = 0;
  std::uint32_t at_relay = 0;  // the relay's count after the last upload
};

// Asks the relay for its count of our prekeys with a signed upload of zero
// prekeys, then uploads one signed batch to bring it up to `target` (at most
// protocol::kMaxPrekeysPerUpload per run). Each upload carries the current
// medium-term prekey, rotated first when it is due (crypto::AdviserIdentity::
// rotate_medium). The oldest held secrets are
// dropped when more than crypto::kMaxPrekeysHeld would be held. The count
// and time are remembered in the key file's profile.
//
// Upload counter = max(previous counter + 1, unix time in milliseconds): it
// always increases, and also stays ahead of the relay after an identity is
// restored from an older backup.
Result<PrekeyTopUp> top_up_prekeys(client::RelayConnection& relay, KeyFile& key_file, std::uint64_t now,
                                   std::uint32_t target = kPrekeyTarget);

// The directory entry under our adviser id, checked to carry our keys.
// kNotFound if we are not listed, kUnauthorised if the keys differ.
Status check_own_entry(const crypto::Directory& directory, const KeyFile& key_file);

struct InboxSummary {
  std::size_t stored = 0;           // new messages written to the case store
  std::size_t already_stored = 0;   // seen again (an earlier run stopped before deleting)
  std::size_t ignored = 0;          // opened but not a report for us (other kinds, other adviser id)
  std::size_t moved = 0;            // cases whose reporter moved to a new code (kRotate applied)
  std::size_t handed_over = 0;      // our proposals the reporter accepted (the case went to the other adviser)
  std::size_t handover_declined = 0;  // our proposals the reporter declined
  std::size_t received_by_handover = 0;  // cases handed to us with the reporter's consent
  std::size_t to_handed_over = 0;  // messages stored in cases we handed over (the reporter wrote to us anyway)
  // Addressed to us but refused, and deleted at the relay: reports from a
  // code the reporter moved away from, kRotate letters from a sender that is
  // no case's current reporter, or naming an unusable new key, and hand-over
  // answers to no open proposal of ours.
  std::size_t refused = 0;
  // Copies of letters recorded before (recognised by the delete token inside
  // the letter, not by relay id), and hand-overs whose proposal was applied
  // before: nothing changed, deleted at the relay.
  std::size_t replayed = 0;
  // The cases among them: each case (once) that a report sent with a code
  // its reporter moved away from was refused for, so the inbox can name it.
  std::vector<CaseKey> refused_cases;
  std::size_t unreadable = 0;       // recognised but would not open
  // Attachments (attachments.hpp): pieces stored, files completed intact or
  // found damaged in this run, and pieces left at the relay because their
  // case does not exist yet (its report is still on its way).
  std::size_t attachment_pieces = 0;
  std::size_t attachments_completed = 0;
  std::size_t attachments_damaged = 0;
  std::size_t attachment_pieces_waiting = 0;
  // Refused and deleted: pieces of a file over the relay's attachment limit
  // or over the case's allowance, and pieces that waited for their report
  // longer than kMaxPieceWaitSeconds.
  std::size_t attachments_refused = 0;
  std::size_t pieces_expired = 0;
  // Files a report announced (file keys) that were refused: over the relay's
  // attachment limit or the case's allowance. Their pieces are not read.
  std::size_t files_refused = 0;
  std::size_t deleted = 0;          // deleted at the relay in this run
  std::size_t delete_pending = 0;   // still to delete (relay refused or unreachable)
  std::size_t medium_erased = 0;    // medium-term prekey secrets erased in this run
  std::optional<PrekeyTopUp> prekeys;
  std::optional<Error> prekey_error;  // a failed top-up does not stop collecting
};

// Steps 1-6 above. The directory must be the verified current one.
Result<InboxSummary> sync_inbox(client::RelayConnection& relay, const crypto::Directory& directory,
                                KeyFile& key_file, CaseStore& store);

// A kReply letter with `body`, signed with our directory signing key for
// `reporter_message_pk` (protocol/reply_signature.hpp).
protocol::Letter signed_reply(const crypto::AdviserId& own_id, const crypto::AdviserIdentity& identity,
                              const crypto::X25519PublicKey& reporter_message_pk, std::uint64_t sent_at,
                              const crypto::SecretBuffer& body);

// Seals `body` as a kReply letter to the case's reporter, deposits it, then
// records the outgoing copy in the case. Returns the relay's message id.
// kTooLarge above protocol::max_reply_body_bytes(), kMalformed for an empty body.
Result<crypto::MessageId> send_reply(client::RelayConnection& relay, const KeyFile& key_file, CaseStore& store,
                                     const CaseRecord& case_record, const crypto::SecretBuffer& body);

// Proposes to the reporter of `case_record` that `to` (a directory entry
// other than ourselves) takes the case over: seals a kind-7 letter with a
// fresh proposal id and `note`, deposits it, then marks the case kProposed.
// Nothing reaches the other adviser: the reporter's client sends the
// conversation only if the reporter accepts. kMalformed for ourselves as the
// target, a note over protocol::kMaxHandoverNoteBytes or a case handed over
// already.
Result<protocol::ProposalId> propose_handover(client::RelayConnection& relay, const KeyFile& key_file,
                                              CaseStore& store, const CaseRecord& case_record,
                                              const crypto::DirectoryEntry& to, const crypto::SecretBuffer& note);

}  // namespace meldpunt::adviser
