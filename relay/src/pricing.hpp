// What each request costs a client, in proof-of-work digests
// (crypto/pow.hpp), and the checking of the proofs that pay it. The rules,
// stated once in docs/PROTOCOL.md ("Prices"):
//
//   deposit      sum over its envelopes of  weight(size class) * 2^(base + raise(class))
//   fetch        max(fetch_min, stored messages * fetch_per_message) * 2^load
//                load = fetches waiting behind the running one, at most fetch_max_load_bits
//   get-prekeys  prekeys_weight * 2^base * min(8, ceil(pool reference / prekeys left in the scarcest pool))
//
// A class's raise moves on the envelope bytes of that class stored (not on
// requests: one request may carry 16 envelopes of 256 KiB). At the end of
// each adjustment window, more than raise_bytes in it raises it by
// 1 + floor(log2(bytes / raise_bytes)) bits, at most max_raise above the
// base; at most half of raise_bytes lowers it by one, and each further
// quiet window by one more. So a flood of large envelopes makes large
// envelopes dear and leaves a reporter's letters at the base price.
// Within a window, bytes beyond burst_bytes raise it at once by
// 1 + floor(log2(bytes / burst_bytes)) on top: without that, proofs made
// cheaply while the raise decayed could all be spent in one window at the
// base price (the rule bounded a steady flood, not a saved-up one).
//
// A proof must be for the current challenge or the previous one, unused,
// and meet the lowest price announced for its kind of request within the
// grace period, so a price that rose while a client worked does not waste
// its work; for deposits the grace is one adjustment window and at most one
// bit below the raise in force, so saved-up proofs buy at most a halving.
// Prices in get-policy are announced through announce_*() and
// envelope_work(), which record them for that grace.
//
// Not thread-safe: the serving thread calls everything here.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <set>
#include <span>
#include <string>

#include "meldpunt/common/result.hpp"
#include "meldpunt/crypto/pow.hpp"
#include "meldpunt/crypto/secret.hpp"
#include "meldpunt/protocol/wire.hpp"

namespace meldpunt::relay {

struct PricingPolicy {
  unsigned pow_difficulty = 20;  // bits for one 4096-byte envelope at rest (0 = deposits free)
  // Price of one envelope of each size class (4096, 32768, 262144 bytes) in
  // units of 2^pow_difficulty: more bytes cost more, by less than their
  // size so that an honest attachment stays affordable.
  std::array<std::uint32_t, protocol::kSizeClasses> class_weight{1, 2, 8};
  unsigned pow_max_raise = 6;                   // raise per class stays at most this many bits above the base
  std::uint64_t pow_raise_bytes = 2ull << 20;   // bytes of one class stored per window that raise it (0 = never)
  // Bytes of one class a window takes at its price before the price rises
  // within the window (at least pow_raise_bytes; RequestHandler sets it so
  // that honest attachments fit, see priced_for_attachments).
  std::uint64_t pow_burst_bytes = 2ull << 20;
  std::uint32_t pow_adjust_seconds = 60;        // length of an adjustment window
  std::uint32_t challenge_seconds = 3600;       // a challenge is announced this long, accepted twice as long
  std::uint64_t fetch_work_min = 4096;          // cheapest fetch (0 with fetch_work_per_message 0: fetches free)
  std::uint64_t fetch_work_per_message = 128;   // digests per stored message
  unsigned fetch_max_load_bits = 6;             // doublings for fetches waiting (one each), at most
  // get-prekeys with full pools, in letters (units of 2^pow_difficulty, so
  // a relay without proof of work hands prekeys out free too; 0 = free).
  std::uint32_t prekeys_weight = 3;
  std::uint32_t prekey_pool_reference = 50;     // a pool this full or fuller costs the full-pool price
  // At most this many times that price, so an honest report sent while a
  // pool is nearly empty still costs seconds, not minutes.
  std::uint32_t prekey_max_factor = 8;
  std::uint32_t price_grace_seconds = 10;       // a fetch/prekeys price is honoured this long after announced
};

// Most proofs remembered per challenge; beyond it priced requests are
// refused (kRateLimited) until the challenge rotates. Bounds the memory a
// flood of valid proofs can take (32 bytes each plus set overhead).
inline constexpr std::size_t kMaxSpentProofs = 1'000'000;

class Pricing {
 public:
  // seconds_now: a monotonic clock in seconds (injectable for tests).
  Pricing(PricingPolicy policy, std::function<std::uint64_t()> seconds_now);

