// Encrypted values for local stores (the adviser's cases): each value is
//   nonce (24, random) || XChaCha20-Poly1305-IETF(key, nonce, ad, plaintext)
// with ad naming the table and key it belongs to, so a value moved to another
// record (or table) no longer opens.
#pragma once

#include <string_view>

#include "meldpunt/common/result.hpp"
#include "meldpunt/crypto/secret.hpp"

namespace meldpunt::crypto {

inline constexpr std::size_t kSealedValueOverhead = 24 + 16;

Bytes seal_value(const Secret<32>& key, ByteView associated_data, ByteView plaintext);
// kUnauthorised if the value was changed, moved, or the key is wrong.
Result<SecretBuffer> open_value(const Secret<32>& key, ByteView associated_data, ByteView sealed);

// A 16-byte opaque name for `data` under `key` (keyed BLAKE2b with a domain),
// for record keys that must not reveal what they name.
FixedBytes<16> keyed_name(const Secret<32>& key, std::string_view domain, ByteView data);

}  // namespace meldpunt::crypto
