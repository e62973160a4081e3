#include "meldpunt/protocol/letter.hpp"

#include <stdexcept>

#include "meldpunt/crypto/envelope.hpp"
#include "meldpunt/protocol/attachment.hpp"

namespace meldpunt::protocol {

static_assert(kMaxFileEntryNameBytes == kMaxAttachmentNameBytes);
static_assert(sizeof(FileEntry::file_id) == kAttachmentFileIdBytes);

namespace {

bool may_carry_files(LetterKind kind) {
  return kind == LetterKind::kReport || kind == LetterKind::kReply || kind == LetterKind::kSentCopy;
}

// The rules the decoder applies to a version 3 file block.
bool files_valid(LetterKind kind, const std::vector<FileEntry>& files) {
  if (files.empty()) return true;
  if (!may_carry_files(kind) || files.size() > kMaxLetterFiles) return false;
  static const crypto::Secret<crypto::kFileKeySeedBytes> zero;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const FileEntry& f = files[i];
    if (f.total_bytes == 0 || f.total_bytes > kMaxAttachmentFileBytes ||
        f.count != attachment_piece_count(f.total_bytes) || f.name.empty() ||
        f.name.size() > kMaxFileEntryNameBytes) {
      return false;
    }
    // One file, one id and one key: a seed used twice would let the pieces
    // of one file pass for another's (a zero seed, the sender's own copy,
    // excepted).
    for (std::size_t j = 0; j < i; ++j) {
      if (files[j].file_id == f.file_id) return false;
      if (files[j].key_seed.equals(f.key_seed) && !f.key_seed.equals(zero)) return false;
    }
  }
  return true;
}

}  // namespace

std::size_t file_block_bytes(const std::vector<FileEntry>& files) {
  if (files.empty()) return 0;
  std::size_t bytes = 1;
  for (const FileEntry& f : files) bytes += kFileEntryFixedBytes + f.name.size();
  return bytes;
}

std::size_t letter_bytes(std::size_t recipients, std::size_t body_bytes, std::size_t file_bytes) {
  return kLetterHeaderBytes + recipients * crypto::kAdviserIdBytes + 4 + body_bytes + file_bytes;
}

std::size_t max_body_bytes(std::size_t recipients) {
  return crypto::kMaxEnvelopePayload - kLetterHeaderBytes - recipients * crypto::kAdviserIdBytes - 4;
}

crypto::SecretBuffer encode_letter(const Letter& letter) {
  if (letter.signature && letter.kind != LetterKind::kReply) {
    throw std::invalid_argument("only a reply letter carries a signature");
  }
  if (!files_valid(letter.kind, letter.files)) throw std::invalid_argument("files the decoder would refuse");
  Bytes head;  // public-shaped header fields; the body goes straight into secure memory
  append_u8(head, letter.files.empty() ? kLetterVersion : kLetterVersionWithFiles);
  append_u8(head, static_cast<std::uint8_t>(letter.kind));
  append_u64_le(head, letter.sent_at);
  append_u64_le(head, letter.directory_serial);
  append(head, letter.adviser_id);
  append(head, letter.reporter_fetch_pk);
  append(head, letter.delete_token);
  append_u8(head, static_cast<std::uint8_t>(letter.recipients.size()));
  for (const crypto::AdviserId& id : letter.recipients) append(head, id);
  append_u32_le(head, static_cast<std::uint32_t>(letter.body.size()));

  crypto::SecretBuffer out;
  out.append(head);
  out.append(letter.body.view());
  if (!letter.files.empty()) {
    head.clear();
    append_u8(head, static_cast<std::uint8_t>(letter.files.size()));
    out.append(head);
    for (const FileEntry& f : letter.files) {
      head.clear();
      append(head, f.file_id);
      append_u64_le(head, f.total_bytes);
      append_u16_le(head, f.count);
      append(head, f.digest);
      out.append(head);
      out.append(f.key_seed.view());
      head.clear();
      append_u8(head, static_cast<std::uint8_t>(f.name.size()));
      out.append(head);
      out.append(f.name.view());
    }
  }
  if (letter.signature) {
    Bytes block;
    append_u8(block, kLetterSignatureVersion);
    append(block, *letter.signature);
    out.append(block);
  }
  return out;
}

