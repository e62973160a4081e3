// Domain-separated Ed25519 signatures. Every signature of the protocol covers
//   domain || 0x00 || message
// where domain is an ASCII label such as "meldpunt/v1/directory", so a
// signature made for one purpose can never be replayed as another.
#pragma once

#include <string_view>

#include "meldpunt/crypto/keys.hpp"
#include "meldpunt/crypto/secret.hpp"

namespace meldpunt::crypto {

struct SigningKeyPair {
  Secret<kEd25519SecretBytes> sk;  // libsodium layout: seed || pk
  Ed25519PublicKey pk{};

  static SigningKeyPair generate();
  static SigningKeyPair from_seed(const Secret<kEd25519SeedBytes>& seed);
};

// A domain must not contain NUL: sign() throws std::invalid_argument and
// verify() returns false for such a domain.
Signature sign(std::string_view domain, ByteView message, const Secret<kEd25519SecretBytes>& sk);
[[nodiscard]] bool verify(std::string_view domain, ByteView message, const Signature& sig,
                          const Ed25519PublicKey& pk);

}  // namespace meldpunt::crypto
