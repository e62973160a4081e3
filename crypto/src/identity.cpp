#include "meldpunt/crypto/identity.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace meldpunt::crypto {

namespace {

// Key file layout (all integers little-endian; docs/PROTOCOL.md §5):
//   magic "MPID\0\0\0\2" (8; version 1 has no medium-term part)
//   sign_sk (64, seed || pk) || message_sk (32) || message_pk (32)
//   || fetch_sk (32) || fetch_pk (32) || store_key (32)
//   || upload_counter u64 || prekey count u32 (<= kMaxPrekeysHeld)
//   || [version 2: medium count u32 (<= kMaxMediumPrekeysHeld) || clean inbox day u32]
//   || count x (prekey_sk (32) || prekey_pk (32) || signature (64))
//   || [version 2: medium count x (sk (32) || pk (32) || expires_day u32 || signature (64))]
constexpr std::array<std::uint8_t, 8> kMagic = {'M', 'P', 'I', 'D', 0, 0, 0, 2};
constexpr std::array<std::uint8_t, 8> kMagicV1 = {'M', 'P', 'I', 'D', 0, 0, 0, 1};
constexpr std::size_t kFixedBytesV1 = 8 + 64 + 32 + 32 + 32 + 32 + 32 + 8 + 4;
constexpr std::size_t kFixedBytes = kFixedBytesV1 + 4 + 4;
constexpr std::size_t kPrekeyBytes = 32 + 32 + kSignatureBytes;
constexpr std::size_t kMediumBytes = 32 + 32 + 4 + kSignatureBytes;
static_assert(kFixedBytesV1 == 244);
static_assert(kFixedBytes == 252);
static_assert(kPrekeyBytes == 128);
static_assert(kMediumBytes == 132);

bool fetch_pk_matches(const Secret<kRistrettoScalarBytes>& sk, const FetchPublicKey& pk) {
  // The scalar must be canonical (reducing it changes nothing) and non-zero
  // (the base point multiplication refuses zero).
  Secret<crypto_core_ristretto255_NONREDUCEDSCALARBYTES> wide;
  std::copy(sk.view().begin(), sk.view().end(), wide.data());
  Secret<kRistrettoScalarBytes> reduced;
  crypto_core_ristretto255_scalar_reduce(reduced.data(), wide.data());
  if (!reduced.equals(sk)) return false;
  FetchPublicKey computed{};
  if (crypto_scalarmult_ristretto255_base(computed.data(), sk.data()) != 0) return false;
  return computed == pk;
}

X25519PublicKey x25519_public(const Secret<32>& sk) {
  X25519PublicKey pk{};
  crypto_scalarmult_base(pk.data(), sk.data());
  return pk;
}

Error malformed(std::string what) { return Error{ErrorCode::kMalformed, "key file: " + what}; }

}  // namespace

X25519KeyPair X25519KeyPair::generate() {
  X25519KeyPair kp;
  kp.sk = Secret<32>::random();
  kp.pk = x25519_public(kp.sk);
  return kp;
}

X25519KeyPair X25519KeyPair::from_secret(const Secret<32>& sk) {
  X25519KeyPair kp;
  kp.sk = sk.clone();
  kp.pk = x25519_public(kp.sk);
  return kp;
}

FetchKeyPair FetchKeyPair::generate() {
  FetchKeyPair kp;
  crypto_core_ristretto255_scalar_random(kp.sk.data());  // uniform in [1, L)
  if (crypto_scalarmult_ristretto255_base(kp.pk.data(), kp.sk.data()) != 0) {
    throw std::runtime_error("ristretto255 scalar_random returned zero");
  }
  return kp;
}

bool verify_prekey(const SignedPrekey& prekey, const Ed25519PublicKey& adviser_sign_pk) {
  return verify(kPrekeyDomain, prekey.pk, prekey.signature, adviser_sign_pk);
}

Bytes medium_prekey_message(const X25519PublicKey& pk, std::uint32_t expires_day) {
  Bytes out(pk.begin(), pk.end());
  append_u32_le(out, expires_day);
  return out;
}

bool verify_medium_prekey(const SignedMediumPrekey& prekey, const Ed25519PublicKey& adviser_sign_pk) {
  return verify(kMediumPrekeyDomain, medium_prekey_message(prekey.pk, prekey.expires_day),
                prekey.signature, adviser_sign_pk);
}

Bytes encode_medium_prekey(const SignedMediumPrekey& prekey) {
  Bytes out = medium_prekey_message(prekey.pk, prekey.expires_day);
  out.insert(out.end(), prekey.signature.begin(), prekey.signature.end());
  return out;
}

