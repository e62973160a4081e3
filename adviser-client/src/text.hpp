// Text shown on the adviser's terminal. Message bodies come from anonymous
// reporters, so they are untrusted: before they reach the terminal they pass
// the "shown" rule of the one text policy (meldpunt/text/text_policy.hpp),
// so a report cannot rewrite the screen, inject keystrokes or disguise
// itself.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "meldpunt/client/text.hpp"
#include "meldpunt/common/bytes.hpp"
#include "meldpunt/crypto/secret.hpp"
#include "meldpunt/text/text_policy.hpp"

namespace meldpunt::adviser {

// The policy lives in text/ and the sanitiser in the client library (the
// reporter's program needs them too); these names keep adviser code
// unchanged.
using meldpunt::text::is_valid_utf8;
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
