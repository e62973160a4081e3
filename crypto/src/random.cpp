#include "meldpunt/crypto/random.hpp"

#include <sodium.h>

namespace meldpunt::crypto {

void random_fill(std::span<std::uint8_t> out) {
  if (out.empty()) return;  // an empty span may carry a null pointer, which randombytes_buf must not get
  randombytes_buf(out.data(), out.size());
}

std::uint32_t random_below(std::uint32_t upper_bound) {
  return upper_bound == 0 ? 0 : randombytes_uniform(upper_bound);
}

}  // namespace meldpunt::crypto
