// The relay's HTTP door (docs/PROTOCOL.md "HTTP door", docs/SECURITY.md
// "The HTTP door"): the reporter page's files, the channel address and the
// relay API over HTTP, on one thread of its own, with libmicrohttpd.
//
// POST /api: the body's frames (protocol/http_body.hpp) go to the serving
// loop over an inproc socket, as [tag (8 bytes), frame, ...], where they are
// queued, rate-limited, priced and answered like a ZeroMQ connection's
// request; the answer comes back as [tag, reply frame, ...]. Each POST has a
// tag of its own, so each is one request on a fresh connection (but for
// flood control: all share one token bucket, server.cpp). While it
// waits, its HTTP connection is suspended and the door watches its socket:
// a client that goes away sends [tag] alone, which drops a fetch still
// waiting in the queue (fetch_scheduler.hpp).
//
// Bounds, all on this thread and apart from the ZeroMQ front door (an HTTP
// flood cannot take the ZeroMQ door's connections, descriptors or thread);
// docs/SECURITY.md "The HTTP door" gives each with its reason:
//   - max_connections at once (the gate closes more at once);
//   - header_timeout for a request's head, request_timeout for the whole
//     request, and request_timeout again for its answer to leave; one
//     request per connection (every answer closes it);
//   - a request's head checked by the gate (http_gate.hpp) before
//     libmicrohttpd reads it, within kMaxHttpHeadBytes; a body announced by
//     Content-Length (413 over kMaxHttpBodyBytes, 411 without);
//   - max_body_bytes of bodies as they arrive, for all connections
//     together: beyond, the upload holding most is dropped;
//   - max_answer_bytes of answers not yet sent and of room kept for
//     answers to come, for all connections together. A request's room
//     (protocol::reserved_reply_bytes: its operation's largest answer, or
//     an error's for the read-only get-directory, fetch and get-message)
//     is taken before it goes to the serving loop, so a request refused
//     503 for the budget was never handled, and one that was handled
//     (a deposit stored) always has room for its answer; only a read-only
//     answer larger than its room needs more when it comes, or is 503.
//     Room is made by dropping the answers waiting longest to be read.
// Nothing is logged about a client: no address, path, header or agent.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <zmq.hpp>

#include "web_root.hpp"

namespace meldpunt::relay {

struct HttpDoorLimits {
  std::size_t max_connections = 256;
  std::chrono::seconds header_timeout{10};    // a request's head, from its connection's opening
  std::chrono::seconds request_timeout{60};   // a whole request likewise; also an answer's sending, and silence
  std::uint64_t max_body_bytes = 64ull << 20;    // request bodies held, all connections together
  std::uint64_t max_answer_bytes = 64ull << 20;  // API answers not yet sent and room kept for them, all together
};

// The door's figures for `relay status` (counts only, nothing about a client).
struct HttpDoorFigures {
  std::uint64_t open = 0, max_connections = 0;
  std::uint64_t body_bytes = 0, max_body_bytes = 0, answer_bytes = 0, max_answer_bytes = 0;
  std::uint64_t answered = 0;  // POST /api answered with the relay's reply
  std::uint64_t served = 0;    // GET and HEAD answered 200 (files, /channel) or 204 (/favicon.ico)
  // Refused or dropped since start, by reason:
  std::uint64_t malformed = 0;         // 400: body framing or Content-Length
  std::uint64_t too_large = 0;         // 413
  std::uint64_t no_length = 0;         // 411
  std::uint64_t not_found = 0;         // 404 and 405
  std::uint64_t bodies_dropped = 0;    // uploads dropped, the body budget full
  std::uint64_t busy = 0;              // 503: the answer budget full (or the relay's queue)
  std::uint64_t answers_dropped = 0;   // unsent answers dropped to make room
  std::uint64_t head_timeouts = 0, request_timeouts = 0, write_timeouts = 0;
};

struct HttpDoorSetup {
  std::string host = "127.0.0.1";  // an IPv4 or IPv6 address literal
  std::uint16_t port = 0;
  HttpDoorLimits limits;
  std::shared_ptr<const WebRoot> web_root;  // null: every file is 404
  std::string channel;                      // GET /channel's text without LF; empty: 404
};

// The socket the serving loop binds (a ROUTER) for the door's requests.
inline constexpr const char* kHttpDoorInproc = "inproc://meldpunt-http-door";
inline constexpr std::size_t kHttpTagBytes = 8;

class HttpDoor {
 public:
  // Binds the HTTP listening socket (throws std::runtime_error if it
  // cannot) and starts the door's thread, which connects a DEALER to
  // kHttpDoorInproc in `context` (bound by the caller first).
  HttpDoor(zmq::context_t& context, HttpDoorSetup setup);
  ~HttpDoor();  // stops the thread; requests in flight are dropped
  HttpDoor(const HttpDoor&) = delete;
  HttpDoor& operator=(const HttpDoor&) = delete;

  std::uint16_t port() const { return port_; }  // the bound port (setup.port 0: a free one)
  HttpDoorFigures figures() const;               // from any thread

  class Loop;

 private:
  std::unique_ptr<Loop> loop_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace meldpunt::relay
