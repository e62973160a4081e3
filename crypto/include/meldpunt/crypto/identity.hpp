// An adviser's identity: everything the adviser-client keeps in its key file.
//
//   sign      Ed25519       signs prekeys, prekey uploads and the adviser card
//   message   X25519        long-term key every envelope to the adviser also uses
//   fetch     ristretto255  recognises the adviser's clues on a fetch
//   prekeys   X25519        one-time keys, each signed by `sign`; the secret is
//                           deleted once a message to it was opened
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

struct AdviserIdentity {
  SigningKeyPair sign;
  X25519KeyPair message;
  FetchKeyPair fetch;
  Secret<32> store_key;
  std::vector<OneTimePrekey> prekeys;  // unused ones (secrets still held)
  std::uint64_t upload_counter = 0;     // last prekey-upload counter used (replay protection)

  static AdviserIdentity generate();

  // Makes `count` new prekeys, keeps their secrets, returns the public halves.
  // Throws std::length_error if that would hold more than kMaxPrekeysHeld.
  std::vector<SignedPrekey> make_prekeys(std::size_t count);
  // The secret of a held prekey, or nullptr.
  const Secret<32>* find_prekey(const X25519PublicKey& pk) const;
  // Forgets a prekey secret for good (after a message to it was opened).
  void erase_prekey(const X25519PublicKey& pk);

  // Versioned binary form for the key file (docs/PROTOCOL.md, "Key file").
  // parse() never throws on bad bytes: kMalformed (or kUnsupportedVersion)
  // for any wrong length, bound or public key that does not follow from its
  // secret, and for a prekey whose signature does not verify.
  SecretBuffer serialize() const;
  static Result<AdviserIdentity> parse(ByteView bytes);
};

}  // namespace meldpunt::crypto
