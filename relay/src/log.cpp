#include "log.hpp"

#include <atomic>
#include <mutex>
#include <utility>

namespace meldpunt::relay {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
std::mutex g_mutex;  // whole lines from the serving and purging threads

}  // namespace

std::optional<LogLevel> parse_log_level(std::string_view text) {
  if (text == "error") return LogLevel::kError;
  if (text == "warning") return LogLevel::kWarning;
  if (text == "info") return LogLevel::kInfo;
  if (text == "debug") return LogLevel::kDebug;
  return std::nullopt;
}

std::string_view log_level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kError: return "error";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kInfo: return "info";
    case LogLevel::kDebug: return "debug";
  }
  return "info";
}

void set_log_level(LogLevel level) { g_level.store(static_cast<int>(level)); }

bool log_enabled(LogLevel level) { return static_cast<int>(level) <= g_level.load(); }

void log(LogLevel level, std::string_view text) {
  if (!log_enabled(level)) return;
  std::lock_guard<std::mutex> lock(g_mutex);
  std::cerr << "relay: ";
  if (level != LogLevel::kInfo) std::cerr << log_level_name(level) << ": ";
  std::cerr << text << std::endl;
}

void ThrottledLog::log(LogLevel level, std::string_view kind, std::string_view text) {
  if (!log_enabled(level)) return;
  std::uint64_t left_out = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    auto it = kinds_.find(kind);
    if (it == kinds_.end()) {
      kinds_.emplace(std::string(kind), Kind{now, 0});
    } else if (now - it->second.last < interval_) {
      it->second.left_out++;
      return;
    } else {
      left_out = std::exchange(it->second.left_out, 0);
      it->second.last = now;
    }
  }
  if (left_out == 0) {
    relay::log(level, text);
  } else {
    relay::log(level, std::string(text) + " (and " + std::to_string(left_out) + " more like it since the last report)");
  }
}

}  // namespace meldpunt::relay