  const PricingPolicy& policy() const { return policy_; }

  // Current challenge and prices; the announce_* calls also record the
  // price for the grace period.
  crypto::PowChallenge challenge();
  std::array<std::uint64_t, protocol::kSizeClasses> envelope_work();
  std::uint64_t announce_fetch(std::uint64_t stored_messages, std::size_t pending_fetches);
  std::uint64_t announce_prekeys(std::uint64_t scarcest_pool);
  // The prices now without announcing them (status).
  std::uint64_t quote_fetch(std::uint64_t stored_messages, std::size_t pending_fetches) const {
    return fetch_price(stored_messages, pending_fetches);
  }
  std::uint64_t quote_prekeys(std::uint64_t scarcest_pool) const { return prekeys_price(scarcest_pool); }
  // Bits of one smallest envelope's price, rounded up (get-policy's
  // difficulty field, which clients from before prices pay per request).
  unsigned legacy_difficulty();
  // The raise of one size class now, within-window rises included (status, tests).
  unsigned raise_of_class(std::size_t size_class);

  // Checks a proof against the price of each kind. On success the proof is
  // spent and the value is the work its digest stands for (at least the
  // price); for a fetch, at most the price in force (the queue's rank). Refusals: kRateLimited (missing, too
  // weak, expired challenge, too many proofs), kReplay (used before).
  Result<std::uint64_t> accept_deposit(const std::optional<protocol::DepositPow>& pow,
                                       std::span<const protocol::DepositItem> items);
  Result<std::uint64_t> accept_fetch(const std::optional<protocol::DepositPow>& pow, std::uint64_t stored_messages,
                                     std::size_t pending_fetches);
  Result<std::uint64_t> accept_prekeys(const std::optional<protocol::DepositPow>& pow, std::uint64_t scarcest_pool);

  // An envelope was committed: its bytes count towards its class's raise.
  void stored(std::size_t envelope_bytes);

 private:
  // Lowest price of one kind announced within the grace period.
  class PriceMemory {
   public:
    void note(std::uint64_t now, std::uint64_t price, std::uint32_t grace);
    std::uint64_t lowest(std::uint64_t now, std::uint64_t current, std::uint32_t grace);

   private:
    std::deque<std::pair<std::uint64_t, std::uint64_t>> seen_;  // (second, lowest price that second)
  };

  void advance_clock();
  unsigned live_raise(std::size_t size_class) const;
  unsigned accepted_raise(std::size_t size_class);
  void log_raise_change(std::size_t size_class, unsigned before, unsigned after) const;
  std::uint64_t class_price(std::size_t size_class, unsigned raise) const;
  std::uint64_t fetch_price(std::uint64_t stored_messages, std::size_t pending_fetches) const;
  std::uint64_t prekeys_price(std::uint64_t scarcest_pool) const;
  Result<std::uint64_t> accept(const std::optional<protocol::DepositPow>& pow, const crypto::PowHash& body,
                               std::uint64_t price);

  PricingPolicy policy_;
  std::function<std::uint64_t()> seconds_now_;
  crypto::Secret<32> challenge_key_ = crypto::Secret<32>::random();
  std::uint64_t period_ = 0;
  crypto::PowChallenge challenge_{}, previous_challenge_{};
  std::set<crypto::PowHash> spent_, previous_spent_;  // digests accepted per challenge
  std::array<unsigned, protocol::kSizeClasses> window_raise_{};  // set at the start of each window
  std::array<std::uint64_t, protocol::kSizeClasses> bytes_in_window_{};
  std::array<PriceMemory, protocol::kSizeClasses> raise_memory_;  // raises announced, for the deposits' grace
  std::uint64_t window_start_ = 0;
  bool clock_started_ = false;
  PriceMemory fetch_memory_, prekeys_memory_;
};

}  // namespace meldpunt::relay
