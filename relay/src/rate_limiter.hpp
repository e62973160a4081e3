// Per-connection flood control: a token bucket for every ZeroMQ routing id.
// A ROUTER socket gives each client connection its own routing id and knows
// nothing else about the peer (no address reaches our code), so this bounds
// what one connection can ask for; the proof of work bounds deposits over
// all connections together, and ZeroMQ's fair queuing between connections
// keeps one busy connection from starving the others.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

namespace meldpunt::relay {

struct RateLimit {
  double tokens_per_second = 200;  // refill rate; 0 disables the limiter
  double burst = 2000;             // bucket size: requests a fresh connection may send at once
  std::size_t max_tracked = 100'000;  // buckets kept; idle full ones are forgotten first
};

class RateLimiter {
 public:
  explicit RateLimiter(RateLimit limit) : limit_(limit) {}

  // Takes `cost` tokens from the connection's bucket; false (nothing taken)
  // if it has fewer. `now` in seconds on a monotonic clock.
  bool allow(const std::string& connection, double cost, double now);
  std::size_t tracked() const { return buckets_.size(); }

 private:
  struct Bucket {
    double tokens = 0;
    double updated = 0;
  };
  void forget_idle(double now);

  RateLimit limit_;
  std::unordered_map<std::string, Bucket> buckets_;
  double last_sweep_ = -1e18;  // sweeps are O(buckets): at most one per second
};

}  // namespace meldpunt::relay
