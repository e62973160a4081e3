#include "inbox_apply.hpp"

#include <algorithm>
#include <functional>

#include "meldpunt/crypto/envelope.hpp"
#include "meldpunt/crypto/sign.hpp"
#include "meldpunt/protocol/handover.hpp"
#include "meldpunt/protocol/reply_signature.hpp"
#include "meldpunt/protocol/wire.hpp"
#include "text.hpp"

namespace meldpunt::adviser {
namespace {

static_assert(protocol::kRotateBodyBytes == crypto::X25519PublicKey{}.size(),
              "a kRotate body is exactly one reporter message public key");
// Every letter that decodes is within what the case store takes, so no
// letter's size is an error that would fail the commit it shares with others.
static_assert(protocol::kMaxRecipients <= kMaxOtherAdvisers && crypto::kMaxEnvelopePayload <= kMaxStoredBodyBytes,
              "a decoded letter fits the case store's limits");

// One apply_inbox call: the store, what was collected, and what applying
// decides so far.
class Applier {
 public:
  Applier(CaseStore& store, const crypto::Directory& directory, const crypto::AdviserId& own_id,
          const CollectedInbox& collected, InboxSummary& summary)
      : store_(store), directory_(directory), own_id_(own_id), collected_(collected), summary_(summary) {}

  Result<AppliedInbox> run() {
    summary_.unreadable += collected_.mailbox.unreadable;
    // Letters that are no report for us (ignored) and envelopes without a
    // valid letter included: no later run can do more with them.
    out_.used_prekeys = collected_.mailbox.spent_prekeys;
    const std::vector<const client::ReceivedLetter*> ordered = in_sending_order();
    Status letters = in_commits(
        ordered.size(), [&](std::size_t i) { return commit_weight(ordered[i]->letter.body.size()); },
        [&](std::size_t first, std::size_t last) {
          for (std::size_t i = first; i < last; ++i) {
            if (Status s = apply_letter(*ordered[i]); !s) return s;
          }
          return Status::success();
        });
    if (!letters) return letters.error();
    const AnnouncedPieces& found = collected_.file_pieces;
    Status pieces = in_commits(
        found.pieces.size(), [&](std::size_t i) { return commit_weight(found.pieces[i].chunk.data.size()); },
        [&](std::size_t first, std::size_t last) {
          return record_announced_pieces(store_, found, first, last, collected_.max_stored_days, summary_);
        });
    if (!pieces) return pieces.error();
    // Pieces still without a case stay at the relay for a later run, unless
    // their report has not come for a week: an upload that broke off.
    for (const client::ReceivedLetter* w : waiting_) {
      if (w->letter.sent_at + kMaxPieceWaitSeconds < now_seconds()) {
        summary_.pieces_expired++;
        out_.refused.push_back({w->id, w->letter.delete_token});
      } else {
        summary_.attachment_pieces_waiting++;
      }
    }
    return std::move(out_);
  }

 private:
  // What one item adds to a commit: its bytes, counted as at least the
  // smallest envelope (each also writes records beside it).
  static std::size_t commit_weight(std::size_t bytes) { return std::max(bytes, crypto::kEnvelopeSizes.front()); }

  // Items [0, count) in order, in as few commits as kMaxBytesPerCommit
  // allows (one for an ordinary run; at least one item each, and one commit
  // even for none, so that apply can do what it does without items):
  // apply(first, last) writes items [first, last) through the store, whose
  // writes in_one_commit gathers into one transaction. Letters are not
  // applied one by one "in memory" first: a letter that is no good for us
  // (bad, replayed, retired, unknown case) is an outcome, recorded or
  // refused, never an error, so it rolls nothing back. An error is the
  // store's (a disk that fails or is full, a record that does not open)
  // and fails the run: that commit leaves nothing, earlier ones stay
  // (each letter in them is recorded with its relay id, so the next run
  // sees it again and skips it), and nothing is deleted at the relay.
  Status in_commits(std::size_t count, const std::function<std::size_t(std::size_t)>& weight,
                    const std::function<Status(std::size_t first, std::size_t last)>& apply) {
    std::size_t next = 0;
    do {
      std::size_t last = next;
      std::size_t bytes = 0;
      while (last < count && (last == next || bytes + weight(last) <= kMaxBytesPerCommit)) bytes += weight(last++);
      if (Status s = in_one_commit([&] { return apply(next, last); }); !s) return s;
      next = last;
    } while (next < count);
    return Status::success();
  }

