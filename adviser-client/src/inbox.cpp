#include "inbox.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "attachments.hpp"
#include "inbox_apply.hpp"
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
  std::vector<crypto::MessageId> settled_ids;  // marked in one commit below
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
    settled_ids.push_back(requests[i].id);
    if (i < pending->size()) --left;
  }
  if (Status m = store.mark_deleted(settled_ids); !m) return m;
  summary.delete_pending = left;
  return Status::success();
}

// Step 3, network only (the store is read for its pending file keys):
// the fetch, our letters opened, the relay's policy, and the pieces of files
// announced with a file key, found in the same fetch answer. A failure to
// collect those pieces does not stop the letters being applied: it is kept
// in pieces_error and reported after them, as the next run tries again.
Result<CollectedInbox> collect_inbox(client::RelayConnection& relay, const KeyFile& key_file,
                                     const CaseStore& store) {
  CollectedInbox collected;
  const crypto::AdviserIdentity& identity = key_file.identity();
  client::MailboxKeys keys;
  keys.fetch_sk = &identity.fetch.sk;
  keys.message_sk = &identity.message.sk;
  keys.message_pk = identity.message.pk;
  keys.prekeys.one_time = [&identity](const crypto::PrekeyId& id) { return identity.find_prekey_by_id(id); };
  keys.prekeys.medium = [&identity](const crypto::PrekeyId& id) { return identity.find_medium_by_id(id); };
  // The day this run's fetch starts: everything sealed to a medium-term
  // prekey whose cut-off day was before it is in this fetch.
  collected.fetch_day = static_cast<std::uint32_t>(now_seconds() / 86400);
  // The fetch answer is kept: the pieces of files announced in the letters
  // are found in it afterwards (attachments.hpp, collect_announced_pieces).
  auto fetched = client::fetch_answer(relay);
  if (!fetched) return fetched.error();
  auto mailbox = client::read_mailbox(relay, *fetched, keys);
  if (!mailbox) return mailbox.error();
  collected.mailbox = std::move(mailbox).value();
  if (auto policy = client::fetch_policy(relay)) {
    collected.max_file_bytes = policy->max_attachment_bytes;
    collected.max_stored_days = policy->retention_days + policy->retention_fuzz_days;
  }
  std::vector<crypto::MessageId> read_as_letters;
  for (const client::ReceivedLetter& r : collected.mailbox.letters) read_as_letters.push_back(r.id);
  auto pieces = collect_announced_pieces(relay, *fetched, store, collected.mailbox.letters, key_file.profile().id,
                                         collected.max_file_bytes, collected.max_stored_days, read_as_letters);
  if (pieces) {
    collected.file_pieces = std::move(pieces).value();
  } else {
    collected.pieces_error = pieces.error();
  }
  return collected;
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

  auto collected = collect_inbox(relay, key_file, store);
  if (!collected) return collected.error();
  auto applied = apply_inbox(store, directory, key_file.profile().id, *collected, summary);
  if (!applied) return applied.error();
  if (collected->pieces_error) return *collected->pieces_error;
  const std::uint32_t fetch_day = collected->fetch_day;
  const std::optional<std::uint32_t> max_stored_days = collected->max_stored_days;
  const std::vector<crypto::X25519PublicKey>& used_prekeys = applied->used_prekeys;

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

  if (Status s = delete_at_relay(relay, store, summary, applied->seen_again, applied->refused); !s) return s.error();
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
