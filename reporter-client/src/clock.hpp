// The reporter's clock: the time put on letters and the time shown to the
// reporter (local time, minutes: the relay keeps nothing finer than a day,
// but the letters inside are the reporter's own to read).
#pragma once

#include <cstdint>
#include <string>

namespace meldpunt::reporter {

// Unix seconds now (0 for a clock before 1970).
std::uint64_t now_seconds();
// "2026-11-29 14:05" in local time, "-" if it cannot be shown.
std::string local_time(std::uint64_t unix_seconds);

}  // namespace meldpunt::reporter