  // CaseStore::in_one_commit, with what this applier has decided so far
  // set back to where it was before on every run of `apply` (LMDB runs it
  // again after growing its map) and after a failure (the counts then say
  // what was stored).
  Status in_one_commit(const std::function<Status()>& apply) {
    const InboxSummary summary_before = summary_;
    const AppliedInbox out_before = out_;
    const std::vector<const client::ReceivedLetter*> waiting_before = waiting_;
    const auto restore = [&] {
      summary_ = summary_before;
      out_ = out_before;
      waiting_ = waiting_before;
    };
    Status s = store_.in_one_commit([&] {
      restore();
      return apply();
    });
    if (!s) restore();
    return s;
  }

  std::vector<const client::ReceivedLetter*> in_sending_order() const {
    // Letters are applied in the order the reporter sent them, a move to a new
    // code before a report sent at the same second: a report written with the
    // new code after a move then joins the moved case even when both arrive in
    // one run, and a report sent before the move is stored before its key
    // retires.
    std::vector<const client::ReceivedLetter*> ordered;
    for (const client::ReceivedLetter& received : collected_.mailbox.letters) ordered.push_back(&received);
    // Likewise a case handed to us comes before a report sent in the same
    // second (the reporter's first message to us after accepting must join the
    // handed-over conversation, not open a case of its own).
    const auto rank = [](const client::ReceivedLetter* r) {
      switch (r->letter.kind) {
        case protocol::LetterKind::kRotate: return 0;
        case protocol::LetterKind::kHandoverHistory: return 1;
        case protocol::LetterKind::kAttachmentChunk: return 3;  // after the report they belong to
        default: return 2;
      }
    };
    std::stable_sort(
        ordered.begin(), ordered.end(), [&](const client::ReceivedLetter* a, const client::ReceivedLetter* b) {
          return a->letter.sent_at != b->letter.sent_at ? a->letter.sent_at < b->letter.sent_at : rank(a) < rank(b);
        });
    return ordered;
  }

  Status apply_letter(const client::ReceivedLetter& received) {
    const protocol::Letter& letter = received.letter;
    if (letter.kind == protocol::LetterKind::kAttachmentChunk && letter.adviser_id == own_id_) {
      auto outcome = apply_piece(received);
      if (!outcome) return outcome.error();
      if (*outcome == PieceOutcome::kNoCase) waiting_.push_back(&received);
      return Status::success();
    }
    if (letter.kind == protocol::LetterKind::kRotate && letter.adviser_id == own_id_) {
      if (Status s = apply_rotation(received); !s) return s;
      if (received.prekey_pk) out_.used_prekeys.push_back(*received.prekey_pk);
      return Status::success();
    }
    if (letter.kind == protocol::LetterKind::kHandoverAnswer && letter.adviser_id == own_id_) {
      if (Status s = apply_answer(received); !s) return s;
      if (received.prekey_pk) out_.used_prekeys.push_back(*received.prekey_pk);
      return Status::success();
    }
    if (letter.kind == protocol::LetterKind::kHandoverHistory && letter.adviser_id == own_id_) {
      if (Status s = apply_handover(received); !s) return s;
      if (received.prekey_pk) out_.used_prekeys.push_back(*received.prekey_pk);
      return Status::success();
    }
    if (letter.kind != protocol::LetterKind::kReport || letter.adviser_id != own_id_) {
      summary_.ignored++;
      if (received.prekey_pk) out_.used_prekeys.push_back(*received.prekey_pk);
      return Status::success();
    }
    return apply_report(received);
  }

  Status apply_report(const client::ReceivedLetter& received) {
    const protocol::Letter& letter = received.letter;
    IncomingReport report;
    report.relay_id = received.id;
    report.delete_token = letter.delete_token;
    report.reporter_message_pk = received.sender_pk;
    report.reporter_fetch_pk = letter.reporter_fetch_pk;
    report.sent_at = letter.sent_at;
    report.received_at = now_seconds();
    report.other_advisers = other_advisers_of(letter.recipients);
    report.body = letter.body.view();
    auto outcome = store_.record_incoming(report);
    if (!outcome) return outcome.error();  // nothing deleted yet: the next run tries again
    if (outcome->retired) {
      summary_.refused++;
      out_.refused.push_back({received.id, letter.delete_token});
      if (std::find(summary_.refused_cases.begin(), summary_.refused_cases.end(), outcome->case_key) ==
          summary_.refused_cases.end()) {
        summary_.refused_cases.push_back(outcome->case_key);
      }
    } else if (outcome->replayed) {
      summary_.replayed++;
      out_.refused.push_back({received.id, letter.delete_token});
    } else if (outcome->stored) {
      summary_.stored++;
      if (outcome->handed_over) summary_.to_handed_over++;
    } else {
      summary_.already_stored++;
      out_.seen_again.push_back({received.id, letter.delete_token});
    }
    // Stored now or by an earlier run that stopped before this: the files
    // it announces (idempotent by file id).
    if (!outcome->retired && !outcome->replayed && !letter.files.empty()) {
      if (Status s = record_announced_files(store_, outcome->case_key, received, collected_.max_file_bytes, summary_);
          !s) {
        return s;
      }
    }
    if (received.prekey_pk) out_.used_prekeys.push_back(*received.prekey_pk);
    if (!outcome->retired && !outcome->replayed) {
      if (Status s = apply_waiting_from(received.sender_pk); !s) return s;
    }
    return Status::success();
  }

