// Untrusted text on a terminal. Message bodies and directory names reach the
// screens of reporters and advisers; before they do, every control character
// (including ESC, which starts terminal escape sequences, and the C1 controls
// U+0080..U+009F, among them the 8-bit CSI) and every byte that is not valid
// UTF-8 is replaced, so a message cannot rewrite the screen, change the
// window title or inject keystrokes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "meldpunt/common/bytes.hpp"
#include "meldpunt/crypto/secret.hpp"

namespace meldpunt::client {

// True if `text` is well-formed UTF-8 (no overlong forms, no surrogates,
// nothing above U+10FFFF).
bool is_valid_utf8(ByteView text);

// Length (1..4) of the well-formed UTF-8 sequence starting at text[i], with
// its code point in code_point; 0 if the bytes there are not one (i must be
// < text.size()).
std::size_t utf8_sequence(ByteView text, std::size_t i, std::uint32_t& code_point);

// A copy of untrusted text that is safe to write to a terminal: newlines and
// tabs are kept (when keep_newlines), every other control character and
// every invalid UTF-8 byte becomes '?'. The copy stays in secure memory
// because message bodies are secrets.
crypto::SecretBuffer terminal_safe(ByteView text, bool keep_newlines = true);
// The same for short public labels (names from the directory): one line.
std::string terminal_safe_label(std::string_view text);

}  // namespace meldpunt::client
