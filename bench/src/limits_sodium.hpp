// The fetch limit: raw ristretto255 scalar multiplications from libsodium,
// the operation a fetch must do twice per stored clue. Benchmark-only: calls
// libsodium directly so the limit does not include any of the project's code.
#pragma once

#include <cstddef>

namespace meldpunt::bench {

// Wall time in seconds of `count` crypto_scalarmult_ristretto255 calls
// (random scalar, valid point) divided evenly over `threads` threads.
double scalarmult_seconds(std::size_t count, unsigned threads);

}  // namespace meldpunt::bench