  Status apply_rotation(const client::ReceivedLetter& received) {
    const protocol::Letter& letter = received.letter;
    IncomingRotation rotation;
    rotation.relay_id = received.id;
    rotation.delete_token = letter.delete_token;
    rotation.old_message_pk = received.sender_pk;
    rotation.new_fetch_pk = letter.reporter_fetch_pk;
    rotation.received_at = now_seconds();
    if (letter.body.size() != protocol::kRotateBodyBytes) {
      summary_.refused++;
      out_.refused.push_back({received.id, letter.delete_token});
      return Status::success();
    }
    std::copy(letter.body.data(), letter.body.data() + letter.body.size(), rotation.new_message_pk.begin());
    auto outcome = store_.record_rotation(rotation);
    if (!outcome) return outcome.error();
    switch (outcome->outcome) {
      case RotationOutcome::kMoved: summary_.moved++; break;
      case RotationOutcome::kAlreadyKnown:
        summary_.already_stored++;
        out_.seen_again.push_back({received.id, letter.delete_token});
        break;
      case RotationOutcome::kUnknownSender:
      case RotationOutcome::kRefused:
        summary_.refused++;
        out_.refused.push_back({received.id, letter.delete_token});
        break;
      case RotationOutcome::kReplayed:
        summary_.replayed++;
        out_.refused.push_back({received.id, letter.delete_token});
        break;
    }
    return Status::success();
  }

  // Letters that are ours but cannot be applied are refused and deleted.
  void refuse(const client::ReceivedLetter& received) {
    summary_.refused++;
    out_.refused.push_back({received.id, received.letter.delete_token});
  }

  std::vector<OtherAdviser> other_advisers_of(const std::vector<crypto::AdviserId>& ids) const {
    std::vector<OtherAdviser> others;
    for (const crypto::AdviserId& id : ids) {
      if (id == own_id_) continue;
      const crypto::DirectoryEntry* entry = directory_.find(id);
      others.push_back({id, entry != nullptr ? entry->name : std::string()});
    }
    return others;
  }

  void note_outcome(const client::ReceivedLetter& received, HandoverOutcome outcome) {
    if (outcome == HandoverOutcome::kAlreadyKnown) {
      summary_.already_stored++;
      out_.seen_again.push_back({received.id, received.letter.delete_token});
    } else if (outcome == HandoverOutcome::kReplayed) {
      summary_.replayed++;
      out_.refused.push_back({received.id, received.letter.delete_token});
    } else if (outcome != HandoverOutcome::kApplied) {
      refuse(received);
    }
  }

  Status apply_answer(const client::ReceivedLetter& received) {
    auto answer = protocol::decode_answer(received.letter.body.view());
    if (!answer) {
      refuse(received);
      return Status::success();
    }
    IncomingHandoverAnswer incoming;
    incoming.relay_id = received.id;
    incoming.delete_token = received.letter.delete_token;
    incoming.reporter_message_pk = received.sender_pk;
    incoming.answer = *answer;
    incoming.received_at = now_seconds();
    auto result = store_.record_handover_answer(incoming);
    if (!result) return result.error();
    if (result->outcome == HandoverOutcome::kApplied)
      (result->accepted ? summary_.handed_over : summary_.handover_declined)++;
    note_outcome(received, result->outcome);
    return Status::success();
  }

