// AdviserIdentity::parse (the key file's identity part). An identity that
// parses must serialise back to the same bytes (version 2), or, read from a
// version 1 file, to version 2 bytes that parse and serialise unchanged.
#include <algorithm>

#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meldpunt;
  fuzz::FixedKeys::get();
  auto identity = crypto::AdviserIdentity::parse(ByteView(data, size));
  if (!identity) return 0;
  const crypto::SecretBuffer again = identity->serialize();
  const bool version1 = size >= 8 && data[7] == 1;
  if (!version1) {
    if (again.size() != size || !std::equal(again.view().begin(), again.view().end(), data)) std::abort();
    return 0;
  }
  if (!identity->medium.empty()) std::abort();
  auto upgraded = crypto::AdviserIdentity::parse(again.view());
  if (!upgraded) std::abort();
  const crypto::SecretBuffer third = upgraded->serialize();
  if (third.size() != again.size() || !std::equal(third.view().begin(), third.view().end(), again.view().begin())) {
    std::abort();
  }
  return 0;
}
