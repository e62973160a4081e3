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

// Conservative display width: never less than a terminal shows.
std::size_t columns_of(std::uint32_t cp) { return cp >= 0x1100 ? 2 : 1; }

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
    if ((is_control(cp) && !(keep_newlines && (cp == '\n' || cp == '\t'))) || is_invisible_or_bidi(cp)) {
      sink(ByteView{&kReplacement, 1});
    } else {
      sink(text.subspan(i, n));
    }
    i += n;
  }
}

}  // namespace

bool is_invisible_or_bidi(std::uint32_t cp) {
  return cp == 0x00AD || cp == 0x034F || cp == 0x061C || cp == 0x115F || cp == 0x1160 || cp == 0x17B4 ||
         cp == 0x17B5 || (cp >= 0x180B && cp <= 0x180F) || (cp >= 0x200B && cp <= 0x200F) ||
         (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x206F) || cp == 0x3164 ||
         (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFEFF || cp == 0xFFA0 || (cp >= 0xFFF9 && cp <= 0xFFFB) ||
         (cp >= 0x1D173 && cp <= 0x1D17A) || (cp >= 0xE0000 && cp <= 0xE0FFF) ||
         (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
}

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

crypto::SecretBuffer body_block(ByteView body) {
  const crypto::SecretBuffer safe = terminal_safe(body);
  const ByteView text = safe.view();
  static constexpr std::uint8_t kNewline = '\n';
  static constexpr std::string_view kTab = "    ";
  crypto::SecretBuffer out;
  // The line being built (text only), its width, and where it may break:
  // just after its last space, so that a long line breaks between words
  // and joining the pieces again gives the text back.
  crypto::SecretBuffer line;
  std::size_t used = 0, break_at = 0, width_at_break = 0;
  auto emit = [&](ByteView piece) {
    out.append(as_bytes(kBodyLinePrefix));
    out.append(piece);
    out.append(ByteView{&kNewline, 1});
  };
  // A body ending in '\n' has no empty last line.
  const std::size_t end = !text.empty() && text[text.size() - 1] == '\n' ? text.size() - 1 : text.size();
  std::size_t i = 0;
  while (i < end) {
    std::uint32_t cp = 0;
    const std::size_t n = utf8_sequence(text, i, cp);  // terminal_safe left only whole sequences
    if (cp == '\n') {
      emit(line.view());
      line = crypto::SecretBuffer();
      used = break_at = width_at_break = 0;
      i += n;
      continue;
    }
    const ByteView shown = cp == '\t' ? as_bytes(kTab) : text.subspan(i, n);
    const std::size_t width = cp == '\t' ? kTab.size() : columns_of(cp);
    while (used + width > kBodyColumns) {
      if (break_at == 0) break_at = line.size(), width_at_break = used;  // one long word: break inside it
      emit(line.view().subspan(0, break_at));
      line = crypto::SecretBuffer::copy_of(line.view().subspan(break_at));
      used -= width_at_break;
      break_at = width_at_break = 0;
    }
    line.append(shown);
    used += width;
    if (cp == ' ' || cp == '\t') break_at = line.size(), width_at_break = used;
    i += n;
  }
  emit(line.view());
  return out;
}

}  // namespace meldpunt::client
