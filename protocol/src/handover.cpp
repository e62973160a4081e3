#include "meldpunt/protocol/handover.hpp"

#include <stdexcept>

namespace meldpunt::protocol {

Bytes handover_statement(const crypto::AdviserId& proposer, const crypto::X25519PublicKey& reporter_message_pk,
                         const ProposalId& proposal, const crypto::AdviserId& new_adviser) {
  Bytes out;
  append(out, proposer);
  append(out, reporter_message_pk);
  append(out, proposal);
  append(out, new_adviser);
  return out;
}

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
  out.append(ByteView(proposal.signature.data(), proposal.signature.size()));
  return out;
}

Result<HandoverProposal> decode_proposal(ByteView bytes) {
  const Error bad{ErrorCode::kMalformed, "hand-over proposal is malformed"};
  ByteReader reader(bytes);
  HandoverProposal proposal;
  std::uint8_t version = 0;
  std::uint16_t note_size = 0;
  ByteView note;
  if (!reader.take_u8(version) || version != kHandoverVersion || !reader.take(proposal.id.bytes) ||
      !reader.take(proposal.new_adviser.bytes) || !reader.take_u16(note_size) || note_size > kMaxHandoverNoteBytes ||
      !reader.take(note_size, note) || !reader.take(proposal.signature.bytes) || !reader.at_end()) {
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
  if (!reader.take_u8(version) || version != kHandoverVersion || !reader.take(answer.proposal.bytes) ||
      !reader.take_u8(decision) || (decision != 1 && decision != 2) || !reader.take(answer.new_adviser.bytes) ||
      !reader.at_end()) {
    return bad;
  }
  answer.decision = static_cast<HandoverDecision>(decision);
  return answer;
}

crypto::SecretBuffer encode_transfer(const HandoverTransfer& transfer) {
  Bytes head;
  append_u8(head, kHandoverVersion);
  append(head, transfer.proposer);
  append(head, transfer.proposal);
  append(head, transfer.signature);
  crypto::SecretBuffer out;
  out.append(head);
  out.append(encode_history(transfer.history).view());
  return out;
}

Result<HandoverTransfer> decode_transfer(ByteView bytes) {
  const Error bad{ErrorCode::kMalformed, "hand-over transfer is malformed"};
  ByteReader reader(bytes);
  HandoverTransfer transfer;
  std::uint8_t version = 0;
  if (!reader.take_u8(version) || version != kHandoverVersion || !reader.take(transfer.proposer.bytes) ||
      !reader.take(transfer.proposal.bytes) || !reader.take(transfer.signature.bytes)) {
    return bad;
  }
  ByteView rest;
  if (!reader.take(reader.remaining(), rest)) return bad;
  auto history = decode_history(rest);
  if (!history) return bad;
  transfer.history = std::move(history).value();
  return transfer;
}

}  // namespace meldpunt::protocol
