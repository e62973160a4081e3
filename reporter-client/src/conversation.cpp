#include "conversation.hpp"

#include <algorithm>

#include "clock.hpp"
#include "meldpunt/client/replay.hpp"
#include "meldpunt/protocol/reply_signature.hpp"

namespace meldpunt::reporter {
namespace {

// Recipients for letters to each adviser of `to`: the adviser's verified,
// unexpired medium-term prekey and a verified one-time prekey where the relay
// handed one out. kNotFound (and the advisers in use->without_medium) when
// an adviser has no medium-term prekey: a letter is never sealed to the
// long-term key alone.
Result<std::vector<client::Recipient>> recipients_for(client::RelayConnection& relay,
                                                      const crypto::Directory& directory,
                                                      const std::vector<crypto::AdviserId>& to, PrekeyUse* use) {
  PrekeyUse local;
  PrekeyUse& notes = use != nullptr ? *use : local;
  notes = PrekeyUse{};
  // Ask for prekeys of every adviser, whichever were chosen.
  auto prekeys = client::fetch_prekeys(relay, directory, static_cast<std::uint32_t>(now_seconds() / 86400));
  if (!prekeys) return prekeys.error();
  std::vector<client::Recipient> out;
  for (const crypto::AdviserId& id : to) {
    const crypto::DirectoryEntry* adviser = directory.find(id);
    if (adviser == nullptr) {
      return Error{ErrorCode::kNotFound, "an adviser of this conversation is no longer in the directory"};
    }
    client::Recipient recipient{adviser->message_pk, adviser->fetch_pk, std::nullopt, std::nullopt};
    for (const protocol::BundleEntry& p : *prekeys) {
      if (p.adviser_sign_pk != adviser->sign_pk) continue;
      if (p.prekey) recipient.prekey_pk = p.prekey->pk;
      if (p.medium) recipient.medium_pk = p.medium->pk;
    }
    if (!recipient.medium_pk) notes.without_medium.push_back(id);
    if (!recipient.prekey_pk) notes.without_one_time.push_back(id);
    out.push_back(recipient);
    notes.recipients.push_back(client::Recipient{recipient.message_pk, recipient.fetch_pk, std::nullopt,
                                                 recipient.medium_pk});
  }
  if (!notes.without_medium.empty()) {
    return Error{ErrorCode::kNotFound,
                 "the relay has no current signed medium-term key for an adviser; nothing was sent"};
  }
  return out;
}

}  // namespace

Conversation build_conversation(client::Mailbox mailbox, const crypto::ReporterKeys& keys,
                                const crypto::Directory& directory) {
  Conversation c;
  c.mailbox = std::move(mailbox);
  // A replayed reply would count as a second new reply, a replayed sent copy
  // as a second message: each letter counts once.
  c.replayed = client::drop_replayed(c.mailbox.letters);
  std::vector<protocol::ProposalId> answered;
  std::uint64_t newest_own_letter = 0;
  bool have_own_letter = false;
  auto note_own_letter = [&](const protocol::Letter& letter) {
    c.newest_own_sent_at = std::max(c.newest_own_sent_at, letter.sent_at);
    if (!have_own_letter || letter.sent_at >= newest_own_letter) {
      newest_own_letter = letter.sent_at;
      c.current_recipients = letter.recipients;
      have_own_letter = true;
    }
  };
  for (const client::ReceivedLetter& r : c.mailbox.letters) {
    const bool own = r.sender_pk == keys.message_pk;
    if (own) c.highest_directory_serial = std::max(c.highest_directory_serial, r.letter.directory_serial);
    ConversationEntry e;
    e.sent_at = r.letter.sent_at;
    e.body = &r.letter.body;
    if (r.letter.kind == protocol::LetterKind::kSentCopy && own) {
      e.from_reporter = true;
      e.recipients = r.letter.recipients;
      note_own_letter(r.letter);
    } else if (r.letter.kind == protocol::LetterKind::kHistory && own) {
      auto history = protocol::decode_history(r.letter.body.view());
      if (!history) {
        c.ignored++;
        continue;
      }
      note_own_letter(r.letter);
      c.history_truncated = c.history_truncated || history->truncated;
      c.histories.push_back(std::make_unique<protocol::History>(std::move(history).value()));
      for (const protocol::HistoryEntry& h : c.histories.back()->entries) {
        ConversationEntry he;
        he.sent_at = h.sent_at;
        he.from_reporter = h.from_reporter;
        he.adviser_id = h.adviser_id;
        he.adviser = h.from_reporter ? nullptr : directory.find(h.adviser_id);
        he.recipients = h.recipients;
        he.body = &h.body;
        he.from_history = true;
        he.signature = h.signature;
        c.entries.push_back(he);
        for (const protocol::FileNote& f : h.files) {
          c.files.push_back({h.sent_at, h.from_reporter, h.from_reporter ? crypto::AdviserId{} : h.adviser_id,
                             f.total_bytes, f.digest, f.name.clone(), true});
        }
      }
      continue;
    } else if (r.letter.kind == protocol::LetterKind::kRotate && own) {
      // The move marker (see prepare_rotation): no entry of its own.
      if (r.letter.body.size() != protocol::kRotateBodyBytes) {
        c.ignored++;
        continue;
      }
      c.moved_at = std::max(c.moved_at, r.letter.sent_at);
      continue;
    } else if (r.letter.kind == protocol::LetterKind::kHandoverAnswer && own) {
      auto answer = protocol::decode_answer(r.letter.body.view());
      if (!answer) {
        c.ignored++;
        continue;
      }
      note_own_letter(r.letter);  // its recipients: who reads from now on
      answered.push_back(answer->proposal);
      e.kind = EntryKind::kAnswer;
      e.from_reporter = true;
      e.adviser_id = r.letter.adviser_id;
      e.adviser = directory.find(r.letter.adviser_id);
      e.handover_to = answer->new_adviser;
      e.decision = answer->decision;
      e.body = nullptr;
    } else if (r.letter.kind == protocol::LetterKind::kReply ||
               r.letter.kind == protocol::LetterKind::kHandoverProposal) {
      const crypto::DirectoryEntry* adviser = directory.find(r.letter.adviser_id);
      // A reply or proposal counts only if its authenticated sender is the key
      // the signed directory lists for the adviser it claims to come from.
      if (adviser == nullptr || adviser->message_pk != r.sender_pk) {
        c.ignored++;
        continue;
      }
      e.adviser_id = r.letter.adviser_id;
      e.adviser = adviser;
      if (r.letter.kind == protocol::LetterKind::kReply && r.letter.signature) {
        // Signed for this code's key: kept, to be passed on in histories. A
        // signature that does not verify comes from someone holding the
        // adviser's message key but not the signing key: refused.
        if (!protocol::verify_reply(adviser->id, keys.message_pk, r.letter.sent_at, r.letter.body.view(),
                                    *r.letter.signature, adviser->sign_pk)) {
          c.ignored++;
          continue;
        }
        e.signature = protocol::EntrySignature{keys.message_pk, *r.letter.signature};
      }
      if (r.letter.kind == protocol::LetterKind::kHandoverProposal) {
        auto proposal = protocol::decode_proposal(r.letter.body.view());
        // Signed by the proposing adviser for this reporter's key: the new
        // adviser checks the same signature before accepting the case.
        if (!proposal ||
            !crypto::verify(protocol::kHandoverDomain,
                            protocol::handover_statement(adviser->id, keys.message_pk, proposal->id, proposal->new_adviser),
                            proposal->signature, adviser->sign_pk)) {
          c.ignored++;
          continue;
        }
        c.proposals.push_back(std::make_unique<protocol::HandoverProposal>(std::move(proposal).value()));
        e.kind = EntryKind::kProposal;
        e.proposal = c.proposals.back().get();
        e.handover_to = e.proposal->new_adviser;
        e.body = &e.proposal->note;
      }
    } else if (r.letter.kind == protocol::LetterKind::kAttachmentChunk) {
      continue;  // attachments.cpp checks, assembles and lists these
    } else {
      c.ignored++;
      continue;
    }
    c.entries.push_back(e);
  }
  std::stable_sort(c.entries.begin(), c.entries.end(),
                   [](const ConversationEntry& a, const ConversationEntry& b) { return a.sent_at < b.sent_at; });
  // "New" is judged from the conversation alone: the reporter has seen every
  // reply that came before its own latest message. Times have one-second
  // resolution; a reply in the same second as that message counts as new
  // (better shown twice than missed).
  std::uint64_t newest_own = 0;
  for (const ConversationEntry& e : c.entries) {
    if (e.from_reporter) newest_own = std::max(newest_own, e.sent_at);
  }
  for (ConversationEntry& e : c.entries) {
    e.is_new = e.kind == EntryKind::kMessage && !e.from_reporter && e.sent_at >= newest_own;
    if (e.is_new) c.new_replies++;
  }

  // Who holds part of the conversation without receiving the next message.
  const auto current = [&](const crypto::AdviserId& id) {
    return std::find(c.current_recipients.begin(), c.current_recipients.end(), id) != c.current_recipients.end();
  };
  const auto note_earlier = [&](const crypto::AdviserId& id) {
    if (id != crypto::AdviserId{} && !current(id) &&
        std::find(c.earlier_readers.begin(), c.earlier_readers.end(), id) == c.earlier_readers.end()) {
      c.earlier_readers.push_back(id);
    }
  };
  for (const ConversationEntry& e : c.entries) {
    if (e.kind != EntryKind::kMessage) continue;
    if (e.from_reporter) {
      for (const crypto::AdviserId& id : e.recipients) note_earlier(id);
    } else {
      note_earlier(e.adviser_id);
    }
  }

  // Open proposals: every one not answered yet, from an adviser who still
  // reads the conversation, naming another adviser of the directory, oldest
  // first. Each is asked about: the adviser keeps every unanswered proposal
  // open, and two sent in the same second could not be told apart by age.
  for (const ConversationEntry& e : c.entries) {
    if (e.kind != EntryKind::kProposal || !current(e.adviser_id) || e.handover_to == e.adviser_id) continue;
    const bool is_answered = std::any_of(answered.begin(), answered.end(),
                                         [&](const protocol::ProposalId& id) { return id == e.proposal->id; });
    const crypto::DirectoryEntry* to = directory.find(e.handover_to);
    if (!is_answered && to != nullptr) c.pending_proposals.push_back({e.sent_at, e.adviser, to, e.proposal});
  }
  return c;
}

std::uint64_t next_own_time(const Conversation& conversation) {
  return std::max(now_seconds(), conversation.newest_own_sent_at + 1);
}

Result<std::vector<client::Outgoing>> prepare_report(client::RelayConnection& relay, const crypto::ReporterKeys& keys,
                                                     const crypto::Directory& directory,
                                                     const std::vector<crypto::AdviserId>& to,
                                                     const crypto::SecretBuffer& body, std::uint64_t sent_at,
                                                     PrekeyUse* use) {
  if (to.empty()) return Error{ErrorCode::kMalformed, "no adviser chosen"};
  if (to.size() + 1 > protocol::kMaxDepositsPerRequest) return Error{ErrorCode::kTooLarge, "too many advisers"};
  if (body.size() > protocol::max_body_bytes(to.size())) {
    return Error{ErrorCode::kTooLarge,
                 "message too long (at most " + std::to_string(protocol::max_body_bytes(to.size())) + " bytes)"};
  }
  auto recipients = recipients_for(relay, directory, to, use);
  if (!recipients) return recipients.error();

  if (sent_at == 0) sent_at = now_seconds();
  std::vector<client::Outgoing> outgoing;
  for (std::size_t i = 0; i < to.size(); ++i) {
    protocol::Letter letter;
    letter.kind = protocol::LetterKind::kReport;
    letter.sent_at = sent_at;
    letter.directory_serial = directory.serial;
    letter.adviser_id = to[i];
    letter.reporter_fetch_pk = keys.fetch_pk;
    letter.recipients = to;
    letter.body = body.clone();
    auto item = client::prepare_letter(letter, (*recipients)[i], keys.message_sk, keys.message_pk);
    if (!item) return item.error();
    outgoing.push_back(std::move(item).value());
  }
  protocol::Letter copy;
  copy.kind = protocol::LetterKind::kSentCopy;
  copy.sent_at = sent_at;
  copy.directory_serial = directory.serial;  // read back by later runs of this code
  copy.reporter_fetch_pk = keys.fetch_pk;
  copy.recipients = to;
  copy.body = body.clone();
  auto own = client::prepare_letter(copy, {keys.message_pk, keys.fetch_pk, std::nullopt, std::nullopt}, keys.message_sk,
                                    keys.message_pk);
  if (!own) return own.error();
  outgoing.push_back(std::move(own).value());
  return outgoing;
}

Result<Rotation> prepare_rotation(client::RelayConnection& relay, const crypto::ReporterKeys& old_keys,
                                  const crypto::ReporterKeys& new_keys, const crypto::Directory& directory,
                                  const Conversation& conversation, PrekeyUse* use) {
  const std::vector<crypto::AdviserId>& to = conversation.current_recipients;
  if (to.empty()) return Error{ErrorCode::kNotFound, "no conversation found for this code"};
  // A notice per adviser, the history for the new code and the move marker,
  // in one deposit.
  if (to.size() + 2 > protocol::kMaxDepositsPerRequest) return Error{ErrorCode::kTooLarge, "too many advisers"};
  auto recipients = recipients_for(relay, directory, to, use);
  if (!recipients) return recipients.error();

  Rotation rotation;
  const std::uint64_t sent_at = next_own_time(conversation);
  for (std::size_t i = 0; i < to.size(); ++i) {
    protocol::Letter letter;
    letter.kind = protocol::LetterKind::kRotate;
    letter.sent_at = sent_at;
    letter.directory_serial = directory.serial;
    letter.adviser_id = to[i];
    letter.reporter_fetch_pk = new_keys.fetch_pk;
    letter.recipients = to;
    letter.body = crypto::SecretBuffer::copy_of(ByteView(new_keys.message_pk.data(), new_keys.message_pk.size()));
    // Sealed by the OLD key: the adviser's client finds the case by it.
    auto item = client::prepare_letter(letter, (*recipients)[i], old_keys.message_sk, old_keys.message_pk);
    if (!item) return item.error();
    rotation.items.push_back(std::move(item).value());
  }
  protocol::Letter carry;
  carry.kind = protocol::LetterKind::kHistory;
  carry.sent_at = sent_at;
  carry.directory_serial = directory.serial;
  carry.reporter_fetch_pk = new_keys.fetch_pk;
  carry.recipients = to;
  carry.body = protocol::encode_history(history_of(conversation, protocol::max_body_bytes(to.size()), rotation.dropped));
  auto own = client::prepare_letter(carry, {new_keys.message_pk, new_keys.fetch_pk, std::nullopt, std::nullopt},
                                    new_keys.message_sk, new_keys.message_pk);
  if (!own) return own.error();
  rotation.items.push_back(std::move(own).value());
  // The move marker: the advisers' notice, sealed by and to the OLD code
  // itself, so that the old code knows it has moved (check says so, reply
  // refuses) also when its letters are kept for their attachments. It is
  // not among the letters rotate deletes, and expires like any letter.
  protocol::Letter marker;
  marker.kind = protocol::LetterKind::kRotate;
  marker.sent_at = sent_at;
  marker.reporter_fetch_pk = new_keys.fetch_pk;
  marker.recipients = to;
  marker.body = crypto::SecretBuffer::copy_of(ByteView(new_keys.message_pk.data(), new_keys.message_pk.size()));
  auto moved = client::prepare_letter(marker, {old_keys.message_pk, old_keys.fetch_pk, std::nullopt, std::nullopt},
                                      old_keys.message_sk, old_keys.message_pk);
  if (!moved) return moved.error();
  rotation.items.push_back(std::move(moved).value());
  return rotation;
}

std::vector<crypto::AdviserId> readers_after(const Conversation& conversation, const PendingProposal& pending,
                                             protocol::HandoverDecision decision) {
  std::vector<crypto::AdviserId> readers = conversation.current_recipients;
  if (decision == protocol::HandoverDecision::kAccept) {
    std::erase(readers, pending.from->id);
    if (std::find(readers.begin(), readers.end(), pending.to->id) == readers.end()) readers.push_back(pending.to->id);
  }
  return readers;
}

Result<HandoverAnswerLetters> prepare_handover_answer(client::RelayConnection& relay, const crypto::ReporterKeys& keys,
                                                      const crypto::Directory& directory,
                                                      const Conversation& conversation, const PendingProposal& pending,
                                                      protocol::HandoverDecision decision, PrekeyUse* use) {
  const bool accept = decision == protocol::HandoverDecision::kAccept;
  const crypto::AdviserId& from = pending.from->id;
  const crypto::AdviserId& to = pending.to->id;
  HandoverAnswerLetters out;
  out.readers_after = readers_after(conversation, pending, decision);
  std::vector<crypto::AdviserId> to_advisers{from};
  if (accept) to_advisers.push_back(to);
  auto recipients = recipients_for(relay, directory, to_advisers, use);
  if (!recipients) return recipients.error();

