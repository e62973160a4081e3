// A UTF-8 encoder for building test input, shared by tests/test_text.cpp and
// fuzz/fuzz_text.cpp. Unlike the text module it encodes any value up to
// 0x1FFFFF, surrogates and values above U+10FFFF included, so tests can
// write the invalid sequences the policy must refuse. Test code only.
#pragma once

#include <cstdint>
#include <string>

namespace meldpunt::test_support {

inline std::string encode_utf8_any(std::uint32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return out;
}

}  // namespace meldpunt::test_support
