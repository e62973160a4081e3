#include "pricing.hpp"

#include <algorithm>
#include <bit>

#include "log.hpp"

namespace meldpunt::relay {
namespace {

std::uint64_t saturating_mul(std::uint64_t a, std::uint64_t b) {
  if (a != 0 && b > UINT64_MAX / a) return UINT64_MAX;
  return a * b;
}

std::uint64_t shifted(std::uint64_t v, unsigned bits) {
  if (bits >= 64 || (v != 0 && v > (UINT64_MAX >> bits))) return UINT64_MAX;
  return v << bits;
}

// Prices never exceed what clients agree to work for (crypto::kMaxPowWork):
// a dearer announcement would only stop every client.
std::uint64_t capped(std::uint64_t work) { return std::min(work, crypto::kMaxPowWork); }

Error refusal(ErrorCode code, std::string_view text) { return Error{code, std::string(text)}; }

}  // namespace

void Pricing::PriceMemory::note(std::uint64_t now, std::uint64_t price, std::uint32_t grace) {
  while (!seen_.empty() && seen_.front().first + grace < now) seen_.pop_front();
  if (!seen_.empty() && seen_.back().first == now) {
    seen_.back().second = std::min(seen_.back().second, price);
  } else {
    seen_.emplace_back(now, price);  // one entry per second: at most grace + 1
  }
}

std::uint64_t Pricing::PriceMemory::lowest(std::uint64_t now, std::uint64_t current, std::uint32_t grace) {
  while (!seen_.empty() && seen_.front().first + grace < now) seen_.pop_front();
  std::uint64_t low = current;
  for (const auto& [second, price] : seen_) low = std::min(low, price);
  return low;
}

Pricing::Pricing(PricingPolicy policy, std::function<std::uint64_t()> seconds_now)
    : policy_(policy), seconds_now_(std::move(seconds_now)) {
  policy_.pow_difficulty = std::min(policy_.pow_difficulty, crypto::kMaxPowDifficulty);
  policy_.pow_max_raise = std::min(policy_.pow_max_raise, crypto::kMaxPowDifficulty - policy_.pow_difficulty);
  policy_.pow_adjust_seconds = std::max<std::uint32_t>(policy_.pow_adjust_seconds, 1);
  policy_.challenge_seconds = std::max<std::uint32_t>(policy_.challenge_seconds, 1);
  policy_.fetch_max_load_bits = std::min(policy_.fetch_max_load_bits, 32u);
  policy_.prekey_pool_reference = std::max<std::uint32_t>(policy_.prekey_pool_reference, 1);
  for (std::uint32_t& w : policy_.class_weight) w = std::max<std::uint32_t>(w, 1);
}

// Rotates the challenge and re-evaluates each class's raise when their
// periods have passed. Called before anything reads them.
void Pricing::advance_clock() {
  const std::uint64_t now = seconds_now_();
  const std::uint64_t period = now / policy_.challenge_seconds;
  if (!clock_started_) {
    clock_started_ = true;
    period_ = period;
    challenge_ = crypto::pow_challenge(challenge_key_, period);
    previous_challenge_ = period > 0 ? crypto::pow_challenge(challenge_key_, period - 1) : challenge_;
    window_start_ = now;
  }
  if (period != period_) {
    if (period == period_ + 1) {
      previous_challenge_ = challenge_;
      previous_spent_ = std::move(spent_);
    } else {
      previous_challenge_ = crypto::pow_challenge(challenge_key_, period - 1);
      previous_spent_.clear();
    }
    spent_.clear();
    challenge_ = crypto::pow_challenge(challenge_key_, period);
    period_ = period;
  }
  if (now < window_start_ + policy_.pow_adjust_seconds) return;
  const std::uint64_t windows = (now - window_start_) / policy_.pow_adjust_seconds;
  window_start_ += windows * policy_.pow_adjust_seconds;
  const std::uint64_t threshold = policy_.pow_raise_bytes;
  for (std::size_t c = 0; c < protocol::kSizeClasses; ++c) {
    const unsigned before = live_raise(c);  // what was in force at the window's end
    unsigned& raise = window_raise_[c];
    const std::uint64_t bytes = bytes_in_window_[c];
    if (threshold != 0 && bytes > threshold) {
      // log2 of the overshoot, so a flood far above the threshold is priced
      // out within a window or two rather than one bit a window.
      const auto steps = static_cast<unsigned>(std::bit_width(bytes / threshold));  // 1 + floor(log2)
      raise = std::min(raise + steps, policy_.pow_max_raise);
    } else if (bytes <= threshold / 2 && raise > 0) {
      raise--;
    }
    // Windows that passed without any request were quiet ones.
    for (std::uint64_t w = 1; w < windows && raise > 0; ++w) raise--;
    bytes_in_window_[c] = 0;
    log_raise_change(c, before, raise);
  }
}

// The window's raise plus the rise within it: bytes beyond burst_bytes
// count at once (see the header). burst_bytes >= raise_bytes, so the next
// window's raise is never below this one's, and a price in force at a
// window's end does not drop at its turn.
unsigned Pricing::live_raise(std::size_t size_class) const {
  unsigned raise = window_raise_[size_class];
  const std::uint64_t burst = std::max(policy_.pow_burst_bytes, policy_.pow_raise_bytes);
  const std::uint64_t bytes = bytes_in_window_[size_class];
  if (policy_.pow_raise_bytes != 0 && bytes > burst) {
    raise += static_cast<unsigned>(std::bit_width(bytes / burst));
  }
  return std::min(raise, policy_.pow_max_raise);
}

// The raise a deposit's proof must meet for one envelope of this class: the
// lowest announced within the last window, but at most one bit below the
// raise in force. Unbounded grace would let proofs saved up at a low price
// all be spent after the price rose; one bit lets a client whose price rose
// while it worked keep its work in all but a flood's sharpest rises (and
// then it asks again).
unsigned Pricing::accepted_raise(std::size_t size_class) {
  const unsigned live = live_raise(size_class);
  const auto lowest = static_cast<unsigned>(
      raise_memory_[size_class].lowest(seconds_now_(), live, policy_.pow_adjust_seconds));
  return std::max(live > 0 ? live - 1 : 0u, std::min(live, lowest));
}

void Pricing::log_raise_change(std::size_t size_class, unsigned before, unsigned after) const {
  if (after == before) return;
  log(LogLevel::kInfo, "deposit price of " + std::to_string(4096u << (3 * size_class)) + "-byte envelopes " +
                           (after > before ? "raised" : "lowered") + " to " +
                           std::to_string(policy_.pow_difficulty + after) + " bits x " +
                           std::to_string(policy_.class_weight[size_class]));
}

std::uint64_t Pricing::class_price(std::size_t size_class, unsigned raise) const {
  if (policy_.pow_difficulty == 0) return 0;
  return capped(shifted(policy_.class_weight[size_class], policy_.pow_difficulty + raise));
}

std::uint64_t Pricing::fetch_price(std::uint64_t stored_messages, std::size_t pending_fetches) const {
  const std::uint64_t base =
      std::max(policy_.fetch_work_min, saturating_mul(stored_messages, policy_.fetch_work_per_message));
  if (base == 0) return 0;
  // One doubling per fetch waiting behind the running one. A flood that
  // pays C digests a second against a relay answering mu fetches a second
  // queues until the price is about C / mu, and the queue it keeps there is
  // only log2(C / (mu * base)) long: an honest fetch, served in turn
  // (fetch_scheduler.hpp), waits behind that few. (One doubling per
  // doubling of the queue let the same flood keep up to twice as many
  // waiting at that price, and an honest fetch waited behind all of them.)
  const std::size_t waiting = pending_fetches > 0 ? pending_fetches - 1 : 0;
  const unsigned load = static_cast<unsigned>(std::min<std::size_t>(waiting, policy_.fetch_max_load_bits));
  return capped(shifted(base, load));
}

std::uint64_t Pricing::prekeys_price(std::uint64_t scarcest_pool) const {
  const std::uint64_t pool = std::max<std::uint64_t>(scarcest_pool, 1);
  const std::uint64_t factor = std::min<std::uint64_t>((policy_.prekey_pool_reference + pool - 1) / pool,
                                                       std::max<std::uint32_t>(policy_.prekey_max_factor, 1));
  const std::uint64_t base = policy_.pow_difficulty == 0 ? 0 : shifted(policy_.prekeys_weight, policy_.pow_difficulty);
  return capped(saturating_mul(base, std::max<std::uint64_t>(factor, 1)));
}

crypto::PowChallenge Pricing::challenge() {
  advance_clock();
  return challenge_;
}

std::array<std::uint64_t, protocol::kSizeClasses> Pricing::envelope_work() {
  advance_clock();
  std::array<std::uint64_t, protocol::kSizeClasses> out{};
  const std::uint64_t now = seconds_now_();
  for (std::size_t c = 0; c < out.size(); ++c) {
    const unsigned raise = live_raise(c);
    raise_memory_[c].note(now, raise, policy_.pow_adjust_seconds);
    out[c] = class_price(c, raise);
  }
  return out;
}

unsigned Pricing::legacy_difficulty() {
  const std::uint64_t smallest = envelope_work()[0];
  if (smallest <= 1) return 0;
  const auto bits = static_cast<unsigned>(std::bit_width(smallest - 1));  // ceil(log2)
  return std::min(bits, crypto::kMaxPowDifficulty);
}

unsigned Pricing::raise_of_class(std::size_t size_class) {
  advance_clock();
  return live_raise(size_class);
}

std::uint64_t Pricing::announce_fetch(std::uint64_t stored_messages, std::size_t pending_fetches) {
  const std::uint64_t price = fetch_price(stored_messages, pending_fetches);
  fetch_memory_.note(seconds_now_(), price, policy_.price_grace_seconds);
  return price;
}

std::uint64_t Pricing::announce_prekeys(std::uint64_t scarcest_pool) {
  const std::uint64_t price = prekeys_price(scarcest_pool);
  prekeys_memory_.note(seconds_now_(), price, policy_.price_grace_seconds);
  return price;
}

Result<std::uint64_t> Pricing::accept(const std::optional<protocol::DepositPow>& pow, const crypto::PowHash& body,
                                      std::uint64_t price) {
  advance_clock();
  if (price == 0) return std::uint64_t{0};  // free: a proof sent anyway is ignored
  if (!pow) return refusal(ErrorCode::kRateLimited, "proof of work required (see get-policy)");
  std::set<crypto::PowHash>* spent = nullptr;
  if (pow->challenge == challenge_) {
    spent = &spent_;
  } else if (pow->challenge == previous_challenge_) {
    spent = &previous_spent_;
  } else {
    return refusal(ErrorCode::kRateLimited, "proof-of-work challenge expired (ask get-policy again)");
  }
  const crypto::PowHash digest = crypto::pow_digest(pow->challenge, body, pow->nonce);
  if (!crypto::digest_meets_work(digest, price)) {
    return refusal(ErrorCode::kRateLimited, "proof of work below the relay's price (ask get-policy again)");
  }
  if (spent->size() >= kMaxSpentProofs) return refusal(ErrorCode::kRateLimited, "relay busy, try again later");
  if (!spent->insert(digest).second) return refusal(ErrorCode::kReplay, "this proof of work was already used");
  return crypto::work_of_digest(digest);
}

Result<std::uint64_t> Pricing::accept_deposit(const std::optional<protocol::DepositPow>& pow,
                                              std::span<const protocol::DepositItem> items) {
  advance_clock();
  std::uint64_t price = 0;
  for (const protocol::DepositItem& item : items) {
    const std::size_t c = protocol::size_class_index(item.envelope.size()).value_or(protocol::kSizeClasses - 1);
    const std::uint64_t w = class_price(c, accepted_raise(c));
    price = price > UINT64_MAX - w ? UINT64_MAX : price + w;
  }
  // Free: no proof is looked at, so the body (every envelope) is not hashed
  // either: 4 us of a letter's deposit, a few per cent of the serving
  // thread at 64 clients (bench/results/deposit_limit.md).
  if (price == 0) return std::uint64_t{0};
  return accept(pow, crypto::pow_body_hash(protocol::pow_items(items)), price);
}

Result<std::uint64_t> Pricing::accept_fetch(const std::optional<protocol::DepositPow>& pow,
                                            std::uint64_t stored_messages, std::size_t pending_fetches) {
  const std::uint64_t price = fetch_memory_.lowest(seconds_now_(), fetch_price(stored_messages, pending_fetches),
                                                   policy_.price_grace_seconds);
  auto work = accept(pow, crypto::pow_request_body(static_cast<std::uint8_t>(protocol::Op::kFetch)), price);
  if (!work) return work;
  // The queue's rank: the price paid, not the digest's luck. A digest worth
  // p/U for a price p (U uniform) would let any later fetch that happened on
  // a low digest overtake one that has waited, without bound, which starved
  // honest fetches into the relay's expiry and the client's retries. At most
  // the price in force now, so fetches paid alike are served in turn, and
  // one paid for a lower price within the grace after those paid in full.
  return std::min(*work, fetch_price(stored_messages, pending_fetches));
}

Result<std::uint64_t> Pricing::accept_prekeys(const std::optional<protocol::DepositPow>& pow,
                                              std::uint64_t scarcest_pool) {
  const std::uint64_t price =
      prekeys_memory_.lowest(seconds_now_(), prekeys_price(scarcest_pool), policy_.price_grace_seconds);
  return accept(pow, crypto::pow_request_body(static_cast<std::uint8_t>(protocol::Op::kGetPrekeys)), price);
}

void Pricing::stored(std::size_t envelope_bytes) {
  advance_clock();
  const std::size_t c = protocol::size_class_index(envelope_bytes).value_or(protocol::kSizeClasses - 1);
  const unsigned before = live_raise(c);
  bytes_in_window_[c] += envelope_bytes;
  log_raise_change(c, before, live_raise(c));
}

}  // namespace meldpunt::relay
