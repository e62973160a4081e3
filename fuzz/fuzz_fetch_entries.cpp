// protocol::decode_fetch_entries (a relay's fetch answer), followed by
// recognising every entry with a fixed fetch key, as a client does; and
// protocol::decode_message_ids (the answer's id list) on the same bytes.
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meldpunt;
  const auto& keys = fuzz::FixedKeys::get();
  if (auto ids = protocol::decode_message_ids(ByteView(data, size))) {
    if (ids->size() * crypto::kMessageIdBytes != size) std::abort();
    for (std::size_t i = 1; i < ids->size(); ++i) {
      if (!((*ids)[i - 1] < (*ids)[i])) std::abort();  // strictly ascending, as the decoder promises
    }
  }
  auto entries = protocol::decode_fetch_entries(ByteView(data, size));
  if (!entries) return 0;
  // The decoder checks whole entries and the count bound; it does not insist
  // on the padding quantum (the client gains nothing from refusing an
  // unpadded answer: padding protects the relay's view, not the client).
  if (entries->size() * crypto::kFetchEntryBytes != size || entries->size() > protocol::kMaxFetchEntries) {
    std::abort();
  }
  for (const crypto::FetchEntry& e : *entries) (void)crypto::recognise(e, keys.reporter.fetch_sk);
  return 0;
}