Result<SignedMediumPrekey> decode_medium_prekey(ByteView bytes) {
  if (bytes.size() != kSignedMediumPrekeyBytes) {
    return Error{ErrorCode::kMalformed, "a medium-term prekey must be 100 bytes"};
  }
  ByteReader r(bytes);
  SignedMediumPrekey p;
  (void)r.take(p.pk.bytes);
  (void)r.take_u32(p.expires_day);
  (void)r.take(p.signature.bytes);
  return p;
}

AdviserIdentity AdviserIdentity::generate() {
  AdviserIdentity id;
  id.sign = SigningKeyPair::generate();
  id.message = X25519KeyPair::generate();
  id.fetch = FetchKeyPair::generate();
  id.store_key = Secret<32>::random();
  return id;
}

std::vector<SignedPrekey> AdviserIdentity::make_prekeys(std::size_t count) {
  if (count > kMaxPrekeysHeld - std::min(prekeys.size(), kMaxPrekeysHeld)) {
    throw std::length_error("an identity holds at most kMaxPrekeysHeld prekeys");
  }
  std::vector<SignedPrekey> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    OneTimePrekey prekey{X25519KeyPair::generate(), {}};
    prekey.signature = crypto::sign(kPrekeyDomain, prekey.keys.pk, sign.sk);
    out.push_back(SignedPrekey{prekey.keys.pk, prekey.signature});
    prekeys.push_back(std::move(prekey));
  }
  return out;
}

const Secret<32>* AdviserIdentity::find_prekey(const X25519PublicKey& pk) const {
  for (const auto& prekey : prekeys) {
    if (prekey.keys.pk == pk) return &prekey.keys.sk;
  }
  return nullptr;
}

void AdviserIdentity::erase_prekey(const X25519PublicKey& pk) {
  // Destroying the OneTimePrekey frees (and so wipes) its secret.
  std::erase_if(prekeys, [&](const OneTimePrekey& p) { return p.keys.pk == pk; });
}

const Secret<32>* AdviserIdentity::find_prekey_by_id(ByteView id) const {
  for (const auto& prekey : prekeys) {
    if (id.size() <= prekey.keys.pk.size() && std::equal(id.begin(), id.end(), prekey.keys.pk.begin())) {
      return &prekey.keys.sk;
    }
  }
  return nullptr;
}

const Secret<32>* AdviserIdentity::find_medium_by_id(ByteView id) const {
  for (const auto& m : medium) {
    if (id.size() <= m.keys.pk.size() && std::equal(id.begin(), id.end(), m.keys.pk.begin())) {
      return &m.keys.sk;
    }
  }
  return nullptr;
}

const MediumPrekey* AdviserIdentity::current_medium(std::uint32_t today) const {
  if (medium.empty() || medium.back().expires_day < today) return nullptr;
  return &medium.back();
}

bool AdviserIdentity::rotate_medium(std::uint32_t today) {
  const MediumPrekey* current = current_medium(today);
  if (current != nullptr && current->expires_day - today >= kMediumPrekeyRotateDays) return false;
  // Never two with the same expiry day: rotating twice a day (a clock set
  // back) keeps the one already made.
  if (!medium.empty() && medium.back().expires_day >= today + kMediumPrekeyLifetimeDays) return false;
  MediumPrekey fresh{X25519KeyPair::generate(), today + kMediumPrekeyLifetimeDays, {}};
  fresh.signature =
      crypto::sign(kMediumPrekeyDomain, medium_prekey_message(fresh.keys.pk, fresh.expires_day), sign.sk);
  medium.push_back(std::move(fresh));
  if (medium.size() > kMaxMediumPrekeysHeld) {
    medium.erase(medium.begin(), medium.begin() + static_cast<std::ptrdiff_t>(medium.size() - kMaxMediumPrekeysHeld));
  }
  return true;
}

std::size_t AdviserIdentity::erase_spent_medium(std::uint32_t today, std::uint32_t max_stored_days) {
  // Destroying a MediumPrekey frees (and so wipes) its secret.
  return std::erase_if(medium, [&](const MediumPrekey& m) {
    if (m.expires_day >= today) return false;  // reporters may still seal to it
    const std::uint64_t cutoff = medium_prekey_cutoff_day(m.expires_day);
    // A day more for the relay's purge to run after the last expiry day.
    return cutoff < clean_inbox_day || cutoff + max_stored_days + 1 < today;
  });
}

SecretBuffer AdviserIdentity::serialize() const {
  if (prekeys.size() > kMaxPrekeysHeld) throw std::length_error("too many prekeys to serialise");
  if (medium.size() > kMaxMediumPrekeysHeld) throw std::length_error("too many medium-term prekeys to serialise");
  SecretBuffer out;
  Bytes integers;
  out.append(kMagic);
  out.append(sign.sk.view());
  out.append(message.sk.view());
  out.append(message.pk);
  out.append(fetch.sk.view());
  out.append(fetch.pk);
  out.append(store_key.view());
  append_u64_le(integers, upload_counter);
  append_u32_le(integers, static_cast<std::uint32_t>(prekeys.size()));
  append_u32_le(integers, static_cast<std::uint32_t>(medium.size()));
  append_u32_le(integers, clean_inbox_day);
  out.append(integers);
  for (const auto& prekey : prekeys) {
    out.append(prekey.keys.sk.view());
    out.append(prekey.keys.pk);
    out.append(prekey.signature);
  }
  for (const auto& m : medium) {
    Bytes day;
    append_u32_le(day, m.expires_day);
    out.append(m.keys.sk.view());
    out.append(m.keys.pk);
    out.append(day);
    out.append(m.signature);
  }
  return out;
}

