#include "deposits.hpp"

#include <algorithm>
#include <string>

#include "clock.hpp"
#include "meldpunt/client/decoy.hpp"
#include "meldpunt/client/file_key.hpp"
#include "meldpunt/crypto/envelope.hpp"

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

// The letters a conversation's advisers get, one each: `letter` with the
// adviser id of to[i], sealed to recipients[i] by `sender`'s message key
// (a fresh delete token each), all in one size class. Reports, rotation
// notices and a hand-over answer to its proposer differ only in kind, body
// and whom they go to.
Status seal_to_each(protocol::Letter& letter, const std::vector<crypto::AdviserId>& to,
                    const std::vector<client::Recipient>& recipients, const crypto::ReporterKeys& sender,
                    std::size_t size_class, std::vector<client::Outgoing>& out) {
  if (recipients.size() < to.size()) return Status(ErrorCode::kMalformed, "no keys for an adviser");
  for (std::size_t i = 0; i < to.size(); ++i) {
    letter.adviser_id = to[i];
    auto item = client::prepare_letter(letter, recipients[i], sender.message_sk, sender.message_pk, size_class);
    if (!item) return item.error();
    out.push_back(std::move(item).value());
  }
  return Status::success();
}

}  // namespace

std::size_t padded_readers(const crypto::Directory& directory) {
  return std::min(directory.entries.size(), kMaxReaders);
}

std::size_t padded_class(std::size_t n, std::size_t body_bytes) {
  return crypto::envelope_size_for(protocol::letter_bytes(n, body_bytes));
}

namespace {

std::vector<protocol::FileEntry> entries_of(const std::vector<client::FileToSend>& files, bool with_seed) {
  std::vector<protocol::FileEntry> out;
  for (const client::FileToSend& f : files) out.push_back(client::file_entry(f, with_seed));
  return out;
}

std::size_t file_bytes_of(const std::vector<client::FileToSend>& files) {
  return protocol::file_block_bytes(entries_of(files, false));
}

}  // namespace

std::size_t max_body_bytes_with(std::size_t n, const std::vector<client::FileToSend>& files) {
  const std::size_t room = protocol::max_body_bytes(n);
  const std::size_t block = file_bytes_of(files);
  return block < room ? room - block : 0;
}

Result<std::vector<client::Outgoing>> prepare_report(client::RelayConnection& relay, const crypto::ReporterKeys& keys,
                                                     const crypto::Directory& directory,
                                                     const std::vector<crypto::AdviserId>& to,
                                                     const crypto::SecretBuffer& body, std::uint64_t sent_at,
                                                     PrekeyUse* use, const std::vector<client::FileToSend>& files) {
  if (to.empty()) return Error{ErrorCode::kMalformed, "no adviser chosen"};
  const std::size_t n = padded_readers(directory);
  // The limit for n recipients, whatever |to|: a limit that grew as fewer
  // advisers are chosen would let the class tell how many.
  if (body.size() > max_body_bytes_with(n, files)) {
    return Error{ErrorCode::kTooLarge,
                 "message too long (at most " + std::to_string(max_body_bytes_with(n, files)) + " bytes)"};
  }
  auto recipients = recipients_for(relay, directory, to, use);
  if (!recipients) return recipients.error();
  return build_report(keys, directory, to, *recipients, body, sent_at, files);
}

