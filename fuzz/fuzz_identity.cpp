// AdviserIdentity::parse (the key file's identity part). An identity that
// parses must serialise back to the same bytes.
#include <algorithm>

#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meldpunt;
  fuzz::FixedKeys::get();
  auto identity = crypto::AdviserIdentity::parse(ByteView(data, size));
  if (!identity) return 0;
  const crypto::SecretBuffer again = identity->serialize();
  if (again.size() != size || !std::equal(again.view().begin(), again.view().end(), data)) std::abort();
  return 0;
}
