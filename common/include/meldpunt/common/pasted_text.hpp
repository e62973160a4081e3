// Text that people copy by hand (adviser cards, channel addresses) arrives
// from files, e-mail and terminals with a trailing newline, line breaks where
// a mail program or a narrow terminal wrapped it, indentation, and sometimes
// a no-break space. compact_pasted() removes all of that and refuses any
// other character outside the text's alphabet, saying where it is: character
// N (counted in characters of the text as given, from 1) and, for text of
// several lines, line and column. The character itself is never echoed, so
// an error stays terminal-safe whatever was pasted.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "meldpunt/common/result.hpp"

namespace meldpunt {

// What is dropped: ASCII space, tab, CR, LF, VT, FF and U+00A0 (no-break
// space, as UTF-8 C2 A0).
inline std::size_t pasted_whitespace_length(std::string_view text, std::size_t i) {
  const char c = text[i];
  if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') return 1;
  if (static_cast<unsigned char>(c) == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xA0)
    return 2;
  return 0;
}

// `allowed(char)` says which (ASCII) characters belong to the text; `what`
// names it in errors ("card", "channel address"). `max_input` bounds the text
// as given (kTooLarge beyond, checked before anything else), `max_compact` the
// result (kTooLarge).
template <typename Allowed>
Result<std::string> compact_pasted(std::string_view text, std::string_view what, Allowed allowed, std::size_t max_input,
                                   std::size_t max_compact) {
  if (text.size() > max_input) return Error{ErrorCode::kTooLarge, std::string(what) + " is too long"};
  std::string out;
  std::size_t character = 0;  // characters (UTF-8 code points) before position i
  std::size_t line = 1;
  std::size_t column = 0;     // characters before position i on its line
  bool several_lines = text.find('\n') != std::string_view::npos;
  for (std::size_t i = 0; i < text.size();) {
    if (const std::size_t skip = pasted_whitespace_length(text, i); skip > 0) {
      if (text[i] == '\n') {
        line++;
        column = 0;
      } else {
        column++;
      }
      character++;
      i += skip;
      continue;
    }
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80 || !allowed(static_cast<char>(c))) {
      std::string where = std::string(what) + ": unexpected character at position " + std::to_string(character + 1);
      if (several_lines) {
        where += " (line " + std::to_string(line) + ", column " + std::to_string(column + 1) + ")";
      }
      if (c >= 0x80) {
        where += ", a non-ASCII character (e.g. a typographic quote or dash)";
      } else if (c < 0x20 || c == 0x7f) {
        where += ", a control character";
      }
      return Error{ErrorCode::kMalformed, where};
    }
    out.push_back(static_cast<char>(c));
    if (out.size() > max_compact) return Error{ErrorCode::kTooLarge, std::string(what) + " is too long"};
    character++;
    column++;
    i++;
  }
  return out;
}

// The base64url alphabet (RFC 4648 §5) without padding.
inline bool is_base64url_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

}  // namespace meldpunt
