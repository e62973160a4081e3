// The HTTP door's listening socket and the connections whose request head
// has not arrived yet. libmicrohttpd answers some heads itself (a request
// line it cannot parse: 400; a head over its pool: 431; an unknown
// version: 505) with its own pages, which carry none of the door's
// headers. So the door accepts connections itself, looks at each head
// with MSG_PEEK (nothing is read) until its blank line, checks it
// (http_head.hpp), and hands the connection to libmicrohttpd only when the
// library will take it without an answer of its own; otherwise the gate
// answers with the door's headers and closes. The door's answers all say
// "Connection: close", so every request is a head the gate has seen.
//
// While a head is incomplete, SO_RCVLOWAT makes the socket poll readable
// only when more than what was peeked has arrived (no busy loop).
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>
#include <zmq.hpp>

namespace meldpunt::relay {

class HttpGate {
 public:
  using Clock = std::chrono::steady_clock;
  struct Outcome {  // counts of one round, for the door's figures
    std::uint64_t malformed = 0, too_large = 0, head_timeouts = 0;
  };

  // Binds and listens on host:port (an address literal); throws
  // std::runtime_error if it cannot.
  HttpGate(const std::string& host, std::uint16_t port, std::chrono::seconds head_timeout);
  ~HttpGate();  // closes the listening socket and every connection still here
  HttpGate(const HttpGate&) = delete;
  HttpGate& operator=(const HttpGate&) = delete;

  std::uint16_t port() const { return port_; }
  std::size_t waiting() const { return arrivals_.size(); }

  // Appends the poll items: the listening socket, then each waiting connection.
  void add_poll_items(std::vector<zmq::pollitem_t>& items) const;

  // After the poll (`items` from add_poll_items's first item on): accepts
  // up to `room` new connections (more are closed at once), checks the
  // heads that grew, answers the bad ones, closes those past their head
  // deadline, and calls `admit` for each connection whose head passed
  // (which then belongs to the caller).
  Outcome step(const zmq::pollitem_t* items, std::size_t room,
               const std::function<void(int fd, const sockaddr* address, socklen_t length)>& admit);

 private:
  struct Arrival {
    int fd = -1;
    sockaddr_storage address{};
    socklen_t length = 0;
    Clock::time_point deadline;
    std::size_t peeked = 0;
  };
  enum class Check { kWait, kAdmit, kClosed };
  Check check(Arrival& a, Outcome& outcome);

  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::chrono::seconds head_timeout_;
  std::vector<Arrival> arrivals_;
};

// The headers of every answer of the door, errors included (docs/PROTOCOL.md,
// "HTTP door"): nothing is cached or sent elsewhere, the page loads nothing
// but its own origin's files, and the connection closes after it.
inline constexpr std::pair<const char*, const char*> kHttpDoorHeaders[] = {
    {"Cache-Control", "no-store"},
    {"Referrer-Policy", "no-referrer"},
    {"X-Content-Type-Options", "nosniff"},
    {"Content-Security-Policy",
     "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; style-src 'self'; "
     "img-src 'self'; worker-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"},
    {"Cross-Origin-Opener-Policy", "same-origin"},
    {"Cross-Origin-Resource-Policy", "same-origin"},
    {"Connection", "close"},
};

}  // namespace meldpunt::relay
