// The bodies inside letters that have a format of their own, all written by a
// possibly hostile sender: the conversation history (kind 5), the hand-over
// proposal (kind 7), the hand-over answer (kind 8) and the hand-over transfer
// (kind 9). The first byte selects the decoder. Whatever decodes must encode back to the same
// bytes: one body, one encoding.
#include <algorithm>

#include "fuzz_common.hpp"
#include "meldpunt/protocol/handover.hpp"
#include "meldpunt/protocol/letter.hpp"

namespace {

void same_or_abort(const meldpunt::crypto::SecretBuffer& again, const std::uint8_t* data, std::size_t size) {
  if (again.size() != size || !std::equal(again.view().begin(), again.view().end(), data)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meldpunt;
  if (size == 0) return 0;
  const std::uint8_t selector = data[0];
  const ByteView body(data + 1, size - 1);
  switch (selector % 4) {
    case 0:
      if (auto history = protocol::decode_history(body)) same_or_abort(protocol::encode_history(*history), body.data(), body.size());
      break;
    case 1:
      if (auto proposal = protocol::decode_proposal(body)) same_or_abort(protocol::encode_proposal(*proposal), body.data(), body.size());
      break;
    case 2:
      if (auto answer = protocol::decode_answer(body)) same_or_abort(protocol::encode_answer(*answer), body.data(), body.size());
      break;
    default:
      if (auto transfer = protocol::decode_transfer(body)) {
        same_or_abort(protocol::encode_transfer(*transfer), body.data(), body.size());
      }
      break;
  }
  return 0;
}
