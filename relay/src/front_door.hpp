// The relay's front door: owns the public TCP endpoints, ends CurveZMQ
// itself (curve_server.hpp) and hands each client's whole requests to the
// serving loop over an inproc socket, and its replies back, on one thread
// of its own, with every byte it holds bounded.
//
// Why it exists (docs/SECURITY.md, "The front door"): libzmq keeps an
// incomplete multipart message until its last part, and queues replies for
// a client that does not read, and neither shows to the relay's code, so
// libzmq alone cannot bound the memory one anonymous client makes the relay
// hold. The front door:
//   - gives a connection handshake_timeout to finish the CURVE handshake,
//     and drops it after idle_timeout without a request part or a reply
//     (a PING does not count);
//   - checks every frame's size at its header, before it is buffered, and
//     the bytes of one request against the largest valid request (so an
//     endless multipart message is cut), and the bytes of all requests it
//     holds or has handed on unanswered against max_held_bytes (the
//     connection holding the most is dropped first);
//   - lets a client have one request at a time: it reads the next only when
//     the reply to the last has been written to the client's socket, so a
//     client that does not read makes the relay hold one reply at most
//     (charged to max_held_bytes like requests), and is dropped when it has
//     taken no byte of it for write_timeout;
//   - admits at most max_connections at once (limited further by the
//     descriptors the process may open); when full, a newcomer displaces the
//     oldest connection still in its handshake, or else the one quiet
//     longest (2 s at least, nothing outstanding), or else the oldest open
//     for 30 s; keeps a spare descriptor so a full descriptor table never
//     makes accept() spin;
//   - tells the serving loop when a client with a request outstanding has
//     gone (a reset, or a FIN: ZMTP never half-closes), so a fetch queued
//     for it is not computed;
//   - drops only the connection concerned when its handling fails (out of
//     memory), and never stops.
// The inproc socket carries [tag (8 bytes, the connection's number,
// little-endian), request parts...] one way and [tag, reply parts...] the
// other, and [tag] alone for a client that went away: the HTTP door's
// convention (http_door.hpp), so the serving loop treats both alike.
// Logs name no client address; they count.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "meldpunt/crypto/secret.hpp"

namespace zmq {
class context_t;
}

namespace meldpunt::relay {

// The serving loop's inproc ROUTERs behind the door: this prefix and the
// route's number.
inline constexpr const char* kFrontDoorInproc = "inproc://meldpunt-front-door-";
inline constexpr std::size_t kFrontDoorTagBytes = 8;

struct FrontDoorLimits {
  std::size_t max_connections = 1000;
  std::chrono::milliseconds handshake_timeout{10'000};
  std::chrono::milliseconds idle_timeout{120'000};
  std::chrono::milliseconds write_timeout{30'000};
  std::uint64_t max_held_bytes = 128ull << 20;  // over all connections
  // When full and no connection is quiet, the oldest open this long makes
  // room for a newcomer.
  std::chrono::milliseconds busy_eviction_age{30'000};
  std::size_t reserved_descriptors = 0;         // kept for others (the HTTP door's connections)
};

// One public endpoint, the relay key it answers with, and the serving
// loop's inproc ROUTER its requests go to.
struct FrontDoorRoute {
  std::string public_endpoint;                      // tcp://HOST:PORT (HOST: an address, a name, or *)
  std::string inproc_endpoint;                      // bound by the serving loop before the door starts
  const crypto::Secret<32>* curve_secret_key = nullptr;  // must outlive the door
};

// Counts since start (for logs and status): what the front door refused;
// open and held_bytes are levels now.
struct FrontDoorCounters {
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> open{0};
  std::atomic<std::uint64_t> held_bytes{0};         // of requests read or handed on and not yet answered, all clients
  std::atomic<std::uint64_t> refused_full{0};       // max_connections reached, nobody to evict
  std::atomic<std::uint64_t> evicted{0};            // dropped to make room for a newcomer (in handshake, or quiet)
  std::atomic<std::uint64_t> handshake_timeouts{0};
  std::atomic<std::uint64_t> idle_timeouts{0};
  std::atomic<std::uint64_t> write_timeouts{0};     // a client that did not read
  std::atomic<std::uint64_t> protocol_errors{0};    // framing, sizes, unanswered bytes beyond a request
  std::atomic<std::uint64_t> over_budget{0};        // dropped for max_held_bytes
  std::atomic<std::uint64_t> internal_errors{0};    // dropped after an error of the door's own (out of memory)
  std::atomic<std::uint64_t> descriptor_shortages{0};
};

// Largest number of bytes a client may send without an answer: the largest
// valid request (kMaxDepositsPerRequest envelopes of the largest size and
// every other frame), framed under CURVE, with room to spare.
std::uint64_t max_request_wire_bytes();

// Connections the descriptor limit leaves room for: one descriptor each
// (the client's socket), minus a reserve.
std::size_t connections_for_descriptors(std::uint64_t nofile);

class FrontDoor {
 public:
  // Binds every public endpoint (throws std::runtime_error if one cannot be
  // bound) and starts the thread, which connects a DEALER to each route's
  // inproc endpoint in `context` (bound by the caller first).
  FrontDoor(zmq::context_t& context, std::vector<FrontDoorRoute> routes, const FrontDoorLimits& limits);
  ~FrontDoor();  // stops the thread; closes every connection
  FrontDoor(const FrontDoor&) = delete;
  FrontDoor& operator=(const FrontDoor&) = delete;

  const FrontDoorCounters& counters() const { return counters_; }
  std::size_t max_connections() const { return max_connections_; }

  class Loop;  // the thread's state (front_door.cpp)

 private:
  FrontDoorCounters counters_;
  std::size_t max_connections_ = 0;
  std::unique_ptr<Loop> loop_;
  std::atomic<bool> stop_{false};
  int wake_fd_ = -1;
  std::thread thread_;
};

// Raises the soft RLIMIT_NOFILE to the hard limit and returns the soft
// limit now in force (logs a warning when it is low for max_connections).
std::uint64_t raise_descriptor_limit(std::size_t max_connections);

}  // namespace meldpunt::relay
