#include "clock.hpp"

#include <chrono>
#include <ctime>

namespace meldpunt::reporter {

std::uint64_t now_seconds() {
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  return seconds < 0 ? 0 : static_cast<std::uint64_t>(seconds);
}

std::string local_time(std::uint64_t unix_seconds) {
  const auto t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  if (localtime_r(&t, &tm) == nullptr) return "-";
  char buf[32];
  const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
  return n == 0 ? "-" : std::string(buf, n);
}

}  // namespace meldpunt::reporter
