#include "meldpunt/protocol/letter.hpp"

#include "meldpunt/crypto/envelope.hpp"

namespace meldpunt::protocol {

std::size_t max_body_bytes(std::size_t recipients) {
  return crypto::kMaxEnvelopePayload - kLetterHeaderBytes - recipients * crypto::kAdviserIdBytes - 4;
}

crypto::SecretBuffer encode_letter(const Letter& letter) {
  Bytes head;  // public-shaped header fields; the body goes straight into secure memory
  append_u8(head, kLetterVersion);
  append_u8(head, static_cast<std::uint8_t>(letter.kind));
  append_u64_le(head, letter.sent_at);
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
  if (!reader.take_u8(version) || version != kLetterVersion) return bad;
  if (!reader.take_u8(kind) || kind < 1 || kind > 3) return bad;
  letter.kind = static_cast<LetterKind>(kind);
  if (!reader.take_u64(letter.sent_at) || !reader.take(letter.adviser_id) ||
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

}  // namespace meldpunt::protocol
