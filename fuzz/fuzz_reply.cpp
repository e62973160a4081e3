// protocol::parse_reply (the client's view of a relay's answer): bounded, and
// the error text it keeps is printable ASCII only (it reaches a terminal);
// then the field decoders a client applies to an ok reply.
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meldpunt;
  const std::vector<ByteView> frames = fuzz::split_frames(data, size);
  auto reply = protocol::parse_reply(frames);
  if (!reply) return 0;
  if (reply->error_text.size() > protocol::kMaxErrorText) std::abort();
  for (char c : reply->error_text) {
    if (c < 0x20 || c > 0x7e) std::abort();
  }
  // What clients do with the fields of an ok reply: policy, bundle, fetch answer.
  if (auto policy = protocol::decode_policy(reply->fields)) {
    if (policy->difficulty > crypto::kMaxPowDifficulty) std::abort();
  }
  if (!reply->fields.empty()) {
    (void)protocol::decode_bundle(reply->fields[0]);
    (void)protocol::decode_fetch_entries(reply->fields[0]);
  }
  return 0;
}
