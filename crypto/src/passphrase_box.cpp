#include "meldpunt/crypto/passphrase_box.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <limits>
#include <stdexcept>
#include <string>

namespace meldpunt::crypto {

namespace {

constexpr std::array<std::uint8_t, 8> kMagic = {'M', 'P', 'B', 'O', 'X', 0, 0, 1};
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kNonceBytes = 24;
constexpr std::size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
static_assert(kSaltBytes == crypto_pwhash_SALTBYTES);
static_assert(kNonceBytes == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
static_assert(32 == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(kBoxHeaderBytes == kMagic.size() + 8 + 8 + kSaltBytes + kNonceBytes);
static_assert(kBoxMaxOpslimit <= crypto_pwhash_OPSLIMIT_MAX);
static_assert(kBoxMaxMemlimit <= crypto_pwhash_MEMLIMIT_MAX);
static_assert(kBoxMaxMemlimit <= std::numeric_limits<std::size_t>::max());

bool params_in_bounds(std::uint64_t opslimit, std::uint64_t memlimit) {
  return opslimit >= crypto_pwhash_OPSLIMIT_MIN && opslimit <= kBoxMaxOpslimit &&
         memlimit >= crypto_pwhash_MEMLIMIT_MIN && memlimit <= kBoxMaxMemlimit;
}

Secret<32> derive_box_key(const SecretBuffer& passphrase, const FixedBytes<kSaltBytes>& salt,
                          const KdfParams& params) {
  Secret<32> key;
  static const char kEmpty = 0;  // libsodium wants a real pointer even for length 0
  const char* pw = passphrase.empty() ? &kEmpty : reinterpret_cast<const char*>(passphrase.data());
  if (crypto_pwhash(key.data(), key.size(), pw, passphrase.size(), salt.data(), params.opslimit,
                    params.memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::bad_alloc();  // parameters were bounds-checked; only memory can fail
  }
  return key;
}

}  // namespace

PassphraseBox PassphraseBox::create(const SecretBuffer& passphrase, const KdfParams& params) {
  if (!params_in_bounds(params.opslimit, params.memlimit)) {
    // A box we could not open again would be worse than no box.
    throw std::invalid_argument("passphrase box parameters outside the bounds open() accepts");
  }
  FixedBytes<kSaltBytes> salt{};
  randombytes_buf(salt.data(), salt.size());
  return PassphraseBox(derive_box_key(passphrase, salt, params), params, salt);
}

Result<PassphraseBox> PassphraseBox::for_sealed(ByteView sealed, const SecretBuffer& passphrase) {
  if (sealed.size() > kBoxMaxFileBytes) {
    return Error{ErrorCode::kTooLarge, "encrypted file is larger than any this program writes"};
  }
  if (sealed.size() < kBoxHeaderBytes + kTagBytes) {
    return Error{ErrorCode::kMalformed, "encrypted file is too short"};
  }
  ByteReader r(sealed);
  ByteView magic;
  std::uint64_t opslimit = 0, memlimit = 0;
  FixedBytes<kSaltBytes> salt{};
  (void)r.take(kMagic.size(), magic);
  (void)r.take_u64(opslimit);
  (void)r.take_u64(memlimit);
  (void)r.take(salt);
  if (!std::equal(magic.begin(), magic.end(), kMagic.begin())) {
    return Error{ErrorCode::kMalformed, "not an encrypted meldpunt file (or unsupported version)"};
  }
  // Checked before Argon2id runs: a crafted header must not cost hours or all memory.
  if (!params_in_bounds(opslimit, memlimit)) {
    return Error{ErrorCode::kMalformed,
                 "encrypted file has key derivation parameters out of bounds"};
  }
  const KdfParams params{opslimit, static_cast<std::size_t>(memlimit)};
  return PassphraseBox(derive_box_key(passphrase, salt, params), params, salt);
}

Bytes PassphraseBox::seal(ByteView plaintext) const {
  if (plaintext.size() > kBoxMaxFileBytes - kBoxHeaderBytes - kTagBytes) {
    throw std::length_error("plaintext too large for a passphrase box");
  }
  Bytes out;
  out.reserve(kBoxHeaderBytes + plaintext.size() + kTagBytes);
  append(out, kMagic);
  append_u64_le(out, params_.opslimit);
  append_u64_le(out, params_.memlimit);
  append(out, salt_);
  FixedBytes<kNonceBytes> nonce{};
  randombytes_buf(nonce.data(), nonce.size());  // 192 bits: random nonces never repeat
  append(out, nonce);
  out.resize(kBoxHeaderBytes + plaintext.size() + kTagBytes);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out.data() + kBoxHeaderBytes, &written,
                                             plaintext.data(), plaintext.size(), out.data(),
                                             kBoxHeaderBytes, nullptr, nonce.data(), key_.data());
  return out;
}

Result<SecretBuffer> PassphraseBox::open(ByteView sealed) const {
  if (sealed.size() > kBoxMaxFileBytes) {
    return Error{ErrorCode::kTooLarge, "encrypted file is larger than any this program writes"};
  }
  if (sealed.size() < kBoxHeaderBytes + kTagBytes) {
    return Error{ErrorCode::kMalformed, "encrypted file is too short"};
  }
  // The whole header is associated data, so a changed magic, parameter, salt
  // or nonce fails authentication like a changed ciphertext byte.
  const ByteView header = sealed.first(kBoxHeaderBytes);
  const ByteView nonce = header.subspan(kBoxHeaderBytes - kNonceBytes);
  const ByteView ciphertext = sealed.subspan(kBoxHeaderBytes);
  SecretBuffer plaintext(ciphertext.size() - kTagBytes);
  // SecretBuffer of size 0 has no storage; decrypt into a scratch byte then.
  std::uint8_t scratch = 0;
  unsigned long long written = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          plaintext.empty() ? &scratch : plaintext.data(), &written, nullptr, ciphertext.data(),
          ciphertext.size(), header.data(), header.size(), nonce.data(), key_.data()) != 0) {
    return Error{ErrorCode::kUnauthorised, "wrong passphrase, or the file was changed or damaged", false,
                 ErrorSubject::kPassphrase};
  }
  return plaintext;
}

}  // namespace meldpunt::crypto
