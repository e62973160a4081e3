// Public key vocabulary and the sizes the whole protocol is built on. Each
// constant is tied to its libsodium counterpart by a static_assert in the
// implementation, so a change in libsodium cannot silently break the format.
#pragma once

#include <cstddef>
#include <string>

#include "meldpunt/common/bytes.hpp"
#include "meldpunt/common/result.hpp"
#include "meldpunt/common/tagged_bytes.hpp"

namespace meldpunt::crypto {

inline constexpr std::size_t kX25519KeyBytes = 32;       // crypto_scalarmult_BYTES
inline constexpr std::size_t kEd25519PublicBytes = 32;   // crypto_sign_PUBLICKEYBYTES
inline constexpr std::size_t kEd25519SecretBytes = 64;   // crypto_sign_SECRETKEYBYTES
inline constexpr std::size_t kEd25519SeedBytes = 32;     // crypto_sign_SEEDBYTES
inline constexpr std::size_t kSignatureBytes = 64;       // crypto_sign_BYTES
inline constexpr std::size_t kRistrettoPointBytes = 32;  // crypto_core_ristretto255_BYTES
inline constexpr std::size_t kRistrettoScalarBytes = 32; // crypto_core_ristretto255_SCALARBYTES

// Three kinds of 32-byte public key, each for one kind of operation: an
// X25519 key passed where a signing key or a fetch key is meant does not
// compile. Decoders read them into `.bytes`.
struct X25519PublicKeyTag;
struct Ed25519PublicKeyTag;
struct FetchPublicKeyTag;
struct SignatureTag;
using X25519PublicKey = TaggedBytes<X25519PublicKeyTag, kX25519KeyBytes>;       // message keys, prekeys
using Ed25519PublicKey = TaggedBytes<Ed25519PublicKeyTag, kEd25519PublicBytes>;  // signing keys
using FetchPublicKey = TaggedBytes<FetchPublicKeyTag, kRistrettoPointBytes>;     // clue recipients (ristretto255)
using Signature = TaggedBytes<SignatureTag, kSignatureBytes>;                    // Ed25519

// Base64 (URL-safe alphabet, no padding) for keys printed in cards and the
// channel address.
std::string to_base64url(ByteView data);
Result<Bytes> from_base64url(std::string_view text);

}  // namespace meldpunt::crypto
