// The adviser's files after decryption: the key file plaintext
// (decode_key_file), its profile (decode_profile) and a backup's plaintext
// (decode_backup); the first byte picks the decoder. Each agrees with its
// encoder (fuzz::check_round_trip).
#include "archive.hpp"
#include "fuzz_common.hpp"
#include "key_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meldpunt;
  if (size == 0) return 0;
  const ByteView rest(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0: fuzz::check_round_trip(rest, adviser::decode_profile, adviser::encode_profile); break;
    case 1:
      fuzz::check_round_trip(rest, adviser::decode_key_file, [](const adviser::KeyFileContents& c) {
        return adviser::encode_key_file(c.profile, c.identity);
      });
      break;
    default: fuzz::check_round_trip(rest, adviser::decode_backup, adviser::encode_backup); break;
  }
  return 0;
}
