#include "meldpunt/crypto/envelope.hpp"

#include <sodium.h>

#include <algorithm>
#include <initializer_list>
#include <string>
#include <string_view>

#include "meldpunt/crypto/testing.hpp"

namespace meldpunt::crypto {

namespace {

constexpr std::size_t kKeyBytes = 32;
constexpr std::size_t kAeadTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr std::size_t kAeadNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kHashBytes = 32;
// The header's plaintext: two prekey ids (version 2) or the one-time prekey
// public key (version 1); both are 32 bytes.
constexpr std::size_t kHeaderPlainBytes = kX25519KeyBytes;
static_assert(2 * kPrekeyIdBytes == kHeaderPlainBytes);
constexpr std::size_t kHeaderBytes = kHeaderPlainBytes + kAeadTagBytes;
constexpr std::size_t kEphemeralOffset = 1;
constexpr std::size_t kHeaderOffset = kEphemeralOffset + kX25519KeyBytes;
constexpr std::size_t kBodyOffset = kHeaderOffset + kHeaderBytes;
// Inner plaintext: sender_pk || auth || padded.
constexpr std::size_t kInnerPrefixBytes = kX25519KeyBytes + kHashBytes;

static_assert(kKeyBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(kKeyBytes == crypto_scalarmult_BYTES);
static_assert(kX25519KeyBytes == crypto_scalarmult_BYTES);
static_assert(kX25519KeyBytes == crypto_scalarmult_SCALARBYTES);
static_assert(kHashBytes >= crypto_generichash_BYTES_MIN &&
              kHashBytes <= crypto_generichash_BYTES_MAX);
static_assert(kKeyBytes >= crypto_generichash_KEYBYTES_MIN &&
              kKeyBytes <= crypto_generichash_KEYBYTES_MAX);
static_assert(kHeaderBytes == 48, "envelope.hpp documents a 48-byte header");
static_assert(kEnvelopeOverhead == kBodyOffset + kAeadTagBytes + kInnerPrefixBytes,
              "kEnvelopeOverhead must match the layout");
static_assert(kEnvelopeOverhead == 161);
static_assert(kMaxEnvelopePayload == 262144 - 162);

constexpr std::string_view kHeaderDomain = "meldpunt/v2/env-header";
constexpr std::string_view kBodyDomain = "meldpunt/v2/env-body";
constexpr std::string_view kHeaderDomainV1 = "meldpunt/v1/env-header";
constexpr std::string_view kBodyDomainV1 = "meldpunt/v1/env-body";
constexpr std::string_view kAuthDomain = "meldpunt/v1/env-auth";

// Every key is used for exactly one encryption (fresh ephemeral per
// envelope, distinct domains for header and body), so an all-zero nonce is safe.
constexpr std::uint8_t kZeroNonce[kAeadNonceBytes] = {};
constexpr X25519PublicKey kNoPrekey{};

// BLAKE2b-256 over the concatenation of `parts`, keyed with `key` if given.
// The state lives on the stack and is wiped: it holds key material.
void hash_parts(std::uint8_t* out, const Secret<32>* key, std::initializer_list<ByteView> parts) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, key != nullptr ? key->data() : nullptr,
                          key != nullptr ? key->size() : 0, kHashBytes);
  for (ByteView part : parts) crypto_generichash_update(&state, part.data(), part.size());
  crypto_generichash_final(&state, out, kHashBytes);
  sodium_memzero(&state, sizeof state);
}

ByteView domain(std::string_view d) { return as_bytes(d); }

// Smallest class whose padded area holds `payload_size` bytes plus the
// mandatory padding byte; 0 if none does.
std::size_t class_for_payload(std::size_t payload_size) {
  for (std::size_t size : kEnvelopeSizes) {
    if (payload_size <= envelope_capacity(size)) return size;
  }
  return 0;
}

// The shared core of seal: `padded` is either the ISO/IEC 7816-4 padded
// payload or (test seam) caller-supplied bytes of exactly the class's
// padded length.
struct PaddedSource {
  ByteView payload;  // padded here if `preset` is empty
  ByteView preset;   // already padded (testing only)
  bool use_preset = false;
};

Result<Bytes> seal_impl(const SealRequest& request, const Secret<32>& ephemeral_sk,
                        const PaddedSource& source) {
  if (request.sender_sk == nullptr)
    return Error{ErrorCode::kMalformed, "envelope: no sender key given"};
  if (request.min_size != 0 && !is_envelope_size(request.min_size))
    return Error{ErrorCode::kMalformed, "envelope: the minimum size is not a size class"};

  std::size_t size_class = 0;
  if (source.use_preset) {
    for (std::size_t size : kEnvelopeSizes) {
      if (source.preset.size() == size - kEnvelopeOverhead) size_class = size;
    }
    if (size_class == 0)
      return Error{ErrorCode::kMalformed, "envelope: padded area has no size class"};
  } else {
    size_class = class_for_payload(source.payload.size());
    if (size_class == 0) {
      return Error{ErrorCode::kTooLarge, "envelope: payload larger than " +
                                             std::to_string(kMaxEnvelopePayload) + " bytes"};
    }
    size_class = std::max(size_class, request.min_size);
  }
  const std::size_t padded_len = size_class - kEnvelopeOverhead;

  Bytes out(size_class);
  out[0] = kEnvelopeVersion;
  std::uint8_t* e_pk = out.data() + kEphemeralOffset;
  if (crypto_scalarmult_base(e_pk, ephemeral_sk.data()) != 0) {
    return Error{ErrorCode::kInternal, "envelope: ephemeral key generation failed"};
  }
  const ByteView e_pk_view{e_pk, kX25519KeyBytes};

  // An all-zero DH output means a low-order (invalid) public key was given.
  Secret<32> dh_static;
  if (crypto_scalarmult(dh_static.data(), ephemeral_sk.data(), request.recipient_pk.data()) != 0) {
    return Error{ErrorCode::kMalformed,
                 "envelope: recipient key is not a usable X25519 public key"};
  }
  // Each prekey DH stays all zero when that prekey is absent.
  Secret<32> dh_medium;
  Secret<32> dh_onetime;
  const X25519PublicKey& medium_field = request.medium_pk ? *request.medium_pk : kNoPrekey;
  const X25519PublicKey& onetime_field = request.prekey_pk ? *request.prekey_pk : kNoPrekey;
  if (request.medium_pk &&
      crypto_scalarmult(dh_medium.data(), ephemeral_sk.data(), request.medium_pk->data()) != 0) {
    return Error{ErrorCode::kMalformed,
                 "envelope: medium-term prekey is not a usable X25519 public key"};
  }
  if (request.prekey_pk &&
      crypto_scalarmult(dh_onetime.data(), ephemeral_sk.data(), request.prekey_pk->data()) != 0) {
    return Error{ErrorCode::kMalformed, "envelope: prekey is not a usable X25519 public key"};
  }
  Secret<32> dh_auth;
  if (crypto_scalarmult(dh_auth.data(), request.sender_sk->data(), request.recipient_pk.data()) !=
      0) {
    return Error{ErrorCode::kMalformed,
                 "envelope: recipient key is not a usable X25519 public key"};
  }

  // Header: which prekeys are in use, readable only with the recipient's
  // long-term key.
  std::array<std::uint8_t, kHeaderPlainBytes> ids{};
  if (request.prekey_pk) std::copy_n(request.prekey_pk->begin(), kPrekeyIdBytes, ids.begin());
  if (request.medium_pk) {
    std::copy_n(request.medium_pk->begin(), kPrekeyIdBytes, ids.begin() + kPrekeyIdBytes);
  }
  Secret<32> k_header;
  hash_parts(k_header.data(), &dh_static, {domain(kHeaderDomain), e_pk_view, request.recipient_pk});
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out.data() + kHeaderOffset, &written, ids.data(),
                                             ids.size(), out.data(), kHeaderOffset, nullptr,
                                             kZeroNonce, k_header.data());