Result<std::vector<client::Outgoing>> build_report(const crypto::ReporterKeys& keys, const crypto::Directory& directory,
                                                   const std::vector<crypto::AdviserId>& to,
                                                   const std::vector<client::Recipient>& recipients,
                                                   const crypto::SecretBuffer& body, std::uint64_t sent_at,
                                                   const std::vector<client::FileToSend>& files) {
  if (to.empty()) return Error{ErrorCode::kMalformed, "no adviser chosen"};
  if (recipients.size() != to.size()) return Error{ErrorCode::kMalformed, "no keys for an adviser"};
  const std::size_t n = padded_readers(directory);
  if (to.size() > n) {
    return Error{ErrorCode::kTooLarge, "too many advisers (at most " + std::to_string(n) + ")"};
  }
  if (files.size() > protocol::kMaxLetterFiles) return Error{ErrorCode::kTooLarge, "too many files"};
  if (body.size() > max_body_bytes_with(n, files)) return Error{ErrorCode::kTooLarge, "message too long"};
  if (sent_at == 0) sent_at = now_seconds();
  // The file block is the same in every letter (the copy's seeds are zero,
  // not shorter), so one class fits all and a decoy takes it too.
  const std::size_t size_class = padded_class(n, body.size() + file_bytes_of(files));
  std::vector<client::Outgoing> outgoing;
  protocol::Letter letter;
  letter.kind = protocol::LetterKind::kReport;
  letter.sent_at = sent_at;
  letter.directory_serial = directory.serial;
  letter.reporter_fetch_pk = keys.fetch_pk;
  letter.recipients = to;
  letter.body = body.clone();
  letter.files = entries_of(files, true);
  if (Status s = seal_to_each(letter, to, recipients, keys, size_class, outgoing); !s) return s.error();
  if (auto padded = client::pad_with_decoys(outgoing, n, size_class); !padded) return padded.error();
  protocol::Letter copy;
  copy.kind = protocol::LetterKind::kSentCopy;
  copy.sent_at = sent_at;
  copy.directory_serial = directory.serial;  // read back by later runs of this code
  copy.reporter_fetch_pk = keys.fetch_pk;
  copy.recipients = to;
  copy.body = body.clone();
  // What was sent (name, size, digest) without the key to the pieces: the
  // reporter already has the files.
  copy.files = entries_of(files, false);
  auto own = client::prepare_letter(copy, {keys.message_pk, keys.fetch_pk, std::nullopt, std::nullopt}, keys.message_sk,
                                    keys.message_pk, size_class);
  if (!own) return own.error();
  outgoing.push_back(std::move(own).value());
  client::shuffle_envelopes(outgoing);
  return outgoing;
}

Result<Rotation> prepare_rotation(client::RelayConnection& relay, const crypto::ReporterKeys& old_keys,
                                  const crypto::ReporterKeys& new_keys, const crypto::Directory& directory,
                                  const Conversation& conversation, PrekeyUse* use) {
  const std::vector<crypto::AdviserId>& to = conversation.current_recipients;
  if (to.empty()) return Error{ErrorCode::kNotFound, "no conversation found for this code"};
  // n notices (real and decoys), the history for the new code and the move
  // marker, in one deposit.
  static_assert(kMaxReaders + 2 <= protocol::kMaxDepositsPerRequest);
  // An adviser who left the directory is named first (kNotFound); more
  // readers than n is refused by build_rotation.
  auto recipients = recipients_for(relay, directory, to, use);
  if (!recipients) return recipients.error();
  return build_rotation(old_keys, new_keys, directory, conversation, *recipients);
}

Result<Rotation> build_rotation(const crypto::ReporterKeys& old_keys, const crypto::ReporterKeys& new_keys,
                                const crypto::Directory& directory, const Conversation& conversation,
                                const std::vector<client::Recipient>& recipients) {
  const std::vector<crypto::AdviserId>& to = conversation.current_recipients;
  const std::size_t n = padded_readers(directory);
  if (to.empty()) return Error{ErrorCode::kNotFound, "no conversation found for this code"};
  if (to.size() > n) return Error{ErrorCode::kTooLarge, "too many advisers"};
  if (recipients.size() != to.size()) return Error{ErrorCode::kMalformed, "no keys for an adviser"};
  Rotation rotation;
  const std::uint64_t sent_at = next_own_time(conversation);
  const std::size_t notice_class = padded_class(n, protocol::kRotateBodyBytes);
  protocol::Letter notice;
  notice.kind = protocol::LetterKind::kRotate;
  notice.sent_at = sent_at;
  notice.directory_serial = directory.serial;
  notice.reporter_fetch_pk = new_keys.fetch_pk;
  notice.recipients = to;
  notice.body = crypto::SecretBuffer::copy_of(ByteView(new_keys.message_pk.data(), new_keys.message_pk.size()));
  // Sealed by the OLD key: the adviser's client finds the case by it.
  if (Status s = seal_to_each(notice, to, recipients, old_keys, notice_class, rotation.items); !s) return s.error();
  if (auto padded = client::pad_with_decoys(rotation.items, n, notice_class); !padded) return padded.error();
  protocol::Letter carry;
  carry.kind = protocol::LetterKind::kHistory;
  carry.sent_at = sent_at;
  carry.directory_serial = directory.serial;
  carry.reporter_fetch_pk = new_keys.fetch_pk;
  carry.recipients = to;
  carry.body = protocol::encode_history(history_of(conversation, protocol::max_body_bytes(n), rotation.dropped));
  auto own = client::prepare_letter(carry, {new_keys.message_pk, new_keys.fetch_pk, std::nullopt, std::nullopt},
                                    new_keys.message_sk, new_keys.message_pk, padded_class(n, carry.body.size()));
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
                                      old_keys.message_sk, old_keys.message_pk, notice_class);
  if (!moved) return moved.error();
  rotation.items.push_back(std::move(moved).value());
  client::shuffle_envelopes(rotation.items);
  return rotation;
}

