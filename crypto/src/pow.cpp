#include "meldpunt/crypto/pow.hpp"

#include <sodium.h>

#include <algorithm>

#include <atomic>
#include <string_view>
#include <thread>
#include <vector>

namespace meldpunt::crypto {
namespace {

static_assert(kPowHashBytes >= crypto_generichash_BYTES_MIN && kPowHashBytes <= crypto_generichash_BYTES_MAX);
static_assert(kPowChallengeBytes >= crypto_generichash_BYTES_MIN &&
              kPowChallengeBytes <= crypto_generichash_BYTES_MAX);
static_assert(32 >= crypto_generichash_KEYBYTES_MIN && 32 <= crypto_generichash_KEYBYTES_MAX);

constexpr std::string_view kBodyDomain = "meldpunt/v1/deposit-body";
constexpr std::string_view kPowDomain = "meldpunt/v1/deposit-pow";
constexpr std::string_view kChallengeDomain = "meldpunt/v1/pow-challenge";
constexpr std::string_view kRequestBodyDomain = "meldpunt/v1/request-body";

void update(crypto_generichash_state& state, ByteView bytes) {
  crypto_generichash_update(&state, bytes.data(), bytes.size());
}

void update_domain(crypto_generichash_state& state, std::string_view domain) {
  update(state, as_bytes(domain));
  const std::uint8_t zero = 0;
  crypto_generichash_update(&state, &zero, 1);
}

FixedBytes<8> u64le(std::uint64_t v) {
  FixedBytes<8> out{};
  for (std::size_t i = 0; i < 8; ++i) out[i] = static_cast<std::uint8_t>(v >> (8 * i));
  return out;
}

// The digest state after everything but the nonce, reused for every attempt.
crypto_generichash_state digest_prefix(const PowChallenge& challenge, const PowHash& body) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, kPowHashBytes);
  update_domain(state, kPowDomain);
  update(state, challenge);
  update(state, body);
  return state;
}

PowHash finish_with_nonce(const crypto_generichash_state& prefix, std::uint64_t nonce) {
  crypto_generichash_state state = prefix;
  update(state, u64le(nonce));
  PowHash out{};
  crypto_generichash_final(&state, out.data(), out.size());
  return out;
}

}  // namespace

PowHash pow_body_hash(std::span<const PowItem> items) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, kPowHashBytes);
  update_domain(state, kBodyDomain);
  for (const PowItem& item : items) {
    update(state, item.clue);
    update(state, item.verifier);
    FixedBytes<4> length{};
    const auto n = static_cast<std::uint32_t>(item.envelope.size());
    for (std::size_t i = 0; i < 4; ++i) length[i] = static_cast<std::uint8_t>(n >> (8 * i));
    update(state, length);
    update(state, item.envelope);
  }
  PowHash out{};
  crypto_generichash_final(&state, out.data(), out.size());
  return out;
}

PowHash pow_digest(const PowChallenge& challenge, const PowHash& body, std::uint64_t nonce) {
  return finish_with_nonce(digest_prefix(challenge, body), nonce);
}

unsigned leading_zero_bits(ByteView bytes) {
  unsigned bits = 0;
  for (std::uint8_t b : bytes) {
    if (b == 0) {
      bits += 8;
      continue;
    }
    const unsigned v = b;
    for (unsigned mask = 0x80u; (v & mask) == 0; mask >>= 1) ++bits;  // v != 0, so this ends
    break;
  }
  return bits;
}

bool pow_meets(const PowChallenge& challenge, const PowHash& body, std::uint64_t nonce, unsigned difficulty) {
  if (difficulty == 0) return true;
  return leading_zero_bits(pow_digest(challenge, body, nonce)) >= difficulty;
}

std::optional<std::uint64_t> pow_solve(const PowChallenge& challenge, const PowHash& body, unsigned difficulty,
                                       std::uint64_t max_attempts, std::uint64_t start) {
  if (difficulty > kMaxPowDifficulty) return std::nullopt;
  const crypto_generichash_state prefix = digest_prefix(challenge, body);
  for (std::uint64_t i = 0; i < max_attempts; ++i) {
    const std::uint64_t nonce = start + i;
    if (leading_zero_bits(finish_with_nonce(prefix, nonce)) >= difficulty) return nonce;
  }
  return std::nullopt;
}

PowHash pow_request_body(std::uint8_t op) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, kPowHashBytes);
  update_domain(state, kRequestBodyDomain);
  crypto_generichash_update(&state, &op, 1);
  PowHash out{};
  crypto_generichash_final(&state, out.data(), out.size());
  return out;
}

namespace {
std::uint64_t first_word(const PowHash& digest) {
  std::uint64_t x = 0;
  for (std::size_t i = 0; i < 8; ++i) x = (x << 8) | digest[i];
  return x;
}
}  // namespace

bool digest_meets_work(const PowHash& digest, std::uint64_t work) {
  if (work == 0) return true;
  return first_word(digest) <= UINT64_MAX / work;
}

std::uint64_t work_of_digest(const PowHash& digest) {
  const std::uint64_t x = first_word(digest);
  return x == 0 ? UINT64_MAX : UINT64_MAX / x;
}

std::optional<std::uint64_t> pow_solve_work(const PowChallenge& challenge, const PowHash& body, std::uint64_t work,
                                            std::uint64_t max_attempts, std::uint64_t start, unsigned threads) {
  if (work > kMaxPowWork) return std::nullopt;
  if (work <= 1) return start;
  threads = std::max(1u, threads);
  const crypto_generichash_state prefix = digest_prefix(challenge, body);
  std::atomic<bool> found{false};
  std::vector<std::optional<std::uint64_t>> results(threads);
  auto search = [&](unsigned t) {
    for (std::uint64_t i = t; i < max_attempts; i += threads) {
      // Checked every 1024 tries: cheap beside 1024 digests.
      if ((i / threads) % 1024 == 0 && found.load(std::memory_order_relaxed)) return;
      if (digest_meets_work(finish_with_nonce(prefix, start + i), work)) {
        results[t] = start + i;
        found.store(true);
        return;
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(search, t);
  search(0);
  for (std::thread& th : pool) th.join();
  for (const auto& r : results) {
    if (r) return r;
  }
  return std::nullopt;
}

PowChallenge pow_challenge(const Secret<32>& key, std::uint64_t period) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, key.data(), key.size(), kPowChallengeBytes);
  update_domain(state, kChallengeDomain);
  update(state, u64le(period));
  PowChallenge out{};
  crypto_generichash_final(&state, out.data(), out.size());
  sodium_memzero(&state, sizeof state);  // keyed with the relay's secret
  return out;
}

}  // namespace meldpunt::crypto
