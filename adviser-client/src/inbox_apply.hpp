// The middle of an inbox run (inbox.hpp, steps 3-6): what collect_inbox
// brought from the relay is applied to the case store by apply_inbox, which
// makes no network call; what is to be deleted at the relay and which
// one-time prekeys were spent come back as a value, for sync_inbox to act
// on afterwards. So the rules that file letters, hand-overs and attachments
// are unit-tested with letters built by the protocol library, without a
// relay.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "attachments.hpp"
#include "case_store.hpp"
#include "inbox.hpp"
#include "meldpunt/client/mailbox.hpp"
#include "meldpunt/crypto/directory.hpp"

namespace meldpunt::adviser {

// Everything one run takes from the relay before anything is stored.
struct CollectedInbox {
  client::Mailbox mailbox;        // our letters, opened; spent prekeys; unreadable count
  AnnouncedPieces file_pieces;    // pieces of files announced with a file key
  std::optional<Error> pieces_error;  // collecting file_pieces failed (reported after applying)
  std::uint32_t fetch_day = 0;    // the day the fetch started
  // The relay's policy, or its defaults when it could not be read.
  std::uint64_t max_file_bytes = protocol::kDefaultMaxAttachmentBytes;
  std::optional<std::uint32_t> max_stored_days;  // how long the relay keeps a message at most
};

// What applying decided, for the steps after it.
struct AppliedInbox {
  std::vector<PendingDelete> seen_again;  // stored by an earlier run, yet still at the relay
  std::vector<PendingDelete> refused;     // ours, but not to be stored: deleted at the relay
  // One-time prekeys whose envelopes this run opened and dealt with (their
  // secrets are erased once everything is stored).
  std::vector<crypto::X25519PublicKey> used_prekeys;
};

// The most bytes of letters (or of pieces found with file keys) one commit
// of apply_inbox stores; each letter counts as at least the smallest
// envelope. An ordinary run (100 letters of a few KiB) is one commit; a run
// that brings large files is a few, so a transaction's memory and the work
// LMDB redoes after growing its map stay bounded.
inline constexpr std::size_t kMaxBytesPerCommit = 32u << 20;

// Applies the letters of `collected` addressed to `own_id` in the order the
// reporter sent them (a move to a new code, then a hand-over, then other
// letters, then attachment pieces, within one second): reports (kind 1) and
// the files they announce, moves to a new code (kRotate), hand-over answers
// (kind 8) and cases handed to us (kind 9, checked against `directory`),
// and attachment pieces; then the pieces found with file keys. Counts into
// `summary`. All letters go into one commit (CaseStore::in_one_commit: one
// disk sync, not one per letter), or a few when they hold more than
// kMaxBytesPerCommit, then the pieces likewise. A commit holds whole letters
// only and each letter is recorded idempotently by relay message id and
// delete token, so a run that stops at any moment is completed by the next
// one, nothing lost and nothing stored twice. A letter that is no good for
// us is an outcome (refused, replayed, ...), never a rollback of the others.
// Fails only if the store fails (that commit then stores nothing); nothing
// is deleted at the relay yet.
Result<AppliedInbox> apply_inbox(CaseStore& store, const crypto::Directory& directory,
                                 const crypto::AdviserId& own_id, const CollectedInbox& collected,
                                 InboxSummary& summary);

}  // namespace meldpunt::adviser
