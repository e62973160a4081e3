// An adviser's identity: everything the adviser-client keeps in its key file.
//
//   sign      Ed25519       signs prekeys, prekey uploads and the adviser card
//   message   X25519        long-term key every envelope to the adviser also uses
//   fetch     ristretto255  recognises the adviser's clues on a fetch
//   prekeys   X25519        one-time keys, each signed by `sign`; the secret is
//                           deleted once a message to it was opened
//   medium    X25519        signed medium-term prekeys (X3DH's "signed prekey"):
//                           every report also uses the current one, so it keeps
//                           forward secrecy when no one-time prekey is left;
//                           rotated every kMediumPrekeyRotateDays, its secret
//                           erased once nothing can still be sealed to it and
//                           no stored message can still need it
//   store_key 32 bytes      encrypts the values of the adviser's local LMDB store
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "meldpunt/common/result.hpp"
#include "meldpunt/crypto/keys.hpp"
#include "meldpunt/crypto/secret.hpp"
#include "meldpunt/crypto/sign.hpp"

namespace meldpunt::crypto {

inline constexpr std::string_view kPrekeyDomain = "meldpunt/v1/prekey";
// Upper bound on prekeys held in one identity (bounds the key file parser).
inline constexpr std::size_t kMaxPrekeysHeld = 4096;

// Medium-term prekeys (docs/PROTOCOL.md, "Medium-term prekeys"). Days are
// whole days since 1970-01-01 UTC.
inline constexpr std::string_view kMediumPrekeyDomain = "meldpunt/v1/medium-prekey";
// A new one is valid for sealing up to and including created + lifetime...
inline constexpr std::uint32_t kMediumPrekeyLifetimeDays = 14;
// ...and replaced once fewer than this many days of its life are left, so
// an adviser who opens the inbox weekly always has one a week ahead.
inline constexpr std::uint32_t kMediumPrekeyRotateDays = 7;
// A reporter's clock may be this far behind the adviser's: it still seals
// to a prekey on the day after its expiry by the adviser's calendar.
inline constexpr std::uint32_t kMediumPrekeyClockSkewDays = 1;
// From sealing to the deposit's commit at the relay (a reporter whose
// deposit is retried, a slow proof of work).
inline constexpr std::uint32_t kMediumPrekeyDepositDays = 1;
// Bound on medium-term prekeys held (rotation adds one a week; they go
// after lifetime + retention): bounds the key file parser.
inline constexpr std::size_t kMaxMediumPrekeysHeld = 64;

struct X25519KeyPair {
  Secret<32> sk;
  X25519PublicKey pk{};
  static X25519KeyPair generate();
  static X25519KeyPair from_secret(const Secret<32>& sk);
};

struct FetchKeyPair {
  Secret<kRistrettoScalarBytes> sk;  // reduced scalar, never zero
  FetchPublicKey pk{};
  static FetchKeyPair generate();
};

struct OneTimePrekey {
  X25519KeyPair keys;
  Signature signature{};  // sign(kPrekeyDomain, keys.pk, adviser sign key)
};

struct SignedPrekey {  // the public half, as uploaded to and served by the relay
  X25519PublicKey pk{};
  Signature signature{};
};

[[nodiscard]] bool verify_prekey(const SignedPrekey& prekey, const Ed25519PublicKey& adviser_sign_pk);

// The public half of a medium-term prekey, as uploaded and served:
// signature = sign(kMediumPrekeyDomain, pk || expires_day u32 LE).
struct SignedMediumPrekey {
  X25519PublicKey pk{};
  std::uint32_t expires_day = 0;  // last day a reporter may seal to it
  Signature signature{};
};
inline constexpr std::size_t kSignedMediumPrekeyBytes = 32 + 4 + kSignatureBytes;  // 100
Bytes medium_prekey_message(const X25519PublicKey& pk, std::uint32_t expires_day);
[[nodiscard]] bool verify_medium_prekey(const SignedMediumPrekey& prekey,
                                        const Ed25519PublicKey& adviser_sign_pk);
// pk || expires_day u32 LE || signature (kSignedMediumPrekeyBytes).
Bytes encode_medium_prekey(const SignedMediumPrekey& prekey);
// kMalformed unless exactly kSignedMediumPrekeyBytes (the signature is not checked here).
Result<SignedMediumPrekey> decode_medium_prekey(ByteView bytes);

struct MediumPrekey {
  X25519KeyPair keys;
  std::uint32_t expires_day = 0;
  Signature signature{};
  SignedMediumPrekey public_half() const { return {keys.pk, expires_day, signature}; }
};

// The day after which no envelope sealed to a medium-term prekey that
// expires on `expires_day` can still reach the relay (expiry + reporter
// clock skew + deposit delay).
constexpr std::uint32_t medium_prekey_cutoff_day(std::uint32_t expires_day) {
  return expires_day + kMediumPrekeyClockSkewDays + kMediumPrekeyDepositDays;
}

struct AdviserIdentity {
  SigningKeyPair sign;
  X25519KeyPair message;
  FetchKeyPair fetch;
  Secret<32> store_key;
  std::vector<OneTimePrekey> prekeys;  // unused ones (secrets still held)
  std::vector<MediumPrekey> medium;    // oldest first; the last one is current
  std::uint64_t upload_counter = 0;     // last prekey-upload counter used (replay protection)
  // Start day of the last inbox run that stored everything addressed to
  // this adviser (see erase_spent_medium); 0 = none yet.
  std::uint32_t clean_inbox_day = 0;

