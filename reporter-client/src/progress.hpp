// Feedback on slow steps (key derivation, network): a line on stderr that
// says what is happening and, on a terminal, grows a dot every half second
// until the step ends with "done (1.2 s)" or "failed". Never shows secrets.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace meldpunt::reporter {

class Progress {
 public:
  // `done_word` and `failed_word` in the reporter's language (" done", " failed").
  Progress(std::string_view label, std::string_view done_word, std::string_view failed_word);
  // Ends as failed if neither done() nor failed() was called.
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void done();
  void failed();

 private:
  void finish(std::string_view word, bool with_time);

  std::string done_word_, failed_word_;
  std::chrono::steady_clock::time_point start_;
  std::mutex mutex_;
  std::condition_variable stop_;
  bool finished_ = false;
  std::thread dots_;
};

}  // namespace meldpunt::reporter
