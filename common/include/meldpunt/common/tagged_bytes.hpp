// Bytes of a fixed size that mean one thing. Ids and keys of the same size
// but different meaning (a hand-over proposal id and an adviser id are both
// 16 bytes; an X25519, an Ed25519 and a ristretto255 public key are all 32)
// get distinct types, so passing one where the other is meant does not
// compile. A TaggedBytes reads as a ByteView (codecs, hashing, to_hex),
// iterates and indexes like the array it holds, and can be filled through a
// span (random_fill); it never converts to or from another TaggedBytes or a
// plain FixedBytes except through `bytes`, spelled out: decoders read into
// `x.bytes`, and plain bytes become an id only as `Id{bytes}`.
// tests/test_distinct_types.cpp checks at compile time that the project's
// ids and keys do not mix.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>

#include "meldpunt/common/bytes.hpp"

namespace meldpunt {

template <class Tag, std::size_t N>
struct TaggedBytes {
  FixedBytes<N> bytes{};

  std::uint8_t* data() { return bytes.data(); }
  const std::uint8_t* data() const { return bytes.data(); }
  static constexpr std::size_t size() { return N; }
  std::uint8_t* begin() { return bytes.data(); }
  std::uint8_t* end() { return bytes.data() + N; }
  const std::uint8_t* begin() const { return bytes.data(); }
  const std::uint8_t* end() const { return bytes.data() + N; }
  void fill(std::uint8_t value) { bytes.fill(value); }
  std::uint8_t& operator[](std::size_t i) { return bytes[i]; }
  const std::uint8_t& operator[](std::size_t i) const { return bytes[i]; }

  friend bool operator==(const TaggedBytes&, const TaggedBytes&) = default;
  friend auto operator<=>(const TaggedBytes&, const TaggedBytes&) = default;
};

}  // namespace meldpunt
