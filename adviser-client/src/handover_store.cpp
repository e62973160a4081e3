// The case store's side of hand-over (declared in case_store.hpp): the
// proposals we make, the reporter's answers, and cases handed to us.
#include <algorithm>

#include "case_store.hpp"

namespace meldpunt::adviser {
namespace {

namespace lmdb = store::lmdb;

Error damaged(std::string_view what) { return Error{ErrorCode::kMalformed, "case store: damaged " + std::string(what)}; }

// The outcome of a letter receive_letter found recorded before.
HandoverOutcome known_letter_outcome(bool replayed) {
  return replayed ? HandoverOutcome::kReplayed : HandoverOutcome::kAlreadyKnown;
}

}  // namespace

Status CaseStore::record_handover_proposal(const CaseKey& key, const protocol::ProposalId& proposal,
                                           const crypto::DirectoryEntry& to, std::uint64_t now) {
  return write([&](lmdb::WriteTxn& txn) -> Status {
    auto existing = load_existing_case(txn, key);
    if (!existing) return existing.error();
    CaseRecord c = std::move(existing).value();
    if (c.handed_over()) {
      return Status(ErrorCode::kMalformed,
                    "the reporter accepted an earlier hand-over of this case; the other adviser handles it now");
    }
    if (c.open_proposals.size() >= kMaxOpenProposals) {
      return Status(ErrorCode::kMalformed, std::to_string(kMaxOpenProposals) +
                                               " hand-over proposals of this case wait for the reporter's answer; "
                                               "wait for it before proposing again");
    }
    c.open_proposals.push_back({proposal, to.id, to.name, now});
    c.last_activity = std::max(c.last_activity, now);
    if (Status st = append_history(txn, c, now, HistoryEvent::kHandoverProposed); !st) return st;
    return put_case(txn, c);
  });
}

Status CaseStore::withdraw_handover_proposal(const CaseKey& key, const protocol::ProposalId& proposal) {
  return write([&](lmdb::WriteTxn& txn) -> Status {
    auto c = load_existing_case(txn, key);
    if (!c) return c.error();
    std::erase_if(c->open_proposals, [&](const OpenProposal& p) { return p.id == proposal; });
    return put_case(txn, *c);
  });
}

Result<HandoverResult> CaseStore::receive_handover_letter(
    const crypto::MessageId& relay_id, const FixedBytes<32>& delete_token, std::uint64_t received_at,
    const std::function<Result<KeptCase>(lmdb::WriteTxn&, HandoverResult&)>& apply) {
  HandoverResult result;
  auto novelty = receive_letter(relay_id, delete_token, [&](lmdb::WriteTxn& txn) -> Status {
    result = HandoverResult{};  // set on every run: write() runs the body again after growing the map
    auto kept = apply(txn, result);
    if (!kept) return kept.error();
    if (!*kept) return Status::success();
    if (Status st = put_case(txn, **kept); !st) return st;
    if (Status st = put_relay_pending(txn, relay_id, delete_token, (*kept)->key, received_at); !st) return st;
    result.outcome = HandoverOutcome::kApplied;
    return Status::success();
  });
  if (!novelty) return novelty.error();
  if (*novelty != LetterNovelty::kNew) {
    result = HandoverResult{};
    result.outcome = known_letter_outcome(*novelty == LetterNovelty::kReplayed);
  }
  return result;
}

Result<HandoverResult> CaseStore::record_handover_answer(const IncomingHandoverAnswer& incoming) {
  auto apply = [&](lmdb::WriteTxn& txn, HandoverResult& result) -> Result<KeptCase> {
    auto existing = case_of_sender(txn, incoming.reporter_message_pk);
    if (!existing) return existing.error();
    if (!*existing) return KeptCase{};  // kUnknownSender
    CaseRecord c = std::move(**existing);
    result.case_key = c.key;
    // Only the case's current code answers, and only a proposal still open:
    // an answer replayed later names a proposal that is no longer open.
    const auto open = std::find_if(c.open_proposals.begin(), c.open_proposals.end(), [&](const OpenProposal& p) {
      return p.id == incoming.answer.proposal && p.to == incoming.answer.new_adviser;
    });
    if (c.reporter_message_pk != incoming.reporter_message_pk || open == c.open_proposals.end()) {
      result.outcome = HandoverOutcome::kRefused;
      return KeptCase{};
    }
    result.accepted = incoming.answer.decision == protocol::HandoverDecision::kAccept;
    c.handover = result.accepted ? HandoverOutcomeState::kHandedOver : HandoverOutcomeState::kDeclined;
    c.handover_adviser = open->to;
    c.handover_adviser_name = open->to_name;
    c.handover_at = incoming.received_at;
    if (result.accepted) {
      c.open_proposals.clear();  // the case is gone from us; nothing else can be accepted
    } else {
      c.open_proposals.erase(open);
    }
    c.last_activity = std::max(c.last_activity, incoming.received_at);
    c.unread++;  // the adviser should see the answer
    const HistoryEvent event = result.accepted ? HistoryEvent::kHandedOver : HistoryEvent::kHandoverDeclined;
    if (Status st = append_history(txn, c, incoming.received_at, event); !st) return st.error();
    if (result.accepted && c.status != CaseStatus::kClosed) {
      const CaseStatus from = c.status;
      c.status = CaseStatus::kClosed;
      if (Status st = append_history(txn, c, incoming.received_at, HistoryEvent::kStatusChanged, from, c.status); !st) {
        return st.error();
      }
    }
    return KeptCase{std::move(c)};
  };
  return receive_handover_letter(incoming.relay_id, incoming.delete_token, incoming.received_at, apply);
}

Result<HandoverResult> CaseStore::record_handover(const IncomingHandover& incoming) {
  if (incoming.other_advisers.size() > kMaxOtherAdvisers) return Error{ErrorCode::kTooLarge, "too many advisers"};
  auto apply = [&](lmdb::WriteTxn& txn, HandoverResult& result) -> Result<KeptCase> {
    // A hand-over is applied once: neither the same letter again nor another
    // letter naming a proposal applied before (it would reopen a case we
    // handed on since, as if it came back).
    const FixedBytes<16> proposal_key = proposal_record_key(incoming.proposal);
    if (tables_.proposals.contains(txn, proposal_key)) {
      result.outcome = HandoverOutcome::kReplayed;
      return KeptCase{};
    }
    auto resolved = resolve(txn, incoming.reporter_message_pk);
    if (!resolved) return resolved.error();
    const CaseKey case_key = resolved->value_or(case_key_for(incoming.reporter_message_pk));
    result.case_key = case_key;
    auto existing = load_case(txn, case_key);
    if (!existing) return existing.error();
    CaseRecord c;
    // What the case holds already (we may have read this conversation
    // before: as a co-reader, before handing it away, or a message that
    // arrived ahead of this letter): direction, time and text of each.
    std::vector<MessageRecord> held;
    if (existing->has_value()) {
      c = std::move(**existing);
      if (c.reporter_message_pk != incoming.reporter_message_pk) {
        result.outcome = HandoverOutcome::kRefused;  // a code the reporter moved away from
        return KeptCase{};
      }
      for (std::uint64_t i = 0; i < c.next_sequence; ++i) {
        auto plain = tables_.messages.get(txn, case_sequence_key(case_key, i));
        if (!plain) return plain.error();
        if (!*plain) return damaged("message index");
        auto message = decode_message((*plain)->view());
        if (!message) return message.error();
        held.push_back(std::move(message).value());
      }
      // Handed back to us after we handed it away, or closed meanwhile: the
      // case is ours to work on again.
      if (c.status == CaseStatus::kClosed) {
        c.status = CaseStatus::kInProgress;
        c.feedback_from = incoming.received_at;
        if (Status st = append_history(txn, c, incoming.received_at, HistoryEvent::kStatusChanged, CaseStatus::kClosed,
                                       CaseStatus::kInProgress);
            !st) {
          return st.error();
        }
      }
      if (c.handed_over()) c.handover = HandoverOutcomeState::kNone;
    } else {
      c.key = case_key;
      c.status = CaseStatus::kNew;  // the acknowledgement clock starts now, for us
      c.reporter_message_pk = incoming.reporter_message_pk;
      c.created_at = incoming.received_at;
      if (Status st = append_history(txn, c, incoming.received_at, HistoryEvent::kOpened); !st) return st.error();
    }
    c.reporter_fetch_pk = incoming.reporter_fetch_pk;
    c.received_at = incoming.received_at;
    c.received_from = incoming.proposer;
    c.received_from_name = incoming.proposer_name;
    for (const OtherAdviser& a : incoming.other_advisers) {
      const bool listed = std::any_of(c.other_advisers.begin(), c.other_advisers.end(),
                                      [&](const OtherAdviser& o) { return o.id == a.id; });
      if (!listed && c.other_advisers.size() < kMaxOtherAdvisers) c.other_advisers.push_back(a);
    }
    if (Status st = append_history(txn, c, incoming.received_at, HistoryEvent::kReceivedByHandover); !st) {
      return st.error();
    }
    for (const IncomingHandover::Entry& e : incoming.entries) {
      MessageRecord m;
      m.direction = e.direction;
      m.sent_at = e.sent_at;
      m.stored_at = incoming.received_at;
      m.relay_id = incoming.relay_id;
      if (is_forwarded_reply(e.direction)) {
        m.body = crypto::SecretBuffer::copy_of(std::string_view("[" + e.adviser_name + "]\n"));
      }
      m.body.append(e.body);
      if (e.files != nullptr) {
        for (const protocol::FileNote& f : *e.files) {
          if (m.files_not_transferred.size() < protocol::kMaxHistoryFileNotes) {
            m.files_not_transferred.push_back({f.total_bytes, f.digest, f.name.clone()});
          }
        }
      }
      if (m.body.size() > kMaxStoredBodyBytes) return Error{ErrorCode::kTooLarge, "message body too long to store"};
      // Held already: the same entry, or (a forwarded reply) the reply we
      // really sent at that time with that text.
      const bool have = std::any_of(held.begin(), held.end(), [&](const MessageRecord& h) {
        return h.sent_at == m.sent_at && ((h.direction == m.direction && h.body.equals(m.body)) ||
                                          (h.direction == Direction::kOut && is_forwarded_reply(m.direction) &&
                                           h.body.view().size() == e.body.size() &&
                                           std::equal(e.body.begin(), e.body.end(), h.body.view().begin())));
      });
      if (have) continue;
      if (Status st = append_message(txn, c, m); !st) return st.error();
      c.unread++;
    }
    c.last_activity = std::max(c.last_activity, incoming.received_at);
    if (Status st = tables_.proposals.put(txn, proposal_key, encode_seen_mark()); !st) return st.error();
    return KeptCase{std::move(c)};
  };
  return receive_handover_letter(incoming.relay_id, incoming.delete_token, incoming.received_at, apply);
}

}  // namespace meldpunt::adviser
