// Envelopes: the only thing the relay stores besides clues. Sealed sender:
// sender and recipient are inside the encryption; all envelopes of one size
// class are the same length and look uniformly random to the relay.
//
// Version 2 (sealed by this code; docs/PROTOCOL.md, "Key schedule"):
//   e            fresh X25519 key pair per envelope
//   dh_static    = X25519(e, recipient_pk)                   (long-term key)
//   dh_medium    = X25519(e, medium_pk) or 0^32              (signed medium-term prekey)
//   dh_onetime   = X25519(e, onetime_pk) or 0^32             (one-time prekey)
//   ids          = id(onetime_pk) or 0^16 || id(medium_pk) or 0^16   (id = first 16 bytes)
//   k_header     = BLAKE2b-256(key=dh_static, "meldpunt/v2/env-header" || e_pk || recipient_pk)
//   header       = XChaCha20-Poly1305(k_header, nonce 0, ad = version || e_pk, ids)
//   k_body       = BLAKE2b-256(key=dh_static, "meldpunt/v2/env-body" || dh_medium || dh_onetime
//                              || e_pk || recipient_pk || medium_pk or 0^32 || onetime_pk or 0^32)
//   auth         = BLAKE2b-256(key=X25519(sender_sk, recipient_pk),
//                              "meldpunt/v1/env-auth" || e_pk || recipient_pk || BLAKE2b-256(padded))
//   inner        = sender_pk (32) || auth (32) || padded
//   padded       = ISO/IEC 7816-4 padding of payload to the class's capacity + 1
//   envelope     = version 0x02 || e_pk (32) || header (48)
//                  || XChaCha20-Poly1305(k_body, nonce 0, ad = version || e_pk || header, inner)
//
// Version 1 (opened only: envelopes stored before version 2) had one prekey:
// its header held the one-time prekey's full public key, its k_body only
// dh_prekey (docs/PROTOCOL.md, "Version 1 envelopes").
//
// Each key is used for exactly one message, so the fixed nonce is safe. The
// prekeys in use are hidden in the header, so the relay cannot tell which
// adviser's prekeys (or whether any) were used. k_body depends on every
// prekey DH, so erasing either prekey secret makes the body unreadable.
// Sender authentication (auth) is deniable: the recipient can compute it too.
#pragma once

#include <array>
#include <functional>
#include <optional>

#include "meldpunt/common/result.hpp"
#include "meldpunt/common/tagged_bytes.hpp"
#include "meldpunt/crypto/keys.hpp"
#include "meldpunt/crypto/secret.hpp"

namespace meldpunt::crypto {

inline constexpr std::uint8_t kEnvelopeVersion = 2;        // sealed
inline constexpr std::uint8_t kEnvelopeVersionOnePrekey = 1;  // still opened
inline constexpr std::array<std::size_t, 3> kEnvelopeSizes = {4096, 32768, 262144};
inline constexpr std::size_t kEnvelopeOverhead = 1 + 32 + 48 + 16 + 32 + 32;  // 161
// Largest payload that fits class i (one byte is always taken by padding).
constexpr std::size_t envelope_capacity(std::size_t size_class_bytes) {
  return size_class_bytes - kEnvelopeOverhead - 1;
}
inline constexpr std::size_t kMaxEnvelopePayload = envelope_capacity(kEnvelopeSizes.back());
bool is_envelope_size(std::size_t n);
// The smallest size class whose capacity holds `payload_bytes`; 0 if none.
std::size_t envelope_size_for(std::size_t payload_bytes);

struct SealRequest {
  const Secret<32>* sender_sk = nullptr;        // X25519
  X25519PublicKey sender_pk{};
  X25519PublicKey recipient_pk{};               // long-term message key
  std::optional<X25519PublicKey> prekey_pk;     // one-time prekey, if one was available
  std::optional<X25519PublicKey> medium_pk;     // signed medium-term prekey (advisers always have one)
  ByteView payload;                             // at most kMaxEnvelopePayload
  // At least this size class (0: none): a sender hiding a letter among
  // letters of a larger class, or whose class must not depend on a detail
  // of the letter, asks for that class. Must be 0 or one of kEnvelopeSizes.
  std::size_t min_size = 0;
};

// Picks the smallest class that fits (and is at least min_size). kTooLarge if nothing fits; kMalformed if
// sender_sk is null, min_size is not a class, or recipient_pk / prekey_pk / medium_pk is a low-order
// point (X25519 result all zero). sender_pk is trusted to match sender_sk (not checked; a
// mismatch only yields an envelope that fails sender auth).
Result<Bytes> seal_envelope(const SealRequest& request);

struct OpenedEnvelope {
  std::uint8_t version = kEnvelopeVersion;
  X25519PublicKey sender_pk{};  // authenticated
  std::optional<X25519PublicKey> prekey_pk;  // which one-time prekey was used (erase its secret)
  std::optional<X25519PublicKey> medium_pk;  // which medium-term prekey was used
  SecretBuffer payload;
};

// A prekey is named in an envelope header by its id: the first 16 bytes of
// its public key.
inline constexpr std::size_t kPrekeyIdBytes = 16;
struct PrekeyIdTag;
using PrekeyId = TaggedBytes<PrekeyIdTag, kPrekeyIdBytes>;
PrekeyId prekey_id(const X25519PublicKey& pk);

// The secret of a held prekey whose public key starts with `id`, or nullptr.
// open_envelope recomputes the public key from the secret and checks it
// against the id (and, for version 1, the full key), so a lookup cannot make
// it use a key the header does not name.
using PrekeyLookup = std::function<const Secret<32>*(const PrekeyId&)>;
struct PrekeyLookups {
  PrekeyLookup one_time;
  PrekeyLookup medium;
};

// kMalformed for a wrong size or version byte, kUnauthorised for any failed
// check (X25519 result, header, body, padding, sender auth), kNotFound if the
// header names a prekey whose secret the lookup does not return (or the
// lookup is empty). Never throws on any input bytes.
Result<OpenedEnvelope> open_envelope(ByteView envelope, const Secret<32>& recipient_sk,
                                     const X25519PublicKey& recipient_pk,
                                     const PrekeyLookups& prekeys = {});

}  // namespace meldpunt::crypto
