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
//
// Priced requests (fetch, get-prekeys) carry a proof over a body that names
// only the operation, so a proof buys one request of that kind:
//
//   body      = BLAKE2b-256( "meldpunt/v1/request-body" || 0x00 || u8(op) )
//
// Work: a price is a number of expected digests W (not only a power of
// two), so a relay can charge in proportion to what a request costs it:
//
//   meets W   iff W == 0, or u64be(digest[0..8]) <= floor((2^64 - 1) / W)
//
// For W = 2^d this is exactly "at least d leading zero bits", so a proof
// made for a difficulty in bits meets the same price in digests.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "meldpunt/common/bytes.hpp"
#include "meldpunt/common/tagged_bytes.hpp"
#include "meldpunt/crypto/secret.hpp"

namespace meldpunt::crypto {

inline constexpr std::size_t kPowChallengeBytes = 32;
inline constexpr std::size_t kPowHashBytes = 32;
inline constexpr std::size_t kPowNonceBytes = 8;
// Clients refuse to work for a relay that asks for more (2^32 hashes is
// minutes on one core); relays never announce more.
inline constexpr unsigned kMaxPowDifficulty = 32;

// The relay's challenge and a hash (of a request's body, or a digest that
// proves the work) are both 32 bytes; pow_digest(challenge, body, nonce)
// with the two swapped does not compile.
struct PowChallengeTag;
struct PowHashTag;
using PowChallenge = TaggedBytes<PowChallengeTag, kPowChallengeBytes>;
using PowHash = TaggedBytes<PowHashTag, kPowHashBytes>;

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
// Largest price a client works for (about 4.6 hours of one core at 4
// million digests a second): a relay cannot make a client work forever.
inline constexpr std::uint64_t kMaxPowWork = std::uint64_t{1} << 36;

// The body of a priced request without fields (fetch, get-prekeys).
PowHash pow_request_body(std::uint8_t op);
// Whether `digest` meets a price of `work` expected digests (0 = free).
bool digest_meets_work(const PowHash& digest, std::uint64_t work);
// The largest price `digest` meets (UINT64_MAX for a first word of 0): the
// work this proof stands for, used to order paid requests.
std::uint64_t work_of_digest(const PowHash& digest);
// 2^bits as a price (bits <= 63).
constexpr std::uint64_t work_of_bits(unsigned bits) { return std::uint64_t{1} << bits; }
// A nonce whose digest meets `work`, on `threads` threads (each tries every
// threads-th nonce from start), trying at most max_attempts nonces in all;
// nullopt when none was found or work > kMaxPowWork. Expected cost: `work`
// digests, divided over the threads.
std::optional<std::uint64_t> pow_solve_work(const PowChallenge& challenge, const PowHash& body, std::uint64_t work,
                                            std::uint64_t max_attempts, std::uint64_t start = 0,
                                            unsigned threads = 1);
// The relay's challenge for one period.
PowChallenge pow_challenge(const Secret<32>& key, std::uint64_t period);

}  // namespace meldpunt::crypto
