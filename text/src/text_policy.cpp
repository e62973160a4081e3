#include "meldpunt/text/text_policy.hpp"

namespace meldpunt::text {

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
    return 0;  // a continuation byte, or a lead of a form longer than 4
  }
  if (text.size() - i < length) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    const std::uint8_t b = text[i + k];
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3Fu);
  }
  // Overlong (below the least code point of its length), above Unicode, or
  // a surrogate (UTF-16's halves, never characters of their own).
  if (cp < min || cp > kMaxCodePoint || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  code_point = cp;
  return length;
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

bool is_control(std::uint32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

bool is_bidi(std::uint32_t cp) {
  return cp == 0x061C || cp == 0x200E || cp == 0x200F || is_bidi_override_or_isolate(cp);
}

bool is_bidi_override_or_isolate(std::uint32_t cp) {
  return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

bool is_line_separator(std::uint32_t cp) { return cp == 0x2028 || cp == 0x2029; }

bool is_invisible(std::uint32_t cp) {
  return cp == 0x00AD ||                                 // soft hyphen
         cp == 0x034F ||                                 // combining grapheme joiner
         cp == 0x115F || cp == 0x1160 ||                 // Hangul choseong and jungseong fillers
         cp == 0x17B4 || cp == 0x17B5 ||                 // Khmer inherent vowels
         (cp >= 0x180B && cp <= 0x180F) ||               // Mongolian variation selectors, vowel separator
         (cp >= 0x200B && cp <= 0x200D) ||               // zero-width space, non-joiner, joiner
         (cp >= 0x2060 && cp <= 0x2065) ||               // word joiner, invisible operators
         (cp >= 0x206A && cp <= 0x206F) ||               // deprecated format characters
         cp == 0x3164 ||                                 // Hangul filler
         (cp >= 0xFE00 && cp <= 0xFE0F) ||               // variation selectors
         cp == 0xFEFF ||                                 // zero-width no-break space (BOM)
         cp == 0xFFA0 ||                                 // halfwidth Hangul filler
         (cp >= 0xFFF9 && cp <= 0xFFFB) ||               // interlinear annotation
         (cp >= 0x1D173 && cp <= 0x1D17A) ||             // musical format characters
         (cp >= 0xE0000 && cp <= 0xE0FFF);               // tags, variation selectors supplement
}

bool is_noncharacter(std::uint32_t cp) {
  return (cp >= 0xFDD0 && cp <= 0xFDEF) || ((cp & 0xFFFE) == 0xFFFE && cp <= kMaxCodePoint);
}

bool is_space_separator(std::uint32_t cp) {
  return cp == 0x00A0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F ||
         cp == 0x3000;
}

bool is_clean_label(ByteView text) {
  std::size_t i = 0;
  while (i < text.size()) {
    std::uint32_t cp = 0;
    const std::size_t n = utf8_sequence(text, i, cp);
    if (n == 0 || neutralised_when_shown(cp, Lines::kOne)) return false;
    i += n;
  }
  return true;
}

bool is_directory_text(ByteView text, Lines lines) {
  std::size_t i = 0;
  while (i < text.size()) {
    std::uint32_t cp = 0;
    const std::size_t n = utf8_sequence(text, i, cp);
    if (n == 0) return false;
    if (is_control(cp) && !(lines == Lines::kMany && cp == '\n')) return false;
    if (is_bidi_override_or_isolate(cp)) return false;
    i += n;
  }
  return true;
}

bool has_control(ByteView text) {
  std::size_t i = 0;
  while (i < text.size()) {
    std::uint32_t cp = 0;
    const std::size_t n = utf8_sequence(text, i, cp);
    if (n == 0) {
      ++i;  // not UTF-8: the bytes after it are looked at on their own
      continue;
    }
    if (is_control(cp)) return true;
    i += n;
  }
  return false;
}

}  // namespace meldpunt::text
