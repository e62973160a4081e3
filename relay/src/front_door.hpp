// The relay's front door: owns the public TCP endpoints and passes each
// client's bytes to the relay's ZeroMQ ROUTER (which listens only on a Unix
// socket in the 0700 data folder) and back, on one thread of its own, with
// every byte it holds bounded.
//
// Why it exists (docs/SECURITY.md, "The front door"): libzmq keeps an
// incomplete multipart message until its last part, and queues replies for
// a client that does not read, and neither shows to the relay's code, so
// libzmq alone cannot bound the memory one anonymous client makes the relay
// hold. The front door reads the clear ZMTP framing (zmtp_scanner.hpp) and:
//   - gives a connection handshake_timeout to finish the CURVE handshake,
//     and drops it after idle_timeout without a byte either way;
//   - lets a client have one request outstanding: a second request's header
//     waits until the reply's header has gone back (at most 32 KiB more
//     wait in the front door, the rest in the kernel);
//   - bounds the bytes a client sends without an answer by the largest valid
//     request (so an endless multipart message is cut), and the bytes it has
//     handed to libzmq for all connections by max_held_bytes (the
//     connection holding the most is dropped first);
//   - reads a reply from the relay only while the client reads: a client
//     that has not taken a byte for write_timeout is dropped, and the relay's
//     send high-water mark stays small, so libzmq holds at most one reply;
//   - admits at most max_connections at once (limited further by the
//     descriptors the process may open); when full, a newcomer displaces the
//     oldest connection still in its handshake, or else the one quiet
//     longest (2 s at least, nothing outstanding); keeps a spare descriptor
//     so a full descriptor table never makes accept() spin.
// Logs name no client address; they count.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace meldpunt::relay {

struct FrontDoorLimits {
  std::size_t max_connections = 1000;
  std::chrono::milliseconds handshake_timeout{10'000};
  std::chrono::milliseconds idle_timeout{120'000};
  std::chrono::milliseconds write_timeout{30'000};
  std::uint64_t max_held_bytes = 128ull << 20;  // over all connections
  std::size_t reserved_descriptors = 0;         // kept for others (the HTTP door's connections)
};

// One public endpoint and the Unix socket of the ROUTER that serves it.
struct FrontDoorRoute {
  std::string public_endpoint;  // tcp://HOST:PORT (HOST: an address, a name, or *)
  std::string internal_path;    // path of the ROUTER's ipc:// socket
};

// Counts since start (for logs and status): what the front door refused;
// open and held_bytes are levels now.
struct FrontDoorCounters {
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> open{0};
  std::atomic<std::uint64_t> held_bytes{0};         // handed to libzmq and not yet answered, all clients
  std::atomic<std::uint64_t> refused_full{0};       // max_connections reached, nobody to evict
  std::atomic<std::uint64_t> evicted{0};            // dropped to make room for a newcomer (in handshake, or quiet)
  std::atomic<std::uint64_t> handshake_timeouts{0};
  std::atomic<std::uint64_t> idle_timeouts{0};
  std::atomic<std::uint64_t> write_timeouts{0};     // a client that did not read
  std::atomic<std::uint64_t> protocol_errors{0};    // framing, sizes, unanswered bytes beyond a request
  std::atomic<std::uint64_t> over_budget{0};        // dropped for max_held_bytes
  std::atomic<std::uint64_t> descriptor_shortages{0};
};

// Largest number of bytes a client may send without an answer: the largest
// valid request (kMaxDepositsPerRequest envelopes of the largest size and
// every other frame), framed under CURVE, with room to spare.
std::uint64_t max_request_wire_bytes();

// Connections the descriptor limit leaves room for: three descriptors each
// (client, the stream to the ROUTER, the ROUTER's end of it), minus a reserve.
std::size_t connections_for_descriptors(std::uint64_t nofile);

class FrontDoor {
 public:
  // Binds every public endpoint (throws std::runtime_error if one cannot be
  // bound) and starts the thread. The ROUTERs must already listen.
  FrontDoor(std::vector<FrontDoorRoute> routes, const FrontDoorLimits& limits);
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
