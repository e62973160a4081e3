// The one policy for text that comes from outside: message bodies and notes
// (from anonymous reporters and from advisers), names, descriptions and
// labels of the signed directory, attachment file names, lines typed at a
// prompt. Such text ends up on a terminal, where a control character can
// rewrite the screen or inject keystrokes and a bidirectional or invisible
// character can make one text look like another ("invoice\u202Efdp.exe"
// shows as "invoiceexe.pdf"). docs/SECURITY.md §9 states the policy for
// users; this header is where it is implemented, once.
//
// 1. Valid UTF-8 (RFC 3629, strictly): every code point in its shortest
//    form (no overlong forms such as C0 AF for '/'), no surrogates
//    U+D800..U+DFFF, nothing above U+10FFFF, no stray continuation byte, no
//    sequence cut short. Noncharacters are valid UTF-8; they are a class
//    below.
//
// 2. Classes of code points:
//      control         C0 U+0000..U+001F, DEL U+007F, C1 U+0080..U+009F
//                      (ESC and the 8-bit CSI U+009B start escape sequences)
//      bidi            U+061C, U+200E, U+200F (marks), U+202A..U+202E
//                      (embeddings, overrides), U+2066..U+2069 (isolates)
//      line separator  U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR
//      invisible       shows as nothing: zero-width space and joiners
//                      U+200B..U+200D, word joiner and invisible operators,
//                      soft hyphen, fillers, variation selectors, BOM, tags,
//                      and the other default-ignorable code points listed
//                      in is_invisible
//      noncharacter    U+FDD0..U+FDEF and the last two of every plane
//      space           Unicode space separators (Zs) other than ' ' (not
//                      neutralised; file names turn them into ' ')
//
// 3. Rules:
//    shown         Everything shown on a terminal (neutralise): a byte that
//                  is not valid UTF-8, a control, bidi, line separator, invisible
//                  or noncharacter code point becomes '?'; in text of
//                  several lines (bodies, notes, exports) '\n' and '\t' are
//                  kept. The replacement keeps the length visible, so
//                  hidden characters do not vanish unnoticed.
//    label         Names and descriptions an adviser gives its own profile
//                  (is_clean_label): valid UTF-8 with nothing the shown rule
//                  would replace in one line.
//    directory     Names, descriptions and labels of a signed directory
//                  (is_directory_text): valid UTF-8, no control ('\n' only
//                  in descriptions), no bidi override or isolate
//                  (is_bidi_override_or_isolate). Laxer than label on
//                  purpose: directories and cards signed before this rule
//                  was written may hold the other classes (U+200C/U+200D
//                  belong in Persian and Indic names) and must keep
//                  verifying; those characters are neutralised when shown.
//    typed line    A line typed at a prompt that names a file (has_control):
//                  refused if it holds any control, tab included, even amid
//                  bytes that are not UTF-8 (the line may be any bytes).
//    file name     client::sanitise_file_name: the shown rule (with '_' for
//                  '?') plus what file systems need (client/attachment.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "meldpunt/common/bytes.hpp"

namespace meldpunt::text {

inline constexpr std::uint32_t kMaxCodePoint = 0x10FFFF;

// Length (1..4) of the valid UTF-8 sequence starting at text[i], with its
// code point in code_point; 0 if the bytes there are not one (code_point is
// then unchanged). Requires i < text.size().
std::size_t utf8_sequence(ByteView text, std::size_t i, std::uint32_t& code_point);

// True if all of `text` is valid UTF-8 (rule 1 above).
bool is_valid_utf8(ByteView text);
inline bool is_valid_utf8(std::string_view text) { return is_valid_utf8(as_bytes(text)); }

// The classes of rule 2.
bool is_control(std::uint32_t cp);
bool is_bidi(std::uint32_t cp);
bool is_bidi_override_or_isolate(std::uint32_t cp);  // U+202A..U+202E, U+2066..U+2069
bool is_line_separator(std::uint32_t cp);
bool is_invisible(std::uint32_t cp);
bool is_noncharacter(std::uint32_t cp);
bool is_space_separator(std::uint32_t cp);

// Shows as nothing or reorders text: bidi, line separator, invisible or
// noncharacter. The one list for bodies, labels and file names.
inline bool is_invisible_or_bidi(std::uint32_t cp) {
  return is_bidi(cp) || is_line_separator(cp) || is_invisible(cp) || is_noncharacter(cp);
}

// One line (names, labels, file names) or several (bodies, notes, exports,
// directory descriptions).
enum class Lines { kOne, kMany };

// The shown rule for one code point: true if it is replaced.
inline bool neutralised_when_shown(std::uint32_t cp, Lines lines) {
  if (is_control(cp)) return !(lines == Lines::kMany && (cp == '\n' || cp == '\t'));
  return is_invisible_or_bidi(cp);
}

// The shown rule over a text: calls sink(ByteView) with the text's pieces in
// order, each either a whole valid sequence that is kept or `replacement`
// (one piece for each invalid byte and each neutralised code point). The
// pieces joined are valid UTF-8 if the replacement is.
template <typename Sink>
void neutralise(ByteView text, Lines lines, ByteView replacement, Sink&& sink) {
  std::size_t i = 0;
  while (i < text.size()) {
    std::uint32_t cp = 0;
    const std::size_t n = utf8_sequence(text, i, cp);
    if (n == 0) {
      sink(replacement);
      ++i;
      continue;
    }
    sink(neutralised_when_shown(cp, lines) ? replacement : text.subspan(i, n));
    i += n;
  }
}

// The label rule: valid UTF-8 and nothing neutralised in one line.
bool is_clean_label(ByteView text);
inline bool is_clean_label(std::string_view text) { return is_clean_label(as_bytes(text)); }

// The directory rule: valid UTF-8, no control except '\n' when lines is
// kMany, no bidi override or isolate.
bool is_directory_text(ByteView text, Lines lines);
inline bool is_directory_text(std::string_view text, Lines lines) { return is_directory_text(as_bytes(text), lines); }

// The typed-line rule: true if any control code point (C0 with tab and NUL,
// DEL, or C1 as UTF-8) is in `text`; bytes that are not valid UTF-8 are
// skipped one at a time, so no control hides behind them.
bool has_control(ByteView text);
inline bool has_control(std::string_view text) { return has_control(as_bytes(text)); }

}  // namespace meldpunt::text