Result<AdviserIdentity> AdviserIdentity::parse(ByteView bytes) {
  if (bytes.size() < kFixedBytesV1) return malformed("too short");
  ByteReader r(bytes);
  ByteView v;
  (void)r.take(kMagic.size(), v);
  if (!std::equal(v.begin(), v.begin() + 4, kMagic.begin())) return malformed("not a key file");
  const bool v1 = std::equal(v.begin(), v.end(), kMagicV1.begin());
  if (!v1 && !std::equal(v.begin(), v.end(), kMagic.begin())) {
    return Error{ErrorCode::kUnsupportedVersion, "key file: unsupported version"};
  }
  if (!v1 && bytes.size() < kFixedBytes) return malformed("too short");

  AdviserIdentity id;
  // The fixed part was length-checked above, so these takes cannot fail.
  (void)r.take(kEd25519SecretBytes, v);
  id.sign.sk = Secret<kEd25519SecretBytes>::from(v);
  (void)r.take(32, v);
  id.message.sk = Secret<32>::from(v);
  (void)r.take(id.message.pk.bytes);
  (void)r.take(kRistrettoScalarBytes, v);
  id.fetch.sk = Secret<kRistrettoScalarBytes>::from(v);
  (void)r.take(id.fetch.pk.bytes);
  (void)r.take(32, v);
  id.store_key = Secret<32>::from(v);
  std::uint32_t count = 0;
  std::uint32_t medium_count = 0;  // none in version 1
  (void)r.take_u64(id.upload_counter);
  (void)r.take_u32(count);
  if (!v1) {
    (void)r.take_u32(medium_count);
    (void)r.take_u32(id.clean_inbox_day);
  }
  if (count > kMaxPrekeysHeld) return malformed("too many prekeys");
  if (medium_count > kMaxMediumPrekeysHeld) return malformed("too many medium-term prekeys");
  if (r.remaining() != std::size_t{count} * kPrekeyBytes + std::size_t{medium_count} * kMediumBytes) {
    return malformed("wrong length");
  }

  // Public halves must follow from the secrets, so a damaged file cannot make
  // us advertise keys we cannot use.
  {
    Secret<kEd25519SeedBytes> seed =
        Secret<kEd25519SeedBytes>::from(id.sign.sk.view().first(kEd25519SeedBytes));
    SigningKeyPair recomputed = SigningKeyPair::from_seed(seed);
    if (!recomputed.sk.equals(id.sign.sk)) return malformed("signing key does not match");
    id.sign.pk = recomputed.pk;
  }
  if (x25519_public(id.message.sk) != id.message.pk) return malformed("message key does not match");
  if (!fetch_pk_matches(id.fetch.sk, id.fetch.pk)) return malformed("fetch key does not match");

  id.prekeys.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    OneTimePrekey prekey;
    (void)r.take(32, v);
    prekey.keys.sk = Secret<32>::from(v);
    (void)r.take(prekey.keys.pk.bytes);
    (void)r.take(prekey.signature.bytes);
    if (x25519_public(prekey.keys.sk) != prekey.keys.pk) return malformed("prekey does not match");
    if (!verify_prekey(SignedPrekey{prekey.keys.pk, prekey.signature}, id.sign.pk)) {
      return malformed("prekey signature does not verify");
    }
    id.prekeys.push_back(std::move(prekey));
  }
  id.medium.reserve(medium_count);
  for (std::uint32_t i = 0; i < medium_count; ++i) {
    MediumPrekey m;
    (void)r.take(32, v);
    m.keys.sk = Secret<32>::from(v);
    (void)r.take(m.keys.pk.bytes);
    (void)r.take_u32(m.expires_day);
    (void)r.take(m.signature.bytes);
    if (x25519_public(m.keys.sk) != m.keys.pk) return malformed("medium-term prekey does not match");
    if (!verify_medium_prekey(m.public_half(), id.sign.pk)) {
      return malformed("medium-term prekey signature does not verify");
    }
    if (!id.medium.empty() && m.expires_day <= id.medium.back().expires_day) {
      return malformed("medium-term prekeys out of order");
    }
    id.medium.push_back(std::move(m));
  }
  return id;
}

}  // namespace meldpunt::crypto
