// protocol::decode_bundle (the prekey bundle a relay hands a reporter).
#include <algorithm>

#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meldpunt;
  auto bundle = protocol::decode_bundle(ByteView(data, size));
  if (!bundle) return 0;
  const Bytes again = protocol::encode_bundle(*bundle);
  if (again.size() != size || !std::equal(again.begin(), again.end(), data)) std::abort();
  return 0;
}
