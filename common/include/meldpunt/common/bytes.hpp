// Byte vocabulary: owned buffers, views, fixed-size public values, and
// little-endian integer helpers used by every wire and storage format.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include <algorithm>

namespace meldpunt {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

template <std::size_t N>
using FixedBytes = std::array<std::uint8_t, N>;

inline ByteView as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// resize + memcpy rather than vector::insert: GCC 12 at -O3 reports a false
// -Warray-bounds through insert's inlined memmove for small fixed arrays.
inline void append(Bytes& out, ByteView in) {
  if (in.empty()) return;
  const std::size_t old = out.size();
  out.resize(old + in.size());
  std::memcpy(out.data() + old, in.data(), in.size());
}

inline void append_u8(Bytes& out, std::uint8_t v) { out.push_back(v); }

inline void append_u16_le(Bytes& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v));
  out.push_back(static_cast<std::uint8_t>(v >> 8));
}

inline void append_u32_le(Bytes& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

inline void append_u64_le(Bytes& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

inline std::uint16_t read_u16_le(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}

inline std::uint32_t read_u32_le(const std::uint8_t* p) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

inline std::uint64_t read_u64_le(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// A bounds-checked reader over untrusted bytes. Every take_* returns false
// (and leaves outputs untouched) instead of reading past the end, so parsers
// written with it cannot overrun a buffer.
class ByteReader {
 public:
  explicit ByteReader(ByteView data) : data_(data) {}

  std::size_t remaining() const { return data_.size() - pos_; }
  bool at_end() const { return pos_ == data_.size(); }

  bool take(std::size_t n, ByteView& out) {
    if (remaining() < n) return false;
    out = data_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  template <std::size_t N>
  bool take(FixedBytes<N>& out) {
    ByteView v;
    if (!take(N, v)) return false;
    std::copy(v.begin(), v.end(), out.begin());
    return true;
  }
  bool take_u8(std::uint8_t& v) {
    if (remaining() < 1) return false;
    v = data_[pos_++];
    return true;
  }
  bool take_u16(std::uint16_t& v) {
    if (remaining() < 2) return false;
    v = read_u16_le(data_.data() + pos_);
    pos_ += 2;
    return true;
  }
  bool take_u32(std::uint32_t& v) {
    if (remaining() < 4) return false;
    v = read_u32_le(data_.data() + pos_);
    pos_ += 4;
    return true;
  }
  bool take_u64(std::uint64_t& v) {
    if (remaining() < 8) return false;
    v = read_u64_le(data_.data() + pos_);
    pos_ += 8;
    return true;
  }
  ByteView rest() {
    ByteView v = data_.subspan(pos_);
    pos_ = data_.size();
    return v;
  }

 private:
  ByteView data_;
  std::size_t pos_ = 0;
};

inline std::string to_hex(ByteView data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (std::uint8_t b : data) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

// Lower- or upper-case hex; false on odd length or a non-hex character.
inline bool from_hex(std::string_view hex, Bytes& out) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0) return false;
  Bytes result;
  result.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    result.push_back(static_cast<std::uint8_t>((hi << 4) | lo));
  }
  out = std::move(result);
  return true;
}

}  // namespace meldpunt
