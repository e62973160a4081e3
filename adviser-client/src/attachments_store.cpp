// The case store's attachment tables (declared in case_store.hpp, whose
// header comment gives the record formats).
#include <algorithm>

#include "case_store.hpp"
#include "meldpunt/crypto/aead.hpp"
#include "meldpunt/crypto/derive.hpp"

namespace meldpunt::adviser {
namespace {

namespace lmdb = store::lmdb;

constexpr std::size_t kAttachmentKeyBytes = kCaseKeyBytes + 8;
constexpr std::size_t kPieceKeyBytes = kAttachmentKeyBytes + 2;

Error damaged(std::string_view what) { return Error{ErrorCode::kMalformed, "case store: damaged " + std::string(what)}; }

void put_be(std::uint8_t* out, std::uint64_t v, std::size_t bytes) {
  for (std::size_t i = 0; i < bytes; ++i) out[i] = static_cast<std::uint8_t>(v >> (8 * (bytes - 1 - i)));
}

FixedBytes<kAttachmentKeyBytes> attachment_key(const CaseKey& case_key, std::uint64_t sequence) {
  FixedBytes<kAttachmentKeyBytes> key{};
  std::copy(case_key.begin(), case_key.end(), key.begin());
  put_be(key.data() + kCaseKeyBytes, sequence, 8);  // big-endian: key order = sequence order
  return key;
}

FixedBytes<kPieceKeyBytes> piece_key(const CaseKey& case_key, std::uint64_t sequence, std::uint16_t index) {
  FixedBytes<kPieceKeyBytes> key{};
  const auto head = attachment_key(case_key, sequence);
  std::copy(head.begin(), head.end(), key.begin());
  put_be(key.data() + kAttachmentKeyBytes, index, 2);
  return key;
}

// Does a new piece describe the same file as the record? The digest is
// compared in constant time.
bool same_file(const AttachmentRecord& record, const protocol::AttachmentChunk& chunk) {
  return record.total_bytes == chunk.total_bytes && record.count == chunk.count &&
         crypto::digest_equal(record.digest, chunk.digest) && record.name.equals(chunk.name);
}

// The outcome of the last piece of a file, from the file's checked state.
PieceOutcome settle(client::AttachmentState state) {
  return state == client::AttachmentState::kIntact ? PieceOutcome::kCompleted : PieceOutcome::kDamaged;
}

}  // namespace

Result<std::vector<AttachmentRecord>> CaseStore::load_attachments(const lmdb::Txn& txn, const CaseKey& key) const {
  std::vector<AttachmentRecord> out;
  Status s = tables_.attachments.for_each(txn, key, kAttachmentKeyBytes, [&](ByteView record_key, ByteView plain) {
    auto record = decode_attachment_record(plain);
    if (!record) return Status(record.error());
    std::uint64_t sequence = 0;
    for (std::size_t i = kCaseKeyBytes; i < kAttachmentKeyBytes; ++i) sequence = (sequence << 8) | record_key[i];
    record->sequence = sequence;
    out.push_back(std::move(record).value());
    return Status::success();
  });
  if (!s) return s.error();
  return out;
}

Status CaseStore::put_attachment(lmdb::WriteTxn& txn, const CaseKey& key, const AttachmentRecord& record) {
  const auto akey = attachment_key(key, record.sequence);
  const crypto::SecretBuffer plain = encode_attachment_record(record);
  return tables_.attachments.put(txn, akey, plain.view());
}

Result<std::vector<crypto::SecretBuffer>> CaseStore::load_pieces(const lmdb::Txn& txn, const CaseKey& key,
                                                                 const AttachmentRecord& record) const {
  std::vector<crypto::SecretBuffer> pieces(record.count);  // count is bounded by the record decoder
  for (std::uint16_t i = 0; i < record.count; ++i) {
    const auto pkey = piece_key(key, record.sequence, i);
    auto plain = tables_.attachment_pieces.get(txn, pkey);
    if (!plain) return plain.error();
    if (!*plain) continue;
    auto data = decode_attachment_piece((*plain)->view());
    if (!data) return data.error();
    pieces[i] = std::move(data).value();
  }
  return pieces;
}

Result<PieceResult> CaseStore::record_incoming_piece(const IncomingPiece& incoming) {
  if (incoming.chunk == nullptr || incoming.chunk->type != protocol::ChunkType::kPiece) {
    return Error{ErrorCode::kMalformed, "not an attachment piece"};
  }
  const protocol::AttachmentChunk& chunk = *incoming.chunk;
  PieceResult result;
  auto novelty = receive_letter(incoming.relay_id, incoming.delete_token, [&](lmdb::WriteTxn& txn) -> Status {
    result = PieceResult{};
    auto existing = case_of_sender(txn, incoming.reporter_message_pk);
    if (!existing) return existing.error();
    if (!*existing) return Status::success();  // kNoCase: its report has not arrived yet
    CaseRecord c = std::move(**existing);
    result.case_key = c.key;
    result.handed_over = c.handed_over();
    // As for reports: a code the reporter moved away from no longer speaks for the case.
    if (c.reporter_message_pk != incoming.reporter_message_pk) {
      result.outcome = PieceOutcome::kRetired;
      return Status::success();
    }

    auto all = load_attachments(txn, c.key);
    if (!all) return all.error();
    auto found = std::find_if(all->begin(), all->end(), [&](const AttachmentRecord& a) {
      return a.direction == Direction::kIn && a.file_id == chunk.file_id;
    });
    AttachmentRecord record;
    if (found == all->end()) {
      // A new file: within the case's allowance, counting what its reporter
      // sent so far (our own files do not count).
      std::size_t files = 0;
      std::uint64_t bytes = 0;
      for (const AttachmentRecord& a : *all) {
        if (a.direction != Direction::kIn) continue;
        files++;
        bytes += a.total_bytes;
      }
      if (files >= kMaxAttachmentsPerCase || bytes + chunk.total_bytes > kMaxAttachmentBytesPerCase) {
        result.outcome = PieceOutcome::kOverQuota;
        return Status::success();
      }
      record.sequence = all->empty() ? 0 : all->back().sequence + 1;
      record.direction = Direction::kIn;
      record.state = client::AttachmentState::kIncomplete;
      record.file_id = chunk.file_id;
      record.sent_at = incoming.sent_at;
      record.stored_at = incoming.received_at;
      record.total_bytes = chunk.total_bytes;
      record.count = chunk.count;
      record.digest = chunk.digest;
      record.name = chunk.name.clone();
    } else {
      record = std::move(*found);
      if (!same_file(record, chunk)) {
        // Pieces that disagree cannot make a file anyone should trust.
        record.state = client::AttachmentState::kCorrupt;
        if (Status st = put_attachment(txn, c.key, record); !st) return st;
        result.outcome = PieceOutcome::kConflict;
        return put_relay_pending(txn, incoming.relay_id, incoming.delete_token, c.key, incoming.received_at);
      }
    }
    // Every outcome below keeps the relay message as delete pending: a piece
    // seen before is deleted at the relay like a new one.
    if (Status st = put_relay_pending(txn, incoming.relay_id, incoming.delete_token, c.key, incoming.received_at); !st) {
      return st;
    }
    const auto pkey = piece_key(c.key, record.sequence, chunk.index);
    if (record.state != client::AttachmentState::kIncomplete || tables_.attachment_pieces.contains(txn, pkey)) {
      result.outcome = PieceOutcome::kAlreadyKnown;
      return Status::success();
    }
    const crypto::SecretBuffer plain_piece = encode_attachment_piece(chunk.data.view());
    if (Status st = tables_.attachment_pieces.put(txn, pkey, plain_piece.view()); !st) return st;
    record.received++;
    record.sent_at = std::min(record.sent_at, incoming.sent_at);
    result.outcome = PieceOutcome::kStored;
    if (record.received == record.count) {
      auto pieces = load_pieces(txn, c.key, record);
      if (!pieces) return pieces.error();
      std::vector<const crypto::SecretBuffer*> views;
      for (const crypto::SecretBuffer& p : *pieces) views.push_back(p.empty() ? nullptr : &p);
      record.state = client::verify_pieces(views, record.total_bytes, record.digest, nullptr);
      if (record.state == client::AttachmentState::kIncomplete) return damaged("attachment piece count");
      result.outcome =
          record.state == client::AttachmentState::kIntact ? PieceOutcome::kCompleted : PieceOutcome::kDamaged;
      // A whole file is news for the adviser, like a message.
      c.unread++;
      c.last_activity = std::max(c.last_activity, incoming.received_at);
      if (Status st = put_case(txn, c); !st) return st;
    }
    return put_attachment(txn, c.key, record);
  });
  if (!novelty) return novelty.error();
  if (*novelty != LetterNovelty::kNew) {
    result = PieceResult{};
    result.outcome = *novelty == LetterNovelty::kReplayed ? PieceOutcome::kReplayed : PieceOutcome::kAlreadyKnown;
  }
  return result;
}

Result<PieceOutcome> CaseStore::record_file_key(const CaseKey& key, const crypto::X25519PublicKey& sender_pk,
                                                std::uint64_t announced_at, std::uint64_t received_at,
                                                const protocol::FileEntry& entry) {
  if (entry.total_bytes == 0 || entry.total_bytes > protocol::kMaxAttachmentFileBytes ||
      entry.count != protocol::attachment_piece_count(entry.total_bytes) || entry.name.empty() ||
      entry.name.size() > protocol::kMaxAttachmentNameBytes) {
    return Error{ErrorCode::kMalformed, "not a valid file entry"};
  }
  PieceOutcome outcome = PieceOutcome::kAnnounced;
  Status s = write([&](lmdb::WriteTxn& txn) -> Status {
    outcome = PieceOutcome::kAnnounced;
    if (auto existing = load_existing_case(txn, key); !existing) return existing.error();
    auto all = load_attachments(txn, key);
    if (!all) return all.error();
    std::size_t files = 0;
    std::uint64_t bytes = 0;
    for (const AttachmentRecord& a : *all) {
      if (a.direction != Direction::kIn) continue;
      // The first letter that names a file id counts; a copy of it (or
      // another letter claiming the same id) changes nothing.
      if (a.file_id == entry.file_id) {
        outcome = PieceOutcome::kAlreadyKnown;
        return Status::success();
      }
      files++;
      bytes += a.total_bytes;
    }
    // The allowance bounds the pending keys per case, and so the recognise
    // work each inbox run does for one reporter's files.
    if (files >= kMaxAttachmentsPerCase || bytes + entry.total_bytes > kMaxAttachmentBytesPerCase) {
      outcome = PieceOutcome::kOverQuota;
      return Status::success();
    }
    AttachmentRecord record;
    record.sequence = all->empty() ? 0 : all->back().sequence + 1;
    record.direction = Direction::kIn;
    record.state = client::AttachmentState::kIncomplete;
    record.file_id = entry.file_id;
    record.sent_at = announced_at;
    record.stored_at = received_at;
    record.total_bytes = entry.total_bytes;
    record.count = entry.count;
    record.received = 0;
    record.digest = entry.digest;
    record.name = entry.name.clone();
    if (Status st = put_attachment(txn, key, record); !st) return st;
    FileKeyRecord fk;
    fk.sender_pk = sender_pk;
    fk.seed = entry.key_seed.clone();
    fk.announced_at = announced_at;
    const auto kkey = attachment_key(key, record.sequence);
    const crypto::SecretBuffer plain = encode_file_key_record(fk);
    return tables_.file_keys.put(txn, kkey, plain.view());
  });
  if (!s) return s.error();
  return outcome;
}

Result<std::vector<PendingFileKey>> CaseStore::pending_file_keys() const {
  const Reading txn = reading();
  std::vector<PendingFileKey> out;
  Status walked = tables_.file_keys.for_each(txn, {}, kAttachmentKeyBytes, [&](ByteView record_key, ByteView plain) -> Status {
    auto fk = decode_file_key_record(plain);
    if (!fk) return fk.error();
    PendingFileKey p;
    std::copy_n(record_key.begin(), kCaseKeyBytes, p.case_key.begin());
    for (std::size_t i = kCaseKeyBytes; i < kAttachmentKeyBytes; ++i) p.sequence = (p.sequence << 8) | record_key[i];
    auto record_plain = tables_.attachments.get(txn, record_key);
    if (!record_plain) return record_plain.error();
    if (!*record_plain) return damaged("file key without its attachment");
    auto record = decode_attachment_record((*record_plain)->view());
    if (!record) return record.error();
    p.sender_pk = fk->sender_pk;
    p.announced_at = fk->announced_at;
    p.entry.file_id = record->file_id;
    p.entry.total_bytes = record->total_bytes;
    p.entry.count = record->count;
    p.entry.digest = record->digest;
    p.entry.name = std::move(record->name);
    p.entry.key_seed = std::move(fk->seed);
    out.push_back(std::move(p));
    return Status::success();
  });
  if (!walked) return walked.error();
  std::stable_sort(out.begin(), out.end(), [](const PendingFileKey& a, const PendingFileKey& b) {
    return a.announced_at < b.announced_at;
  });
  return out;
}

Result<PieceResult> CaseStore::record_file_piece(const PendingFileKey& key, const protocol::AttachmentChunk& chunk,
                                                 std::uint64_t received_at) {
  if (chunk.type != protocol::ChunkType::kPiece || chunk.index >= key.entry.count) {
    return Error{ErrorCode::kMalformed, "not a piece of this file"};
  }
  PieceResult result;
  Status s = write([&](lmdb::WriteTxn& txn) -> Status {
    result = PieceResult{};
    result.case_key = key.case_key;
    const auto akey = attachment_key(key.case_key, key.sequence);
    if (!tables_.file_keys.contains(txn, akey)) {  // settled meanwhile
      result.outcome = PieceOutcome::kAlreadyKnown;
      return Status::success();
    }
    auto existing = load_case(txn, key.case_key);
    if (!existing) return existing.error();
    if (!*existing) return damaged("file key of a missing case");
    CaseRecord c = std::move(**existing);
    result.handed_over = c.handed_over();
    auto plain = tables_.attachments.get(txn, akey);
    if (!plain) return plain.error();
    if (!*plain) return damaged("file key without its attachment");
    auto record = decode_attachment_record((*plain)->view());
    if (!record) return record.error();
    record->sequence = key.sequence;
    const auto pkey = piece_key(key.case_key, key.sequence, chunk.index);
    // The first piece stored for an index stays: a later one (a replay, or
    // a co-reader's forgery, see THREAT_MODEL.md) changes nothing.
    if (record->state != client::AttachmentState::kIncomplete || tables_.attachment_pieces.contains(txn, pkey)) {
      result.outcome = PieceOutcome::kAlreadyKnown;
      return Status::success();
    }
    const crypto::SecretBuffer plain_piece = encode_attachment_piece(chunk.data.view());
    if (Status st = tables_.attachment_pieces.put(txn, pkey, plain_piece.view()); !st) return st;
    record->received++;
    result.outcome = PieceOutcome::kStored;
    if (record->received == record->count) {
      auto pieces = load_pieces(txn, key.case_key, *record);
      if (!pieces) return pieces.error();
      std::vector<const crypto::SecretBuffer*> views;
      for (const crypto::SecretBuffer& p : *pieces) views.push_back(p.empty() ? nullptr : &p);
      record->state = client::verify_pieces(views, record->total_bytes, record->digest, nullptr);
      if (record->state == client::AttachmentState::kIncomplete) return damaged("attachment piece count");
      result.outcome = settle(record->state);
      // The file is settled: its key is needed no longer.
      if (Status st = tables_.file_keys.del(txn, akey); !st) return st;
      c.unread++;
      c.last_activity = std::max(c.last_activity, received_at);
      if (Status st = put_case(txn, c); !st) return st;
    }
    return put_attachment(txn, key.case_key, *record);
  });
  if (!s) return s.error();
  return result;
}

Status CaseStore::drop_file_key(const CaseKey& key, std::uint64_t sequence) {
  return write([&](lmdb::WriteTxn& txn) -> Status {
    const auto akey = attachment_key(key, sequence);
    if (!tables_.file_keys.contains(txn, akey)) return Status::success();
    return tables_.file_keys.del(txn, akey);
  });
}

Status CaseStore::record_outgoing_attachment(const CaseKey& key, std::uint64_t sent_at, std::uint64_t stored_at,
                                             const protocol::AttachmentFileId& file_id, ByteView name,
                                             ByteView content, const crypto::FileDigest& digest) {
  if (content.empty() || content.size() > protocol::kMaxAttachmentFileBytes) {
    return Status(ErrorCode::kTooLarge, "attachment size out of range");
  }
  if (name.empty() || name.size() > protocol::kMaxAttachmentNameBytes) {
    return Status(ErrorCode::kMalformed, "attachment name length out of range");
  }
  return write([&](lmdb::WriteTxn& txn) -> Status {
    if (auto existing = load_existing_case(txn, key); !existing) return existing.error();
    auto all = load_attachments(txn, key);
    if (!all) return all.error();
    AttachmentRecord record;
    record.sequence = all->empty() ? 0 : all->back().sequence + 1;
    record.direction = Direction::kOut;
    record.state = client::AttachmentState::kIntact;
    record.file_id = file_id;
    record.sent_at = sent_at;
    record.stored_at = stored_at;
    record.total_bytes = content.size();
    record.count = protocol::attachment_piece_count(record.total_bytes);
    record.received = record.count;
    record.digest = digest;
    record.name = crypto::SecretBuffer::copy_of(name);
    for (std::uint16_t i = 0; i < record.count; ++i) {
      const std::size_t offset = std::size_t{i} * protocol::kAttachmentPieceDataBytes;
      const auto pkey = piece_key(key, record.sequence, i);
      const crypto::SecretBuffer plain =
          encode_attachment_piece(content.subspan(offset, protocol::attachment_piece_bytes(record.total_bytes, i)));
      if (Status st = tables_.attachment_pieces.put(txn, pkey, plain.view()); !st) return st;
    }
    return put_attachment(txn, key, record);
  });
}

Result<std::vector<AttachmentRecord>> CaseStore::attachments(const CaseKey& key) const {
  const Reading txn = reading();
  return load_attachments(txn, key);
}

Result<crypto::SecretBuffer> CaseStore::attachment_content(const CaseKey& key, std::uint64_t sequence) const {
  const Reading txn = reading();
  const auto akey = attachment_key(key, sequence);
  auto plain = tables_.attachments.get(txn, akey);
  if (!plain) return plain.error();
  if (!*plain) return Error{ErrorCode::kNotFound, "no such attachment in this case"};
  auto record = decode_attachment_record((*plain)->view());
  if (!record) return record.error();
  record->sequence = sequence;
  if (record->state == client::AttachmentState::kIncomplete) {
    return Error{ErrorCode::kMalformed, "the attachment is incomplete (" + std::to_string(record->received) + " of " +
                                            std::to_string(record->count) + " pieces); it cannot be saved"};
  }
  if (record->state == client::AttachmentState::kCorrupt) {
    return Error{ErrorCode::kMalformed, "the attachment is damaged (it does not match its checksum); it cannot be saved"};
  }
  auto pieces = load_pieces(txn, key, *record);
  if (!pieces) return pieces.error();
  std::vector<const crypto::SecretBuffer*> views;
  for (const crypto::SecretBuffer& p : *pieces) views.push_back(p.empty() ? nullptr : &p);
  crypto::SecretBuffer content;
  // Checked again: what is saved must be what the digest names.
  if (client::verify_pieces(views, record->total_bytes, record->digest, &content) != client::AttachmentState::kIntact) {
    return Error{ErrorCode::kMalformed, "the stored attachment no longer matches its checksum; it cannot be saved"};
  }
  return content;
}

}  // namespace meldpunt::adviser
