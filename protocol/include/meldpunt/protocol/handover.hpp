// Bodies of the hand-over letters (letter.hpp kinds 7, 8 and 9).
//
// An adviser may hand a case to another adviser of the directory, but only
// the reporter decides: the adviser proposes (kind 7), the reporter accepts
// or declines (kind 8), and only on acceptance does the reporter's client
// send the conversation to the new adviser (kind 9). Nothing is ever sent to
// the new adviser without the reporter's answer.
//
//   proposal = version u8 (1) || proposal id (16, random)
//              || new adviser id (16) || note length u16 LE (<= 4096) || note (UTF-8)
//              || signature (64)
//   answer   = version u8 (1) || proposal id (16) || decision u8 (1 accept, 2 decline)
//              || new adviser id (16)
//   transfer = version u8 (1) || proposing adviser id (16) || proposal id (16)
//              || signature (64) || history (letter.hpp, the rest)
//
//   signature = Ed25519 by the proposing adviser's directory signing key,
//               domain kHandoverDomain, over the statement
//               proposing adviser id || reporter message pk || proposal id || new adviser id
//
// The proposal id ties an answer to one proposal. The signature lets the new
// adviser check that the adviser the directory lists really proposed handing
// THIS reporter's case (the envelope's authenticated sender) to THEM: without
// it anyone could deposit a "handed over" case putting words in a real
// colleague's mouth. The conversation itself is still only vouched for by
// the reporter's client (which checked every reply against the directory).
#pragma once

#include <cstdint>

#include "meldpunt/common/result.hpp"
#include "meldpunt/common/tagged_bytes.hpp"
#include "meldpunt/crypto/directory.hpp"
#include "meldpunt/crypto/secret.hpp"
#include "meldpunt/crypto/sign.hpp"
#include "meldpunt/protocol/letter.hpp"

namespace meldpunt::protocol {

inline constexpr std::uint8_t kHandoverVersion = 1;
inline constexpr std::size_t kProposalIdBytes = 16;
inline constexpr std::size_t kMaxHandoverNoteBytes = 4096;
inline constexpr std::size_t kHandoverAnswerBytes = 1 + kProposalIdBytes + 1 + crypto::kAdviserIdBytes;
inline constexpr std::size_t kTransferHeaderBytes = 1 + crypto::kAdviserIdBytes + kProposalIdBytes + crypto::kSignatureBytes;
inline constexpr std::string_view kHandoverDomain = "meldpunt/v1/handover";

// Its own type: swapping it with an adviser id (the same size) in
// handover_statement or the letters does not compile.
struct ProposalIdTag;
using ProposalId = TaggedBytes<ProposalIdTag, kProposalIdBytes>;

// What the proposing adviser signs.
Bytes handover_statement(const crypto::AdviserId& proposer, const crypto::X25519PublicKey& reporter_message_pk,
                         const ProposalId& proposal, const crypto::AdviserId& new_adviser);

struct HandoverProposal {
  ProposalId id{};
  crypto::AdviserId new_adviser{};
  crypto::SecretBuffer note;  // why, in the adviser's words; may be empty
  crypto::Signature signature{};
};

enum class HandoverDecision : std::uint8_t { kAccept = 1, kDecline = 2 };

struct HandoverAnswer {
  ProposalId proposal{};
  HandoverDecision decision = HandoverDecision::kDecline;
  crypto::AdviserId new_adviser{};
};

// The body of a kind-9 letter: the signed proposal the reporter accepted,
// and the conversation so far.
struct HandoverTransfer {
  crypto::AdviserId proposer{};
  ProposalId proposal{};
  crypto::Signature signature{};
  History history;
};

// Throws std::length_error for a note over kMaxHandoverNoteBytes (the caller
// checks first; programmer error).
crypto::SecretBuffer encode_proposal(const HandoverProposal& proposal);
// kMalformed on any inconsistency; never throws on untrusted bytes.
Result<HandoverProposal> decode_proposal(ByteView bytes);

crypto::SecretBuffer encode_answer(const HandoverAnswer& answer);
Result<HandoverAnswer> decode_answer(ByteView bytes);

crypto::SecretBuffer encode_transfer(const HandoverTransfer& transfer);
Result<HandoverTransfer> decode_transfer(ByteView bytes);

}  // namespace meldpunt::protocol
