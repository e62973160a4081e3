#include "meldpunt/protocol/letter.hpp"

#include <stdexcept>

#include "meldpunt/crypto/envelope.hpp"

namespace meldpunt::protocol {

std::size_t letter_bytes(std::size_t recipients, std::size_t body_bytes) {
  return kLetterHeaderBytes + recipients * crypto::kAdviserIdBytes + 4 + body_bytes;
}

std::size_t max_body_bytes(std::size_t recipients) {
  return crypto::kMaxEnvelopePayload - kLetterHeaderBytes - recipients * crypto::kAdviserIdBytes - 4;
}

crypto::SecretBuffer encode_letter(const Letter& letter) {
  Bytes head;  // public-shaped header fields; the body goes straight into secure memory
  append_u8(head, kLetterVersion);
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
  return out;
}

Result<Letter> decode_letter(ByteView bytes) {
  const Error bad{ErrorCode::kMalformed, "letter is malformed"};
  ByteReader reader(bytes);
  Letter letter;
  std::uint8_t version = 0, kind = 0, recipients = 0;
  if (!reader.take_u8(version) || (version != kLetterVersion && version != kLetterVersionWithoutSerial)) return bad;
  if (!reader.take_u8(kind) || kind < 1 || kind > kMaxLetterKind) return bad;
  letter.kind = static_cast<LetterKind>(kind);
  if (!reader.take_u64(letter.sent_at)) return bad;
  if (version == kLetterVersion && !reader.take_u64(letter.directory_serial)) return bad;
  if (!reader.take(letter.adviser_id) ||
      !reader.take(letter.reporter_fetch_pk) || !reader.take(letter.delete_token) ||
      !reader.take_u8(recipients)) {
    return bad;
  }
  if (recipients > kMaxRecipients) return bad;
  letter.recipients.resize(recipients);
  for (crypto::AdviserId& id : letter.recipients) {
    if (!reader.take(id)) return bad;
  }
  std::uint32_t body_size = 0;
  ByteView body;
  if (!reader.take_u32(body_size) || !reader.take(body_size, body) || !reader.at_end()) return bad;
  letter.body = crypto::SecretBuffer::copy_of(body);
  return letter;
}

std::size_t history_entry_bytes(std::size_t recipients, std::size_t body_bytes) {
  return 8 + 1 + crypto::kAdviserIdBytes + 1 + recipients * crypto::kAdviserIdBytes + 4 + body_bytes;
}

crypto::SecretBuffer encode_history(const History& history) {
  if (history.entries.size() > kMaxHistoryEntries) throw std::length_error("too many history entries");
  crypto::SecretBuffer out;
  Bytes head;
  append_u8(head, kHistoryVersion);
  append_u8(head, history.truncated ? kHistoryTruncated : 0);
  append_u16_le(head, static_cast<std::uint16_t>(history.entries.size()));
  out.append(head);
  for (const HistoryEntry& e : history.entries) {
    if (e.recipients.size() > kMaxRecipients) throw std::length_error("too many recipients in a history entry");
    head.clear();
    append_u64_le(head, e.sent_at);
    append_u8(head, e.from_reporter ? 1 : 2);
    append(head, e.adviser_id);
    append_u8(head, static_cast<std::uint8_t>(e.recipients.size()));
    for (const crypto::AdviserId& id : e.recipients) append(head, id);
    append_u32_le(head, static_cast<std::uint32_t>(e.body.size()));
    out.append(head);
    out.append(e.body.view());
  }
  return out;
}

Result<History> decode_history(ByteView bytes) {
  const Error bad{ErrorCode::kMalformed, "conversation history is malformed"};
  ByteReader reader(bytes);
  History history;
  std::uint8_t version = 0, flags = 0;
  std::uint16_t count = 0;
  if (!reader.take_u8(version) || version != kHistoryVersion) return bad;
  if (!reader.take_u8(flags) || (flags & ~kHistoryTruncated) != 0) return bad;
  if (!reader.take_u16(count)) return bad;
  history.truncated = (flags & kHistoryTruncated) != 0;
  // Every entry takes at least 30 bytes, so a count larger than the bytes
  // left is refused before anything is reserved.
  constexpr std::size_t kMinEntryBytes = 8 + 1 + crypto::kAdviserIdBytes + 1 + 4;
  if (count > reader.remaining() / kMinEntryBytes) return bad;
  history.entries.reserve(count);
  for (std::uint16_t i = 0; i < count; ++i) {
    HistoryEntry e;
    std::uint8_t from = 0, recipients = 0;
    if (!reader.take_u64(e.sent_at) || !reader.take_u8(from) || (from != 1 && from != 2) ||
        !reader.take(e.adviser_id) || !reader.take_u8(recipients) || recipients > kMaxRecipients) {
      return bad;
    }
    e.from_reporter = from == 1;
    e.recipients.resize(recipients);
    for (crypto::AdviserId& id : e.recipients) {
      if (!reader.take(id)) return bad;
    }
    std::uint32_t body_size = 0;
    ByteView body;
    if (!reader.take_u32(body_size) || !reader.take(body_size, body)) return bad;
    e.body = crypto::SecretBuffer::copy_of(body);
    history.entries.push_back(std::move(e));
  }
  if (!reader.at_end()) return bad;
  return history;
}

}  // namespace meldpunt::protocol