Result<Letter> decode_letter(ByteView bytes) {
  const Error bad{ErrorCode::kMalformed, "letter is malformed"};
  ByteReader reader(bytes);
  Letter letter;
  std::uint8_t version = 0, kind = 0, recipients = 0;
  if (!reader.take_u8(version) || (version != kLetterVersion && version != kLetterVersionWithoutSerial &&
                                   version != kLetterVersionWithFiles)) {
    return bad;
  }
  if (!reader.take_u8(kind) || kind < 1 || kind > kMaxLetterKind) return bad;
  letter.kind = static_cast<LetterKind>(kind);
  if (!reader.take_u64(letter.sent_at)) return bad;
  if (version != kLetterVersionWithoutSerial && !reader.take_u64(letter.directory_serial)) return bad;
  if (!reader.take(letter.adviser_id.bytes) ||
      !reader.take(letter.reporter_fetch_pk.bytes) || !reader.take(letter.delete_token) ||
      !reader.take_u8(recipients)) {
    return bad;
  }
  if (recipients > kMaxRecipients) return bad;
  letter.recipients.resize(recipients);
  for (crypto::AdviserId& id : letter.recipients) {
    if (!reader.take(id.bytes)) return bad;
  }
  std::uint32_t body_size = 0;
  ByteView body;
  if (!reader.take_u32(body_size) || !reader.take(body_size, body)) return bad;
  if (version == kLetterVersionWithFiles) {
    // At least one file: a letter without files is written as version 2,
    // so each letter has one encoding.
    std::uint8_t count = 0;
    if (!reader.take_u8(count) || count == 0 || count > kMaxLetterFiles) return bad;
    letter.files.reserve(count);
    for (std::uint8_t i = 0; i < count; ++i) {
      FileEntry f;
      ByteView seed, name;
      std::uint8_t name_size = 0;
      if (!reader.take(f.file_id.bytes) || !reader.take_u64(f.total_bytes) || !reader.take_u16(f.count) ||
          !reader.take(f.digest.bytes) || !reader.take(crypto::kFileKeySeedBytes, seed) || !reader.take_u8(name_size) ||
          !reader.take(name_size, name)) {
        return bad;
      }
      f.key_seed = crypto::Secret<crypto::kFileKeySeedBytes>::from(seed);
      f.name = crypto::SecretBuffer::copy_of(name);
      letter.files.push_back(std::move(f));
    }
    if (!files_valid(letter.kind, letter.files)) return bad;
  }
  if (!reader.at_end()) {
    // Only a reply carries something after its body: one signature block.
    std::uint8_t block_version = 0;
    crypto::Signature signature{};
    if (letter.kind != LetterKind::kReply || !reader.take_u8(block_version) ||
        block_version != kLetterSignatureVersion || !reader.take(signature.bytes) || !reader.at_end()) {
      return bad;
    }
    letter.signature = signature;
  }
  letter.body = crypto::SecretBuffer::copy_of(body);
  return letter;
}

namespace {

constexpr std::size_t kFileNoteFixedBytes = 8 + crypto::kFileDigestBytes + 1;
constexpr std::size_t kSignatureFieldBytes = crypto::kX25519KeyBytes + crypto::kSignatureBytes;

}  // namespace

void append_file_notes(crypto::SecretBuffer& out, const std::vector<FileNote>& notes) {
  if (notes.size() > kMaxHistoryFileNotes) throw std::length_error("too many file notes");
  Bytes head;
  append_u8(head, static_cast<std::uint8_t>(notes.size()));
  out.append(head);
  for (const FileNote& f : notes) {
    if (f.name.empty() || f.name.size() > kMaxFileNoteNameBytes) throw std::length_error("bad file note name");
    head.clear();
    append_u64_le(head, f.total_bytes);
    append(head, f.digest);
    append_u8(head, static_cast<std::uint8_t>(f.name.size()));
    out.append(head);
    out.append(f.name.view());
  }
}

bool take_file_notes(ByteReader& reader, std::vector<FileNote>& notes) {
  notes.clear();
  std::uint8_t count = 0;
  if (!reader.take_u8(count) || count > kMaxHistoryFileNotes) return false;
  for (std::uint8_t i = 0; i < count; ++i) {
    FileNote note;
    std::uint8_t name_size = 0;
    ByteView name;
    if (!reader.take_u64(note.total_bytes) || !reader.take(note.digest.bytes) || !reader.take_u8(name_size) ||
        name_size == 0 || !reader.take(name_size, name)) {
      return false;
    }
    note.name = crypto::SecretBuffer::copy_of(name);
    notes.push_back(std::move(note));
  }
  return true;
}

