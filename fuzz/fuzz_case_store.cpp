// The adviser case store's record decoders (store_records.hpp): the first
// byte picks one of case, message, history, note, settings, directory,
// filing, relay-message, alias, schema, attachment, label, attachment piece
// and file key records. Records are
// sealed on disk, so these only see bytes that passed the store key's MAC,
// but a damaged or older store must still never crash the client. Every
// decoder agrees with its encoder (fuzz::check_round_trip).
#include "fuzz_common.hpp"
#include "store_records.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meldpunt;
  if (size == 0) return 0;
  const ByteView rest(data + 1, size - 1);
  switch (data[0] % 14) {
    case 0: fuzz::check_round_trip(rest, adviser::decode_case, adviser::encode_case); break;
    case 1: fuzz::check_round_trip(rest, adviser::decode_message, adviser::encode_message); break;
    case 2: fuzz::check_round_trip(rest, adviser::decode_history, adviser::encode_history); break;
    case 3: fuzz::check_round_trip(rest, adviser::decode_note, adviser::encode_note); break;
    case 4: fuzz::check_round_trip(rest, adviser::decode_settings, adviser::encode_settings); break;
    case 5:
      fuzz::check_round_trip(rest, adviser::decode_directory_history, adviser::encode_directory_history);
      break;
    case 6: fuzz::check_round_trip(rest, adviser::decode_filing, adviser::encode_filing); break;
    case 7: fuzz::check_round_trip(rest, adviser::decode_relay_message, adviser::encode_relay_message); break;
    case 8: fuzz::check_round_trip(rest, adviser::decode_alias, adviser::encode_alias); break;
    case 9: fuzz::check_round_trip(rest, adviser::decode_schema, adviser::encode_schema); break;
    case 10:
      fuzz::check_round_trip(rest, adviser::decode_attachment_record, adviser::encode_attachment_record);
      break;
    case 11: fuzz::check_round_trip(rest, adviser::decode_label, adviser::encode_label); break;
    case 12:
      fuzz::check_round_trip(rest, adviser::decode_attachment_piece, [](const crypto::SecretBuffer& piece) {
        return adviser::encode_attachment_piece(piece.view());
      });
      break;
    default:
      fuzz::check_round_trip(rest, adviser::decode_file_key_record, adviser::encode_file_key_record);
      break;
  }
  return 0;
}
