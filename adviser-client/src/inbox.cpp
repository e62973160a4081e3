#include "inbox.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "attachments.hpp"
#include "meldpunt/client/retrieval.hpp"
#include "meldpunt/crypto/random.hpp"
#include "meldpunt/crypto/sign.hpp"
#include "meldpunt/protocol/handover.hpp"
#include "meldpunt/protocol/letter.hpp"
#include "meldpunt/protocol/reply_signature.hpp"
#include "meldpunt/protocol/wire.hpp"
#include "text.hpp"

namespace meldpunt::adviser {
namespace {

static_assert(protocol::kRotateBodyBytes == crypto::X25519PublicKey{}.size(),
              "a kRotate body is exactly one reporter message public key");

// The first prekey-upload counter of a day: the day number in the high 32
// bits. Counters must keep rising even after an identity is restored from an
// older backup (the relay remembers the last one), yet the relay stores them,
// so they may date an upload to the day but no finer (docs/THREAT_MODEL.md).
std::uint64_t day_counter_base() { return (now_seconds() / 86400) << 32; }

// One signed upload of `count` fresh prekeys (0: only asks for the count);
// the relay's count afterwards.
Result<std::uint32_t> upload_batch(client::RelayConnection& relay, KeyFile& key_file, std::size_t count) {
  count = std::min<std::size_t>(count, protocol::kMaxPrekeysPerUpload);
  crypto::AdviserIdentity& identity = key_file.identity();
  if (identity.prekeys.size() + count > crypto::kMaxPrekeysHeld) {
    // Oldest first: make_prekeys appends, so the front holds the oldest.
    const std::size_t excess = identity.prekeys.size() + count - crypto::kMaxPrekeysHeld;
    identity.prekeys.erase(identity.prekeys.begin(), identity.prekeys.begin() + static_cast<std::ptrdiff_t>(excess));
  }
  const std::vector<crypto::SignedPrekey> fresh = identity.make_prekeys(count);
  const std::uint64_t counter = std::max(identity.upload_counter + 1, day_counter_base());
  identity.upload_counter = counter;
  // Every upload carries the current medium-term prekey (a new one if it was
  // due), so a relay that lost it has it again after one inbox run.
  const std::uint32_t today = static_cast<std::uint32_t>(now_seconds() / 86400);
  identity.rotate_medium(today);
  std::optional<crypto::SignedMediumPrekey> medium;
  if (const crypto::MediumPrekey* current = identity.current_medium(today)) medium = current->public_half();
  // Secrets on disk before the public halves leave: a report to any
  // uploaded prekey can always be opened.
  if (Status s = key_file.save(); !s) return s.error();

  auto reply = relay.call(protocol::make_prekey_upload_request(identity.sign, counter, fresh, medium));
  if (!reply) {
    Error e = reply.error();  // still the relay's refusal, if it was one
    e.message = "prekey upload: " + e.message;
    return e;
  }
  if (reply->fields.size() != 1 || reply->fields[0].size() != 4) {
    return Error{ErrorCode::kMalformed, "relay sent a malformed answer to a prekey upload"};
  }
  return read_u32_le(reply->fields[0].data());
}

// Deletes every relay message the store still marks pending, and the
// copies this run found again (`seen_again`: stored earlier, deletion marked
// done, yet still at the relay) or refused, all together: each on a
// connection of its own, in random order (client::delete_messages), so the
// relay cannot tell which deletes came from one run. Those that fail stay
// pending for the next run (refused letters are simply refused again); fails
// only if the store itself fails.
Status delete_at_relay(client::RelayConnection& relay, CaseStore& store, InboxSummary& summary,
                       const std::vector<PendingDelete>& seen_again = {},
                       const std::vector<PendingDelete>& refused = {}) {
  auto pending = store.pending_deletes();
  if (!pending) return pending.error();
  std::vector<client::DeleteRequest> requests;
  const std::vector<PendingDelete>& stored = *pending;
  for (const std::vector<PendingDelete>* list : {&stored, &seen_again, &refused}) {
    for (const PendingDelete& p : *list) requests.push_back({p.relay_id, p.delete_token});
  }
  const std::vector<Status> done = client::delete_messages(relay, requests);
  std::size_t left = pending->size();
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const Status& s = done[i];
    if (s) summary.deleted++;
    if (i >= pending->size() + seen_again.size()) continue;  // refused: not in the store
    // kNotFound: gone already (deleted by an earlier run whose answer was
    // lost, or expired). kUnauthorised: the sender put a verifier beside
    // the message that does not match the token inside it; retrying cannot
    // help, and the record still stops the message being stored twice.
    const bool settled = s || s.error().code == ErrorCode::kNotFound ||
                         (i < pending->size() && s.error().code == ErrorCode::kUnauthorised);
    if (!settled) continue;
    if (Status m = store.mark_deleted(requests[i].id); !m) return m;
    if (i < pending->size()) --left;
  }
  summary.delete_pending = left;
  return Status::success();
}

}  // namespace