std::size_t history_entry_bytes(const HistoryEntry& e) {
  std::size_t size = 8 + 1 + crypto::kAdviserIdBytes + 1 + e.recipients.size() * crypto::kAdviserIdBytes + 4 +
                     e.body.size() + 1 + (e.signature ? kSignatureFieldBytes : 0) + 1;
  for (const FileNote& f : e.files) size += kFileNoteFixedBytes + f.name.size();
  return size;
}

crypto::SecretBuffer encode_history(const History& history) {
  if (history.entries.size() > kMaxHistoryEntries) throw std::length_error("too many history entries");
  if (history.version != kHistoryVersion && history.version != kHistoryVersionWithoutSignatures) {
    throw std::invalid_argument("unknown history version");
  }
  const bool v2 = history.version == kHistoryVersion;
  crypto::SecretBuffer out;
  Bytes head;
  append_u8(head, history.version);
  append_u8(head, history.truncated ? kHistoryTruncated : 0);
  append_u16_le(head, static_cast<std::uint16_t>(history.entries.size()));
  out.append(head);
  for (const HistoryEntry& e : history.entries) {
    if (e.recipients.size() > kMaxRecipients) throw std::length_error("too many recipients in a history entry");
    if (e.files.size() > kMaxHistoryFileNotes) throw std::length_error("too many file notes in a history entry");
    if (!v2 && (e.signature || !e.files.empty())) {
      throw std::invalid_argument("a version 1 history has no signatures or file notes");
    }
    head.clear();
    append_u64_le(head, e.sent_at);
    append_u8(head, e.from_reporter ? 1 : 2);
    append(head, e.adviser_id);
    append_u8(head, static_cast<std::uint8_t>(e.recipients.size()));
    for (const crypto::AdviserId& id : e.recipients) append(head, id);
    append_u32_le(head, static_cast<std::uint32_t>(e.body.size()));
    out.append(head);
    out.append(e.body.view());
    if (!v2) continue;
    head.clear();
    append_u8(head, e.signature ? 1 : 0);
    if (e.signature) {
      append(head, e.signature->reporter_message_pk);
      append(head, e.signature->signature);
    }
    out.append(head);
    append_file_notes(out, e.files);
  }
  return out;
}

Result<History> decode_history(ByteView bytes) {
  const Error bad{ErrorCode::kMalformed, "conversation history is malformed"};
  ByteReader reader(bytes);
  History history;
  std::uint8_t version = 0, flags = 0;
  std::uint16_t count = 0;
  if (!reader.take_u8(version) || (version != kHistoryVersion && version != kHistoryVersionWithoutSignatures)) {
    return bad;
  }
  const bool v2 = version == kHistoryVersion;
  history.version = version;
  if (!reader.take_u8(flags) || (flags & ~kHistoryTruncated) != 0) return bad;
  if (!reader.take_u16(count)) return bad;
  history.truncated = (flags & kHistoryTruncated) != 0;
  // Every entry takes at least 30 bytes (32 in version 2), so a count larger
  // than the bytes left allow is refused before anything is reserved.
  const std::size_t min_entry_bytes = 8 + 1 + crypto::kAdviserIdBytes + 1 + 4 + (v2 ? 2 : 0);
  if (count > reader.remaining() / min_entry_bytes) return bad;
  history.entries.reserve(count);
  for (std::uint16_t i = 0; i < count; ++i) {
    HistoryEntry e;
    std::uint8_t from = 0, recipients = 0;
    if (!reader.take_u64(e.sent_at) || !reader.take_u8(from) || (from != 1 && from != 2) ||
        !reader.take(e.adviser_id.bytes) || !reader.take_u8(recipients) || recipients > kMaxRecipients) {
      return bad;
    }
    e.from_reporter = from == 1;
    e.recipients.resize(recipients);
    for (crypto::AdviserId& id : e.recipients) {
      if (!reader.take(id.bytes)) return bad;
    }
    std::uint32_t body_size = 0;
    ByteView body;
    if (!reader.take_u32(body_size) || !reader.take(body_size, body)) return bad;
    e.body = crypto::SecretBuffer::copy_of(body);
    if (v2) {
      std::uint8_t is_signed = 0;
      if (!reader.take_u8(is_signed) || is_signed > 1 || (is_signed == 1 && e.from_reporter)) return bad;
      if (is_signed == 1) {
        EntrySignature sig;
        if (!reader.take(sig.reporter_message_pk.bytes) || !reader.take(sig.signature.bytes)) return bad;
        e.signature = sig;
      }
      if (!take_file_notes(reader, e.files)) return bad;
    }
    history.entries.push_back(std::move(e));
  }
  if (!reader.at_end()) return bad;
  return history;
}

}  // namespace meldpunt::protocol
