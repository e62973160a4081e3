// Load generation over ZeroMQ CURVE, and the "limit" server the relay is
// compared with.
//
// run_closed_loop() drives one server with `clients` DEALER sockets (CURVE
// client, fresh key pair each, as the real clients do) from one thread: every
// client sends the same request, waits for its reply, sends again. Throughput
// and per-request latency are measured over a window after a warm-up. The
// same driver runs against the real relay and against the limit server, so
// client-side costs are identical on both sides of the ratio.
//
// LimitServer is the least a durable deposit needs: a ROUTER CURVE server
// that takes every waiting request (up to 256, like the relay), writes each
// one's records (the same sizes the relay store writes: message record
// 4 + 32 + envelope, clue record 64, both under a 16-byte key) in one LMDB
// write transaction with one durable commit, then answers each with a reply
// of the relay's size (2-byte header + 16-byte id). With no LMDB folder it
// only answers (CURVE round trips alone).
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "meldpunt/common/bytes.hpp"

namespace zmq {
class context_t;
}
#include "meldpunt/protocol/wire.hpp"

namespace meldpunt::bench {

// A TCP port on 127.0.0.1 that was free a moment ago.
int free_loopback_port();
// Waits (at most 10 s, then throws) until 127.0.0.1:port accepts TCP
// connections: a relay started on another thread binds a moment later, and
// clients fail fast on a refused first connection.
void wait_until_listening(int port);

struct LoadStats {
  double seconds = 0;            // length of the measured window
  std::uint64_t completed = 0;   // replies received inside the window
  std::uint64_t failed = 0;      // replies whose status was not ok (inside the window)
  std::vector<double> latency_us;  // one per completed request
  // CPU time of this process (clients and server together) in the window:
  // unlike the rate, it hardly moves when other programs compete for the
  // cores, so it shows a change in cost on a loaded machine.
  double cpu_seconds = 0;
  double cpu_us_per_request() const {
    return completed > 0 ? cpu_seconds * 1e6 / static_cast<double>(completed) : 0;
  }
  double per_second() const { return seconds > 0 ? static_cast<double>(completed) / seconds : 0; }
};

// Closed loop as described above. Throws std::runtime_error if a client gets
// no reply for 30 s (a hung server must not hang the benchmark).
LoadStats run_closed_loop(const std::string& endpoint, const FixedBytes<32>& server_public_key, unsigned clients,
                          const protocol::Frames& request, double warmup_seconds, double measure_seconds);

// CURVE server key pair (binary) from libzmq.
struct CurveServerKeys {
  FixedBytes<32> public_key{};
  FixedBytes<32> secret_key{};
};
CurveServerKeys make_curve_server_keys();

class LimitServer {
 public:
  // lmdb_folder empty: answer only. Otherwise a fresh LMDB environment in that
  // (existing, empty) folder, durable commits. Starts serving at once.
  // behind_door: `endpoint` is an inproc ROUTER in `behind_door`'s context,
  // fed by the relay's front door (which ends CURVE): no CURVE here, and each
  // message carries the door's connection tag after the routing id.
  LimitServer(const std::string& endpoint, const CurveServerKeys& keys, const std::filesystem::path& lmdb_folder,
              zmq::context_t* behind_door = nullptr);
  ~LimitServer();
  LimitServer(const LimitServer&) = delete;
  LimitServer& operator=(const LimitServer&) = delete;

  std::uint64_t commits() const { return commits_.load(); }
  std::uint64_t records() const { return records_.load(); }

 private:
  void loop(const std::string& endpoint, const CurveServerKeys& keys, const std::filesystem::path& lmdb_folder,
            zmq::context_t* behind_door);
  std::atomic<bool> stop_{false};
  std::atomic<bool> ready_{false};
  std::atomic<std::uint64_t> commits_{0};
  std::atomic<std::uint64_t> records_{0};
  std::string failure_;
  std::thread thread_;
};

}  // namespace meldpunt::bench