Result<PrekeyTopUp> top_up_prekeys(client::RelayConnection& relay, KeyFile& key_file, std::uint64_t now,
                                   std::uint32_t target) {
  PrekeyTopUp result;
  result.checked = true;
  // The uploads are signed: they name this adviser. They travel on a
  // connection of their own that carries nothing anonymous (PROTOCOL.md,
  // "Connections"), so nothing else this run sends is tied to the adviser.
  std::unique_ptr<client::RelayConnection> identified = relay.open_another();
  auto count = upload_batch(*identified, key_file, 0);  // a signed upload of nothing: the relay's count
  if (!count) return count.error();
  result.at_relay = *count;
  if (*count < target) {
    const std::size_t batch = std::min<std::size_t>(target - *count, protocol::kMaxPrekeysPerUpload);
    count = upload_batch(*identified, key_file, batch);
    if (!count) return count.error();
    result.uploaded = batch;
    result.at_relay = *count;
  }
  key_file.profile().relay_prekeys = result.at_relay;
  key_file.profile().prekeys_checked_at = now;
  if (Status s = key_file.save(); !s) return s.error();
  return result;
}

Status check_own_entry(const crypto::Directory& directory, const KeyFile& key_file) {
  const crypto::DirectoryEntry* entry = directory.find(key_file.profile().id);
  if (entry == nullptr) {
    return Status(ErrorCode::kNotFound,
                  "you are not in the adviser directory the relay publishes (serial " +
                      std::to_string(directory.serial) +
                      "); hand your card (`adviser-client card`) to the administrator, who adds it with "
                      "`relay directory sign` and `relay directory publish`");
  }
  const crypto::AdviserIdentity& identity = key_file.identity();
  if (entry->sign_pk != identity.sign.pk || entry->message_pk != identity.message.pk ||
      entry->fetch_pk != identity.fetch.pk) {
    return Status(ErrorCode::kUnauthorised,
                  "the published directory lists other keys under your adviser id; ask the administrator to "
                  "sign and publish your current card");
  }
  return Status::success();
}

