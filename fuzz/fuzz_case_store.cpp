// The adviser case store's record decoders: the first byte picks one of
// case, message, history, note, settings, directory and filing records. Records are sealed on
// disk, so these only see bytes that passed the store key's MAC, but a
// damaged or older store must still never crash the client. Every decoder
// agrees with its encoder (fuzz::check_round_trip).
//
// Not reachable from here: the relay-message record decoder, which is
// internal to case_store.cpp (see docs/SECURITY.md, known limits).
#include "case_store.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meldpunt;
  if (size == 0) return 0;
  const ByteView rest(data + 1, size - 1);
  switch (data[0] % 7) {
    case 0: fuzz::check_round_trip(rest, adviser::decode_case, adviser::encode_case); break;
    case 1: fuzz::check_round_trip(rest, adviser::decode_message, adviser::encode_message); break;
    case 2: fuzz::check_round_trip(rest, adviser::decode_history, adviser::encode_history); break;
    case 3: fuzz::check_round_trip(rest, adviser::decode_note, adviser::encode_note); break;
    case 4: fuzz::check_round_trip(rest, adviser::decode_settings, adviser::encode_settings); break;
    case 5:
      fuzz::check_round_trip(rest, adviser::decode_directory_history, adviser::encode_directory_history);
      break;
    default: fuzz::check_round_trip(rest, adviser::decode_filing, adviser::encode_filing); break;
  }
  return 0;
}
