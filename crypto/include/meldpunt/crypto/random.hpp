// Randomness for non-secret uses (message ids, shuffles, expiry fuzz), from
// the same OS CSPRNG as the keys (randombytes).
#pragma once

#include <cstdint>
#include <span>

namespace meldpunt::crypto {

void random_fill(std::span<std::uint8_t> out);
// Uniform in [0, upper_bound), without modulo bias; 0 if upper_bound is 0.
std::uint32_t random_below(std::uint32_t upper_bound);

}  // namespace meldpunt::crypto
