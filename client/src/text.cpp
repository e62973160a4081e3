#include "meldpunt/client/text.hpp"

namespace meldpunt::client {

std::size_t utf8_sequence(ByteView text, std::size_t i, std::uint32_t& code_point) {
  const std::uint8_t b0 = text[i];
  if (b0 < 0x80) {
    code_point = b0;
    return 1;
  }
  std::size_t length = 0;
  std::uint32_t cp = 0, min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    length = 2, cp = b0 & 0x1Fu, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    length = 3, cp = b0 & 0x0Fu, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    length = 4, cp = b0 & 0x07u, min = 0x10000;
  } else {
    return 0;
  }
  if (text.size() - i < length) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    const std::uint8_t b = text[i + k];
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  code_point = cp;
  return length;
}

namespace {

bool is_control(std::uint32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

template <typename Sink>
void sanitise(ByteView text, bool keep_newlines, Sink&& sink) {
  static constexpr std::uint8_t kReplacement = '?';
  std::size_t i = 0;
  while (i < text.size()) {
    std::uint32_t cp = 0;
    const std::size_t n = utf8_sequence(text, i, cp);
    if (n == 0) {
      sink(ByteView{&kReplacement, 1});
      ++i;
      continue;
    }
    if (is_control(cp) && !(keep_newlines && (cp == '\n' || cp == '\t'))) {
      sink(ByteView{&kReplacement, 1});
    } else {
      sink(text.subspan(i, n));
    }
    i += n;
  }
}

}  // namespace

bool is_valid_utf8(ByteView text) {
  std::size_t i = 0;
  while (i < text.size()) {
    std::uint32_t cp = 0;
    const std::size_t n = utf8_sequence(text, i, cp);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

crypto::SecretBuffer terminal_safe(ByteView text, bool keep_newlines) {
  crypto::SecretBuffer out;
  sanitise(text, keep_newlines, [&](ByteView piece) { out.append(piece); });
  return out;
}

std::string terminal_safe_label(std::string_view text) {
  std::string out;
  sanitise(as_bytes(text), false,
           [&](ByteView piece) { out.append(reinterpret_cast<const char*>(piece.data()), piece.size()); });
  return out;
}

}  // namespace meldpunt::client