protocol::History handover_history(const Conversation& conversation, std::size_t n, std::size_t& dropped) {
  return history_of(conversation, protocol::max_body_bytes(n) - protocol::kTransferHeaderBytes, dropped);
}

Result<HandoverAnswerLetters> prepare_handover_answer(client::RelayConnection& relay, const crypto::ReporterKeys& keys,
                                                      const crypto::Directory& directory,
                                                      const Conversation& conversation, const PendingProposal& pending,
                                                      protocol::HandoverDecision decision, PrekeyUse* use) {
  std::vector<crypto::AdviserId> to_advisers{pending.from->id};
  if (decision == protocol::HandoverDecision::kAccept) to_advisers.push_back(pending.to->id);
  auto recipients = recipients_for(relay, directory, to_advisers, use);
  if (!recipients) return recipients.error();
  return build_handover_answer(keys, directory, conversation, pending, decision, *recipients);
}

Result<HandoverAnswerLetters> build_handover_answer(const crypto::ReporterKeys& keys,
                                                    const crypto::Directory& directory,
                                                    const Conversation& conversation, const PendingProposal& pending,
                                                    protocol::HandoverDecision decision,
                                                    const std::vector<client::Recipient>& recipients) {
  const bool accept = decision == protocol::HandoverDecision::kAccept;
  const crypto::AdviserId& from = pending.from->id;
  const crypto::AdviserId& to = pending.to->id;
  const std::size_t n = padded_readers(directory);
  if (recipients.size() != (accept ? 2u : 1u)) return Error{ErrorCode::kMalformed, "no keys for an adviser"};
  HandoverAnswerLetters out;
  out.readers_after = readers_after(conversation, pending, decision);
  if (out.readers_after.size() > n) return Error{ErrorCode::kTooLarge, "too many advisers"};

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
  const std::size_t answer_class = padded_class(n, answer_to_proposer.body.size());
  if (Status s = seal_to_each(answer_to_proposer, {from}, {recipients[0]}, keys, answer_class, out.items); !s) {
    return s.error();
  }
  // The kind-9 letter accepting would send; declining deposits a decoy of
  // its class instead, so the two answers look alike at the relay.
  protocol::HandoverTransfer transfer;
  transfer.proposer = from;
  transfer.proposal = pending.proposal->id;
  transfer.signature = pending.proposal->signature;
  std::size_t dropped = 0;
  transfer.history = handover_history(conversation, n, dropped);
  protocol::Letter carry;
  carry.kind = protocol::LetterKind::kHandoverHistory;
  carry.sent_at = sent_at;
  carry.directory_serial = directory.serial;
  carry.adviser_id = to;
  carry.reporter_fetch_pk = keys.fetch_pk;
  carry.recipients = out.readers_after;
  carry.body = protocol::encode_transfer(transfer);
  const std::size_t carry_class = padded_class(n, carry.body.size());
  if (accept) {
    out.dropped = dropped;
    auto to_new = client::prepare_letter(carry, recipients[1], keys.message_sk, keys.message_pk, carry_class);
    if (!to_new) return to_new.error();
    out.items.push_back(std::move(to_new).value());
  } else {
    auto decoy = client::make_decoy(carry_class);
    if (!decoy) return decoy.error();
    out.items.push_back(std::move(decoy).value());
  }
  protocol::Letter own_copy = answer_letter();
  auto own = client::prepare_letter(own_copy, {keys.message_pk, keys.fetch_pk, std::nullopt, std::nullopt},
                                    keys.message_sk, keys.message_pk, answer_class);
  if (!own) return own.error();
  out.items.push_back(std::move(own).value());
  client::shuffle_envelopes(out.items);
  return out;
}

std::size_t envelope_bytes(const std::vector<client::Outgoing>& items) {
  std::size_t total = 0;
  for (const client::Outgoing& o : items) total += o.envelope.size();
  return total;
}

}  // namespace meldpunt::reporter
