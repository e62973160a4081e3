#include "meldpunt/crypto/keys.hpp"

#include <sodium.h>

#include <limits>

namespace meldpunt::crypto {

// The wire and file formats are defined by these numbers; tie them to the
// library so an incompatible libsodium fails the build instead of the format.
static_assert(kX25519KeyBytes == crypto_scalarmult_BYTES);
static_assert(kX25519KeyBytes == crypto_scalarmult_SCALARBYTES);
static_assert(kX25519KeyBytes == crypto_box_PUBLICKEYBYTES);
static_assert(kEd25519PublicBytes == crypto_sign_PUBLICKEYBYTES);
static_assert(kEd25519SecretBytes == crypto_sign_SECRETKEYBYTES);
static_assert(kEd25519SeedBytes == crypto_sign_SEEDBYTES);
static_assert(kSignatureBytes == crypto_sign_BYTES);
static_assert(kRistrettoPointBytes == crypto_core_ristretto255_BYTES);
static_assert(kRistrettoScalarBytes == crypto_core_ristretto255_SCALARBYTES);
static_assert(kRistrettoScalarBytes == crypto_scalarmult_ristretto255_SCALARBYTES);
static_assert(kRistrettoPointBytes == crypto_scalarmult_ristretto255_BYTES);

namespace {
constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
}

std::string to_base64url(ByteView data) {
  // sodium_base64_encoded_len counts the terminating NUL.
  const std::size_t encoded_len = sodium_base64_encoded_len(data.size(), kVariant);
  std::string out(encoded_len, '\0');
  sodium_bin2base64(out.data(), out.size(), data.data(), data.size(), kVariant);
  out.resize(encoded_len - 1);
  return out;
}

Result<Bytes> from_base64url(std::string_view text) {
  if (text.size() > std::numeric_limits<std::size_t>::max() / 3) {
    return Error{ErrorCode::kTooLarge, "base64url text too long"};
  }
  Bytes out(text.size() * 3 / 4 + 1);
  std::size_t out_len = 0;
  const char* end = nullptr;
  // No characters are ignored: whitespace inside a key or card is an error,
  // and libsodium rejects non-zero trailing bits, so every byte string has
  // exactly one accepted encoding.
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &out_len, &end,
                        kVariant) != 0 ||
      end != text.data() + text.size()) {
    return Error{ErrorCode::kMalformed, "not valid base64url (URL-safe alphabet, no padding)"};
  }
  out.resize(out_len);
  return out;
}

}  // namespace meldpunt::crypto
