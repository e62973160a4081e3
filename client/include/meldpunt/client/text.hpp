// Untrusted text on a terminal. Message bodies and directory names reach the
// screens of reporters and advisers; before they do, every control character
// (including ESC, which starts terminal escape sequences, and the C1 controls
// U+0080..U+009F, among them the 8-bit CSI), every character that reorders
// text or shows as nothing (bidirectional controls such as U+202E, zero-width
// characters, the line and paragraph separators U+2028/U+2029) and every byte
// that is not valid UTF-8 is replaced, so a message cannot rewrite the
// screen, change the window title, inject keystrokes or disguise what it
// says. Which characters those are is the "shown" rule of the one text
// policy, meldpunt/text/text_policy.hpp; this file applies it.
//
// Message bodies are moreover shown as a block (body_block): every line set
// apart by a prefix and wrapped, so that no body can imitate the header line
// of another message or another sender, on screen or in an export.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "meldpunt/common/bytes.hpp"
#include "meldpunt/crypto/secret.hpp"

namespace meldpunt::client {

// A copy of untrusted text that is safe to write to a terminal: newlines and
// tabs are kept (when keep_newlines), every other control character, every
// text::is_invisible_or_bidi character and every invalid UTF-8 byte becomes
// '?' (text::neutralise). The copy stays in secure memory because message
// bodies are secrets.
crypto::SecretBuffer terminal_safe(ByteView text, bool keep_newlines = true);
// The same for short public labels (names from the directory): one line.
std::string terminal_safe_label(std::string_view text);

// Prefix of every line of a message body on screen and in exports. Header
// lines ("--- <time>  <sender>") start in the first column; a body line never
// does, whatever it holds.
inline constexpr std::string_view kBodyLinePrefix = "  | ";
// Columns of body text per line (after the prefix): longer lines are broken,
// and the continuation gets the prefix too, so that a terminal at least
// kBodyLinePrefix.size() + kBodyColumns wide never wraps a body line into the
// first column. A tab counts as (and is shown as) 4 spaces; characters from
// U+1100 up count as 2 columns (wide CJK and emoji), never fewer than shown.
inline constexpr std::size_t kBodyColumns = 72;
// terminal_safe(body), then set apart as above: every line starts with
// kBodyLinePrefix, ends with '\n', and holds at most kBodyColumns columns of
// text. An empty body gives one empty prefixed line.
crypto::SecretBuffer body_block(ByteView body);

}  // namespace meldpunt::client
