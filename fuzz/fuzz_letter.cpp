// protocol::decode_letter (the plaintext inside an envelope, written by a
// possibly hostile sender). A version-2 or version-3 (files announced)
// letter that decodes must encode back to the same bytes: one letter, one
// encoding. A version-1 letter (read with
// directory serial 0) encodes as version 2: the same bytes with the version
// byte 2 and eight zero bytes of serial after sent_at.
#include <algorithm>

#include "fuzz_common.hpp"
#include "meldpunt/protocol/letter.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meldpunt;
  auto letter = protocol::decode_letter(ByteView(data, size));
  if (!letter) return 0;
  const crypto::SecretBuffer again = protocol::encode_letter(*letter);
  Bytes expected(data, data + size);
  if (data[0] == protocol::kLetterVersionWithoutSerial) {
    if (letter->directory_serial != 0) std::abort();
    expected[0] = protocol::kLetterVersion;
    expected.insert(expected.begin() + 10, 8, 0);
  }
  if (again.size() != expected.size() || !std::equal(again.view().begin(), again.view().end(), expected.begin())) {
    std::abort();
  }
  return 0;
}
