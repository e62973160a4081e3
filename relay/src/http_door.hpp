// The relay's HTTP door (docs/PROTOCOL.md "HTTP door", docs/SECURITY.md
// "The HTTP door"): the reporter page's files, the channel address and the
// relay API over HTTP, on one thread of its own, with libmicrohttpd.
//
// POST /api: the body's frames (protocol/http_body.hpp) go to the serving
// loop over an inproc socket, as [tag (8 bytes), frame, ...], where they are
// queued, rate-limited, priced and answered like a ZeroMQ connection's
// request; the answer comes back as [tag, reply frame, ...]. Each POST has a
// tag of its own, so each is one request on a fresh connection. While it
// waits, its HTTP connection is suspended and the door watches its socket:
// a client that goes away sends [tag] alone, which drops a fetch still
// waiting in the queue (fetch_scheduler.hpp).
//
// Bounds, all on this thread and apart from the ZeroMQ front door (an HTTP
// flood cannot take the ZeroMQ door's connections, descriptors or thread):
//   - max_connections at once (libmicrohttpd refuses more);
//   - request_timeout: a connection must deliver a whole request (headers
//     and body) within this of its opening or of its previous answer, or it
//     is shut; no byte either way for as long also closes it (a slow reader);
//   - a request's head within 32 KiB (libmicrohttpd's memory pool); a body
//     announced by Content-Length, checked before any of it is read (413
//     over kMaxHttpBodyBytes, 411 without a length), and max_held_bytes of
//     bodies for all connections together (503 beyond).
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
  std::chrono::seconds request_timeout{60};
  std::uint64_t max_held_bytes = 64ull << 20;  // request bodies of all connections together
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

  class Loop;

 private:
  std::unique_ptr<Loop> loop_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace meldpunt::relay
