#include "meldpunt/crypto/aead.hpp"

#include <sodium.h>

namespace meldpunt::crypto {

static_assert(kSealedValueOverhead ==
              crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES);

Bytes seal_value(const Secret<32>& key, ByteView associated_data, ByteView plaintext) {
  Bytes out(kSealedValueOverhead + plaintext.size());
  randombytes_buf(out.data(), crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out.data() + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &written,
                                             plaintext.data(), plaintext.size(), associated_data.data(),
                                             associated_data.size(), nullptr, out.data(), key.data());
  return out;
}

Result<SecretBuffer> open_value(const Secret<32>& key, ByteView associated_data, ByteView sealed) {
  if (sealed.size() < kSealedValueOverhead) return Error{ErrorCode::kMalformed, "sealed value too short"};
  SecretBuffer plain(sealed.size() - kSealedValueOverhead);
  unsigned long long written = 0;
  const ByteView cipher = sealed.subspan(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain.data(), &written, nullptr, cipher.data(), cipher.size(),
                                                 associated_data.data(), associated_data.size(), sealed.data(),
                                                 key.data()) != 0) {
    return Error{ErrorCode::kUnauthorised, "stored value failed authentication"};
  }
  return plain;
}

FixedBytes<16> keyed_name(const Secret<32>& key, std::string_view domain, ByteView data) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, key.data(), key.size(), 16);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(domain.data()), domain.size());
  const unsigned char zero = 0;
  crypto_generichash_update(&state, &zero, 1);
  crypto_generichash_update(&state, data.data(), data.size());
  FixedBytes<16> out{};
  crypto_generichash_final(&state, out.data(), out.size());
  sodium_memzero(&state, sizeof state);
  return out;
}

}  // namespace meldpunt::crypto
