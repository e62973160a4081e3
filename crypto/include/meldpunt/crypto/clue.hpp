// Clues: how a recipient finds its messages without the relay learning which
// messages belong to whom.
//
// Sender (per message, to a recipient with fetch key pair (s, S = s*G) on
// ristretto255):
//   x random scalar;  clue = X || Z  with  X = x*G,  Z = x*S      (64 bytes)
// Relay (per stored message, per fetch; r a fresh random scalar):
//   R = r*X,  T = r*Z
//   k = BLAKE2b-256("meldpunt/v1/clue" || R || T)
//   entry = R (32) || k[0..16] (tag) || id XOR k[16..32] (16)      (64 bytes)
// Recipient: T' = s*R; recompute k; if the tag matches (constant time), the
// entry is its own and id = sealed XOR k[16..32].
//
// Only the holder of s can compute T from R (CDH), and entries from two
// fetches of the same message are unlinkable (DDH), so the relay sees neither
// who fetched what nor which fetches belong together. The relay pads each
// answer with random entries (random point, random bytes).
#pragma once

#include <optional>

#include "meldpunt/common/result.hpp"
#include "meldpunt/common/tagged_bytes.hpp"
#include "meldpunt/crypto/keys.hpp"
#include "meldpunt/crypto/secret.hpp"

namespace meldpunt::crypto {

inline constexpr std::size_t kClueBytes = 64;
inline constexpr std::size_t kFetchEntryBytes = 64;
inline constexpr std::size_t kMessageIdBytes = 16;

// A clue (what a sender deposits) and a fetch entry (what the relay answers
// with) are both 64 bytes, and so is a signature; none stands for another.
struct ClueTag;
struct FetchEntryTag;
using Clue = TaggedBytes<ClueTag, kClueBytes>;
using FetchEntry = TaggedBytes<FetchEntryTag, kFetchEntryBytes>;
// A stored message's id at the relay, as the wire and clients name it (the
// relay's store has its own type for it, store::MessageId).
struct MessageIdTag;
using MessageId = TaggedBytes<MessageIdTag, kMessageIdBytes>;

// Sender side. kMalformed if recipient_fetch_pk is not a valid point.
Result<Clue> make_clue(const FetchPublicKey& recipient_fetch_pk);

// Relay side: true if both halves are valid, non-identity points.
bool is_valid_clue(const Clue& clue);
// Relay side: a re-randomised entry carrying `id`. kMalformed on an invalid clue.
Result<FetchEntry> blind_clue(const Clue& clue, const MessageId& id);
// Relay side: a padding entry indistinguishable from a real one.
FetchEntry random_fetch_entry();

// Recipient side: the message id if this entry is addressed to fetch_sk.
std::optional<MessageId> recognise(const FetchEntry& entry, const Secret<kRistrettoScalarBytes>& fetch_sk);

// Deletion: the sender puts a random token inside the envelope and the
// verifier beside it at the relay; only the recipient learns the token.
//   verifier = BLAKE2b-256("meldpunt/v1/delete" || token)
FixedBytes<32> delete_verifier(const Secret<32>& token);
// Constant-time check of a presented token against a stored verifier.
bool check_delete_token(ByteView token, const FixedBytes<32>& verifier);

}  // namespace meldpunt::crypto
