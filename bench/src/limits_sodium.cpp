#include "limits_sodium.hpp"

#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

namespace meldpunt::bench {
namespace {

static_assert(crypto_scalarmult_ristretto255_BYTES == 32);
static_assert(crypto_scalarmult_ristretto255_SCALARBYTES == 32);

// Points and scalars are drawn before the clock starts; each call uses a
// different point, as a fetch does. A failing call (identity result) would
// mean a broken library: count it so the loop cannot be optimised away.
constexpr std::size_t kPool = 64;
struct Inputs {
  unsigned char points[kPool][32];
  unsigned char scalars[kPool][32];
  int failures = 0;
};

Inputs make_inputs() {
  Inputs in;
  for (std::size_t i = 0; i < kPool; ++i) {
    crypto_core_ristretto255_random(in.points[i]);
    crypto_core_ristretto255_scalar_random(in.scalars[i]);
  }
  return in;
}

void multiply(std::size_t count, Inputs& in) {
  unsigned char out[32];
  for (std::size_t i = 0; i < count; ++i) {
    if (crypto_scalarmult_ristretto255(out, in.scalars[i % kPool], in.points[(i * 7) % kPool]) != 0) ++in.failures;
  }
}

}  // namespace

double scalarmult_seconds(std::size_t count, unsigned threads) {
  threads = std::max(1u, threads);
  std::vector<Inputs> inputs;
  for (unsigned t = 0; t < threads; ++t) inputs.push_back(make_inputs());
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  const std::size_t share = (count + threads - 1) / threads;
  for (unsigned t = 1; t < threads; ++t) {
    const std::size_t n = std::min(share, count - std::min(count, t * share));
    pool.emplace_back([n, &inputs, t] { multiply(n, inputs[t]); });
  }
  multiply(std::min(share, count), inputs[0]);
  for (std::thread& t : pool) t.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const Inputs& in : inputs)
    if (in.failures != 0) throw std::runtime_error("crypto_scalarmult_ristretto255 failed");
  return seconds;
}

}  // namespace meldpunt::bench
