// The relay's log: plain lines on standard error, for journald (which adds
// the time, host and unit). Nothing logged names a client address, routing
// id, message id, key or time of our own: only counts, settings and events
// of the relay itself.
#pragma once

#include <chrono>
#include <cstdint>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace meldpunt::relay {

enum class LogLevel { kError = 0, kWarning = 1, kInfo = 2, kDebug = 3 };

std::optional<LogLevel> parse_log_level(std::string_view text);
std::string_view log_level_name(LogLevel level);

void set_log_level(LogLevel level);
bool log_enabled(LogLevel level);
// One line "relay: <level>: <text>" (info lines without the level word).
void log(LogLevel level, std::string_view text);

// A recurring event logged at most once per interval, with the number of
// its lines left out since the last one (a failing disk under a flood of
// requests must not flood the log too). Thread-safe.
class ThrottledLog {
 public:
  explicit ThrottledLog(std::chrono::seconds interval) : interval_(interval) {}
  void log(LogLevel level, std::string_view text);

 private:
  std::mutex mutex_;
  const std::chrono::steady_clock::duration interval_;
  std::optional<std::chrono::steady_clock::time_point> last_;
  std::uint64_t left_out_ = 0;
};

}  // namespace meldpunt::relay