  Secret<32> k_body;
  hash_parts(k_body.data(), &dh_static,
             {domain(kBodyDomain), dh_medium.view(), dh_onetime.view(), e_pk_view,
              request.recipient_pk, medium_field, onetime_field});

  SecretBuffer inner(kInnerPrefixBytes + padded_len);
  std::uint8_t* padded = inner.data() + kInnerPrefixBytes;
  std::copy(request.sender_pk.begin(), request.sender_pk.end(), inner.data());
  if (source.use_preset) {
    std::copy(source.preset.begin(), source.preset.end(), padded);
  } else {
    std::copy(source.payload.begin(), source.payload.end(), padded);
    std::size_t actual = 0;
    // Block size = the whole padded area, so every payload of the class pads
    // to the same length.
    if (sodium_pad(&actual, padded, source.payload.size(), padded_len, padded_len) != 0 ||
        actual != padded_len) {
      return Error{ErrorCode::kInternal, "envelope: padding failed"};
    }
  }

  // Deniable sender authentication: both sender and recipient can compute it.
  Secret<32> padded_hash;
  hash_parts(padded_hash.data(), nullptr, {ByteView{padded, padded_len}});
  hash_parts(inner.data() + kX25519KeyBytes, &dh_auth,
             {domain(kAuthDomain), e_pk_view, request.recipient_pk, padded_hash.view()});