Result<InboxSummary> sync_inbox(client::RelayConnection& relay, const crypto::Directory& directory,
                                KeyFile& key_file, CaseStore& store) {
  InboxSummary summary;
  if (Status s = check_own_entry(directory, key_file); !s) return s.error();

  if (Status s = delete_at_relay(relay, store, summary); !s) return s.error();

  if (auto topped = top_up_prekeys(relay, key_file, now_seconds()); topped) {
    summary.prekeys = *topped;
  } else if (topped.error().code == ErrorCode::kUnavailable) {
    return topped.error();
  } else {
    summary.prekey_error = topped.error();
  }

  const crypto::AdviserIdentity& identity = key_file.identity();
  client::MailboxKeys keys;
  keys.fetch_sk = &identity.fetch.sk;
  keys.message_sk = &identity.message.sk;
  keys.message_pk = identity.message.pk;
  keys.prekeys.one_time = [&identity](const crypto::PrekeyId& id) { return identity.find_prekey_by_id(id); };
  keys.prekeys.medium = [&identity](const crypto::PrekeyId& id) { return identity.find_medium_by_id(id); };
  // The day this run's fetch starts: everything sealed to a medium-term
  // prekey whose cut-off day was before it is in this fetch.
  const auto fetch_day = static_cast<std::uint32_t>(now_seconds() / 86400);
  // The fetch answer is kept: the pieces of files announced in the letters
  // are found in it afterwards (attachments.hpp, collect_announced_pieces).
  auto fetched = client::fetch_answer(relay);
  if (!fetched) return fetched.error();
  auto mailbox = client::read_mailbox(relay, *fetched, keys);
  if (!mailbox) return mailbox.error();
  summary.unreadable = mailbox->unreadable;

  const crypto::AdviserId& own_id = key_file.profile().id;
  // One-time prekeys whose envelopes this run opened and dealt with: their
  // secrets go once everything is stored. Letters that are no report for us
  // (ignored) and envelopes without a valid letter included: no later run
  // can do more with them.
  std::vector<crypto::X25519PublicKey> used_prekeys = mailbox->spent_prekeys;
  std::vector<PendingDelete> seen_again;  // stored by an earlier run, yet still at the relay
  std::vector<PendingDelete> refused;     // ours, but not to be stored: deleted at the relay
  // Letters are applied in the order the reporter sent them, a move to a new
  // code before a report sent at the same second: a report written with the
  // new code after a move then joins the moved case even when both arrive in
  // one run, and a report sent before the move is stored before its key
  // retires.
  std::vector<const client::ReceivedLetter*> ordered;
  for (const client::ReceivedLetter& received : mailbox->letters) ordered.push_back(&received);
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
  std::stable_sort(ordered.begin(), ordered.end(), [&](const client::ReceivedLetter* a, const client::ReceivedLetter* b) {
    return a->letter.sent_at != b->letter.sent_at ? a->letter.sent_at < b->letter.sent_at : rank(a) < rank(b);
  });

  auto apply_rotation = [&](const client::ReceivedLetter& received) -> Status {
    const protocol::Letter& letter = received.letter;
    IncomingRotation rotation;
    rotation.relay_id = received.id;
    rotation.delete_token = letter.delete_token;
    rotation.old_message_pk = received.sender_pk;
    rotation.new_fetch_pk = letter.reporter_fetch_pk;
    rotation.received_at = now_seconds();
    if (letter.body.size() != protocol::kRotateBodyBytes) {
      summary.refused++;
      refused.push_back({received.id, letter.delete_token});
      return Status::success();
    }
    std::copy(letter.body.data(), letter.body.data() + letter.body.size(), rotation.new_message_pk.begin());
    auto outcome = store.record_rotation(rotation);
    if (!outcome) return outcome.error();
    switch (outcome->outcome) {
      case RotationOutcome::kMoved: summary.moved++; break;
      case RotationOutcome::kAlreadyKnown:
        summary.already_stored++;
        seen_again.push_back({received.id, letter.delete_token});
        break;
      case RotationOutcome::kUnknownSender:
      case RotationOutcome::kRefused:
        summary.refused++;
        refused.push_back({received.id, letter.delete_token});
        break;
      case RotationOutcome::kReplayed:
        summary.replayed++;
        refused.push_back({received.id, letter.delete_token});
        break;
    }
    return Status::success();
  };

  // Letters that are ours but cannot be applied are refused and deleted.
  auto refuse = [&](const client::ReceivedLetter& received) {
    summary.refused++;
    refused.push_back({received.id, received.letter.delete_token});
  };
  auto other_advisers_of = [&](const std::vector<crypto::AdviserId>& ids) {
    std::vector<OtherAdviser> others;
    for (const crypto::AdviserId& id : ids) {
      if (id == own_id) continue;
      const crypto::DirectoryEntry* entry = directory.find(id);
      others.push_back({id, entry != nullptr ? entry->name : std::string()});
    }
    return others;
  };
  auto note_outcome = [&](const client::ReceivedLetter& received, HandoverOutcome outcome) {
    if (outcome == HandoverOutcome::kAlreadyKnown) {
      summary.already_stored++;
      seen_again.push_back({received.id, received.letter.delete_token});
    } else if (outcome == HandoverOutcome::kReplayed) {
      summary.replayed++;
      refused.push_back({received.id, received.letter.delete_token});
    } else if (outcome != HandoverOutcome::kApplied) {
      refuse(received);
    }
  };

  auto apply_answer = [&](const client::ReceivedLetter& received) -> Status {
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
    auto result = store.record_handover_answer(incoming);
    if (!result) return result.error();
    if (result->outcome == HandoverOutcome::kApplied) (result->accepted ? summary.handed_over : summary.handover_declined)++;
    note_outcome(received, result->outcome);
    return Status::success();
  };

  // A case handed to us: only if the adviser the directory lists really
  // proposed handing THIS reporter's case (the envelope's sender) to US; the
  // signature in the letter proves that. Without it anyone could plant a
  // "handed over" case with words put in a colleague's mouth.
  auto apply_handover = [&](const client::ReceivedLetter& received) -> Status {
    auto transfer = protocol::decode_transfer(received.letter.body.view());
    const crypto::DirectoryEntry* proposer = transfer ? directory.find(transfer->proposer) : nullptr;
    if (proposer == nullptr || transfer->proposer == own_id ||
        !crypto::verify(protocol::kHandoverDomain,
                        protocol::handover_statement(transfer->proposer, received.sender_pk, transfer->proposal, own_id),
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
        const crypto::DirectoryEntry* entry = directory.find(h.adviser_id);
        const bool verified = entry != nullptr && h.signature &&
                              protocol::verify_reply(h.adviser_id, h.signature->reporter_message_pk, h.sent_at,
                                                     h.body.view(), h.signature->signature, entry->sign_pk);
        e.direction = verified ? Direction::kEarlierVerified : Direction::kEarlier;
        e.adviser_name = entry != nullptr ? terminal_safe_label(entry->name) : "adviser " + to_hex(h.adviser_id);
        if (h.adviser_id == own_id) e.adviser_name += verified ? ", you" : ", your own name";
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
    auto result = store.record_handover(incoming);
    if (!result) return result.error();
    if (result->outcome == HandoverOutcome::kApplied) summary.received_by_handover++;
    note_outcome(received, result->outcome);
    return Status::success();
  };

  // Attachment pieces are applied in order with everything else, so pieces
  // sent before a move to a new code land before the old code retires. A
  // piece whose case does not exist yet waits for a report from its sender
  // later in this run (pieces are deposited before their message).
  std::uint64_t max_file_bytes = protocol::kDefaultMaxAttachmentBytes;
  std::optional<std::uint32_t> max_stored_days;  // how long the relay keeps a message at most
  if (auto policy = client::fetch_policy(relay)) {
    max_file_bytes = policy->max_attachment_bytes;
    max_stored_days = policy->retention_days + policy->retention_fuzz_days;
  }
  std::vector<const client::ReceivedLetter*> waiting;
  auto apply_piece = [&](const client::ReceivedLetter& received) -> Result<PieceOutcome> {
    // Pieces carry no one-time prekey (docs/PROTOCOL.md), so none is erased for them.
    return apply_attachment_piece(store, received, max_file_bytes, summary, seen_again, refused);
  };
  auto apply_waiting_from = [&](const crypto::X25519PublicKey& sender) -> Status {
    std::vector<const client::ReceivedLetter*> still;
    for (const client::ReceivedLetter* w : waiting) {
      if (w->sender_pk != sender) {
        still.push_back(w);
        continue;
      }
      auto outcome = apply_piece(*w);
      if (!outcome) return outcome.error();
      if (*outcome == PieceOutcome::kNoCase) still.push_back(w);
    }
    waiting = std::move(still);
    return Status::success();
  };

  for (const client::ReceivedLetter* received_ptr : ordered) {
    const client::ReceivedLetter& received = *received_ptr;
    const protocol::Letter& letter = received.letter;
    if (letter.kind == protocol::LetterKind::kAttachmentChunk && letter.adviser_id == own_id) {
      auto outcome = apply_piece(received);
      if (!outcome) return outcome.error();
      if (*outcome == PieceOutcome::kNoCase) waiting.push_back(&received);
      continue;
    }
    if (letter.kind == protocol::LetterKind::kRotate && letter.adviser_id == own_id) {
      if (Status s = apply_rotation(received); !s) return s.error();
      if (received.prekey_pk) used_prekeys.push_back(*received.prekey_pk);
      continue;
    }
    if (letter.kind == protocol::LetterKind::kHandoverAnswer && letter.adviser_id == own_id) {
      if (Status s = apply_answer(received); !s) return s.error();
      if (received.prekey_pk) used_prekeys.push_back(*received.prekey_pk);
      continue;
    }
    if (letter.kind == protocol::LetterKind::kHandoverHistory && letter.adviser_id == own_id) {
      if (Status s = apply_handover(received); !s) return s.error();
      if (received.prekey_pk) used_prekeys.push_back(*received.prekey_pk);
      continue;
    }
    if (letter.kind != protocol::LetterKind::kReport || letter.adviser_id != own_id) {
      summary.ignored++;
      if (received.prekey_pk) used_prekeys.push_back(*received.prekey_pk);
      continue;
    }
    IncomingReport report;
    report.relay_id = received.id;
    report.delete_token = letter.delete_token;
    report.reporter_message_pk = received.sender_pk;
    report.reporter_fetch_pk = letter.reporter_fetch_pk;
    report.sent_at = letter.sent_at;
    report.received_at = now_seconds();
    report.other_advisers = other_advisers_of(letter.recipients);
    report.body = letter.body.view();
    auto outcome = store.record_incoming(report);
    if (!outcome) return outcome.error();  // nothing deleted yet: the next run tries again
    if (outcome->retired) {
      summary.refused++;
      refused.push_back({received.id, letter.delete_token});
      if (std::find(summary.refused_cases.begin(), summary.refused_cases.end(), outcome->case_key) ==
          summary.refused_cases.end()) {
        summary.refused_cases.push_back(outcome->case_key);
      }
    } else if (outcome->replayed) {
      summary.replayed++;
      refused.push_back({received.id, letter.delete_token});
    } else if (outcome->stored) {
      summary.stored++;
      if (outcome->handed_over) summary.to_handed_over++;
    } else {
      summary.already_stored++;
      seen_again.push_back({received.id, letter.delete_token});
    }
    // Stored now or by an earlier run that stopped before this: the files
    // it announces (idempotent by file id).
    if (!outcome->retired && !outcome->replayed && !letter.files.empty()) {
      if (Status s = record_announced_files(store, outcome->case_key, received, max_file_bytes, summary); !s) {
        return s.error();
      }
    }
    if (received.prekey_pk) used_prekeys.push_back(*received.prekey_pk);
    if (!outcome->retired && !outcome->replayed) {
      if (Status s = apply_waiting_from(received.sender_pk); !s) return s.error();
    }
  }
  std::vector<crypto::MessageId> read_as_letters;
  for (const client::ReceivedLetter& r : mailbox->letters) read_as_letters.push_back(r.id);
  if (Status s = collect_announced_pieces(relay, *fetched, store, max_stored_days, read_as_letters, summary); !s) {
    return s.error();
  }

  // Pieces still without a case stay at the relay for a later run, unless
  // their report has not come for a week: an upload that broke off.
  for (const client::ReceivedLetter* w : waiting) {
    if (w->letter.sent_at + kMaxPieceWaitSeconds < now_seconds()) {
      summary.pieces_expired++;
      refused.push_back({w->id, w->letter.delete_token});
    } else {
      summary.attachment_pieces_waiting++;
    }
  }

  // Medium-term prekeys: this run saw everything deposited before its fetch
  // unless pieces still wait for their report (they stay at the relay and
  // need their key next run). Then every medium-term prekey whose cut-off
  // day was before the fetch is spent; and whatever the inbox did, one whose
  // cut-off lies further back than the relay keeps messages.
  // (Set, not raised: a day left ahead by a clock that was wrong must not
  // erase keys early once the clock is right again.)
  if (summary.attachment_pieces_waiting == 0) key_file.identity().clean_inbox_day = fetch_day;
  // Without the relay's policy, only what this adviser's own runs prove.
  summary.medium_erased = key_file.identity().erase_spent_medium(static_cast<std::uint32_t>(now_seconds() / 86400),
                                                                 max_stored_days.value_or(UINT32_MAX));
  for (const crypto::X25519PublicKey& pk : used_prekeys) key_file.identity().erase_prekey(pk);
  // Each was taken from the relay's pool, possibly after the last count:
  // assume the worst so the next run tops up sooner rather than later.
  std::uint32_t& remembered = key_file.profile().relay_prekeys;
  remembered -= std::min<std::uint32_t>(remembered, static_cast<std::uint32_t>(used_prekeys.size()));
  if (Status s = key_file.save(); !s) return s.error();

  if (Status s = delete_at_relay(relay, store, summary, seen_again, refused); !s) return s.error();
  return summary;
}

protocol::Letter signed_reply(const crypto::AdviserId& own_id, const crypto::AdviserIdentity& identity,
                              const crypto::X25519PublicKey& reporter_message_pk, std::uint64_t sent_at,
                              const crypto::SecretBuffer& body) {
  protocol::Letter letter;
  letter.kind = protocol::LetterKind::kReply;
  letter.sent_at = sent_at;
  letter.adviser_id = own_id;
  letter.body = body.clone();
  // Signed for this reporter's key, so that the reporter's client can forward
  // it (rotate, hand-over) and its reader can check it came from us.
  letter.signature = protocol::sign_reply(own_id, reporter_message_pk, sent_at, body.view(), identity.sign.sk);
  return letter;
}

Result<crypto::MessageId> send_reply(client::RelayConnection& relay, const KeyFile& key_file, CaseStore& store,
                                     const CaseRecord& case_record, const crypto::SecretBuffer& body) {
  if (body.empty()) return Error{ErrorCode::kMalformed, "the reply is empty"};
  if (body.size() > protocol::max_reply_body_bytes()) {
    return Error{ErrorCode::kTooLarge,
                 "the reply is longer than " + std::to_string(protocol::max_reply_body_bytes()) + " bytes"};
  }
  const crypto::AdviserIdentity& identity = key_file.identity();
  protocol::Letter letter = signed_reply(key_file.profile().id, identity, case_record.reporter_message_pk,
                                         now_seconds(), body);

  client::Recipient to;
  to.message_pk = case_record.reporter_message_pk;
  to.fetch_pk = case_record.reporter_fetch_pk;
  auto outgoing = client::prepare_letter(letter, to, identity.message.sk, identity.message.pk);
  if (!outgoing) return outgoing.error();
  std::vector<client::Outgoing> items;
  items.push_back(std::move(outgoing).value());
  auto ids = client::deposit_all(relay, items);
  if (!ids) return ids.error();
  const crypto::MessageId id = ids->front();
  if (Status s = store.record_outgoing(case_record.key, letter.sent_at, now_seconds(), id, body.view()); !s) {
    return Error{s.error().code, "the reply was sent, but keeping its copy in the case failed: " + s.error().message};
  }
  return id;
}

Result<protocol::ProposalId> propose_handover(client::RelayConnection& relay, const KeyFile& key_file,
                                              CaseStore& store, const CaseRecord& case_record,
                                              const crypto::DirectoryEntry& to, const crypto::SecretBuffer& note) {
  if (to.id == key_file.profile().id) return Error{ErrorCode::kMalformed, "you cannot hand a case over to yourself"};
  if (note.size() > protocol::kMaxHandoverNoteBytes) {
    return Error{ErrorCode::kTooLarge,
                 "the note is longer than " + std::to_string(protocol::kMaxHandoverNoteBytes) + " bytes"};
  }
  if (case_record.handed_over()) {
    return Error{ErrorCode::kMalformed,
                 "the reporter accepted an earlier hand-over of this case; the other adviser handles it now"};
  }
  const crypto::AdviserIdentity& identity = key_file.identity();
  const crypto::AdviserId& own_id = key_file.profile().id;
  protocol::HandoverProposal proposal;
  crypto::random_fill(proposal.id);
  proposal.new_adviser = to.id;
  proposal.note = note.clone();
  proposal.signature = crypto::sign(
      protocol::kHandoverDomain,
      protocol::handover_statement(own_id, case_record.reporter_message_pk, proposal.id, to.id), identity.sign.sk);

  protocol::Letter letter;
  letter.kind = protocol::LetterKind::kHandoverProposal;
  letter.sent_at = now_seconds();
  letter.adviser_id = own_id;
  letter.body = protocol::encode_proposal(proposal);

  client::Recipient recipient;
  recipient.message_pk = case_record.reporter_message_pk;
  recipient.fetch_pk = case_record.reporter_fetch_pk;
  auto outgoing = client::prepare_letter(letter, recipient, identity.message.sk, identity.message.pk);
  if (!outgoing) return outgoing.error();
  // Recorded before it leaves: whatever happens next, the reporter's answer
  // finds the proposal it names.
  if (Status s = store.record_handover_proposal(case_record.key, proposal.id, to, letter.sent_at); !s) return s.error();
  std::vector<client::Outgoing> items;
  items.push_back(std::move(outgoing).value());
  auto ids = client::deposit_all(relay, items);
  if (!ids) {
    // Refused by the relay: it was never stored, so withdraw it. When the
    // answer was lost (no reply in time) it may have been stored: keep it.
    if (ids.error().code != ErrorCode::kUnavailable) (void)store.withdraw_handover_proposal(case_record.key, proposal.id);
    return ids.error();
  }
  return proposal.id;
}

}  // namespace meldpunt::adviser
