// Proof of work on deposits (hashcash over BLAKE2b), so that an anonymous
// flood of deposits costs the flooder CPU time per message while an honest
// reporter pays a fraction of a second once per report.
//
//   body      = BLAKE2b-256( "meldpunt/v1/deposit-body" || 0x00 ||
//                            for each deposit: clue (64) || verifier (32) ||
//                                              u32le(envelope size) || envelope )
//   digest    = BLAKE2b-256( "meldpunt/v1/deposit-pow" || 0x00 ||
//                            challenge (32) || body (32) || u64le(nonce) )
//   valid     iff digest starts with >= difficulty zero bits
//               (most significant bit of byte 0 first)
//   challenge = BLAKE2b-256(key = relay's in-memory secret (32),
//                           "meldpunt/v1/pow-challenge" || 0x00 || u64le(period))
//
// The challenge changes every period (the relay's choice, announced with
// get-policy), so proofs cannot be computed ahead of time; the body hash
// binds the proof to exactly the deposited bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "meldpunt/common/bytes.hpp"
#include "meldpunt/crypto/secret.hpp"

namespace meldpunt::crypto {

inline constexpr std::size_t kPowChallengeBytes = 32;
inline constexpr std::size_t kPowHashBytes = 32;
inline constexpr std::size_t kPowNonceBytes = 8;
// Clients refuse to work for a relay that asks for more (2^32 hashes is
// minutes on one core); relays never announce more.
inline constexpr unsigned kMaxPowDifficulty = 32;

using PowChallenge = FixedBytes<kPowChallengeBytes>;
using PowHash = FixedBytes<kPowHashBytes>;

// One deposited envelope as the proof of work sees it. clue must be 64 bytes
// and verifier 32 (the wire parser checks that before anything hashes).
struct PowItem {
  ByteView clue;
  ByteView verifier;
  ByteView envelope;
};

PowHash pow_body_hash(std::span<const PowItem> items);
PowHash pow_digest(const PowChallenge& challenge, const PowHash& body, std::uint64_t nonce);
// Leading zero bits of `bytes`, most significant bit of bytes[0] first.
unsigned leading_zero_bits(ByteView bytes);
bool pow_meets(const PowChallenge& challenge, const PowHash& body, std::uint64_t nonce, unsigned difficulty);
// The first nonce >= start whose digest meets difficulty, trying at most
// max_attempts nonces; nullopt when none was found (or difficulty is above
// kMaxPowDifficulty). Expected cost: 2^difficulty digests.
std::optional<std::uint64_t> pow_solve(const PowChallenge& challenge, const PowHash& body, unsigned difficulty,
                                       std::uint64_t max_attempts, std::uint64_t start = 0);
// The relay's challenge for one period.
PowChallenge pow_challenge(const Secret<32>& key, std::uint64_t period);

}  // namespace meldpunt::crypto
