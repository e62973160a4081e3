// Shared helpers of the libFuzzer targets and the seed writer.
//
// Multipart requests and replies are one fuzz input: frames are encoded as
//   frame = length u16 LE || bytes     (repeated; a short last frame is cut)
// so the fuzzer can change frame counts and sizes as easily as contents.
//
// Keys are fixed (derived from constant seeds) so the seed corpora can hold
// real envelopes, clues, cards and directories that the targets accept, and
// mutations start from inputs that reach deep into each parser.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "meldpunt/common/bytes.hpp"
#include "meldpunt/crypto/code.hpp"
#include "meldpunt/crypto/derive.hpp"
#include "meldpunt/crypto/identity.hpp"
#include "meldpunt/crypto/init.hpp"
#include "meldpunt/crypto/sign.hpp"
#include "meldpunt/protocol/wire.hpp"

namespace meldpunt::fuzz {

// libsodium must be initialised before the first secure allocation, in every
// target (sodium_malloc aborts otherwise).
inline const bool kSodiumReady = (crypto::init(), true);

// More frames than any request or reply may have, so the count limits are hit.
inline constexpr std::size_t kMaxFuzzFrames = 4 * protocol::kMaxRequestFrames;

inline std::vector<ByteView> split_frames(const std::uint8_t* data, std::size_t size) {
  std::vector<ByteView> frames;
  std::size_t pos = 0;
  while (pos < size && frames.size() < kMaxFuzzFrames) {
    std::size_t len = 0;
    if (size - pos >= 2) {
      len = read_u16_le(data + pos);
      pos += 2;
    } else {
      pos = size;  // one dangling byte: an empty last frame
    }
    len = std::min(len, size - pos);
    frames.emplace_back(data + pos, len);
    pos += len;
  }
  return frames;
}

inline Bytes join_frames(const protocol::Frames& frames) {
  Bytes out;
  for (const Bytes& f : frames) {
    if (f.size() > 0xffff) std::abort();  // seeds only use frames that fit the encoding
    append_u16_le(out, static_cast<std::uint16_t>(f.size()));
    append(out, f);
  }
  return out;
}

// The cheapest Argon2id parameters libsodium accepts: fuzz targets and seeds
// derive keys on every run, the real parameters would make them useless.
inline crypto::KdfParams cheap_kdf() { return {1, 8192}; }

template <std::size_t N>
crypto::Secret<N> fixed_secret(std::uint8_t fill) {
  std::array<std::uint8_t, N> bytes{};
  for (std::size_t i = 0; i < N; ++i) bytes[i] = static_cast<std::uint8_t>(fill + i);
  return crypto::Secret<N>::from(bytes);
}

// Everyone's keys, the same on every run.
struct FixedKeys {
  crypto::SigningKeyPair org = crypto::SigningKeyPair::from_seed(fixed_secret<crypto::kEd25519SeedBytes>(0x10));
  crypto::SigningKeyPair adviser_sign =
      crypto::SigningKeyPair::from_seed(fixed_secret<crypto::kEd25519SeedBytes>(0x20));
  crypto::X25519KeyPair adviser_message = crypto::X25519KeyPair::from_secret(fixed_secret<32>(0x30));
  crypto::X25519KeyPair prekey = crypto::X25519KeyPair::from_secret(fixed_secret<32>(0x40));
  crypto::X25519KeyPair medium = crypto::X25519KeyPair::from_secret(fixed_secret<32>(0x48));
  crypto::X25519KeyPair sender = crypto::X25519KeyPair::from_secret(fixed_secret<32>(0x50));
  // A reporter's keys from a fixed code: a fixed ristretto255 fetch key pair.
  crypto::ReporterKeys reporter = crypto::derive_reporter_keys(
      crypto::ReporterCode::from_data_symbols(Bytes(crypto::kCodeDataSymbols, 7)), org.pk, cheap_kdf());

  static const FixedKeys& get() {
    static const FixedKeys keys = [] {
      crypto::init();
      return FixedKeys{};
    }();
    return keys;
  }
};

inline ByteView view_of(const Bytes& b) { return b; }
inline ByteView view_of(const crypto::SecretBuffer& b) { return b.view(); }

// A decoder and its encoder agree: whatever decodes encodes to bytes that
// decode again and encode to the same bytes (older record versions may be
// upgraded on the first encode, so the input itself need not come back).
template <typename Decode, typename Encode>
void check_round_trip(ByteView input, Decode decode, Encode encode) {
  auto first = decode(input);
  if (!first) return;
  const auto encoded = encode(*first);
  auto second = decode(view_of(encoded));
  if (!second) std::abort();
  const auto again = encode(*second);
  const ByteView a = view_of(encoded), b = view_of(again);
  if (a.size() != b.size() || !std::equal(a.begin(), a.end(), b.begin())) std::abort();
}

}  // namespace meldpunt::fuzz
