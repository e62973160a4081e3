// The relay's log: plain lines on standard error, for journald (which adds
// the time, host and unit). Nothing logged names a client address, routing
// id, message id, key or time of our own: only counts, settings and events
// of the relay itself.
#pragma once

#include <iostream>
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

}  // namespace meldpunt::relay
