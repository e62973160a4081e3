// protocol::decode_letter (the plaintext inside an envelope, written by a
// possibly hostile sender). A letter that decodes must encode back to the
// same bytes: one letter, one encoding.
#include <algorithm>

#include "fuzz_common.hpp"
#include "meldpunt/protocol/letter.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meldpunt;
  auto letter = protocol::decode_letter(ByteView(data, size));
  if (!letter) return 0;
  const crypto::SecretBuffer again = protocol::encode_letter(*letter);
  if (again.size() != size || !std::equal(again.view().begin(), again.view().end(), data)) std::abort();
  return 0;
}
