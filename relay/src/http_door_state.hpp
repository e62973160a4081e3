// The HTTP door's state for each connection and request, and its figures
// (http_door.cpp alone uses these; all of it lives on the door's thread
// but the figures, which the serving thread reads).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <microhttpd.h>

#include "http_door.hpp"
#include "meldpunt/common/bytes.hpp"

namespace meldpunt::relay::http_door_state {

using Clock = std::chrono::steady_clock;

struct Connection {
  MHD_Connection* mhd = nullptr;
  int fd = -1;
  Clock::time_point deadline;       // the whole request must have arrived by then
  bool suspended = false;           // waiting for the serving loop: no deadline, socket watched
  bool responding = false;          // an answer is queued: it must have left by answer_deadline
  Clock::time_point answer_deadline;
  std::uint64_t answer_bytes = 0;   // of the answer budget, while responding
  bool shut = false;                // shut down by the door; libmicrohttpd closes it next
  bool watched = true;              // while suspended: false once the client sent more bytes (pipelined)
  std::uint64_t tag = 0;            // the request it waits for
};

// An API answer: one allocation holding this header and room for the
// encoded body, made before the request goes to the serving loop
// (protocol::reserved_reply_bytes) and handed to libmicrohttpd without a
// copy; its free callback gives the capacity back to the answer budget.
struct Answer {
  HttpDoor::Loop* loop;
  std::size_t capacity;  // counted in the answer budget
  std::size_t size;      // of the encoded answer, once it is in
  std::uint8_t* body() { return reinterpret_cast<std::uint8_t*>(this + 1); }
};

struct Request {
  Connection* connection = nullptr;
  bool api = false;               // POST /api with an acceptable length: its body is read
  std::uint64_t expected = 0;     // Content-Length
  Clock::time_point started;      // its head's arrival (oldest first among equal holders)
  std::uint64_t booked = 0;       // the body's capacity, counted in the body budget
  bool dropped = false;           // its upload was dropped for the body budget
  Bytes body;
  std::uint64_t tag = 0;          // nonzero once sent to the serving loop
  bool answered = false;
  bool cancelled = false;
  Answer* answer = nullptr;       // its room, then the encoded answer, until handed over; null: refused (503)
};

// Figures shared with the serving thread (written on the door's alone).
struct Counters {
  std::atomic<std::uint64_t> arriving{0};  // at the gate, their head not yet complete
  std::atomic<std::uint64_t> open{0}, body_bytes{0}, answer_bytes{0}, answered{0}, served{0}, malformed{0},
      too_large{0}, no_length{0}, not_found{0}, bodies_dropped{0}, busy{0}, answers_dropped{0}, head_timeouts{0},
      request_timeouts{0}, write_timeouts{0};
};

inline void add(std::atomic<std::uint64_t>& counter, std::uint64_t n = 1) { counter.store(counter.load() + n); }
inline void sub(std::atomic<std::uint64_t>& counter, std::uint64_t n) { counter.store(counter.load() - n); }

}  // namespace meldpunt::relay::http_door_state
