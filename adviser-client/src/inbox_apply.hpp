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

// Applies the letters of `collected` addressed to `own_id` in the order the
// reporter sent them (a move to a new code, then a hand-over, then other
// letters, then attachment pieces, within one second): reports (kind 1) and
// the files they announce, moves to a new code (kRotate), hand-over answers
// (kind 8) and cases handed to us (kind 9, checked against `directory`),
// and attachment pieces; then the pieces found with file keys. Counts into
// `summary`. Each letter is one commit of its own, idempotent by relay
// message id, so a run that stops half way is completed by the next one.
// Fails only if the store fails; nothing is deleted at the relay yet.
Result<AppliedInbox> apply_inbox(CaseStore& store, const crypto::Directory& directory,
                                 const crypto::AdviserId& own_id, const CollectedInbox& collected,
                                 InboxSummary& summary);

}  // namespace meldpunt::adviser