  static AdviserIdentity generate();

  // Makes `count` new prekeys, keeps their secrets, returns the public halves.
  // Throws std::length_error if that would hold more than kMaxPrekeysHeld.
  std::vector<SignedPrekey> make_prekeys(std::size_t count);
  // The secret of a held prekey, or nullptr.
  const Secret<32>* find_prekey(const X25519PublicKey& pk) const;
  // Forgets a prekey secret for good (after a message to it was opened).
  void erase_prekey(const X25519PublicKey& pk);
  // The secret of a held one-time / medium-term prekey whose public key
  // starts with `id` (an envelope header's prekey id), or nullptr.
  const Secret<32>* find_prekey_by_id(ByteView id) const;
  const Secret<32>* find_medium_by_id(ByteView id) const;

  // The medium-term prekey reporters should seal to, or nullptr if none is
  // held or the newest expires before `today`.
  const MediumPrekey* current_medium(std::uint32_t today) const;
  // Makes and signs a new medium-term prekey when none is current or the
  // current one has fewer than kMediumPrekeyRotateDays left; true if it did.
  // Drops the oldest beyond kMaxMediumPrekeysHeld (never the new one).
  bool rotate_medium(std::uint32_t today);
  // Erases the secrets of medium-term prekeys that no envelope can still
  // need: their cut-off day (medium_prekey_cutoff_day) is before
  // clean_inbox_day (the start day of the adviser's last inbox run that
  // collected and stored everything addressed to it), or so long before
  // `today` that the relay has purged whatever was sealed to them
  // (cut-off + max_stored_days + 1 < today, max_stored_days = the relay's
  // retention + fuzz; UINT32_MAX when unknown). One that has not expired by
  // `today` is never erased, whatever clean_inbox_day says (a clock that was
  // once wrong). Returns how many were erased.
  std::size_t erase_spent_medium(std::uint32_t today, std::uint32_t max_stored_days);

  // Versioned binary form for the key file (docs/PROTOCOL.md, "Key file").
  // serialize() writes version 2; parse() reads versions 1 (no medium-term
  // prekeys: the next inbox run makes one) and 2. parse() never throws on
  // bad bytes: kMalformed (or kUnsupportedVersion) for any wrong length,
  // bound or public key that does not follow from its secret, and for a
  // prekey whose signature does not verify.
  SecretBuffer serialize() const;
  static Result<AdviserIdentity> parse(ByteView bytes);
};

}  // namespace meldpunt::crypto
