// Text shown on the adviser's terminal. Message bodies come from anonymous
// reporters, so they are untrusted: before they reach the terminal every
// control character (including ESC, which starts terminal escape sequences,
// and the C1 controls U+0080..U+009F) and every byte that is not valid UTF-8
// is replaced, so a report cannot rewrite the screen or inject keystrokes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "meldpunt/common/bytes.hpp"
#include "meldpunt/crypto/secret.hpp"

namespace meldpunt::adviser {

// True if `text` is well-formed UTF-8 (no overlong forms, no surrogates,
// nothing above U+10FFFF).
bool is_valid_utf8(ByteView text);

// A copy of untrusted text that is safe to write to a terminal: newlines and
// tabs are kept (when keep_newlines), every other control character and
// every invalid UTF-8 byte becomes '?'. The copy stays in secure memory
// because message bodies are secrets.
crypto::SecretBuffer terminal_safe(ByteView text, bool keep_newlines = true);
// The same for short public labels (names from the directory).
std::string terminal_safe_label(std::string_view text);

// Local time to the minute, "2024-05-01 14:03"; "-" for 0.
std::string format_minute(std::uint64_t unix_seconds);
// Local date, "2024-05-01"; "-" for 0.
std::string format_day(std::uint64_t unix_seconds);

// Current time in unix seconds.
std::uint64_t now_seconds();

}  // namespace meldpunt::adviser
