#include "text.hpp"

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <ctime>

namespace meldpunt::adviser {
namespace {

std::string format_time(std::uint64_t unix_seconds, const char* format) {
  if (unix_seconds == 0) return "-";
  const auto t = static_cast<std::time_t>(unix_seconds);
  std::tm local{};
  if (localtime_r(&t, &local) == nullptr) return "-";
  char buffer[32];
  const std::size_t n = std::strftime(buffer, sizeof buffer, format, &local);
  return n == 0 ? "-" : std::string(buffer, n);
}

}  // namespace

std::string format_minute(std::uint64_t unix_seconds) { return format_time(unix_seconds, "%Y-%m-%d %H:%M"); }

std::string format_day(std::uint64_t unix_seconds) { return format_time(unix_seconds, "%Y-%m-%d"); }

std::uint64_t now_seconds() {
  // Test hook (documented in docs/adviser-client.md): the integration tests
  // move the clock to test deadlines through the binary. The time is not a
  // secret, and whoever sets a process's environment controls it anyway.
  if (const char* fixed = std::getenv("MELDPUNT_TEST_NOW"); fixed != nullptr && *fixed != '\0') {
    std::uint64_t value = 0;
    const char* end = fixed + std::strlen(fixed);
    const auto [ptr, ec] = std::from_chars(fixed, end, value);
    if (ec != std::errc() || ptr != end) throw std::invalid_argument("MELDPUNT_TEST_NOW must be unix seconds");
    return value;
  }
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now).count();
  return seconds < 0 ? 0 : static_cast<std::uint64_t>(seconds);
}

}  // namespace meldpunt::adviser
