#include "meldpunt/protocol/handover.hpp"

#include <stdexcept>

namespace meldpunt::protocol {

crypto::SecretBuffer encode_proposal(const HandoverProposal& proposal) {
  if (proposal.note.size() > kMaxHandoverNoteBytes) throw std::length_error("hand-over note too long");
  Bytes head;
  append_u8(head, kHandoverVersion);
  append(head, proposal.id);
  append(head, proposal.new_adviser);
  append_u16_le(head, static_cast<std::uint16_t>(proposal.note.size()));
  crypto::SecretBuffer out;
  out.append(head);
  out.append(proposal.note.view());
  return out;
}

Result<HandoverProposal> decode_proposal(ByteView bytes) {
  const Error bad{ErrorCode::kMalformed, "hand-over proposal is malformed"};
  ByteReader reader(bytes);
  HandoverProposal proposal;
  std::uint8_t version = 0;
  std::uint16_t note_size = 0;
  ByteView note;
  if (!reader.take_u8(version) || version != kHandoverVersion || !reader.take(proposal.id) ||
      !reader.take(proposal.new_adviser) || !reader.take_u16(note_size) || note_size > kMaxHandoverNoteBytes ||
      !reader.take(note_size, note) || !reader.at_end()) {
    return bad;
  }
  proposal.note = crypto::SecretBuffer::copy_of(note);
  return proposal;
}

crypto::SecretBuffer encode_answer(const HandoverAnswer& answer) {
  Bytes out;
  append_u8(out, kHandoverVersion);
  append(out, answer.proposal);
  append_u8(out, static_cast<std::uint8_t>(answer.decision));
  append(out, answer.new_adviser);
  return crypto::SecretBuffer::copy_of(ByteView(out.data(), out.size()));
}

Result<HandoverAnswer> decode_answer(ByteView bytes) {
  const Error bad{ErrorCode::kMalformed, "hand-over answer is malformed"};
  ByteReader reader(bytes);
  HandoverAnswer answer;
  std::uint8_t version = 0, decision = 0;
  if (!reader.take_u8(version) || version != kHandoverVersion || !reader.take(answer.proposal) ||
      !reader.take_u8(decision) || (decision != 1 && decision != 2) || !reader.take(answer.new_adviser) ||
      !reader.at_end()) {
    return bad;
  }
  answer.decision = static_cast<HandoverDecision>(decision);
  return answer;
}

}  // namespace meldpunt::protocol