  // A case handed to us: only if the adviser the directory lists really
  // proposed handing THIS reporter's case (the envelope's sender) to US; the
  // signature in the letter proves that. Without it anyone could plant a
  // "handed over" case with words put in a colleague's mouth.
  Status apply_handover(const client::ReceivedLetter& received) {
    auto transfer = protocol::decode_transfer(received.letter.body.view());
    const crypto::DirectoryEntry* proposer = transfer ? directory_.find(transfer->proposer) : nullptr;
    if (proposer == nullptr || transfer->proposer == own_id_ ||
        !crypto::verify(
            protocol::kHandoverDomain,
            protocol::handover_statement(transfer->proposer, received.sender_pk, transfer->proposal, own_id_),
            transfer->signature, proposer->sign_pk)) {
      refuse(received);
      return Status::success();
    }
    IncomingHandover incoming;
    incoming.relay_id = received.id;
    incoming.delete_token = received.letter.delete_token;
    incoming.reporter_message_pk = received.sender_pk;
    incoming.reporter_fetch_pk = received.letter.reporter_fetch_pk;
    incoming.received_at = now_seconds();
    incoming.other_advisers = other_advisers_of(received.letter.recipients);
    incoming.proposer = proposer->id;
    incoming.proposer_name = proposer->name;
    incoming.proposal = transfer->proposal;
    for (const protocol::HistoryEntry& h : transfer->history.entries) {
      IncomingHandover::Entry e;
      e.sent_at = h.sent_at;
      if (h.from_reporter) {
        e.direction = Direction::kIn;
      } else {
        // Never imported as our own words: the reporter's client wrote this
        // history. An entry counts as the adviser's only if it carries that
        // adviser's reply signature and it verifies against the directory
        // key; anything else is marked as not verified. Our real replies are
        // in the case already (record_handover skips a forwarded copy).
        const crypto::DirectoryEntry* entry = directory_.find(h.adviser_id);
        const bool verified = entry != nullptr && h.signature &&
                              protocol::verify_reply(h.adviser_id, h.signature->reporter_message_pk, h.sent_at,
                                                     h.body.view(), h.signature->signature, entry->sign_pk);
        e.direction = verified ? Direction::kEarlierVerified : Direction::kEarlier;
        e.adviser_name = entry != nullptr ? terminal_safe_label(entry->name) : "adviser " + to_hex(h.adviser_id);
        if (h.adviser_id == own_id_) e.adviser_name += verified ? ", you" : ", your own name";
        // Signed for another key of this reporter's (a reply from before a
        // move to a new code): the adviser wrote it, but to which code only
        // the reporter's client says.
        if (verified && h.signature->reporter_message_pk != received.sender_pk) {
          e.adviser_name += "; written to an earlier code";
        }
      }
      e.body = h.body.view();
      e.files = &h.files;
      incoming.entries.push_back(e);
    }
    auto result = store_.record_handover(incoming);
    if (!result) return result.error();
    if (result->outcome == HandoverOutcome::kApplied) summary_.received_by_handover++;
    note_outcome(received, result->outcome);
    return Status::success();
  }

  // Attachment pieces are applied in order with everything else, so pieces
  // sent before a move to a new code land before the old code retires. A
  // piece whose case does not exist yet waits for a report from its sender
  // later in this run (pieces are deposited before their message). Pieces
  // carry no one-time prekey (docs/PROTOCOL.md), so none is erased for them.
  Result<PieceOutcome> apply_piece(const client::ReceivedLetter& received) {
    return apply_attachment_piece(store_, received, collected_.max_file_bytes, summary_, out_.seen_again, out_.refused);
  }

  Status apply_waiting_from(const crypto::X25519PublicKey& sender) {
    std::vector<const client::ReceivedLetter*> still;
    for (const client::ReceivedLetter* w : waiting_) {
      if (w->sender_pk != sender) {
        still.push_back(w);
        continue;
      }
      auto outcome = apply_piece(*w);
      if (!outcome) return outcome.error();
      if (*outcome == PieceOutcome::kNoCase) still.push_back(w);
    }
    waiting_ = std::move(still);
    return Status::success();
  }

  CaseStore& store_;
  const crypto::Directory& directory_;
  const crypto::AdviserId& own_id_;
  const CollectedInbox& collected_;
  InboxSummary& summary_;
  AppliedInbox out_;
  std::vector<const client::ReceivedLetter*> waiting_;  // pieces whose case does not exist yet
};

}  // namespace

Result<AppliedInbox> apply_inbox(CaseStore& store, const crypto::Directory& directory, const crypto::AdviserId& own_id,
                                 const CollectedInbox& collected, InboxSummary& summary) {
  return Applier(store, directory, own_id, collected, summary).run();
}

}  // namespace meldpunt::adviser
