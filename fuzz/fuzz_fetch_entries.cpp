// protocol::decode_fetch_entries (a relay's fetch answer), followed by
// recognising every entry with a fixed fetch key, as a client does.
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meldpunt;
  const auto& keys = fuzz::FixedKeys::get();
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
