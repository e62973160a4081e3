// Bodies of the hand-over letters (letter.hpp kinds 7 and 8).
//
// An adviser may hand a case to another adviser of the directory, but only
// the reporter decides: the adviser proposes (kind 7), the reporter accepts
// or declines (kind 8), and only on acceptance does the reporter's client
// send the conversation to the new adviser (kind 9, a history body). Nothing
// is ever sent to the new adviser without the reporter's answer.
//
//   proposal = version u8 (1) || proposal id (16, random)
//              || new adviser id (16) || note length u16 LE (<= 4096) || note (UTF-8)
//   answer   = version u8 (1) || proposal id (16) || decision u8 (1 accept, 2 decline)
//              || new adviser id (16)
//
// The proposal id ties an answer to one proposal, so an answer cannot be
// replayed onto a later proposal; the proposing adviser is the letter's
// adviser id, authenticated by the envelope's sender key.
#pragma once

#include <cstdint>

#include "meldpunt/common/result.hpp"
#include "meldpunt/crypto/directory.hpp"
#include "meldpunt/crypto/secret.hpp"

namespace meldpunt::protocol {

inline constexpr std::uint8_t kHandoverVersion = 1;
inline constexpr std::size_t kProposalIdBytes = 16;
inline constexpr std::size_t kMaxHandoverNoteBytes = 4096;
inline constexpr std::size_t kHandoverAnswerBytes = 1 + kProposalIdBytes + 1 + crypto::kAdviserIdBytes;

using ProposalId = FixedBytes<kProposalIdBytes>;

struct HandoverProposal {
  ProposalId id{};
  crypto::AdviserId new_adviser{};
  crypto::SecretBuffer note;  // why, in the adviser's words; may be empty
};

enum class HandoverDecision : std::uint8_t { kAccept = 1, kDecline = 2 };

struct HandoverAnswer {
  ProposalId proposal{};
  HandoverDecision decision = HandoverDecision::kDecline;
  crypto::AdviserId new_adviser{};
};

// Throws std::length_error for a note over kMaxHandoverNoteBytes (the caller
// checks first; programmer error).
crypto::SecretBuffer encode_proposal(const HandoverProposal& proposal);
// kMalformed on any inconsistency; never throws on untrusted bytes.
Result<HandoverProposal> decode_proposal(ByteView bytes);

crypto::SecretBuffer encode_answer(const HandoverAnswer& answer);
Result<HandoverAnswer> decode_answer(ByteView bytes);

}  // namespace meldpunt::protocol
