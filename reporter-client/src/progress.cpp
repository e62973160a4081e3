#include "progress.hpp"

#include <unistd.h>

#include <cstdio>

#include "meldpunt/client/terminal.hpp"

namespace meldpunt::reporter {

Progress::Progress(std::string_view label, std::string_view done_word, std::string_view failed_word)
    : done_word_(done_word), failed_word_(failed_word), start_(std::chrono::steady_clock::now()) {
  client::write_err(std::string(label) + "...");
  if (::isatty(STDERR_FILENO) == 1) {
    dots_ = std::thread([this] {
      std::unique_lock lock(mutex_);
      while (!stop_.wait_for(lock, std::chrono::milliseconds(500), [this] { return finished_; })) {
        client::write_err(".");
      }
    });
  }
}

Progress::~Progress() { finish(failed_word_, false); }

void Progress::done() { finish(done_word_, true); }

void Progress::failed() { finish(failed_word_, false); }

void Progress::finish(std::string_view word, bool with_time) {
  {
    std::lock_guard lock(mutex_);
    if (finished_) return;
    finished_ = true;
  }
  stop_.notify_all();
  if (dots_.joinable()) dots_.join();
  std::string line(word);
  if (with_time) {
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start_).count();
    char buf[32];
    std::snprintf(buf, sizeof buf, " (%.1f s)", static_cast<double>(ms) / 1000.0);
    line += buf;
  }
  client::write_err(line + "\n");
}

}  // namespace meldpunt::reporter