  protocol::HandoverAnswer answer;
  answer.proposal = pending.proposal->id;
  answer.decision = decision;
  answer.new_adviser = to;
  // After every own letter: the answer's recipients decide whom the next
  // message goes to, so it must be the newest own letter.
  const std::uint64_t sent_at = next_own_time(conversation);
  auto answer_letter = [&]() {
    protocol::Letter letter;
    letter.kind = protocol::LetterKind::kHandoverAnswer;
    letter.sent_at = sent_at;
    letter.directory_serial = directory.serial;
    letter.adviser_id = from;
    letter.reporter_fetch_pk = keys.fetch_pk;
    letter.recipients = out.readers_after;
    letter.body = protocol::encode_answer(answer);
    return letter;
  };
  protocol::Letter answer_to_proposer = answer_letter();
  auto to_proposer = client::prepare_letter(answer_to_proposer, (*recipients)[0], keys.message_sk, keys.message_pk);
  if (!to_proposer) return to_proposer.error();
  out.items.push_back(std::move(to_proposer).value());
  if (accept) {
    protocol::HandoverTransfer transfer;
    transfer.proposer = from;
    transfer.proposal = pending.proposal->id;
    transfer.signature = pending.proposal->signature;
    transfer.history = handover_history(conversation, out.readers_after.size(), out.dropped);
    protocol::Letter carry;
    carry.kind = protocol::LetterKind::kHandoverHistory;
    carry.sent_at = sent_at;
    carry.directory_serial = directory.serial;
    carry.adviser_id = to;
    carry.reporter_fetch_pk = keys.fetch_pk;
    carry.recipients = out.readers_after;
    carry.body = protocol::encode_transfer(transfer);
    auto to_new = client::prepare_letter(carry, (*recipients)[1], keys.message_sk, keys.message_pk);
    if (!to_new) return to_new.error();
    out.items.push_back(std::move(to_new).value());
  }
  protocol::Letter own_copy = answer_letter();
  auto own = client::prepare_letter(own_copy, {keys.message_pk, keys.fetch_pk, std::nullopt, std::nullopt}, keys.message_sk,
                                    keys.message_pk);
  if (!own) return own.error();
  out.items.push_back(std::move(own).value());
  return out;
}

std::size_t envelope_bytes(const std::vector<client::Outgoing>& items) {
  std::size_t total = 0;
  for (const client::Outgoing& o : items) total += o.envelope.size();
  return total;
}

}  // namespace meldpunt::reporter
