// Text shown on the adviser's terminal. Message bodies come from anonymous
// reporters, so they are untrusted: before they reach the terminal every
// control character (including ESC, which starts terminal escape sequences,
// and the C1 controls U+0080..U+009F) and every byte that is not valid UTF-8
// is replaced, so a report cannot rewrite the screen or inject keystrokes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "meldpunt/client/text.hpp"
#include "meldpunt/common/bytes.hpp"
#include "meldpunt/crypto/secret.hpp"

namespace meldpunt::adviser {

// The sanitiser lives in the client library (the reporter's program needs it
// too); these names keep adviser code unchanged.
using client::is_valid_utf8;
using client::terminal_safe;
using client::terminal_safe_label;

// Local time to the minute, "2024-05-01 14:03"; "-" for 0.
std::string format_minute(std::uint64_t unix_seconds);
// Local date, "2024-05-01"; "-" for 0.
std::string format_day(std::uint64_t unix_seconds);

// Current time in unix seconds; MELDPUNT_TEST_NOW (decimal unix seconds)
// replaces the clock for tests (std::invalid_argument if it is not a number).
std::uint64_t now_seconds();

}  // namespace meldpunt::adviser
