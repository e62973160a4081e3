#include "conversation.hpp"

#include <algorithm>

#include "clock.hpp"
#include "meldpunt/client/replay.hpp"
#include "meldpunt/protocol/reply_signature.hpp"

namespace meldpunt::reporter {
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
      if (r.letter.kind == protocol::LetterKind::kReply && !r.letter.signature &&
          !protocol::unsigned_replies_accepted(now_seconds())) {
        c.ignored++;
        continue;
      }
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

std::vector<crypto::AdviserId> readers_after(const Conversation& conversation, const PendingProposal& pending,
                                             protocol::HandoverDecision decision) {
  std::vector<crypto::AdviserId> readers = conversation.current_recipients;
  if (decision == protocol::HandoverDecision::kAccept) {
    std::erase(readers, pending.from->id);
    if (std::find(readers.begin(), readers.end(), pending.to->id) == readers.end()) readers.push_back(pending.to->id);
  }
  return readers;
}

}  // namespace meldpunt::reporter
