// The relay's log: plain lines on standard error, for journald (which adds
// the time, host and unit). Nothing logged names a client address, routing
// id, message id, key or time of our own: only counts, settings and events
// of the relay itself.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <iostream>
#include <map>
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

// Recurring events logged at most once per interval and kind, each line
// with the number of lines of its kind left out since the last one (a
// failing disk under a flood of requests must not flood the log too).
// `kind` is one of a few fixed words (an operation's name), never input.
// Thread-safe.
class ThrottledLog {
 public:
  explicit ThrottledLog(std::chrono::seconds interval) : interval_(interval) {}
  void log(LogLevel level, std::string_view kind, std::string_view text);

 private:
  struct Kind {
    std::chrono::steady_clock::time_point last;
    std::uint64_t left_out = 0;
  };
  std::mutex mutex_;
  const std::chrono::steady_clock::duration interval_;
  std::map<std::string, Kind, std::less<>> kinds_;
};

}  // namespace meldpunt::relay
