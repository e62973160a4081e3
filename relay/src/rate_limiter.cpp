#include "rate_limiter.hpp"

#include <algorithm>

namespace meldpunt::relay {

bool RateLimiter::allow(const std::string& connection, double cost, double now) {
  if (limit_.tokens_per_second <= 0) return true;
  auto it = buckets_.find(connection);
  if (it == buckets_.end()) {
    if (buckets_.size() >= limit_.max_tracked) forget_idle(now);
    // Still full after forgetting the idle ones: connections are being
    // opened faster than they go quiet. A new one then starts with an
    // empty bucket, so opening connections buys no burst.
    const double start = buckets_.size() >= limit_.max_tracked ? 0 : limit_.burst;
    if (buckets_.size() >= limit_.max_tracked) buckets_.erase(buckets_.begin());
    it = buckets_.emplace(connection, Bucket{start, now}).first;
  }
  Bucket& b = it->second;
  if (now > b.updated) {
    b.tokens = std::min(limit_.burst, b.tokens + (now - b.updated) * limit_.tokens_per_second);
    b.updated = now;
  }
  if (b.tokens < cost) return false;
  b.tokens -= cost;
  return true;
}

void RateLimiter::forget_idle(double now) {
  if (now - last_sweep_ < 1.0) return;
  last_sweep_ = now;
  // A bucket that has refilled completely carries no information: dropping
  // it changes nothing for its connection.
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const Bucket& b = it->second;
    if (b.tokens + (now - b.updated) * limit_.tokens_per_second >= limit_.burst) {
      it = buckets_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace meldpunt::relay
