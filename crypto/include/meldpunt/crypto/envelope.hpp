// Envelopes: the only thing the relay stores besides clues. Sealed sender:
// sender and recipient are inside the encryption; all envelopes of one size
// class are the same length and look uniformly random to the relay.
//
//   e            fresh X25519 key pair per envelope
//   dh_static    = X25519(e, recipient_pk)                   (long-term key)
//   dh_prekey    = X25519(e, prekey_pk) or 32 zero bytes     (one-time prekey)
//   k_header     = BLAKE2b-256(key=dh_static, "meldpunt/v1/env-header" || e_pk || recipient_pk)
//   header       = XChaCha20-Poly1305(k_header, nonce 0, ad = version || e_pk, prekey_pk or 0^32)
//   k_body       = BLAKE2b-256(key=dh_static, "meldpunt/v1/env-body" || dh_prekey || e_pk
//                                               || recipient_pk || prekey_pk or 0^32)
//   auth         = BLAKE2b-256(key=X25519(sender_sk, recipient_pk),
//                              "meldpunt/v1/env-auth" || e_pk || recipient_pk || BLAKE2b-256(padded))
//   inner        = sender_pk (32) || auth (32) || padded
//   padded       = ISO/IEC 7816-4 padding of payload to the class's capacity + 1
//   envelope     = version 0x01 || e_pk (32) || header (48)
//                  || XChaCha20-Poly1305(k_body, nonce 0, ad = version || e_pk || header, inner)
//
// Each key is used for exactly one message, so the fixed nonce is safe. The
// prekey in use is hidden in the header, so the relay cannot tell which
// adviser's prekey (or whether any) was used. Sender authentication (auth) is
// deniable: the recipient can compute it too.
#pragma once

#include <array>
#include <functional>
#include <optional>

#include "meldpunt/common/result.hpp"
#include "meldpunt/crypto/keys.hpp"
#include "meldpunt/crypto/secret.hpp"

namespace meldpunt::crypto {

inline constexpr std::uint8_t kEnvelopeVersion = 1;
inline constexpr std::array<std::size_t, 3> kEnvelopeSizes = {4096, 32768, 262144};
inline constexpr std::size_t kEnvelopeOverhead = 1 + 32 + 48 + 16 + 32 + 32;  // 161
// Largest payload that fits class i (one byte is always taken by padding).
constexpr std::size_t envelope_capacity(std::size_t size_class_bytes) {
  return size_class_bytes - kEnvelopeOverhead - 1;
}
inline constexpr std::size_t kMaxEnvelopePayload = envelope_capacity(kEnvelopeSizes.back());
bool is_envelope_size(std::size_t n);

struct SealRequest {
  const Secret<32>* sender_sk = nullptr;        // X25519
  X25519PublicKey sender_pk{};
  X25519PublicKey recipient_pk{};               // long-term message key
  std::optional<X25519PublicKey> prekey_pk;     // one-time prekey, if one was available
  ByteView payload;                             // at most kMaxEnvelopePayload
};

// Picks the smallest class that fits. kTooLarge if nothing fits; kMalformed if
// sender_sk is null or recipient_pk / prekey_pk is a low-order point (X25519
// result all zero). sender_pk is trusted to match sender_sk (not checked; a
// mismatch only yields an envelope that fails sender auth).
Result<Bytes> seal_envelope(const SealRequest& request);

struct OpenedEnvelope {
  X25519PublicKey sender_pk{};  // authenticated
  std::optional<X25519PublicKey> prekey_pk;  // which prekey was used (erase its secret)
  SecretBuffer payload;
};

using PrekeyLookup = std::function<const Secret<32>*(const X25519PublicKey&)>;

// kMalformed for a wrong size or version byte, kUnauthorised for any failed
// check (X25519 result, header, body, padding, sender auth), kNotFound if the
// header names a prekey whose secret `prekeys` does not return (or `prekeys`
// is empty). Never throws on any input bytes.
Result<OpenedEnvelope> open_envelope(ByteView envelope, const Secret<32>& recipient_sk,
                                     const X25519PublicKey& recipient_pk,
                                     const PrekeyLookup& prekeys = {});

}  // namespace meldpunt::crypto