  crypto_aead_xchacha20poly1305_ietf_encrypt(out.data() + kBodyOffset, &written, inner.data(),
                                             inner.size(), out.data(), kBodyOffset, nullptr,
                                             kZeroNonce, k_body.data());
  return out;
}

}  // namespace

PrekeyId prekey_id(const X25519PublicKey& pk) {
  PrekeyId id{};
  std::copy_n(pk.begin(), kPrekeyIdBytes, id.begin());
  return id;
}

std::size_t envelope_size_for(std::size_t payload_bytes) { return class_for_payload(payload_bytes); }

bool is_envelope_size(std::size_t n) {
  return std::find(kEnvelopeSizes.begin(), kEnvelopeSizes.end(), n) != kEnvelopeSizes.end();
}

Result<Bytes> seal_envelope(const SealRequest& request) {
  const Secret<32> ephemeral_sk = Secret<32>::random();
  return seal_impl(request, ephemeral_sk, PaddedSource{request.payload, {}, false});
}

Result<OpenedEnvelope> open_envelope(ByteView envelope, const Secret<32>& recipient_sk,
                                     const X25519PublicKey& recipient_pk,
                                     const PrekeyLookups& prekeys) {
  if (!is_envelope_size(envelope.size())) {
    return Error{ErrorCode::kMalformed, "envelope: size is not one of the envelope size classes"};
  }
  if (envelope[0] != kEnvelopeVersion && envelope[0] != kEnvelopeVersionOnePrekey)
    return Error{ErrorCode::kMalformed, "envelope: unknown version"};
  const Error unauthorised{ErrorCode::kUnauthorised,
                           "envelope: not addressed to this key or altered"};

  const ByteView e_pk = envelope.subspan(kEphemeralOffset, kX25519KeyBytes);
  Secret<32> dh_static;
  if (crypto_scalarmult(dh_static.data(), recipient_sk.data(), e_pk.data()) != 0)
    return unauthorised;

  const bool v1 = envelope[0] == kEnvelopeVersionOnePrekey;
  Secret<32> k_header;
  hash_parts(k_header.data(), &dh_static,
             {domain(v1 ? kHeaderDomainV1 : kHeaderDomain), e_pk, recipient_pk});
  std::array<std::uint8_t, kHeaderPlainBytes> header{};
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          header.data(), nullptr, nullptr, envelope.data() + kHeaderOffset, kHeaderBytes,
          envelope.data(), kHeaderOffset, kZeroNonce, k_header.data()) != 0) {
    return unauthorised;
  }

  OpenedEnvelope opened;
  opened.version = envelope[0];
  Secret<32> dh_medium;   // stays all zero without a medium-term prekey
  Secret<32> dh_onetime;  // stays all zero without a one-time prekey
  X25519PublicKey medium_field{};
  X25519PublicKey onetime_field{};
  // One prekey named by `id`: its secret from `lookup`, its public key
  // recomputed from that secret (and checked against the id), its DH.
  auto use_prekey = [&](ByteView id, const PrekeyLookup& lookup, const char* missing,
                        Secret<32>& dh, X25519PublicKey& pk) -> Status {
    PrekeyId wanted{};
    std::copy(id.begin(), id.end(), wanted.begin());
    const Secret<32>* sk = lookup ? lookup(wanted) : nullptr;
    if (sk == nullptr) return Status(ErrorCode::kNotFound, missing);
    if (crypto_scalarmult_base(pk.data(), sk->data()) != 0 ||
        sodium_memcmp(pk.data(), wanted.data(), kPrekeyIdBytes) != 0) {
      return Status(ErrorCode::kNotFound, missing);
    }
    if (crypto_scalarmult(dh.data(), sk->data(), e_pk.data()) != 0) return unauthorised;
    return Status::success();
  };
  constexpr const char* kOneTimeGone = "envelope: the one-time key it was sent to is no longer held";
  constexpr const char* kMediumGone =
      "envelope: the medium-term key it was sent to is no longer held";
  const ByteView header_view{header.data(), header.size()};
  if (v1) {
    // Version 1: the header is the one-time prekey's full public key.
    if (sodium_is_zero(header.data(), header.size()) == 0) {
      if (Status s = use_prekey(header_view.first(kPrekeyIdBytes), prekeys.one_time, kOneTimeGone,
                                dh_onetime, onetime_field);
          !s) {
        return s.error();
      }
      if (sodium_memcmp(onetime_field.data(), header.data(), header.size()) != 0) {
        return Error{ErrorCode::kNotFound, kOneTimeGone};
      }
      opened.prekey_pk = onetime_field;
    }
  } else {
    const ByteView onetime_id = header_view.first(kPrekeyIdBytes);
    const ByteView medium_id = header_view.subspan(kPrekeyIdBytes);
    if (sodium_is_zero(medium_id.data(), medium_id.size()) == 0) {
      if (Status s = use_prekey(medium_id, prekeys.medium, kMediumGone, dh_medium, medium_field); !s) {
        return s.error();
      }
      opened.medium_pk = medium_field;
    }
    if (sodium_is_zero(onetime_id.data(), onetime_id.size()) == 0) {
      if (Status s = use_prekey(onetime_id, prekeys.one_time, kOneTimeGone, dh_onetime, onetime_field);
          !s) {
        return s.error();
      }
      opened.prekey_pk = onetime_field;
    }
  }

  Secret<32> k_body;
  if (v1) {
    hash_parts(k_body.data(), &dh_static,
               {domain(kBodyDomainV1), dh_onetime.view(), e_pk, recipient_pk, onetime_field});
  } else {
    hash_parts(k_body.data(), &dh_static,
               {domain(kBodyDomain), dh_medium.view(), dh_onetime.view(), e_pk, recipient_pk,
                medium_field, onetime_field});
  }
  const ByteView body = envelope.subspan(kBodyOffset);
  SecretBuffer inner(body.size() - kAeadTagBytes);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(inner.data(), nullptr, nullptr, body.data(),
                                                 body.size(), envelope.data(), kBodyOffset,
                                                 kZeroNonce, k_body.data()) != 0) {
    return unauthorised;
  }

  const std::uint8_t* padded = inner.data() + kInnerPrefixBytes;
  const std::size_t padded_len = inner.size() - kInnerPrefixBytes;
  std::size_t payload_len = 0;
  if (sodium_unpad(&payload_len, padded, padded_len, padded_len) != 0) return unauthorised;

  std::copy(inner.data(), inner.data() + kX25519KeyBytes, opened.sender_pk.begin());
  Secret<32> dh_auth;
  if (crypto_scalarmult(dh_auth.data(), recipient_sk.data(), opened.sender_pk.data()) != 0)
    return unauthorised;
  Secret<32> padded_hash;
  hash_parts(padded_hash.data(), nullptr, {ByteView{padded, padded_len}});
  Secret<32> expected_auth;
  hash_parts(expected_auth.data(), &dh_auth,
             {domain(kAuthDomain), e_pk, recipient_pk, padded_hash.view()});
  if (sodium_memcmp(expected_auth.data(), inner.data() + kX25519KeyBytes, kHashBytes) != 0) {
    return unauthorised;
  }

  opened.payload = SecretBuffer::copy_of(ByteView{padded, payload_len});
  return opened;
}

namespace testing {

Result<Bytes> seal_envelope_with_ephemeral(const SealRequest& request,
                                           const Secret<32>& ephemeral_sk) {
  return seal_impl(request, ephemeral_sk, PaddedSource{request.payload, {}, false});
}

Result<Bytes> seal_envelope_with_padded(const SealRequest& request, const Secret<32>& ephemeral_sk,
                                        ByteView padded) {
  return seal_impl(request, ephemeral_sk, PaddedSource{{}, padded, true});
}

}  // namespace testing

}  // namespace meldpunt::crypto
